/**
 * Medians over rounds, ratios, and the tables (plain text for the terminal, Markdown for
 * docs/performance.md).
 */
import type { Measurement } from '../worker';
import { formatRate } from './svg';
import { WORKLOADS, type WorkloadId } from './workloads';

export interface Figures {
  opsPerSec: number;
  cpuUsPerOp: number;
  p50Us: number;
  p99Us: number;
  /** Each round's ops/s, for judging the spread. */
  roundsOpsPerSec: number[];
}

export interface Ratio {
  peer: string;
  /** romaine's ops/s divided by the peer's: above 1, romaine is faster. */
  ops: number;
  /** romaine's CPU µs/op divided by the peer's: below 1, romaine is cheaper. */
  cpu: number;
}

export interface WorkloadSummary {
  workload: WorkloadId;
  latencyUnit: 'command' | 'batch';
  clients: Record<string, Figures>;
  /** The peer with the most ops/s, and romaine's ratios to it. */
  best?: Ratio;
  /** romaine's ratios to every peer. */
  ratios: Ratio[];
}

export interface Ceiling {
  /** redis-benchmark -c 1: requests per second for SET and GET. */
  c1: { set: number; get: number };
  /** redis-benchmark -c 1 -P 100. */
  p100: { set: number; get: number };
}

export const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One SET then one GET: the combined rate of two rates, each taking half the operations. */
export const alternating = (a: number, b: number): number => 2 / (1 / a + 1 / b);

export function summarize(
  rounds: Record<string, Measurement[]>[],
  clients: string[],
  subject: string,
  workloads: WorkloadId[],
): WorkloadSummary[] {
  return workloads.map((workload) => {
    const figures: Record<string, Figures> = {};
    let latencyUnit: 'command' | 'batch' = 'command';
    for (const client of clients) {
      const ms = rounds.flatMap((r) => (r[client] ?? []).filter((m) => m.workload === workload));
      if (ms.length === 0) continue;
      latencyUnit = ms[0].latencyUnit;
      figures[client] = {
        opsPerSec: median(ms.map((m) => m.opsPerSec)),
        cpuUsPerOp: median(ms.map((m) => m.cpuUsPerOp)),
        p50Us: median(ms.map((m) => m.p50Us)),
        p99Us: median(ms.map((m) => m.p99Us)),
        roundsOpsPerSec: ms.map((m) => m.opsPerSec),
      };
    }
    const mine = figures[subject];
    const ratios: Ratio[] = [];
    if (mine !== undefined) {
      for (const [peer, f] of Object.entries(figures)) {
        if (peer.startsWith('romaine')) continue;
        ratios.push({ peer, ops: mine.opsPerSec / f.opsPerSec, cpu: mine.cpuUsPerOp / f.cpuUsPerOp });
      }
    }
    const best = ratios.length === 0 ? undefined : ratios.reduce((a, b) => (a.ops <= b.ops ? a : b));
    return { workload, latencyUnit, clients: figures, best, ratios };
  });
}

function us(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (x >= 10_000) return `${(x / 1000).toFixed(1)} ms`;
  if (x >= 100) return `${x.toFixed(0)} µs`;
  return `${x.toFixed(1)} µs`;
}

const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}x` : '-');

function rows(s: WorkloadSummary, labels: Record<string, string>, subject: string): string[][] {
  const out: string[][] = [];
  const order = Object.keys(s.clients).sort((a, b) => s.clients[b].opsPerSec - s.clients[a].opsPerSec);
  for (const client of order) {
    const f = s.clients[client];
    const r = s.ratios.find((x) => x.peer === client);
    out.push([
      labels[client] ?? client,
      formatRate(f.opsPerSec),
      f.cpuUsPerOp.toFixed(2),
      us(f.p50Us),
      us(f.p99Us),
      client === subject ? '—' : r === undefined ? '' : ratio(r.ops),
      client === subject ? '—' : r === undefined ? '' : ratio(r.cpu),
    ]);
  }
  return out;
}

const HEAD = ['client', 'ops/s', 'CPU µs/op', 'p50', 'p99', 'romaine ops ÷', 'romaine CPU ÷'];

function workloadHeading(s: WorkloadSummary): string {
  const w = WORKLOADS.find((x) => x.id === s.workload);
  return `${w?.title ?? s.workload}: ${w?.description ?? ''} (latency per ${s.latencyUnit})`;
}

function bestLine(s: WorkloadSummary, labels: Record<string, string>): string {
  if (s.best === undefined) return '';
  return `romaine vs the best peer, ${labels[s.best.peer] ?? s.best.peer}: ops/s ${ratio(s.best.ops)}, CPU/op ${ratio(s.best.cpu)}`;
}

export function textTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function markdownTable(head: string[], body: string[][]): string {
  const line = (r: string[]): string => `| ${r.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...body.map(line)].join('\n');
}

