/**
 * The doctor's findings as data: one result per step, in order, with a verdict. The terminal
 * view (doctor-render.ts) and `--json` are two renderings of this one object.
 */
import type { Problem } from './doctor-problems';

export type Verdict = 'ok' | 'warn' | 'fail' | 'skip';

export type StepId =
  | 'resolve'
  | 'tcp'
  | 'tls'
  | 'handshake'
  | 'server'
  | 'replication'
  | 'memory'
  | 'persistence'
  | 'cluster'
  | 'cluster-nodes'
  | 'latency'
  | 'sentinels'
  | 'primary'
  | 'replicas';

export const STEP_TITLES: Readonly<Record<StepId, string>> = {
  resolve: 'name resolution',
  tcp: 'TCP connect',
  tls: 'TLS',
  handshake: 'HELLO / AUTH',
  server: 'server',
  replication: 'replication',
  memory: 'memory',
  persistence: 'persistence',
  cluster: 'cluster',
  'cluster-nodes': 'cluster nodes',
  latency: 'latency',
  sentinels: 'sentinels',
  primary: 'announced primary',
  replicas: 'announced replicas',
};

export interface StepResult {
  id: StepId;
  title: string;
  verdict: Verdict;
  /** How long the step took; absent for steps that only read what an earlier one fetched. */
  ms?: number;
  /** One line: what was found. */
  summary: string;
  /** Warnings (verdict 'warn') or remarks, one sentence each. */
  notes?: string[];
  /** Machine-readable facts (addresses, certificate fields, INFO values, percentiles). */
  details?: Record<string, unknown>;
  /** For verdict 'fail': what happened and how to fix it. */
  problem?: Problem;
}

export interface DoctorReport {
  /** The URL, password replaced by ***. */
  target: string;
  startedAt: string;
  totalMs: number;
  /** No step failed. Warnings do not make a server unhealthy. */
  healthy: boolean;
  counts: Record<Verdict, number>;
  steps: StepResult[];
}

export function step(id: StepId, verdict: Verdict, summary: string, extra: Partial<StepResult> = {}): StepResult {
  const result: StepResult = { id, title: STEP_TITLES[id], verdict, summary, ...extra };
  if (result.notes?.length === 0) delete result.notes;
  return result;
}

export function failed(id: StepId, ms: number | undefined, summary: string, problem: Problem): StepResult {
  return step(id, 'fail', summary, { ms, problem });
}

export function skipped(id: StepId, summary: string): StepResult {
  return step(id, 'skip', summary);
}
