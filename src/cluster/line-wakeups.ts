// When the router's wait line (router.ts) moves: its wake-ups. Three things wake it: the end of
// this turn of the event loop (soon: once the replies read in it are all delivered), the earliest
// backoff or deadline of the commands left in it (one timer, armAt/rearm), and any topology or
// node change (watch: Topology's changedSignal). Split from the router, which decides what moving
// the line does; this only says when. Time comes from the injected clock (a fake in unit tests).
import type { Clock, TimerHandle } from '../lifecycle/clock';

/** What a wake-up needs to know of the line. */
export interface WakeTarget {
  /** How many commands wait. */
  readonly size: number;
  /** The waiting commands' pauses (notBefore) and deadlines (start + budget). */
  times(): Iterable<{ notBefore: number; start: number; budget: number }>;
  /** Moves the line. */
  drain(): void;
  /** A topology or node change: every waiting command may try again at once. */
  changed(): void;
  /** Resolves on the next topology or node change (a new promise after each). */
  changedSignal(): Promise<void>;
}

export class LineWakeUps {
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private watching = false;
  private soonHandle: NodeJS.Immediate | undefined;

  constructor(
    private readonly line: WakeTarget,
    private readonly clock: Clock,
  ) {}

  /** Moves the line once this turn of the event loop has delivered every reply it read. */
  soon(): void {
    if (this.line.size === 0) return;
    this.soonHandle ??= setImmediate(() => {
      this.soonHandle = undefined;
      this.line.drain();
    });
  }

  /** Any topology or node change moves the line at once (every waiting command may try again). */
  watch(): void {
    if (this.watching || this.line.size === 0) return;
    this.watching = true;
    void this.line.changedSignal().then(() => {
      this.watching = false;
      this.line.changed();
      this.line.drain();
      this.watch();
    });
  }

  /** A wake-up at `at` at the latest (an earlier one already armed stands). */
  armAt(at: number): void {
    if (at >= this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.line.drain();
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  /**
   * After the line moved: the next wake-up is the earliest backoff or deadline of those left.
   * `now` is the time the walk (drain) went by, not a second reading: a command it left in the
   * line because its pause had not ended then must get its wake-up even when the pause has ended
   * by now (the walk took time, or the timer ran a little early). Read again, the clock said
   * "nothing to wait for", no timer was armed for it, and the commands behind it stayed held until
   * the deadline (issue 10).
   */
  rearm(now: number): void {
    this.cancelTimer();
    let at = Infinity;
    for (const cmd of this.line.times()) {
      if (cmd.notBefore > now) at = Math.min(at, cmd.notBefore);
      at = Math.min(at, cmd.start + cmd.budget);
    }
    if (at !== Infinity) this.armAt(at);
    this.watch();
  }

  /** No wake-up any more (close/destroy). */
  stop(): void {
    if (this.soonHandle !== undefined) clearImmediate(this.soonHandle);
    this.soonHandle = undefined;
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}
