// An INCR load on a cluster client and the counter invariant the fault tests check: every
// promise settles, no INCR ran twice (0 duplicates), no acknowledged INCR was lost, and which
// errors reached the application. One loop per key: each loop awaits its INCR before the next,
// so a counter's final value is exactly its acknowledged INCRs plus those of the failed ones that
// may have run (maybeExecuted).
import type { ClusterClient } from '../../src/index';

export interface LoadReport {
  acked: number;
  failed: { key: string; err: Error }[];
  /** The errors that may have run (maybeExecuted: true): in flight when a node went away. */
  maybeExecuted: number;
  duplicates: number;
  lost: number;
  /** The longest gap between two acknowledged INCRs of one key (ms). */
  longestStall: number;
  /** One line: the failed errors' kinds, for the test log. */
  kinds: string;
}

export class IncrLoad {
  private readonly acked: number[];
  private readonly lastOk: number[];
  private readonly stalls: number[];
  private readonly failed: { key: string; err: Error }[] = [];
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly c: ClusterClient,
    readonly keys: string[],
  ) {
    this.acked = keys.map(() => 0);
    this.lastOk = keys.map(() => 0);
    this.stalls = keys.map(() => 0);
  }

  /** Deletes the keys, then starts one INCR loop per key. */
  async start(): Promise<void> {
    await Promise.all(this.keys.map((k) => this.c.del(k)));
    const t0 = Date.now();
    this.lastOk.fill(t0);
    this.loops = this.keys.map(async (k, i) => {
      while (!this.stopped) {
        try {
          await this.c.incr(k);
          this.acked[i]++;
          const now = Date.now();
          this.stalls[i] = Math.max(this.stalls[i], now - this.lastOk[i]);
          this.lastOk[i] = now;
        } catch (err) {
          this.failed.push({ key: k, err: err as Error });
          // A closed client rejects at once: spinning on it would starve the event loop (a
          // failed test then hangs instead of reporting).
          if (this.c.state === 'closing' || this.c.state === 'closed') this.stopped = true;
        }
      }
    });
  }

  /** Total acknowledged INCRs so far. */
  get total(): number {
    return this.acked.reduce((a, b) => a + b, 0);
  }

  /** Resolves once every key (or each of `only`) has at least `n` more acknowledged INCRs than now. */
  async progress(n = 20, timeoutMs = 30_000, only?: (key: string) => boolean): Promise<void> {
    const base = [...this.acked];
    const until = Date.now() + timeoutMs;
    while (this.acked.some((a, i) => a < base[i] + n && (only === undefined || only(this.keys[i])))) {
      if (Date.now() > until) {
        this.stopped = true;
        const last = this.failed.at(-1)?.err;
        throw new Error(`the INCR load made no progress in ${timeoutMs} ms (last error: ${last?.message ?? 'none'})`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops the loops (each settles its last INCR) and checks every counter on the cluster. */
  async stop(): Promise<LoadReport> {
    this.stopped = true;
    await Promise.all(this.loops);
    let duplicates = 0;
    let lost = 0;
    const maybe = this.failed.filter((f) => (f.err as { maybeExecuted?: boolean }).maybeExecuted === true);
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i];
      const value = Number(await this.c.get(k));
      const mayHaveRun = maybe.filter((f) => f.key === k).length;
      if (value > this.acked[i] + mayHaveRun) duplicates += value - this.acked[i] - mayHaveRun;
      if (value < this.acked[i]) lost += this.acked[i] - value;
    }
    const kinds = [...new Set(this.failed.map((f) => `${f.err.name}: ${f.err.message.slice(0, 100)}`))].join(' | ');
    return {
      acked: this.total,
      failed: this.failed,
      maybeExecuted: maybe.length,
      duplicates,
      lost,
      longestStall: Math.max(...this.stalls),
      kinds,
    };
  }
}

/** `n` keys with hash tags 0..n-1: their slots are scattered, so they land on every primary. */
export function spreadKeys(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}{${i}}`);
}
