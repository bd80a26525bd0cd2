/**
 * The five workloads. Keys are 16 bytes, values 64 bytes unless stated. Every GET reads back a
 * value this client just SET (the value changes from one write of a key to the next, so a stale
 * or misrouted reply is caught), and any wrong reply throws: a client that is fast but wrong fails
 * the run loudly instead of winning it.
 */
import type { BenchClient } from './clients';
import type { Histogram } from './histogram';

export type WorkloadId = 'sequential' | 'concurrent' | 'pipeline' | 'large' | 'fanin';

export interface Phase {
  /** performance.now() after which no new work is issued (work in flight is awaited). */
  deadline: number;
  hist: Histogram;
}

export interface Workload {
  id: WorkloadId;
  title: string;
  description: string;
  /** What one latency sample is: one command's round trip, or one batch's. */
  latencyUnit: 'command' | 'batch';
  /** Sets up the client's keys; returns one phase runner (called for the warm-up, then measured) giving ops done. */
  prepare(client: BenchClient, label: string): Promise<(phase: Phase) => Promise<number>>;
}

const VALUE_POOL = 16;
const LARGE_POOL = 8;
const LARGE_SIZE = 100 * 1024;

/** A 16-byte key: `bench:k:` and 8 digits. */
export function key(n: number): string {
  return `bench:k:${String(n).padStart(8, '0')}`;
}

function smallValue(g: number): string {
  const head = `value-${g}-`;
  return head + String.fromCharCode(97 + (g % 26)).repeat(64 - head.length);
}

function largeValue(g: number): string {
  const head = `large-value-${g}-`;
  const pattern = 'abcdefghijklmnopqrstuvwxyz0123456789'.slice(g % 10);
  let body = '';
  while (body.length < LARGE_SIZE - head.length) body += pattern;
  return head + body.slice(0, LARGE_SIZE - head.length);
}

const SMALL = Array.from({ length: VALUE_POOL }, (_, g) => smallValue(g));
let largeCache: string[] | undefined;
const large = (): string[] => (largeCache ??= Array.from({ length: LARGE_POOL }, (_, g) => largeValue(g)));

function preview(x: unknown): string {
  if (typeof x === 'string') return x.length > 40 ? `'${x.slice(0, 40)}...' (${x.length} chars)` : `'${x}'`;
  if (Buffer.isBuffer(x)) return `<Buffer ${x.length} bytes>`;
  return String(x);
}

export class WrongReplyError extends Error {}

function wrong(label: string, what: string, got: unknown, expected: unknown): never {
  throw new WrongReplyError(`${label}: ${what} returned ${preview(got)} but ${preview(expected)} was expected`);
}

function checkOk(label: string, k: string, got: unknown): void {
  if (got !== 'OK') wrong(label, `SET ${k}`, got, 'OK');
}

function checkSmall(label: string, k: string, got: unknown, expected: string): void {
  if (got !== expected) wrong(label, `GET ${k}`, got, expected);
}

let largeChecks = 0;
/**
 * A 100 KB check: comparing 100 KB strings costs ~20 µs, as much as a large part of what is being
 * measured, so every reply is checked on its length, its header (which names the value), its tail
 * and one character every 1 KB, and every 16th reply is compared in full.
 */
function checkLarge(label: string, k: string, got: unknown, expected: string): void {
  if (typeof got !== 'string' || got.length !== expected.length) return wrong(label, `GET ${k}`, got, expected);
  if ((++largeChecks & 15) === 0) {
    if (got !== expected) wrong(label, `GET ${k}`, got, expected);
    return;
  }
  if (got.slice(0, 24) !== expected.slice(0, 24) || got.slice(-64) !== expected.slice(-64)) {
    wrong(label, `GET ${k}`, got, expected);
  }
  for (let i = 24; i < got.length; i += 1021) {
    if (got.charCodeAt(i) !== expected.charCodeAt(i)) wrong(label, `GET ${k}`, got, expected);
  }
}

/** One worker: SET a key, await it, GET it back, await it; repeat until the deadline. */
async function setGetLoop(
  c: BenchClient,
  label: string,
  keys: readonly string[],
  values: readonly string[],
  check: (label: string, k: string, got: unknown, expected: string) => void,
  phase: Phase,
): Promise<number> {
  const { hist, deadline } = phase;
  let ops = 0;
  let i = 0;
  let now = performance.now();
  while (now < deadline) {
    const k = keys[i % keys.length];
    const v = values[i % values.length];
    i++;
    const t0 = now;
    const s = await c.set(k, v);
    const t1 = performance.now();
    checkOk(label, k, s);
    const r = await c.get(k);
    now = performance.now();
    hist.record((t1 - t0) * 1000);
    hist.record((now - t1) * 1000);
    check(label, k, r, v);
    ops += 2;
  }
  return ops;
}

