import { ClientClosedError, ConnectionError, type ReplyError } from '../errors';
import type { Command } from '../connection/command';
import type { ConnectionHooks, Leftovers } from '../connection/connection';
import type { TimerHandle } from './clock';
import type { AttemptInfo, ConnectionLike, LifecycleConfig } from './lifecycle-config';

/** How long the attempt after a silent reset listens before writing: long enough for a `-DENIED` line. */
export const LISTEN_FIRST_MS = 200;

/**
 * While the connection is being opened, the attempt's deadline waits this much longer: the
 * transport and the handshake have timers of their own on the same budget, whose errors say more
 * precisely what did not answer. It only catches an open that never settles.
 */
export const OPEN_GRACE_MS = 250;

/** What an attempt reports to the lifecycle that started it; the lifecycle decides what follows. */
export interface AttemptOwner {
  /** False once the lifecycle disowned the attempt (close, destroy, give-up, a new connect). */
  isCurrent(): boolean;
  /** Whether the client found a primary before: a replica now fails the attempt. */
  expectsPrimary(): boolean;
  succeeded(conn: ConnectionLike): void;
  failed(raw: unknown): void;
  /** The attempt's connection closed (`conn` is undefined if it died before `open` resolved). */
  connectionClosed(conn: ConnectionLike | undefined, cause: Error, leftovers: Leftovers): void;
  /** The attempt's connection answered READONLY to `cmd`; true takes the command back unsettled. */
  readOnly(conn: ConnectionLike | undefined, cmd: Command, reply: ReplyError): boolean;
  /** The reply to a blocking command on the attempt's connection; true takes it back unsettled. */
  blockedReply(conn: ConnectionLike | undefined, cmd: Command, reply: unknown): boolean;
}

/**
 * Everything one connection attempt holds (its connection, its one deadline, which step it is in)
 * in one object, with one way to stop it (`cancel()`): a retry makes a fresh Attempt, so no timer
 * or listener of an old attempt can act on a new one (STYLE.md practice 4).
 *
 * The deadline covers every step: socket, TLS, handshake (`open`), then the restore of
 * subscriptions and tracking, plus the listen-first time. Once it passed (`over`), whatever the
 * steps bring later is discarded and its connection destroyed.
 */
export class Attempt {
  private opened: ConnectionLike | undefined;
  private step: 'open' | 'restore' = 'open';
  private over = false;
  private timer: TimerHandle | undefined;
  private readonly budgetMs: number | undefined;
  private readonly startedAt: number;

  constructor(
    private readonly config: LifecycleConfig,
    readonly info: AttemptInfo,
    private readonly owner: AttemptOwner,
  ) {
    this.budgetMs = config.attemptTimeoutMs === undefined ? undefined : config.attemptTimeoutMs + info.listenFirstMs;
    this.startedAt = config.clock.now();
  }

  start(): void {
    const clock = this.config.clock;
    if (this.budgetMs !== undefined) this.timer = clock.setTimeout(this.expire, this.budgetMs + OPEN_GRACE_MS);
    const hooks: ConnectionHooks = {
      onPush: this.config.onPush,
      claimReply: this.config.claimReply,
      onClose: (cause, leftovers) => this.owner.connectionClosed(this.opened, cause, leftovers),
      onReadOnly: (cmd, reply) => this.owner.readOnly(this.opened, cmd, reply),
      onBlockedReply: (cmd, reply) => this.owner.blockedReply(this.opened, cmd, reply),
    };
    this.config.open(this.info, hooks).then(
      (conn) => this.proceed(conn),
      (err: unknown) => {
        if (this.over) return;
        this.cancel();
        if (this.owner.isCurrent()) this.owner.failed(err);
      },
    );
  }

  /** Stops the deadline; a disowned attempt's late connection is destroyed when it arrives. */
  cancel(): void {
    if (this.timer !== undefined) this.config.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async proceed(conn: ConnectionLike): Promise<void> {
    this.opened = conn;
    if (this.over) {
      conn.destroy(new ConnectionError('network', 'the attempt passed its deadline before the connection opened'));
      return;
    }
    if (!this.owner.isCurrent()) {
      this.cancel();
      conn.destroy(new ClientClosedError());
      return;
    }
    if (this.config.restore !== undefined) {
      this.step = 'restore';
      if (this.budgetMs !== undefined) {
        const clock = this.config.clock;
        this.cancel();
        this.timer = clock.setTimeout(this.expire, Math.max(1, this.startedAt + this.budgetMs - clock.now()));
      }
      try {
        await this.config.restore(conn);
      } catch (err) {
        if (this.over) return;
        this.cancel();
        conn.destroy(err instanceof Error ? err : new Error(String(err)));
        if (this.owner.isCurrent()) this.owner.failed(err);
        return;
      }
      if (this.over) return;
    }
    this.cancel();
    if (!this.owner.isCurrent()) {
      conn.destroy(new ClientClosedError());
      return;
    }
    const role = conn.server?.role;
    if (this.owner.expectsPrimary() && role !== undefined && role !== 'master') {
      const error = new ConnectionError(
        'readonly',
        `${conn.endpoint} is a ${role}, but this client had a primary there: waiting for the name to point at the new primary`,
      );
      conn.destroy(error);
      this.owner.failed(error);
      return;
    }
    this.owner.succeeded(conn);
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    if (!this.owner.isCurrent()) return;
    this.over = true;
    const endpoint = this.config.endpoint;
    const error =
      this.step === 'open'
        ? new ConnectionError(
            'network',
            `connecting to ${endpoint} (socket, TLS, handshake) did not finish within ${this.budgetMs} ms (connectTimeoutMs): retrying`,
          )
        : new ConnectionError(
            'network',
            `${endpoint} completed the handshake but did not answer the restore of subscriptions and client-side-cache tracking ` +
              `within the attempt's ${this.budgetMs} ms (connectTimeoutMs): the server went silent; retrying with a new connection`,
          );
    this.opened?.destroy(error);
    this.owner.failed(error);
  };
}
