import type { Command } from '../connection/command';
import { ConnectionError } from '../errors';
import type { Clock, TimerHandle } from './clock';
import type { ConnectionLike, LifecycleConfig } from './lifecycle-config';

interface Retiring {
  returned: Command[];
  timer: TimerHandle;
  ended: Promise<void>;
  /** The blocking command this connection was asked to release (CLIENT UNBLOCK ... TIMEOUT). */
  unblocked: Command | undefined;
}

/**
 * Connections the lifecycle stopped sending to while they were still open, because the server
 * behind them is being replaced (a failover the sentinels announced, a READONLY reply). Commands
 * in flight on them still get their replies there; those the server refused without running them
 * (READONLY) are taken back, in the order they were answered, to go to the next connection. A
 * retired connection that has not finished within `graceMs` is destroyed (its commands then follow
 * the in-flight rule).
 *
 * A blocking command at the head of a retired connection (BLPOP on a dedicated connection) would
 * wait there until the old server is reconfigured, and miss what is pushed to the new one
 * meanwhile. So it is released: `CLIENT UNBLOCK <id> TIMEOUT` from a second connection to the old
 * server answers it as if its wait were over (a null: nothing was popped), and that answer is taken
 * back instead of settling the command, which goes to the next connection with what is left of its
 * wait. An answer that is not a null (an element popped before the unblock arrived) settles it as
 * usual, and so does a null once its own wait is spent.
 */
export class Retirements {
  private readonly conns = new Map<ConnectionLike, Retiring>();

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
    private readonly unblock?: LifecycleConfig['unblock'],
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
    const entry: Retiring = { returned: [], timer, ended: Promise.resolve(), unblocked: undefined };
    this.conns.set(conn, entry);
    entry.ended = conn.end().catch(() => undefined);
    this.release(conn, entry);
  }

  /** Asks the old server to release the blocking command at the head of `conn`, if one can go elsewhere. */
  private release(conn: ConnectionLike, entry: Retiring): void {
    const cmd = conn.oldestInflight;
    const unblock = this.unblock;
    if (unblock === undefined || cmd === undefined || cmd.blockingMs <= 0 || cmd.internal) return;
    // CLIENT UNBLOCK names the connection by the id HELLO gave (Redis 6+); inside MULTI nothing blocks.
    if (conn.server?.id === undefined || cmd.group !== undefined) return;
    if (unblock.withWait(cmd, 1) === undefined) return;
    entry.unblocked = cmd;
    // If the old server cannot be reached, the command waits there as before (until graceMs).
    unblock.open(conn).catch(() => undefined);
  }

  /**
   * The reply to a blocking command on `conn`: true when it is the timeout answer of a command we
   * released, taken back with what is left of its wait to go to the next connection.
   */
  blockedReply(conn: ConnectionLike, cmd: Command, reply: unknown): boolean {
    const entry = this.conns.get(conn);
    if (entry === undefined || entry.unblocked !== cmd || (reply !== null && reply !== undefined)) return false;
    entry.unblocked = undefined;
    const left = cmd.blockingMs === Infinity ? Infinity : cmd.blockingMs - (this.clock.now() - cmd.writtenAt);
    if (left < 1) return false; // its own wait is over: the timeout answer is the true one
    if (left !== Infinity) {
      const args = this.unblock?.withWait(cmd, left);
      if (args === undefined) return false;
      cmd.args = args;
      cmd.blockingMs = left;
    }
    return this.takeBack(conn, cmd);
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
