import { ReplyError } from '../errors';
import type { RedisClient } from './client';

/**
 * The connections a client keeps for work that must not share its main connection: blocking
 * commands (BLPOP, XREAD BLOCK, ...) and isolated() callbacks (WATCH/MULTI/EXEC). Each one is a
 * full client with its own lifecycle. They are made on demand up to `max`; beyond that, callers
 * wait their turn. An idle one is closed after a minute.
 */
export class DedicatedConnections {
  private readonly idle: RedisClient[] = [];
  private readonly busy = new Set<RedisClient>();
  private readonly waiters: Array<(conn: RedisClient) => void> = [];
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly parent: RedisClient,
    private readonly max: number,
    private readonly idleMs = 60_000,
  ) {}

  async use<T>(fn: (conn: RedisClient) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    let reusable = true;
    try {
      return await fn(conn);
    } catch (err) {
      // A command that failed without a server answer (timeout, abort, lost connection) may leave
      // the connection blocked or mid-transaction on the server: do not lend it out again.
      if (!(err instanceof ReplyError)) reusable = false;
      throw err;
    } finally {
      this.release(conn, reusable);
    }
  }

  private acquire(): Promise<RedisClient> {
    const conn = this.idle.pop();
    if (conn !== undefined) {
      this.busy.add(conn);
      return Promise.resolve(conn);
    }
    if (this.busy.size < this.max) {
      const created = this.create();
      this.busy.add(created);
      return Promise.resolve(created);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(conn: RedisClient, reusable: boolean): void {
    this.busy.delete(conn);
    if (conn.watchEpoch !== undefined) {
      conn.watchEpoch = undefined;
      conn.call('UNWATCH').catch(() => undefined);
    }
    const usable = reusable && !this.closed && (conn.state === 'ready' || conn.state === 'reconnecting');
    if (!usable) {
      conn.destroy();
    } else {
      const waiter = this.waiters.shift();
      if (waiter !== undefined) {
        this.busy.add(conn);
        waiter(conn);
        return;
      }
      this.idle.push(conn);
      this.armIdleTimer();
    }
    // A slot freed up: a waiter can have a new connection.
    const waiter = this.busy.size < this.max ? this.waiters.shift() : undefined;
    if (waiter !== undefined) {
      const created = this.create();
      this.busy.add(created);
      waiter(created);
    }
  }

  private create(): RedisClient {
    const conn = this.parent.duplicate();
    conn.isolatedConnection = true;
    return conn;
  }

  private armIdleTimer(): void {
    if (this.idleTimer !== undefined) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      for (const conn of this.idle.splice(0)) void conn.close();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  /** Idle connections close gracefully; busy ones (possibly blocked for good) are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    for (const conn of this.busy) conn.destroy();
    await Promise.all(this.idle.splice(0).map((c) => c.close()));
  }

  destroy(): void {
    this.closed = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    for (const conn of [...this.busy, ...this.idle.splice(0)]) conn.destroy();
  }
}
