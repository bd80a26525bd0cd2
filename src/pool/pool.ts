import { inspect, type InspectOptions } from 'node:util';
import { InvalidArgumentError } from '../errors';
import { RedisClient } from '../client/client';
import { internals } from '../client/internals';
import { duration } from '../client/option-checks';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from '../client/options';
import { recycleClient, usableClient } from './recycle';
import { ResourcePool, type PoolStats } from './resource-pool';
import { describeEndpoint } from '../transport/socket';

export interface PoolOptions {
  /** Connections kept open even when idle (opened when the pool is made). Default 0. */
  min?: number;
  /** Most connections at once. Default 10. */
  max?: number;
  /** How long use() waits for a free connection before rejecting with PoolTimeoutError. Default 10000 ms (Infinity: forever). */
  acquireTimeoutMs?: number;
  /** Idle connections above `min` are closed after this long. Default 30000 ms (Infinity: never). */
  idleTimeoutMs?: number;
}

const KNOWN = new Set(['min', 'max', 'acquireTimeoutMs', 'idleTimeoutMs']);

/**
 * Connections for work that needs one to itself: WATCH/MULTI/EXEC written against one connection,
 * blocking commands, long streams. Each connection is a full RedisClient with its own lifecycle
 * (it reconnects by itself, and its commands follow the client's rules across a reconnect).
 *
 * ```ts
 * const pool = createPool('redis://127.0.0.1:6379', { max: 4 });
 * await pool.use(async (conn) => { await conn.watch('k'); ... });
 * await pool.close();
 * ```
 */
export class Pool {
  private readonly pool: ResourcePool<RedisClient>;

  constructor(
    readonly clientOptions: ResolvedOptions,
    readonly options: Required<PoolOptions>,
  ) {
    this.pool = new ResourcePool<RedisClient>(
      {
        create: () => {
          const conn = new RedisClient(clientOptions);
          internals(conn).isolatedConnection = true; // its blocking commands and isolated() run on it
          return conn;
        },
        usable: usableClient,
        recycle: recycleClient,
        close: (conn) => conn.close(),
        destroy: (conn) => conn.destroy(),
        warm: (conn) => void conn.connect().catch(() => undefined),
      },
      options,
    );
  }

  /**
   * Lends a connection to `fn` and takes it back however `fn` ends (a connection left watching
   * keys gets UNWATCH; one left subscribed, on another database, or with commands still
   * unanswered is not lent out again). Waits up to `acquireTimeoutMs` for a free connection.
   */
  use<T>(fn: (conn: RedisClient) => Promise<T>): Promise<T> {
    return this.pool.use(fn);
  }

  /** Connections in the pool (idle + busy) and callers waiting. */
  stats(): PoolStats {
    return this.pool.stats();
  }

  /** Graceful: new use() calls are refused; those waiting and those running finish; then every connection closes. */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** Now: waiting calls reject, every connection is dropped (their pending commands reject with ClientClosedError). */
  destroy(): void {
    this.pool.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** `console.log(pool)`: where it points, its bounds and its connections; never the options' secrets. */
  [inspect.custom](_depth: number, options: InspectOptions, show: typeof inspect): string {
    return `Pool ${show(this.toJSON(), options)}`;
  }

  toJSON(): { endpoint: string; min: number; max: number } & PoolStats {
    const o = this.clientOptions;
    const endpoint = describeEndpoint({ host: o.host, port: o.port, path: o.path, tls: o.tls });
    return { endpoint, min: this.options.min, max: this.options.max, ...this.stats() };
  }
}

/** Creates a pool; client options are validated here, like createClient()'s. Nothing connects before use() unless `min` > 0. */
export function createPool(urlOrOptions?: string | ClientOptions, poolOptions?: PoolOptions): Pool {
  const clientOptions = resolveOptions(urlOrOptions);
  return new Pool(clientOptions, resolvePoolOptions(poolOptions ?? {}));
}

function resolvePoolOptions(o: PoolOptions): Required<PoolOptions> {
  if (typeof o !== 'object' || o === null)
    throw new InvalidArgumentError(`createPool()'s second argument must be an object`);
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key))
      throw new InvalidArgumentError(`unknown pool option '${key}' (known: ${[...KNOWN].join(', ')})`);
  }
  const count = (name: string, v: unknown, def: number, min: number): number => {
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new InvalidArgumentError(`pool option '${name}' must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  const max = count('max', o.max, 10, 1);
  const min = count('min', o.min, 0, 0);
  if (min > max) throw new InvalidArgumentError(`pool option 'min' (${min}) must not exceed 'max' (${max})`);
  return {
    min,
    max,
    acquireTimeoutMs: duration('acquireTimeoutMs', o.acquireTimeoutMs, 10_000, 0, 'forever'),
    idleTimeoutMs: duration('idleTimeoutMs', o.idleTimeoutMs, 30_000, 0, 'never'),
  };
}
