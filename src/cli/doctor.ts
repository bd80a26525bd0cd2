/**
 * `romaine doctor <url>`: diagnoses a connection one step at a time — name resolution, TCP, TLS,
 * HELLO/AUTH, the server's own state — and ends with a latency sample taken by the real client.
 * A failed step stops the ones that depend on it (they are listed as not run) and carries an
 * explanation with the fix. Exit 0 when no step failed, 1 otherwise.
 */
import type { ConnectionError } from '../errors';
import { handshakeStep, resolveStep, tcpStep, type Session } from './doctor-connect';
import { tlsStep } from './doctor-tls';
import { serverSteps } from './doctor-server';
import { clusterSteps } from './doctor-cluster';
import { failed, skipped, step, type DoctorReport, type StepId, type StepResult, type Verdict } from './doctor-report';
import { renderDoctor } from './doctor-render';
import { diagnoseSentinel } from './doctor-sentinel';
import { doctorClient, type Target } from './target';
import { percentile, type Style } from './terminal';
import type { Socket } from 'node:net';

const PINGS = 100;

export interface DoctorOutput {
  json: boolean;
  /** --cluster: the target must be a cluster node (the cluster steps run on their own when it is one). */
  cluster?: boolean;
  style: Style;
  width: number;
  write: (text: string) => void;
}

export async function runDoctor(
  target: Target,
  sentinelName: string | undefined,
  env: NodeJS.ProcessEnv,
  out: DoctorOutput,
): Promise<number> {
  const report =
    sentinelName === undefined
      ? await diagnose(target, { cluster: out.cluster === true })
      : await diagnoseSentinel(target, sentinelName, env);
  out.write(out.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report, out.style, out.width));
  return report.healthy ? 0 : 1;
}

/** Runs every step it can and returns the findings; never throws for a server-side problem. */
export async function diagnose(t: Target, opts: { cluster?: boolean } = {}): Promise<DoctorReport> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const steps: StepResult[] = [];
  const order: StepId[] = [
    'resolve',
    'tcp',
    'tls',
    'handshake',
    'server',
    'replication',
    'memory',
    'persistence',
    'latency',
  ];
  const skipRest = (after: string): void => {
    for (const id of order.slice(steps.length)) steps.push(skipped(id, `not run (${after} failed)`));
  };
  let session: Session | undefined;
  let socket: Socket | undefined;
  try {
    const resolved = await resolveStep(t);
    steps.push(resolved.step);
    if (resolved.value === undefined) return finish(t, startedAt, t0, steps, skipRest, resolved.step.title);

    const tcp = await tcpStep(t, resolved.value);
    steps.push(tcp.step);
    socket = tcp.value;
    if (socket === undefined) return finish(t, startedAt, t0, steps, skipRest, tcp.step.title);

    const secured = await tlsStep(t, socket, resolved.value);
    steps.push(secured.step);
    if (secured.step.verdict === 'fail') return finish(t, startedAt, t0, steps, skipRest, secured.step.title);

    const hello = await handshakeStep(t, secured.value ?? socket, resolved.value);
    steps.push(hello.step);
    session = hello.value;
    if (session === undefined) return finish(t, startedAt, t0, steps, skipRest, hello.step.title);

    steps.push(...(await serverSteps(session, t.timeoutMs)));
    if (t.path === undefined || opts.cluster === true)
      steps.push(...(await clusterSteps(t, session, opts.cluster === true)));
    session.probe.close();
    steps.push(await latencyStep(t));
    return finish(t, startedAt, t0, steps, skipRest, '');
  } finally {
    session?.probe.close();
    socket?.destroy();
  }
}

function finish(
  t: Target,
  startedAt: string,
  t0: number,
  steps: StepResult[],
  skipRest: (after: string) => void,
  failedTitle: string,
): DoctorReport {
  if (failedTitle !== '') skipRest(failedTitle);
  const counts: Record<Verdict, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const s of steps) counts[s.verdict]++;
  // Belt and braces: no text that leaves the doctor may contain the password.
  const clean = JSON.parse(t.scrub(JSON.stringify(steps))) as StepResult[];
  for (const s of clean) if (s.ms !== undefined) s.ms = round(s.ms);
  return {
    target: t.display,
    startedAt,
    totalMs: round(performance.now() - t0),
    healthy: counts.fail === 0,
    counts,
    steps: clean,
  };
}

/** 100 PINGs one after another through the real client: what an application would see. */
async function latencyStep(t: Target): Promise<StepResult> {
  const t0 = performance.now();
  const client = doctorClient(t, t.clientOptions);
  try {
    await client.connect();
    const connectMs = performance.now() - t0;
    for (let i = 0; i < 5; i++) await client.ping(); // warm-up, not counted: the first calls pay for JIT and buffers
    const samples: number[] = [];
    for (let i = 0; i < PINGS; i++) {
      const s = performance.now();
      await client.ping();
      samples.push(performance.now() - s);
    }
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    const max = Math.max(...samples);
    const details = {
      pings: PINGS,
      p50Ms: round(p50),
      p99Ms: round(p99),
      maxMs: round(max),
      clientConnectMs: round(connectMs),
    };
    const summary = `${PINGS} PINGs: p50 ${fmt(p50)}, p99 ${fmt(p99)}, max ${fmt(max)}`;
    const notes: string[] = [];
    if (p50 > 10 || p99 > 100) {
      notes.push(
        'Round trips are slow: a distant server, a loaded network, or a busy server (check SLOWLOG GET and INFO commandstats).',
      );
    }
    return step('latency', notes.length > 0 ? 'warn' : 'ok', summary, { ms: performance.now() - t0, details, notes });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const kind = (err as Partial<ConnectionError>).kind;
    return failed(
      'latency',
      performance.now() - t0,
      `the client could not complete the sample${kind ? ` (${kind})` : ''}`,
      {
        code: 'client-failed',
        what: `The steps above passed, but the romaine client failed: ${t.scrub(message)}`,
        fix: ['Run the doctor again; if it persists, report it with this output (--json).'],
      },
    );
  } finally {
    client.destroy();
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const fmt = (ms: number): string => (ms < 1 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`);
