/**
 * One client in a process of its own, so that no client's garbage, JIT state or background threads
 * weigh on another's figures. bench/run.ts starts one per client and keeps it for the whole run,
 * sending it one workload at a time over IPC ({ workload, durationMs, warmupMs } -> Measurement),
 * so that every workload of every round runs the clients back to back, in a rotating order.
 *
 * Standalone (for profiling one client on one workload):
 *
 *   node --expose-gc --import tsx bench/worker.ts '{"client":"romaine","port":1234,"durationMs":3000,"warmupMs":300,"workloads":["large"]}'
 *
 * which prints one line `RESULT <json>` and exits non-zero with the reason on failure.
 */
import { allSpecs } from './lib/clients';
import { Histogram } from './lib/histogram';
import { rawCommand } from './lib/server';
import { WORKLOADS, type WorkloadId } from './lib/workloads';
import type { BenchClient } from './lib/clients';

export interface WorkerArgs {
  client: string;
  port: number;
  durationMs: number;
  warmupMs: number;
  workloads: WorkloadId[];
}

export interface Measurement {
  workload: WorkloadId;
  ops: number;
  seconds: number;
  opsPerSec: number;
  cpuUsPerOp: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  latencyUnit: 'command' | 'batch';
  p50Us: number;
  p99Us: number;
  samples: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** IPC messages from bench/run.ts. */
export type WorkerRequest =
  { type: 'run'; workload: WorkloadId; durationMs: number; warmupMs: number } | { type: 'close' };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'result'; measurement: Measurement }
  | { type: 'closed' }
  | { type: 'error'; message: string };

/** Runs one workload on a flushed server: prepare, warm up, gc, measure. */
async function measure(
  client: BenchClient,
  label: string,
  port: number,
  id: WorkloadId,
  durationMs: number,
  warmupMs: number,
): Promise<Measurement> {
  const w = WORKLOADS.find((x) => x.id === id);
  if (w === undefined) throw new Error(`unknown workload '${id}'`);
  const hist = new Histogram();
  await rawCommand(port, 'FLUSHALL');
  const run = await w.prepare(client, `${label} / ${w.title}`);
  await run({ deadline: performance.now() + warmupMs, hist });
  hist.reset();
  gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ops = await run({ deadline: t0 + durationMs, hist });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    workload: id,
    ops,
    seconds,
    opsPerSec: ops / seconds,
    cpuUsPerOp: (cpu.user + cpu.system) / ops,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    latencyUnit: w.latencyUnit,
    p50Us: hist.quantile(0.5),
    p99Us: hist.quantile(0.99),
    samples: hist.count,
  };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
  const spec = allSpecs().get(args.client);
  if (spec === undefined) throw new Error(`unknown client '${args.client}'`);
  const client = await spec.create(args.port);
  const send = process.send?.bind(process);
  if (send === undefined) {
    const results: Measurement[] = [];
    for (const id of args.workloads) {
      results.push(await measure(client, spec.label, args.port, id, args.durationMs, args.warmupMs));
    }
    await client.close();
    process.stdout.write(`RESULT ${JSON.stringify(results)}\n`);
    return;
  }
  const reply = (m: WorkerReply): void => void send(m);
  // One request at a time: run.ts waits for each reply before sending the next.
  await new Promise<void>((resolve, reject) => {
    process.on('message', (m: WorkerRequest) => {
      if (m.type === 'close') {
        client.close().then(() => {
          reply({ type: 'closed' });
          resolve();
        }, reject);
        return;
      }
      measure(client, spec.label, args.port, m.workload, m.durationMs, m.warmupMs).then(
        (measurement) => reply({ type: 'result', measurement }),
        reject,
      );
    });
    process.once('disconnect', () => reject(new Error('bench/run.ts went away')));
    reply({ type: 'ready' });
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
