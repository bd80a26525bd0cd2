/**
 * A latency histogram with logarithmic buckets (1% wide, 0.1 µs to ~100 s): recording costs one
 * Math.log and one increment, and memory does not grow with the number of samples.
 */
const MIN_US = 0.1;
const GROWTH = Math.log(1.01);
const BUCKETS = 2100;

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;

  record(us: number): void {
    let i = us <= MIN_US ? 0 : Math.ceil(Math.log(us / MIN_US) / GROWTH);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]++;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
  }

  /** The value at quantile q (0..1), as the upper edge of its bucket (at most 1% high). */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const target = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= target) return MIN_US * Math.exp(i * GROWTH);
    }
    return Infinity;
  }
}
