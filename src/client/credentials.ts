import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { inspect, type InspectOptions } from 'node:util';
import type { Credentials } from './options';

export type CredentialsProvider = () => Credentials | Promise<Credentials>;

/**
 * A client's password, or its credentials provider, kept where nothing that prints can reach
 * it: in `#private` fields, which util.inspect (at any depth), JSON.stringify, Object.keys and
 * structured logging never see. `client.options.auth` is one of these; it prints as
 * `Auth <password set>`. The secret itself leaves only through `current()`, once per connection
 * attempt, straight into the handshake. A client made by duplicate() or by a pool shares the
 * same object, so it never travels through a plain options object either.
 */
export class Auth {
  readonly #password: string | undefined;
  readonly #provider: CredentialsProvider | undefined;

  constructor(password: string | undefined, provider: CredentialsProvider | undefined) {
    this.#password = password;
    this.#provider = provider;
  }

  /** Whether the handshake authenticates (tells "wrong password" from "password missing"). */
  get sendsPassword(): boolean {
    return this.#password !== undefined || this.#provider !== undefined;
  }

  /** 'password' | 'credentials provider' | 'none': what a person debugging may know. */
  get source(): 'password' | 'credentials provider' | 'none' {
    if (this.#provider !== undefined) return 'credentials provider';
    return this.#password !== undefined ? 'password' : 'none';
  }

  /**
   * The credentials for one connection attempt: the provider is asked each time (a rotated
   * password is picked up); its answer is not kept. Throws what the provider throws.
   * @internal
   */
  async current(): Promise<{ username?: string; password?: string }> {
    if (this.#provider !== undefined) {
      const c = await this.#provider();
      return { username: c.username, password: c.password };
    }
    return { password: this.#password };
  }

  [inspect.custom](): string {
    return `Auth <${this.describe()}>`;
  }

  toJSON(): string {
    return this.describe();
  }

  private describe(): string {
    const source = this.source;
    return source === 'password' ? 'password set' : source === 'none' ? 'no password' : source;
  }
}

/** No password and no provider. */
export const NO_AUTH = new Auth(undefined, undefined);

const TLS_SECRETS = ['key', 'passphrase', 'pfx'] as const;

/**
 * A copy of the `tls` option that prints (inspect, JSON) with its private key, passphrase and
 * PFX shown as `<set>`. The hiding methods are non-enumerable, so the spread into tls.connect()
 * does not carry them and Node sees the options unchanged.
 */
export function withHiddenTlsSecrets(tls: TlsOptions): TlsOptions {
  const copy = { ...tls };
  const view = (): Record<string, unknown> => {
    const shown: Record<string, unknown> = { ...copy };
    for (const k of TLS_SECRETS) if (shown[k] !== undefined) shown[k] = '<set>';
    return shown;
  };
  Object.defineProperty(copy, inspect.custom, {
    value: (_depth: number, options: InspectOptions, show: typeof inspect) => show(view(), options),
  });
  Object.defineProperty(copy, 'toJSON', { value: view });
  return copy;
}
