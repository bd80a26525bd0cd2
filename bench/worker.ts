/**
 * One client, one process, every workload in turn: run by bench/run.ts once per client per round,
 * so that no client's garbage, JIT state or background threads weigh on another's figures.
 *
 *   node --expose-gc --import tsx bench/worker.ts '{"client":"romaine","port":1234,...}'
 *
 * Prints one line `RESULT <json>` on success; exits non-zero with the reason otherwise.
 */
import { allSpecs } from './lib/clients';
import { Histogram } from './lib/histogram';
import { rawCommand } from './lib/server';
import { WORKLOADS, type WorkloadId } from './lib/workloads';

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

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
  const spec = allSpecs().get(args.client);
  if (spec === undefined) throw new Error(`unknown client '${args.client}'`);
  const client = await spec.create(args.port);
  const results: Measurement[] = [];
  const hist = new Histogram();
  for (const id of args.workloads) {
    const w = WORKLOADS.find((x) => x.id === id);
    if (w === undefined) throw new Error(`unknown workload '${id}'`);
    await rawCommand(args.port, 'FLUSHALL');
    const run = await w.prepare(client, `${spec.label} / ${w.title}`);
    await run({ deadline: performance.now() + args.warmupMs, hist });
    hist.reset();
    gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const ops = await run({ deadline: t0 + args.durationMs, hist });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    results.push({
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
    });
  }
  await client.close();
  process.stdout.write(`RESULT ${JSON.stringify(results)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