export function renderWorkloads(
  summaries: WorkloadSummary[],
  labels: Record<string, string>,
  subject: string,
  format: 'text' | 'markdown',
): string {
  const table = format === 'text' ? textTable : markdownTable;
  return summaries
    .map((s) => {
      const heading = format === 'text' ? `== ${workloadHeading(s)}` : `#### ${workloadHeading(s)}`;
      return [heading, '', table(HEAD, rows(s, labels, subject)), '', bestLine(s, labels)].join('\n');
    })
    .join('\n\n');
}

/** romaine's ratio to every peer, one row per workload: "ops ratio / CPU ratio". */
export function renderRatios(
  summaries: WorkloadSummary[],
  labels: Record<string, string>,
  format: 'text' | 'markdown',
): string {
  const peers = [...new Set(summaries.flatMap((s) => s.ratios.map((r) => r.peer)))];
  const head = ['workload', ...peers.map((p) => labels[p] ?? p)];
  const body = summaries.map((s) => [
    s.workload,
    ...peers.map((p) => {
      const r = s.ratios.find((x) => x.peer === p);
      return r === undefined ? '-' : `${ratio(r.ops)} ops, ${ratio(r.cpu)} CPU`;
    }),
  ]);
  return (format === 'text' ? textTable : markdownTable)(head, body);
}

export function renderCeiling(
  ceiling: Ceiling,
  summaries: WorkloadSummary[],
  subject: string,
  format: 'text' | 'markdown',
): string {
  const seq = summaries.find((s) => s.workload === 'sequential')?.clients[subject]?.opsPerSec ?? NaN;
  const pipe = summaries.find((s) => s.workload === 'pipeline')?.clients[subject]?.opsPerSec ?? NaN;
  const c1 = alternating(ceiling.c1.set, ceiling.c1.get);
  const p100 = alternating(ceiling.p100.set, ceiling.p100.get);
  const head = ['redis-benchmark (one connection)', 'SET/s', 'GET/s', 'SET+GET', 'romaine', 'romaine ÷ ceiling'];
  const body = [
    [
      '-c 1 (vs sequential)',
      formatRate(ceiling.c1.set),
      formatRate(ceiling.c1.get),
      formatRate(c1),
      formatRate(seq),
      ratio(seq / c1),
    ],
    [
      '-c 1 -P 100 (vs explicit pipeline)',
      formatRate(ceiling.p100.set),
      formatRate(ceiling.p100.get),
      formatRate(p100),
      formatRate(pipe),
      ratio(pipe / p100),
    ],
  ];
  return (format === 'text' ? textTable : markdownTable)(head, body);
}

/** Issue 4's goals against this run: what was asked, what was measured, whether it holds. */
export function renderGoals(
  summaries: WorkloadSummary[],
  ceiling: Ceiling | undefined,
  memory: { idleKb?: number; offlineMb?: number },
  labels: Record<string, string>,
  subject: string,
  format: 'text' | 'markdown',
): string {
  const body: string[][] = [];
  const yes = (ok: boolean): string => (ok ? 'yes' : 'NO');
  for (const s of summaries) {
    if (s.best === undefined) continue;
    const strict = s.workload === 'concurrent' || s.workload === 'pipeline' || s.workload === 'fanin';
    const peer = labels[s.best.peer] ?? s.best.peer;
    if (strict) {
      body.push([
        `${s.workload}: ≥ 1.3x the best peer's ops/s, ≤ 0.7x its CPU/op`,
        `${ratio(s.best.ops)} ops/s, ${ratio(s.best.cpu)} CPU (${peer})`,
        yes(s.best.ops >= 1.3 && s.best.cpu <= 0.7),
      ]);
    } else {
      body.push([`${s.workload}: ≥ the best peer's ops/s`, `${ratio(s.best.ops)} (${peer})`, yes(s.best.ops >= 1)]);
    }
  }
  const subjectOps = (w: WorkloadId): number =>
    summaries.find((x) => x.workload === w)?.clients[subject]?.opsPerSec ?? NaN;
  if (ceiling !== undefined) {
    const seq = subjectOps('sequential') / alternating(ceiling.c1.set, ceiling.c1.get);
    const pipe = subjectOps('pipeline') / alternating(ceiling.p100.set, ceiling.p100.get);
    if (Number.isFinite(seq)) body.push(['sequential: ≥ 0.9x redis-benchmark -c 1', ratio(seq), yes(seq >= 0.9)]);
    if (Number.isFinite(pipe))
      body.push(['pipeline: ≥ 0.6x redis-benchmark -c 1 -P 100', ratio(pipe), yes(pipe >= 0.6)]);
  }
  if (memory.idleKb !== undefined) {
    body.push(['idle connected client: ≤ 64 KB of heap', `${memory.idleKb.toFixed(1)} KB`, yes(memory.idleKb <= 64)]);
  }
  if (memory.offlineMb !== undefined) {
    body.push([
      '100,000 offline-queued commands: ≤ 40 MB of heap (caller promises included)',
      `${memory.offlineMb.toFixed(1)} MB`,
      yes(memory.offlineMb <= 40),
    ]);
  }
  return (format === 'text' ? textTable : markdownTable)(['goal (issue 4)', 'measured', 'met'], body);
}
