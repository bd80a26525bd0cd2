// protectedModeServer(): a redis-server in protected mode, reached from a real non-loopback address.
import { netnsSkipReason, startNetnsRedis } from './netns';
import { processHandle, type RedisProcess } from './start-redis';
import { argsOption, checkOptions, requireRedis, ProtectedModeUnavailableError } from './errors';

/** Options of `protectedModeServer()`. */
export interface ProtectedModeServerOptions {
  /** Extra redis-server arguments (e.g. `['--requirepass', 's3cret']`: a password lifts protected mode). */
  args?: string[];
}

/** A redis-server in protected mode inside its own network namespace. */
export interface ProtectedModeHandle {
  /** `redis://<address>:<port>`: a non-loopback address, so the server answers `-DENIED` to every command. */
  readonly url: string;
  /** The server's address inside the namespace (10.x.y.z): a remote peer as far as the server can tell. */
  readonly host: string;
  /** Its port. */
  readonly port: number;
  /** The server process: `cli()` reaches it over the namespace's loopback (not denied), `restart(args)` changes its arguments. */
  readonly server: RedisProcess;
  /** Kills the server, removes its directory and deletes the namespace. Idempotent. Also done at process exit. */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a redis-server with `--protected-mode yes` and no password inside a fresh network
 * namespace, bound to the namespace's address: the test process is a remote peer, so every
 * command gets `-DENIED` as on a misconfigured production server. Needs root and `ip netns`
 * (Linux); elsewhere it rejects with {@link ProtectedModeUnavailableError}, whose `reason` is a
 * skip reason for the test runner. The namespace is deleted on `close()` and at process exit.
 *
 * @throws {@link ProtectedModeUnavailableError} when network namespaces cannot be created here.
 * @throws {@link RedisNotInstalledError} when redis-server or redis-cli is not on PATH.
 */
export async function protectedModeServer(options?: ProtectedModeServerOptions): Promise<ProtectedModeHandle> {
  const o = checkOptions('protectedModeServer()', options, ['args']);
  const args = argsOption('protectedModeServer()', 'args', o.args);
  const reason = netnsSkipReason();
  if (reason !== false) throw new ProtectedModeUnavailableError(reason);
  requireRedis();
  const r = await startNetnsRedis(args === undefined ? {} : { args });
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= r.destroy());
  return {
    url: r.url,
    host: r.host,
    port: r.port,
    server: processHandle(r.server),
    close,
    [Symbol.asyncDispose]: close,
  };
}
