// faultProxy(): the FaultProxy class behind a small, stable surface.
import { FaultProxy } from './fault-proxy';
import { InvalidArgumentError } from '../errors';
import { checkOptions } from './errors';

/** Which way bytes flow: `'up'` client to server, `'down'` server to client, or `'both'`. */
export type FaultDirection = 'up' | 'down' | 'both';

/** Where a fault proxy forwards to: a `redis://host:port` URL, or anything with `host` and `port` (e.g. a `startRedis()` handle). */
export type ProxyTarget = string | { readonly host: string; readonly port: number };

/** Options of `blackhole()`. */
export interface BlackholeOptions {
  /** `'hang'` (default): new connects hang, as across a dead network. `'accept'`: they connect, then get silence. */
  newConnections?: 'hang' | 'accept';
}

/** A TCP proxy on 127.0.0.1 that breaks the network between a client and a server on demand. */
export interface FaultProxyHandle {
  /** `redis://127.0.0.1:<port>`: give this to the client under test instead of the server's URL. */
  readonly url: string;
  /** 127.0.0.1 */
  readonly host: string;
  /** The proxy's port. */
  readonly port: number;
  /** Client connections open through the proxy right now. */
  readonly connections: number;
  /** Client connections accepted since the proxy started (reconnects count). */
  readonly accepted: number;
  /**
   * A network that is gone without a word: open connections stay open but nothing passes either
   * way, no FIN or RST either (the client sees silence, not an error: a half-open connection), and
   * new connects hang as their SYNs are dropped. Bytes sent meanwhile are lost. `heal()` ends it.
   * `{ newConnections: 'accept' }`: new connects succeed and get silence too (a server too busy to
   * answer, rather than a network that is gone). Dropping SYNs needs `python3` on PATH.
   */
  blackhole(options?: BlackholeOptions): Promise<void>;
  /** Resets (RST) every open connection, both sides: the client sees ECONNRESET. New ones are accepted. */
  reset(): void;
  /** Delays every chunk by `ms` (in `direction`, default both); order is kept. `delay(0)` ends it. */
  delay(ms: number, direction?: FaultDirection): void;
  /**
   * Forwards in pieces of at most `bytes` bytes (default 1), each its own write: replies arrive
   * in fragments, as across a slow network. `split(0)` ends it.
   */
  split(bytes?: number): void;
  /**
   * Without arguments: closes (FIN) every open connection now, both sides; the client sees the
   * server hang up. With `afterBytes`: the connection that carries `afterBytes` more bytes in
   * `direction` (default `'down'`, server to client) is destroyed right after them, in the
   * middle of a reply (one-shot).
   */
  cut(afterBytes?: number, direction?: 'up' | 'down'): void;
  /** Ends every fault: forwarding resumes, no delay, no split, a pending cut is cancelled. */
  heal(): Promise<void>;
  /** Stops listening and destroys every connection. Idempotent. */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

function parseTarget(target: unknown): { host: string; port: number } {
  if (typeof target === 'string') {
    let u: URL;
    try {
      u = new URL(target);
    } catch {
      throw new InvalidArgumentError(`faultProxy(): the target must be a redis://host:port URL, got '${target}'`);
    }
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
      throw new InvalidArgumentError(`faultProxy(): the target must be a redis:// URL, got protocol '${u.protocol}'`);
    }
    const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
    return { host, port: u.port === '' ? 6379 : Number(u.port) };
  }
  if (typeof target === 'object' && target !== null) {
    const { host, port } = target as { host?: unknown; port?: unknown };
    if (typeof host === 'string' && typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) {
      return { host, port };
    }
  }
  throw new InvalidArgumentError(
    'faultProxy(): the target must be a redis://host:port URL or an object with host and port (e.g. what startRedis() returns)',
  );
}

function nonNegative(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2_147_483_647) {
    throw new InvalidArgumentError(`${fn}: ${name} must be an integer >= 0, got ${String(v)}`);
  }
  return v;
}

function direction(fn: string, d: unknown, both: boolean): 'up' | 'down' | 'both' {
  if (d === 'up' || d === 'down' || (both && d === 'both')) return d;
  throw new InvalidArgumentError(`${fn}: direction must be 'up', 'down'${both ? " or 'both'" : ''}, got ${String(d)}`);
}

/**
 * Starts a TCP proxy on a free port of 127.0.0.1 that forwards to `target` until told to break
 * the network: `blackhole()`, `reset()`, `delay(ms)`, `split(bytes)`, `cut()`, then `heal()`. Put it
 * between the client under test and any server of the harness (or any Redis on loopback).
 * Closed on `close()`; it never keeps the process alive.
 *
 * @throws InvalidArgumentError (from `romaine`) for a target that is neither a URL nor `{ host, port }`.
 */
export async function faultProxy(target: ProxyTarget): Promise<FaultProxyHandle> {
  const t = parseTarget(target);
  const p = await FaultProxy.start(t);
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= p.close());
  return {
    get url() {
      return p.url;
    },
    host: '127.0.0.1',
    get port() {
      return p.port;
    },
    get connections() {
      return p.connections;
    },
    get accepted() {
      return p.accepted;
    },
    blackhole: async (options?: BlackholeOptions) => {
      const o = checkOptions('blackhole()', options, ['newConnections']);
      if (o.newConnections !== undefined && o.newConnections !== 'hang' && o.newConnections !== 'accept') {
        throw new InvalidArgumentError(`blackhole(): 'newConnections' must be 'hang' or 'accept'`);
      }
      p.setMode('blackhole');
      if (o.newConnections === 'accept') return;
      try {
        await p.dropNewConnections(true);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        throw new InvalidArgumentError(
          "blackhole(): dropping new connections needs python3 on PATH (apt-get install python3), or pass { newConnections: 'accept' }",
        );
      }
    },
    reset: () => p.resetAll(),
    delay: (ms: number, dir: FaultDirection = 'both') =>
      p.delay(nonNegative('delay()', 'ms', ms), direction('delay()', dir, true)),
    split: (bytes = 1) => p.splitBytes(nonNegative('split()', 'bytes', bytes)),
    cut: (afterBytes?: number, dir: 'up' | 'down' = 'down') => {
      if (afterBytes === undefined) p.closeAll();
      else p.cutAfter(nonNegative('cut()', 'afterBytes', afterBytes), direction('cut()', dir, false) as 'up' | 'down');
    },
    heal: () => p.heal(),
    close,
    [Symbol.asyncDispose]: close,
  };
}
