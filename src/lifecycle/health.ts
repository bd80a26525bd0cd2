import { ConnectionError } from '../errors';
import type { Command } from '../connection/command';
import type { Clock, TimerHandle } from './clock';

/** What the health check reads from a connection. */
export interface HealthTarget {
  readonly endpoint: string;
  readonly lastReadAt: number;
  readonly lastWriteAt: number;
  readonly pendingReplies: number;
  readonly oldestInflight: Command | undefined;
  ping(): void;
}

export interface HealthOptions {
  /** Send a PING after this long without traffic. */
  intervalMs: number;
  /** Declare the socket dead when replies are owed and no byte arrived for this long. */
  timeoutMs: number;
}

/**
 * Finds half-open sockets. The rule: replies are owed and no byte has arrived for timeoutMs —
 * measured from the later of the last byte read and the moment the oldest owed command was written
 * (plus how long a blocking command may legitimately wait). Writes never reset it, so a busy client
 * cannot hide a dead peer. An idle connection gets a PING after intervalMs, which makes a reply owed.
 * One timer, always aimed at the next moment something could be due.
 */
export class HealthMonitor {
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly target: HealthTarget,
    private readonly clock: Clock,
    private readonly opts: HealthOptions,
    private readonly onDead: (error: ConnectionError) => void,
  ) {}

  start(): void {
    this.schedule(Math.min(this.opts.intervalMs, this.opts.timeoutMs));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => this.check(), Math.max(1, Math.ceil(ms)));
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Exposed for tests: evaluates the rule now. */
  check(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const t = this.target;
    const now = this.clock.now();
    const head = t.oldestInflight;
    if (head !== undefined) {
      if (head.blockingMs === Infinity) {
        this.schedule(this.opts.timeoutMs);
        return;
      }
      const owedSince = Math.max(t.lastReadAt, head.writtenAt + head.blockingMs);
      const silentFor = now - owedSince;
      if (silentFor >= this.opts.timeoutMs) {
        this.stopped = true;
        this.onDead(
          new ConnectionError(
            'health',
            `${t.endpoint} sent no byte for ${Math.round(silentFor)} ms while ${t.pendingReplies} repl${t.pendingReplies === 1 ? 'y was' : 'ies were'} owed ` +
              `(healthCheck.timeoutMs is ${this.opts.timeoutMs}): the connection is presumed dead (half-open) and will be replaced`,
          ),
        );
        return;
      }
      this.schedule(this.opts.timeoutMs - silentFor);
      return;
    }
    const idleFor = now - Math.max(t.lastReadAt, t.lastWriteAt);
    if (idleFor >= this.opts.intervalMs) {
      t.ping();
      this.schedule(this.opts.timeoutMs);
      return;
    }
    this.schedule(this.opts.intervalMs - idleFor);
  }
}
