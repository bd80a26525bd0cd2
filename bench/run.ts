/**
 * romaine against the other Node.js Redis clients, side by side, in one run (issue 4).
 *
 *   npm run bench                    3 rounds, 1.8 s per workload: about 3.5 minutes
 *   npm run bench -- --quick         1 round, 0.25 s per workload: a smoke run (about 20 s)
 *
 * Options: --rounds N, --duration SECONDS, --warmup SECONDS, --clients a,b,c,
 * --workloads sequential,concurrent,pipeline,large,fanin, --romaine src|dist|both (dist builds
 * with npm run build first; ROMAINE_DIST=dir points at another build), --no-memory,
 * --no-ceiling, --out NAME (results file name, default latest; quick runs default to quick),
 * --docs (put the tables into docs/performance.md, between its bench:begin/end markers),
 * --cluster-clients a,b,c (romaine-cluster, ioredis-cluster, node-redis-cluster), --no-cluster.
 *
 * Cluster workloads: after the single-server rounds, a 3-primary cluster (test/support/cluster.ts,
 * no replicas) runs concurrent, pipeline and fan-in on romaine's createCluster, ioredis Cluster
 * and node-redis createCluster, each given one seed; ratios against the best of them.
 *
 * The bench starts its own redis-server on a free loopback port and stops it by pid. Each client
 * runs in its own long-lived process (bench/worker.ts); a round runs each workload on every client
 * back to back, in an order that turns by one place per workload and per round; figures are
 * medians over rounds. Results: bench/results/NAME.json, .svg, .md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { allSpecs, unavailable } from './lib/clients';
import {
  alternating,
  median,
  renderCeiling,
  renderGoals,
  renderRatios,
  renderWorkloads,
  summarize,
  type Ceiling,
} from './lib/report';
import { HOST, startRedis, type RedisServer } from './lib/server';
import { formatRate, renderChart } from './lib/svg';
import { WORKLOADS, type WorkloadId } from './lib/workloads';
import { RedisCluster } from '../test/support/cluster';
import type { MemoryArgs, MemoryResult } from './memory';
import type { Measurement, WorkerArgs, WorkerReply, WorkerRequest } from './worker';

const root = join(__dirname, '..');
const argv = process.argv.slice(2);

function option(name: string): string | undefined {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i === -1) return undefined;
  const a = argv[i];
  if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
  const next = argv[i + 1];
  if (next === undefined || next.startsWith('--')) throw new Error(`--${name} needs a value`);
  return next;
}
const flag = (name: string): boolean => argv.includes(`--${name}`);

const quick = flag('quick');
const rounds = Number(option('rounds') ?? (quick ? 1 : 3));
const durationMs = 1000 * Number(option('duration') ?? (quick ? 0.25 : 1.8));
const warmupMs = 1000 * Number(option('warmup') ?? (quick ? 0.1 : 0.3));
const romaineFrom = option('romaine') ?? 'src';
const outName = option('out') ?? (quick ? 'quick' : 'latest');
const workloads = (option('workloads')?.split(',') ?? WORKLOADS.map((w) => w.id)) as WorkloadId[];
const PEERS = ['ioredis', 'ioredis-auto', 'node-redis', 'valkey-glide'];
const romaineIds =
  romaineFrom === 'both' ? ['romaine', 'romaine-dist'] : romaineFrom === 'dist' ? ['romaine-dist'] : ['romaine'];
const requested = option('clients')?.split(',') ?? [...PEERS, ...romaineIds];
const CLUSTER_WORKLOADS: WorkloadId[] = ['concurrent', 'pipeline', 'fanin'];
const clusterClients = flag('no-cluster')
  ? []
  : (option('cluster-clients')?.split(',') ?? ['ioredis-cluster', 'node-redis-cluster', 'romaine-cluster']);
/** The romaine build whose ratios are reported. */
const subject = romaineFrom === 'dist' ? 'romaine-dist' : 'romaine';