function keyRange(start: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => key(start + i));
}

/** `workers` loops side by side, each on its own keys: `workers` commands always in flight. */
function concurrentLoops(
  workers: number,
  keysPerWorker: number,
  values: () => readonly string[],
  check: (label: string, k: string, got: unknown, expected: string) => void,
): Workload['prepare'] {
  return (c, label) => {
    const ranges = Array.from({ length: workers }, (_, w) => keyRange(w * keysPerWorker, keysPerWorker));
    const vals = values();
    return Promise.resolve(async (phase: Phase) => {
      const counts = await Promise.all(ranges.map((keys) => setGetLoop(c, label, keys, vals, check, phase)));
      return counts.reduce((a, b) => a + b, 0);
    });
  };
}

export const WORKLOADS: Workload[] = [
  {
    id: 'sequential',
    title: 'sequential',
    description: 'await each SET, then its GET, one command at a time',
    latencyUnit: 'command',
    prepare: (c, label) => {
      const keys = keyRange(0, 1000);
      return Promise.resolve((phase: Phase) => setGetLoop(c, label, keys, SMALL, checkSmall, phase));
    },
  },
  {
    id: 'concurrent',
    title: 'concurrent (100 in flight)',
    description: '100 loops of SET-then-GET side by side: 100 commands always outstanding',
    latencyUnit: 'command',
    prepare: concurrentLoops(100, 10, () => SMALL, checkSmall),
  },
  {
    id: 'pipeline',
    title: 'explicit pipeline (batches of 100)',
    description: "50 SET + 50 GET of the same keys through the client's pipeline API, one batch at a time",
    latencyUnit: 'batch',
    prepare: (c, label) => {
      const BATCH = 50;
      const SHAPES = 20;
      const keyBatches = Array.from({ length: SHAPES }, (_, b) => keyRange(b * BATCH, BATCH));
      const valueBatches = Array.from({ length: VALUE_POOL }, (_, s) =>
        Array.from({ length: BATCH }, (_, j) => SMALL[(s + j) % VALUE_POOL]),
      );
      let n = 0;
      return Promise.resolve(async ({ deadline, hist }: Phase) => {
        let ops = 0;
        let now = performance.now();
        while (now < deadline) {
          const keys = keyBatches[n % SHAPES];
          const values = valueBatches[n % VALUE_POOL];
          n++;
          const t0 = now;
          const replies = await c.pipeline(keys, values);
          now = performance.now();
          hist.record((now - t0) * 1000);
          if (replies.length !== 2 * BATCH) wrong(label, 'pipeline', `${replies.length} replies`, 2 * BATCH);
          for (let j = 0; j < BATCH; j++) {
            checkOk(label, keys[j], replies[j]);
            checkSmall(label, keys[j], replies[BATCH + j], values[j]);
          }
          ops += 2 * BATCH;
        }
        return ops;
      });
    },
  },
  {
    id: 'large',
    title: 'large values (100 KB, 50 in flight)',
    description: '50 loops of SET-then-GET of 100 KB values side by side',
    latencyUnit: 'command',
    prepare: concurrentLoops(50, 2, large, checkLarge),
  },
  {
    id: 'fanin',
    title: 'fan-in (1,000 issued in one tick)',
    description: '500 SET + 500 GET issued in one synchronous loop, then awaited together',
    latencyUnit: 'batch',
    prepare: async (c, label) => {
      const HALF = 500;
      // Two key sets: each round writes one and reads the other, written by the round before, so
      // the check does not depend on the order in which replies to one tick's commands arrive.
      const sets = [keyRange(0, HALF), keyRange(HALF, HALF)];
      const valueFor = (round: number, j: number): string => SMALL[(round + j + VALUE_POOL * 4) % VALUE_POOL];
      let round = 0;
      await Promise.all(sets[1].map((k, j) => c.set(k, valueFor(-1, j))));
      return async ({ deadline, hist }: Phase) => {
        let ops = 0;
        let now = performance.now();
        while (now < deadline) {
          const write = sets[round & 1];
          const read = sets[(round + 1) & 1];
          const t0 = now;
          const pending: Promise<unknown>[] = new Array<Promise<unknown>>(2 * HALF);
          for (let j = 0; j < HALF; j++) {
            pending[2 * j] = c.set(write[j], valueFor(round, j));
            pending[2 * j + 1] = c.get(read[j]);
          }
          const replies = await Promise.all(pending);
          now = performance.now();
          hist.record((now - t0) * 1000);
          for (let j = 0; j < HALF; j++) {
            checkOk(label, write[j], replies[2 * j]);
            checkSmall(label, read[j], replies[2 * j + 1], valueFor(round - 1, j));
          }
          round++;
          ops += 2 * HALF;
        }
        return ops;
      };
    },
  },
];
