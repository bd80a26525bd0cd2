import type { Command } from '../connection/command';
import { ConnectionError } from '../errors';
import type { Clock, TimerHandle } from './clock';
import type { ConnectionLike } from './lifecycle-config';

/**
 * Connections the lifecycle stopped sending to while they were still open, because the server
 * behind them is being replaced (a failover the sentinels announced, a READONLY reply). Commands
 * in flight on them still get their replies there; those the server refused without running them
 * (READONLY) are taken back, in the order they were answered, to go to the next connection. A
 * retired connection that has not finished within `graceMs` is destroyed (its commands then follow
 * the in-flight rule).
 */
export class Retirements {
  private readonly conns = new Map<ConnectionLike, { returned: Command[]; timer: TimerHandle; ended: Promise<void> }>();

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
  ) {}

  get size(): number {
    return this.conns.size;
  }

  has(conn: ConnectionLike): boolean {
    return this.conns.has(conn);
  }

  /** Stops using `conn`: it closes once every command in flight on it was answered. */
  add(conn: ConnectionLike): void {
    const timer = this.clock.setTimeout(() => {
      conn.destroy(
        new ConnectionError(
          'network',
          `${conn.endpoint} was being left for a new server and did not answer the commands in flight on it within ${this.graceMs} ms: dropped`,
        ),
      );
    }, this.graceMs);
    // Registered before end() is called: the connection may close as soon as it is asked to.
    const entry = { returned: [] as Command[], timer, ended: Promise.resolve() };
    this.conns.set(conn, entry);
    entry.ended = conn.end().catch(() => undefined);
  }

  /** Takes `cmd` back from `conn` unsettled (it did not run); false if `conn` is not retiring. */
  takeBack(conn: ConnectionLike, cmd: Command): boolean {
    const entry = this.conns.get(conn);
    if (entry === undefined) return false;
    cmd.stage = 'queued';
    entry.returned.push(cmd);
    return true;
  }

  /** `conn` closed: forgets it and returns the commands it gave back, in order. */
  closed(conn: ConnectionLike): Command[] {
    const entry = this.conns.get(conn);
    if (entry === undefined) return [];
    this.clock.clearTimeout(entry.timer);
    this.conns.delete(conn);
    return entry.returned;
  }

  /** Resolves when every retiring connection has closed. */
  async ended(): Promise<void> {
    await Promise.all([...this.conns.values()].map((e) => e.ended));
  }

  destroyAll(cause: Error): void {
    for (const conn of [...this.conns.keys()]) conn.destroy(cause);
  }
}
