import { recycleClient, usableClient } from '../pool/recycle';
import { ResourcePool } from '../pool/resource-pool';
import type { RedisClient } from './client';
import { internals } from './internals';

/**
 * The connections a client keeps for work that must not share its main connection: blocking
 * commands (BLPOP, XREAD BLOCK, ...) and isolated() callbacks (WATCH/MULTI/EXEC). Each one is a
 * full client with its own lifecycle. They are made on demand up to `max`; beyond that, callers
 * wait their turn. An idle one is closed after a minute. The engine is the same ResourcePool
 * that createPool() uses, with the same reset rules (src/pool/recycle.ts).
 */
export class DedicatedConnections {
  private readonly pool: ResourcePool<RedisClient>;

  constructor(parent: RedisClient, max: number, idleMs = 60_000) {
    this.pool = new ResourcePool<RedisClient>(
      {
        create: () => {
          const conn = parent.duplicate();
          internals(conn).isolatedConnection = true;
          return conn;
        },
        usable: usableClient,
        recycle: recycleClient,
        close: (conn) => conn.close(),
        destroy: (conn) => conn.destroy(),
      },
      { min: 0, max, acquireTimeoutMs: Infinity, idleTimeoutMs: idleMs },
    );
  }

  use<T>(fn: (conn: RedisClient) => Promise<T>): Promise<T> {
    return this.pool.use(fn);
  }

  /** Idle connections close gracefully; busy ones (possibly blocked for good) are dropped. */
  close(): Promise<void> {
    return this.pool.close({ busy: 'destroy' });
  }

  destroy(): void {
    this.pool.destroy();
  }
}
