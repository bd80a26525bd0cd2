// startRedis(): a throwaway redis-server, as a plain object over the RedisServer class.
import { RedisServer } from './redis-server';
import { argsOption, checkOptions, intOption, requireRedis } from './errors';
import { InvalidArgumentError } from '../errors';

/** One redis-server process of the harness (a standalone server, a cluster node, a sentinel deployment's node). */
export interface RedisProcess {
  /** `redis://127.0.0.1:<port>` (`rediss://` with `tls: 'only'`). */
  readonly url: string;
  /** The address it listens on (127.0.0.1). */
  readonly host: string;
  /**
   * Its port: picked outside the kernel's ephemeral range (with its cluster bus port, + 10000) and
   * reserved for it across processes until it is closed, so it is kept across restarts.
   */
  readonly port: number;
  /** Its process id (of the last process after a kill or stop; throws if it never started). */
  readonly pid: number;
  /** Whether the process is running. */
  readonly running: boolean;
  /**
   * Stops it (SIGTERM, SIGKILL after 10 s) if it runs, then starts it again on the same port and
   * directory; resolves once it accepts commands. `newArgs` replace the extra server arguments
   * given at start (e.g. `['--requirepass', 'new']`); without them the old ones are kept. If
   * something else holds the port (or the TLS or cluster bus port) meanwhile, it waits until it is
   * free, up to the start timeout, then rejects with `PortInUseError`.
   */
  restart(newArgs?: string[]): Promise<void>;
  /** SIGTERM, and waits until the process has exited. `restart()` starts it again. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: no goodbye on its connections), and waits until it has exited. */
  kill(): Promise<void>;
  /**
   * Holds every client's commands for `ms` (CLIENT PAUSE ms ALL): replies come late, nothing
   * fails. There is no early end (even CLIENT UNPAUSE is held).
   */
  pause(ms: number): Promise<void>;
  /**
   * Runs `redis-cli` against it with these arguments and resolves with its output (error replies
   * such as `ERR ...` are output too). Authenticates with the current `--requirepass`.
   */
  cli(...args: string[]): Promise<string>;
  /** The last lines of its log (across restarts), for a failing test's message. */
  logTail(lines?: number): string;
}

/** The server started by `startRedis()`. Also usable with `await using`. */
export interface RedisHandle extends RedisProcess {
  /**
   * Restarts it so that it answers `-LOADING` for about `ms` (±25 %) before it serves: resolves
   * while it is loading. The first call writes 2 MiB of keys `big:0`..`big:2047` and saves them.
   */
  loading(ms: number): Promise<void>;
  /** Kills it and removes its directory. Idempotent. Also done at process exit. */
  close(): Promise<void>;
  /** `close()`, for `await using redis = await startRedis()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of `startRedis()`. Every one is optional. */
export interface StartRedisOptions {
  /** Extra redis-server arguments, e.g. `['--requirepass', 's3cret', '--maxmemory', '10mb']`. Later ones win. */
  args?: string[];
  /**
   * `'only'`: serve TLS only (`url` is `rediss://`), with the harness' self-signed test certificates
   * (the client needs `tls: { rejectUnauthorized: false }` or the CA from the server's directory).
   * Default: plain TCP.
   */
  tls?: 'only';
  /** Listen on this port instead of a free one (not reserved; `PortInUseError` at once if it is taken). */
  port?: number;
  /** Give up starting, or waiting for the port at a restart, after this long (default 15000 ms). */
  startTimeoutMs?: number;
}

const START_OPTIONS = ['args', 'tls', 'port', 'startTimeoutMs'] as const;

// One handle per server, so that identities hold (cluster.nodes[0] === result.oldPrimary).
const handles = new WeakMap<RedisServer, RedisProcess>();

/** The RedisProcess view of a harness server (the same object each time). */
export function processHandle(s: RedisServer): RedisProcess {
  let h = handles.get(s);
  if (h === undefined) {
    h = {
      get url() {
        return s.url;
      },
      get host() {
        return s.host;
      },
      get port() {
        return s.port;
      },
      get pid() {
        return s.pid;
      },
      get running() {
        return s.running;
      },
      restart: (newArgs?: string[]) =>
        s.restart(newArgs === undefined ? {} : { args: checkArgs('restart()', newArgs) }),
      stop: () => s.stop(),
      kill: () => s.kill(),
      pause: (ms: number) => s.pause(checkMs('pause()', ms)),
      cli: (...args: string[]) => s.cli(...args),
      logTail: (lines?: number) => s.logTail(lines),
    };
    handles.set(s, h);
  }
  return h;
}

function checkArgs(fn: string, args: unknown): string[] {
  return argsOption(fn, 'newArgs', args)!;
}

function checkMs(fn: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > 2_147_483_647) {
    throw new InvalidArgumentError(`${fn}: ms must be a positive integer of milliseconds, got ${String(ms)}`);
  }
  return ms;
}

/**
 * Starts a throwaway `redis-server` (from PATH) on a free loopback port, in its own temporary
 * directory, persisting nothing (`--save "" --appendonly no`, overridable through `args`).
 * Resolves once it accepts commands. The process is killed and its directory removed on
 * `close()`, and at the latest when the Node process exits (also on SIGINT/SIGTERM/SIGHUP).
 *
 * @throws {@link RedisNotInstalledError} when redis-server or redis-cli is not on PATH.
 * @throws InvalidArgumentError (from `romaine`) for an unknown or ill-typed option.
 */
export async function startRedis(options?: StartRedisOptions): Promise<RedisHandle> {
  const o = checkOptions('startRedis()', options, START_OPTIONS);
  const args = argsOption('startRedis()', 'args', o.args);
  if (o.tls !== undefined && o.tls !== 'only') {
    throw new InvalidArgumentError(`startRedis(): 'tls' must be 'only' (TLS on the only port) or absent`);
  }
  const port = intOption('startRedis()', 'port', o.port, 1, 65535);
  const startTimeoutMs = intOption('startRedis()', 'startTimeoutMs', o.startTimeoutMs, 1, 600_000);
  requireRedis();
  const s = await RedisServer.start({
    ...(args === undefined ? {} : { args }),
    ...(o.tls === 'only' ? { tls: 'only' as const } : {}),
    ...(port === undefined ? {} : { port }),
    ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
  });
  const base = processHandle(s);
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= s.destroy());
  return Object.defineProperties(
    {
      loading: (ms: number) => s.restartLoading(checkMs('loading()', ms)),
      close,
      [Symbol.asyncDispose]: close,
    },
    Object.getOwnPropertyDescriptors(base),
  ) as RedisHandle;
}
