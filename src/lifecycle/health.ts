import { ConnectionError } from '../errors';
import type { Command } from '../connection/command';
import type { ProbeFinding } from '../connection/probe';
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
  /** Suspect the socket when replies are owed and no byte arrived for this long. */
  timeoutMs: number;
  /** How long the probe that confirms a suspicion may take (see judgeProbe). */
  probeTimeoutMs?: number;
}

/** A probe's answer, judged: `dead` condemns the connection; otherwise look again later. */
export interface ProbeVerdict {
  dead: boolean;
  /** What the probe showed, for the error message or the log. */
  why: string;
}

/**
 * Silence alone cannot tell a dead link from a live server busy with a slow command, so a
 * suspicion is confirmed by a second connection to the same server before the first one is
 * condemned. Only positive signs of a live server that is still working for us spare it:
 *
 * - no new TCP (or TLS) connection within the probe timeout, refused, reset: the path or the
 *   server is gone -> dead;
 * - connected, but the server answered nothing within the probe timeout: it is single-threaded and
 *   busy (a long script, KEYS, CLIENT PAUSE) -> alive, look again;
 * - the server answered -BUSY (a script past busy-reply-threshold) -> alive, look again;
 * - the server answered and lists our connection as blocked (BLPOP, WAIT, a write held by CLIENT
 *   PAUSE WRITE) -> alive, look again;
 * - the server answered and does not know our connection, or knows it with nothing in progress
 *   while we still owe replies (they were lost on the way) -> dead;
 * - anything else (the probe was refused credentials, a TLS error, -LOADING after a restart, an
 *   old server that cannot list one client) -> dead: the old rule, condemn on silence.
 */
export function judgeProbe(finding: ProbeFinding): ProbeVerdict {
  switch (finding.kind) {
    case 'unreachable':
      return { dead: true, why: `a new connection to the server failed too (${finding.detail})` };
    case 'unresponsive':
      return { dead: false, why: 'the server accepted a new connection but answered nothing: it is busy' };
    case 'busy':
      return { dead: false, why: `the server is busy (${finding.detail})` };
    case 'client':
      if (finding.info === undefined) {
        return { dead: true, why: `the server answers and no longer knows this connection (id ${finding.id})` };
      }
      if (finding.info.blocked) {
        return { dead: false, why: `the server says this connection is blocked in ${finding.info.cmd}` };
      }
      return {
        dead: true,
        why: `the server answers and has nothing in progress for this connection (id ${finding.id}, last command ${finding.info.cmd}): the replies were lost`,
      };
    case 'answered':
      return { dead: true, why: 'the server answers other connections' };
    case 'failed':
      return { dead: true, why: `the probe failed: ${finding.detail}` };
  }
}

/**
 * Finds half-open sockets. The rule: replies are owed and no byte has arrived for timeoutMs —
 * measured from the later of the last byte read and the moment the oldest owed command was written
 * (plus how long a blocking command may legitimately wait). Writes never reset it, so a busy client
 * cannot hide a dead peer. An idle connection gets a PING after intervalMs, which makes a reply owed.
 * One timer, always aimed at the next moment something could be due.
 *
 * When the rule fires, `probe` (if given) confirms it before the connection is condemned (see
 * judgeProbe); a connection the probe spares is measured again from that moment.
 */
export class HealthMonitor {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private probing = false;
  /** When a probe last found the server alive and busy: silence before it is forgiven. */
  private sparedAt = -Infinity;

  constructor(
    private readonly target: HealthTarget,
    private readonly clock: Clock,
    private readonly opts: HealthOptions,
    private readonly onDead: (error: ConnectionError) => void,
    private readonly probe?: () => Promise<ProbeFinding>,
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
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.check(), Math.max(1, Math.ceil(ms)));
    (this.timer as { unref?: () => void }).unref?.();
  }

  /**
   * A command timed out with no byte read since it was written: look now rather than at the next
   * tick, unless a probe is already out or has just found the server busy.
   */
  suspect(): void {
    if (this.stopped || this.probing || this.target.oldestInflight === undefined) return;
    if (this.clock.now() - this.sparedAt < this.opts.timeoutMs) return;
    this.confirm(this.clock.now() - this.target.lastReadAt);
  }

  /** Exposed for tests: evaluates the rule now. */
  check(): void {
    this.timer = undefined;
    if (this.stopped || this.probing) return;
    const t = this.target;
    const now = this.clock.now();
    const head = t.oldestInflight;
    if (head !== undefined) {
      if (head.blockingMs === Infinity) {
        this.schedule(this.opts.timeoutMs);
        return;
      }
      const owedSince = Math.max(t.lastReadAt, head.writtenAt + head.blockingMs, this.sparedAt);
      const silentFor = now - owedSince;
      if (silentFor >= this.opts.timeoutMs) {
        this.confirm(now - Math.max(t.lastReadAt, head.writtenAt + head.blockingMs));
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

  private confirm(silentFor: number): void {
    const t = this.target;
    const silence =
      `${t.endpoint} sent no byte for ${Math.round(silentFor)} ms while ${t.pendingReplies} repl${t.pendingReplies === 1 ? 'y was' : 'ies were'} owed ` +
      `(healthCheck.timeoutMs is ${this.opts.timeoutMs})`;
    if (this.probe === undefined) {
      this.condemn(`${silence}: the connection is presumed dead (half-open) and will be replaced`);
      return;
    }
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.probing = true;
    const readBefore = t.lastReadAt;
    void this.probe()
      .catch((err: unknown): ProbeFinding => ({
        kind: 'failed',
        detail: err instanceof Error ? err.message : String(err),
      }))
      .then((finding) => {
        this.probing = false;
        if (this.stopped) return;
        // A byte arrived while the probe ran: the connection is alive; the rule starts over.
        if (t.lastReadAt > readBefore) return this.check();
        const verdict = judgeProbe(finding);
        if (verdict.dead) {
          this.condemn(
            `${silence} and ${verdict.why}: the connection is presumed dead (half-open) and will be replaced`,
          );
          return;
        }
        this.sparedAt = this.clock.now();
        this.schedule(this.opts.timeoutMs);
      });
  }

  private condemn(message: string): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.onDead(new ConnectionError('health', message));
  }
}