for (const w of workloads) if (!WORKLOADS.some((x) => x.id === w)) throw new Error(`unknown workload '${w}'`);
if (!['src', 'dist', 'both'].includes(romaineFrom)) throw new Error('--romaine must be src, dist or both');
if (!(rounds >= 1 && durationMs > 0 && warmupMs >= 0)) throw new Error('--rounds, --duration, --warmup: bad value');

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Runs a bench script in a fresh node process and returns what it printed after `RESULT `. */
function runScript<T>(script: string, args: unknown, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(root, 'bench', script), JSON.stringify(args)],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`${script} ${JSON.stringify(args)} did not finish in ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line !== undefined) return resolve(JSON.parse(line.slice(7)) as T);
      reject(
        new Error(
          `${script} failed (${signal ?? `exit ${code}`}):\n${err.trim() || out.trim() || 'no output (the event loop ran dry?)'}`,
        ),
      );
    });
  });
}

/** One client's long-lived bench/worker.ts process, driven one workload at a time over IPC. */
class ClientProcess {
  private stderr = '';
  private exited = false;
  private pending: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | undefined;
  private readonly exitPromise: Promise<void>;

  private constructor(
    readonly id: string,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('message', (m: WorkerReply) => {
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(m);
    });
    this.exitPromise = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exited = true;
        const p = this.pending;
        this.pending = undefined;
        p?.reject(
          new Error(`the ${id} worker exited (${signal ?? `exit ${code}`}):\n${this.stderr.trim() || 'no output'}`),
        );
        resolve();
      }),
    );
  }

  static async start(id: string, port: number): Promise<ClientProcess> {
    const args: WorkerArgs = { client: id, port, durationMs: 0, warmupMs: 0, workloads: [] };
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(root, 'bench', 'worker.ts'), JSON.stringify(args)],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      },
    );
    const proc = new ClientProcess(id, child);
    const first = await proc.next(60_000, 'start');
    if (first.type !== 'ready') throw new Error(`the ${id} worker did not start: ${JSON.stringify(first)}`);
    return proc;
  }

  private next(timeoutMs: number, what: string): Promise<WorkerReply> {
    if (this.exited) return Promise.reject(new Error(`the ${this.id} worker is gone:\n${this.stderr.trim()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.kill();
        reject(new Error(`the ${this.id} worker did not ${what} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  async run(workload: WorkloadId, durationMs: number, warmupMs: number): Promise<Measurement> {
    const reply = this.next(60_000 + 3 * (durationMs + warmupMs), `run ${workload}`);
    this.child.send({ type: 'run', workload, durationMs, warmupMs } satisfies WorkerRequest);
    const r = await reply;
    if (r.type !== 'result') throw new Error(`the ${this.id} worker answered ${JSON.stringify(r)}`);
    return r.measurement;
  }

  /** Closes the client and waits for the process to end (killed after 10 s). */
  async close(): Promise<void> {
    if (this.exited) return;
    const timer = setTimeout(() => this.kill(), 10_000);
    this.child.send({ type: 'close' } satisfies WorkerRequest);
    await this.exitPromise;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
  }
}

function redisBenchmark(port: number, extra: string[], n: number): { set: number; get: number } {
  const args = [
    '-h',
    HOST,
    '-p',
    String(port),
    '-c',
    '1',
    '-n',
    String(n),
    '-t',
    'set,get',
    '-d',
    '64',
    '--csv',
    ...extra,
  ];
  const r = spawnSync('redis-benchmark', args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`redis-benchmark ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
  }
  // "test","rps","avg_latency_ms",...  then  "SET","30211.48",...
  const rps: Record<string, number> = {};
  for (const line of r.stdout.split('\n')) {
    const cells = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
    if (cells.length >= 2 && /^[\d.]+$/.test(cells[1])) rps[cells[0]] = Number(cells[1]);
  }
  if (!(rps.SET > 0 && rps.GET > 0)) throw new Error(`could not read redis-benchmark's CSV:\n${r.stdout}`);
  return { set: rps.SET, get: rps.GET };
}

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

/**
 * The cluster workloads: a 3-primary cluster through the test harness, one worker process per
 * cluster client (one seed each), the same rotation and medians as the single-server rounds.
 */
async function runCluster(
  labels: Record<string, string>,
): Promise<{ describe: string; summaries: ReturnType<typeof summarize>; loadavg: number[] }> {
  const cluster = await RedisCluster.start({ primaries: 3, replicas: 0 });
  const procs: ClientProcess[] = [];
  try {
    const seed = cluster.seeds[0].port;
    const describe = `3 primaries, no replicas, on ${HOST} (ports ${cluster.seeds.map((s) => s.port).join(', ')}), load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} at start`;
    log('');
    log(`cluster: ${describe}; clients: ${clusterClients.join(', ')}`);
    procs.push(...(await Promise.all(clusterClients.map((id) => ClientProcess.start(id, seed)))));
    const perRound: Record<string, Measurement[]>[] = [];
    for (let r = 0; r < rounds; r++) {
      const results: Record<string, Measurement[]> = {};
      for (const [wi, workload] of CLUSTER_WORKLOADS.entries()) {
        const order = procs.map((_, i) => procs[(i + r + wi) % procs.length]);
        const line: string[] = [];
        for (const proc of order) {
          const m = await proc.run(workload, durationMs, warmupMs);
          (results[proc.id] ??= []).push(m);
          line.push(`${labels[proc.id] ?? proc.id} ${formatRate(m.opsPerSec)}`);
        }
        log(`cluster round ${r + 1}/${rounds}  ${workload.padEnd(10)}  ${line.join(' · ')}`);
      }
      perRound.push(results);
    }
    await Promise.all(procs.splice(0).map((p) => p.close()));
    return {
      describe,
      summaries: summarize(perRound, clusterClients, 'romaine-cluster', CLUSTER_WORKLOADS),
      loadavg: loadavg().map((x) => Number(x.toFixed(2))),
    };
  } finally {
    for (const p of procs) p.kill();
    await cluster.destroy();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const specs = allSpecs();
  for (const id of requested)
    if (!specs.has(id)) throw new Error(`unknown client '${id}' (known: ${[...specs.keys()].join(', ')})`);

  if (requested.includes('romaine-dist') && process.env.ROMAINE_DIST === undefined) {
    log('building romaine (npm run build) ...');
    const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }

  const clients: string[] = [];
  const skipped: { id: string; reason: string }[] = [];
  for (const id of requested) {
    const why = await unavailable(id);
    if (why === undefined) clients.push(id);
    else skipped.push({ id, reason: why });
  }
  for (const s of skipped) log(`skipping ${s.id}: ${s.reason}`);
  const labels = Object.fromEntries([...specs.values()].map((s) => [s.id, s.label]));

  const machine = {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    redis: '',
    loadavgStart: loadavg().map((x) => Number(x.toFixed(2))),
    loadavgEnd: [] as number[],
  };
  if (machine.loadavgStart[0] > machine.cores * 0.5) {
    log(
      `warning: load average ${machine.loadavgStart[0]} on ${machine.cores} cores: other processes compete for the CPUs, figures will be noisy`,
    );
  }

  const server: RedisServer = await startRedis();
  machine.redis = server.version;
  const cleanup = (): void => void server.stop();
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  log(
    `redis-server ${server.version} on ${HOST}:${server.port} (pid ${server.pid}); ${machine.cpuModel}, ${machine.cores} cores, node ${process.version}`,
  );
  log(
    `${rounds} round(s), ${durationMs / 1000} s per workload after ${warmupMs / 1000} s of warm-up; clients: ${clients.join(', ')}`,
  );

  const perRound: Record<string, Measurement[]>[] = [];
  const ceilings: Ceiling[] = [];
  /** orders[round][workload]: the order the clients ran in. */
  const orders: Record<string, string[]>[] = [];
  const procs: ClientProcess[] = [];
  try {
    procs.push(...(await Promise.all(clients.map((id) => ClientProcess.start(id, server.port)))));
    for (let r = 0; r < rounds; r++) {
      const results: Record<string, Measurement[]> = {};
      const roundOrders: Record<string, string[]> = {};
      for (const [wi, workload] of workloads.entries()) {
        // The order turns by one place per round and per workload: no client is always first or last.
        const order = procs.map((_, i) => procs[(i + r + wi) % procs.length]);
        roundOrders[workload] = order.map((p) => p.id);
        const line: string[] = [];
        for (const proc of order) {
          const m = await proc.run(workload, durationMs, warmupMs);
          (results[proc.id] ??= []).push(m);
          line.push(`${labels[proc.id] ?? proc.id} ${formatRate(m.opsPerSec)}`);
        }
        log(`round ${r + 1}/${rounds}  ${workload.padEnd(10)}  ${line.join(' · ')}`);
      }
      if (!flag('no-ceiling')) {
        const c1 = redisBenchmark(server.port, [], quick ? 10_000 : 30_000);
        const p100 = redisBenchmark(server.port, ['-P', '100'], quick ? 200_000 : 600_000);
        ceilings.push({ c1, p100 });
        log(
          `round ${r + 1}/${rounds}  ${'ceiling'.padEnd(10)}  redis-benchmark -c 1: SET ${formatRate(c1.set)} GET ${formatRate(c1.get)} · -P 100: SET ${formatRate(p100.set)} GET ${formatRate(p100.get)}`,
        );
      }
      perRound.push(results);
      orders.push(roundOrders);
    }
    await Promise.all(procs.splice(0).map((p) => p.close()));

    let memory: MemoryResult | undefined;
    if (!flag('no-memory')) {
      const memArgs: MemoryArgs = {
        port: server.port,
        // A smoke run measures romaine only; a full run also measures the peers, for scale.
        clients: (quick ? ['romaine'] : ['romaine', 'ioredis', 'node-redis', 'valkey-glide']).filter(
          (c) => clients.includes(c) || (c === 'romaine' && clients.includes('romaine-dist')),
        ),
        idleClients: quick ? 20 : 100,
        queued: 100_000,
      };
      memory = await runScript<MemoryResult>('memory.ts', memArgs, 120_000);
    }
    const cluster = clusterClients.length === 0 ? undefined : await runCluster(labels);
    machine.loadavgEnd = loadavg().map((x) => Number(x.toFixed(2)));

    const summaries = summarize(perRound, clients, subject, workloads);
    const ceiling: Ceiling | undefined =
      ceilings.length === 0
        ? undefined
        : {
            c1: { set: median(ceilings.map((c) => c.c1.set)), get: median(ceilings.map((c) => c.c1.get)) },
            p100: { set: median(ceilings.map((c) => c.p100.set)), get: median(ceilings.map((c) => c.p100.get)) },
          };

    const commit = git(['rev-parse', '--short', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--', 'src']) !== '';
    const when = new Date().toISOString();
    const header = `${machine.cpuModel}, ${machine.cores} cores, ${machine.os}, node ${machine.node}, redis ${machine.redis}; ${when.slice(0, 10)}; romaine ${commit}${dirty ? ' + uncommitted src/ changes' : ''}`;

    log('');
    log(`romaine: ${specs.get(subject)?.describe()}`);
    log(
      `machine: ${header}; load average ${machine.loadavgStart.join(' ')} at start, ${machine.loadavgEnd.join(' ')} at end`,
    );
    log(
      `medians of ${rounds} round(s); CPU µs/op is this client process's user+system CPU per command (the server runs beside it on the same cores); "romaine ops ÷" is romaine's ops/s divided by that client's, "romaine CPU ÷" romaine's CPU/op divided by that client's`,
    );
    log('');
    const text = renderWorkloads(summaries, labels, subject, 'text');
    log(text);
    log('');
    log('== romaine against each peer (ops/s ratio, CPU/op ratio)');
    log('');
    log(renderRatios(summaries, labels, 'text'));
    if (ceiling !== undefined) {
      log('');
      log('== ceiling: redis-benchmark over one connection, same server');
      log('');
      log(renderCeiling(ceiling, summaries, subject, 'text'));
    }
    const memoryLines: string[] = [];
    if (memory !== undefined) {
      for (const m of memory.idle) {
        memoryLines.push(
          `idle connected client, heap: ${labels[m.client] ?? m.client} ${(m.bytesPerClient / 1024).toFixed(1)} KB per client (${m.clients} clients, after gc)`,
        );
      }
      for (const m of memory.offline) {
        memoryLines.push(
          `100,000 GETs in the offline queue, heap: ${labels[m.client] ?? m.client} ${(m.bytes / 2 ** 20).toFixed(1)} MB (${m.bytesPerCommand.toFixed(0)} B per command, the caller's promises included)`,
        );
      }
      const b = memory.promiseBaseline;
      memoryLines.push(
        `for scale: ${b.commands.toLocaleString('en-US')} bare pending promises with a catch handler and a resolver take ${(b.bytes / 2 ** 20).toFixed(1)} MB (${b.bytesPerCommand.toFixed(0)} B each)`,
      );
      if (memory.idle.some((m) => m.client === 'valkey-glide'))
        memoryLines.push("valkey-glide's connection state lives in native memory, which the heap figure does not show");
      log('');
      log('== memory');
      log('');
      for (const l of memoryLines) log(l);
    }

    const romaineMemory = {
      idleKb: memory?.idle.find((m) => m.client === 'romaine')?.bytesPerClient,
      offlineMb: memory?.offline.find((m) => m.client === 'romaine')?.bytes,
    };
    const goalMemory = {
      idleKb: romaineMemory.idleKb === undefined ? undefined : romaineMemory.idleKb / 1024,
      offlineMb: romaineMemory.offlineMb === undefined ? undefined : romaineMemory.offlineMb / 2 ** 20,
    };
    if (cluster !== undefined) {
      log('');
      log(`== cluster: ${cluster.describe}`);
      log('');
      log(renderWorkloads(cluster.summaries, labels, 'romaine-cluster', 'text'));
      log('');
      log(renderRatios(cluster.summaries, labels, 'text'));
    }
    log('');
    log('== goals');
    log('');
    log(renderGoals(summaries, ceiling, goalMemory, labels, subject, 'text'));

    const result = {
      version: 1,
      date: when,
      quick,
      machine,
      romaine: { commit, uncommittedSrcChanges: dirty, measured: subject, how: specs.get(subject)?.describe() },
      settings: {
        rounds,
        durationMs,
        warmupMs,
        clients: clients.map((id) => ({ id, label: labels[id], what: specs.get(id)?.describe() })),
        skipped,
      },
      workloads: WORKLOADS.filter((w) => workloads.includes(w.id)).map(({ id, title, description, latencyUnit }) => ({
        id,
        title,
        description,
        latencyUnit,
      })),
      summary: summaries,
      ceiling:
        ceiling === undefined
          ? undefined
          : {
              ...ceiling,
              c1Combined: alternating(ceiling.c1.set, ceiling.c1.get),
              p100Combined: alternating(ceiling.p100.set, ceiling.p100.get),
            },
      memory,
      cluster,
      rounds: perRound.map((results, i) => ({ order: orders[i], results, ceiling: ceilings[i] })),
      elapsedSeconds: (Date.now() - started) / 1000,
    };

    const chart = renderChart(
      'romaine vs Node.js Redis clients: ops/s, one connection (higher is better)',
      [
        `${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, redis ${machine.redis}, ${when.slice(0, 10)}`,
        `romaine ${commit}${dirty ? ' + uncommitted src/ changes' : ''} (${subject === 'romaine' ? 'src/ through tsx' : 'dist/cjs'}); median of ${rounds} round(s) of ${durationMs / 1000} s; each panel has its own scale`,
      ],
      summaries.map((s) => {
        const w = WORKLOADS.find((x) => x.id === s.workload);
        const note =
          s.best === undefined
            ? ''
            : `romaine ÷ the best peer, ${labels[s.best.peer] ?? s.best.peer}: ${s.best.ops.toFixed(2)}x ops/s, ${s.best.cpu.toFixed(2)}x CPU per op`;
        return {
          title: w?.title ?? s.workload,
          note,
          bars: Object.entries(s.clients)
            .sort((a, b) => b[1].opsPerSec - a[1].opsPerSec)
            .map(([client, f]) => ({ client, label: labels[client] ?? client, value: f.opsPerSec })),
        };
      }),
    );

    const markdown = [
      `Machine: ${header}. Load average ${machine.loadavgStart.join(' ')} at start. Medians of ${rounds} round(s), ${durationMs / 1000} s per workload.`,
      '',
      renderWorkloads(summaries, labels, subject, 'markdown'),
      '',
      '#### romaine against each peer (ops/s ratio, CPU/op ratio)',
      '',
      renderRatios(summaries, labels, 'markdown'),
      ...(ceiling === undefined
        ? []
        : [
            '',
            '#### Ceiling: redis-benchmark over one connection, same server',
            '',
            renderCeiling(ceiling, summaries, subject, 'markdown'),
          ]),
      ...(memoryLines.length === 0 ? [] : ['', '#### Memory', '', ...memoryLines.map((l) => `- ${l}`)]),
      ...(cluster === undefined
        ? []
        : [
            '',
            `#### Cluster: ${cluster.describe}`,
            '',
            renderWorkloads(cluster.summaries, labels, 'romaine-cluster', 'markdown'),
            '',
            renderRatios(cluster.summaries, labels, 'markdown'),
          ]),
      '',
      '#### Issue 4 goals against this run',
      '',
      renderGoals(summaries, ceiling, goalMemory, labels, subject, 'markdown'),
      '',
    ].join('\n');

    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${outName}.json`), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(dir, `${outName}.svg`), chart);
    writeFileSync(join(dir, `${outName}.md`), markdown);
    log('');
    log(`wrote bench/results/${outName}.json, .svg and .md in ${result.elapsedSeconds.toFixed(0)} s`);
    if (flag('docs')) {
      const docs = join(root, 'docs', 'performance.md');
      const page = readFileSync(docs, 'utf8');
      const begin = '<!-- bench:begin -->';
      const end = '<!-- bench:end -->';
      const a = page.indexOf(begin);
      const b = page.indexOf(end);
      if (a === -1 || b < a) throw new Error(`docs/performance.md has no ${begin} ... ${end} section to replace`);
      writeFileSync(docs, `${page.slice(0, a + begin.length)}\n${markdown}${page.slice(b)}`);
      log('updated docs/performance.md');
    }
  } finally {
    for (const p of procs) p.kill();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`\nBENCHMARK FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
