/**
 * The cluster's fault goals (issue 10), measured over N trials on a real 3 + 3 cluster that the
 * test harness starts on loopback (cluster-node-timeout 1000, AOF on so a restart keeps the data):
 *
 *   npx tsx bench/cluster-faults.ts                       3 trials of every scenario
 *   npx tsx bench/cluster-faults.ts --trials 5 --scenarios kill,restart
 *   npx tsx bench/cluster-faults.ts --scenarios restart --down-ms 4000   nodes kept down 4 s
 *
 * Scenarios, each under an INCR load (20 loops, keys over every primary):
 *   kill     a primary SIGKILLed (its replicas first given every acknowledged write): the
 *            cluster's own recovery is the first moment CLUSTER INFO on a surviving node says
 *            cluster_state:ok and CLUSTER NODES gives the killed node's slot to another primary
 *            (polled every ~5 ms); reported: the first acknowledged write to the killed primary's
 *            slots after that moment, and the errors that reached the application (those issued
 *            after the kill must be 0; only the ones in flight at the kill may fail, maybeExecuted).
 *   restart  every node SIGTERMed (stopMs until all exited) and started again: the moment every
 *            node says cluster_state:ok, then when every key (every primary) had an acknowledged
 *            write issued while the nodes were down, and the errors (those issued while the nodes
 *            were down must be 0; the INCRs in flight at the SIGTERM may fail, maybeExecuted).
 *   seeds    connect() to a standalone server (cluster support disabled) and to a node in protected
 *            mode (network namespace, root only): how long until it rejects.
 *   add      a node added and 6 slots (with keys under load) moved to it: the longest wait of one
 *            INCR and the longest gap between two acknowledgements of one key.
 *
 * Figures are wall-clock times on a shared machine: read them with the load average printed.
 */
import { loadavg } from 'node:os';
import { createClient, createCluster, type ClusterClient, type RedisClient } from '../src/index';
import { keySlot } from '../src/cluster/key-slot';
import {
  RedisCluster,
  RedisServer,
  holdWritesAndSync,
  netnsSkipReason,
  ownsSlot,
  parseClusterNodes,
  startNetnsRedis,
} from '../test/support';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? undefined : argv[i + 1];
};
const TRIALS = Number(opt('trials') ?? 3);
const SCENARIOS = (opt('scenarios') ?? 'kill,restart,seeds,add').split(',');
const WORKERS = 20;
/** restart: how long every node stays down after it exited (a longer outage: longer reconnect backoffs). */
const DOWN_MS = Number(opt('down-ms') ?? 0);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Op {
  key: number;
  issued: number;
  settled: number;
  err?: Error;
}

/** INCR loops on `keys`; every operation's issue and settle times are kept. */
class Load {
  readonly ops: Op[] = [];
  private stopped = false;
  private loops: Promise<void>[] = [];
  constructor(
    private readonly c: ClusterClient,
    readonly keys: string[],
  ) {}
  start(): void {
    this.loops = this.keys.map(async (k, key) => {
      while (!this.stopped) {
        const issued = Date.now();
        try {
          await this.c.incr(k);
          this.ops.push({ key, issued, settled: Date.now() });
        } catch (err) {
          this.ops.push({ key, issued, settled: Date.now(), err: err as Error });
        }
      }
    });
  }
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
  errors(since = 0): Op[] {
    return this.ops.filter((o) => o.err !== undefined && o.settled >= since);
  }
}

function keys(prefix: string): string[] {
  return Array.from({ length: WORKERS }, (_, i) => `${prefix}{${i}}`);
}

function stats(xs: number[]): string {
  if (xs.length === 0) return 'n/a';
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0]}, median ${s[Math.floor((s.length - 1) / 2)]}, max ${s[s.length - 1]}`;
}

/** Polls `probe` every ~5 ms until it returns true; resolves with the time it first did. */
async function momentOf(probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const t = Date.now();
    if (await probe().catch(() => false)) return t;
    if (Date.now() > until) throw new Error('timed out polling the cluster');
    await sleep(5);
  }
}

/** A plain client to one node for polling (quick reconnects, short timeouts). */
function poller(s: RedisServer): RedisClient {
  return createClient({
    host: s.host,
    port: s.port,
    commandTimeoutMs: 200,
    reconnect: { baseDelayMs: 5, maxDelayMs: 20, onInitialFailure: 'retry', initialTimeoutMs: Infinity },
  });
}

async function trialKill(cluster: RedisCluster, n: number): Promise<Record<string, number>> {
  await using c = createCluster({ nodes: cluster.seeds, unavailableTimeoutMs: 30_000 });
  await c.connect();
  const load = new Load(c, keys(`kill${n}:`));
  load.start();
  await sleep(500);
  // A primary with a replica (a node added by the 'add' scenario has none, and would not fail over).
  let victim: RedisServer | undefined;
  let slot = 0;
  for (const k of load.keys) {
    slot = keySlot(k);
    const owner = await cluster.primaryFor(slot);
    if ((await cluster.replicasOf(owner)).length > 0) {
      victim = owner;
      break;
    }
  }
  if (victim === undefined) throw new Error('no primary with a replica serves a key of the load');
  const other = (await cluster.nodes()).find(
    (x) => x.role === 'primary' && x.server !== victim && x.server?.running,
  )!.server!;
  const victimId = cluster.idOf(victim);
  const mine = (await cluster.nodes()).find((x) => x.id === victimId)!;
  const victimKeys = new Set(load.keys.flatMap((k, i) => (ownsSlot(mine, keySlot(k)) ? [i] : [])));
  await holdWritesAndSync(victim, await cluster.replicasOf(victim));
  const p = poller(other);
  await p.connect();
  const tKill = Date.now();
  await victim.kill();
  const tRecovered = await momentOf(async () => {
    if (!/cluster_state:ok/.test(String(await p.call('CLUSTER', 'INFO')))) return false;
    const owner = parseClusterNodes(String(await p.call('CLUSTER', 'NODES'))).find(
      (x) => x.role === 'primary' && !x.failing && ownsSlot(x, slot),
    );
    return owner !== undefined && owner.id !== victimId;
  });
  await sleep(1500);
  await load.stop();
  p.destroy();
  const firstWrite = Math.min(
    ...load.ops.filter((o) => o.err === undefined && victimKeys.has(o.key) && o.settled > tKill).map((o) => o.settled),
  );
  const errs = load.errors(tKill);
  const issuedAfter = errs.filter((o) => o.issued > tKill);
  const maybe = errs.filter((o) => (o.err as { maybeExecuted?: boolean }).maybeExecuted === true);
  await cluster.restartNode(victim);
  return {
    recoveredMs: tRecovered - tKill,
    firstWriteAfterRecoveryMs: firstWrite - tRecovered,
    errors: errs.length,
    maybeExecuted: maybe.length,
    errorsIssuedAfterKill: issuedAfter.length,
  };
}

async function trialRestart(cluster: RedisCluster, n: number): Promise<Record<string, number>> {
  await using c = createCluster({ nodes: cluster.seeds, unavailableTimeoutMs: 60_000 });
  await c.connect();
  const load = new Load(c, keys(`restart${n}:`));
  load.start();
  await sleep(500);
  const pollers = cluster.servers.map(poller);
  const tStop = Date.now();
  await cluster.stop();
  const tDown = Date.now(); // every node has exited
  if (DOWN_MS > 0) await sleep(DOWN_MS);
  const restarting = Promise.all(cluster.servers.map((s) => s.restart()));
  const tOk = await momentOf(async () => {
    const infos = await Promise.all(pollers.map((p) => p.call('CLUSTER', 'INFO')));
    return infos.every((i) => /cluster_state:ok/.test(String(i)));
  });
  await restarting;
  await cluster.waitHealthy();
  await sleep(1000);
  await load.stop();
  for (const p of pollers) p.destroy();
  // When every key had an acknowledged write issued while the nodes were down: every primary serves.
  const firstPerKey = load.keys.map((_, i) =>
    Math.min(...load.ops.filter((o) => o.key === i && o.err === undefined && o.issued >= tDown).map((o) => o.settled)),
  );
  const errs = load.errors(tStop);
  return {
    stopMs: tDown - tStop,
    okAfterDownMs: tOk - tDown,
    allKeysWrittenAfterOkMs: Math.max(...firstPerKey) - tOk,
    errors: errs.length,
    maybeExecuted: errs.filter((o) => (o.err as { maybeExecuted?: boolean }).maybeExecuted === true).length,
    errorsIssuedWhileDown: errs.filter((o) => o.issued >= tDown).length,
  };
}

async function trialSeeds(plain: RedisServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const c = createCluster({ nodes: [{ host: plain.host, port: plain.port }] });
  let t0 = Date.now();
  await c.connect().then(
    () => {
      throw new Error('connect() to a standalone server resolved');
    },
    () => undefined,
  );
  out.clusterDisabledMs = Date.now() - t0;
  c.destroy();
  if (netnsSkipReason() === false) {
    const r = await startNetnsRedis();
    try {
      const d = createCluster({ nodes: [{ host: r.host, port: r.port }] });
      t0 = Date.now();
      await d.connect().then(
        () => {
          throw new Error('connect() to a node in protected mode resolved');
        },
        (e: Error) => {
          if (e.name !== 'ProtectedModeError') throw e;
        },
      );
      out.protectedModeMs = Date.now() - t0;
      d.destroy();
    } finally {
      await r.destroy();
    }
  }
  return out;
}

async function trialAdd(cluster: RedisCluster, n: number): Promise<Record<string, number>> {
  await using c = createCluster({ nodes: cluster.seeds, unavailableTimeoutMs: 30_000 });
  await c.connect();
  const load = new Load(c, keys(`add${n}:`));
  load.start();
  await sleep(500);
  const t0 = Date.now();
  const fresh = await cluster.addNode();
  const slots = [...new Set(load.keys.slice(0, 6).map((k) => keySlot(k)))];
  for (const slot of slots) await cluster.moveSlot(slot, fresh);
  await sleep(500);
  await load.stop();
  const during = load.ops.filter((o) => o.issued >= t0);
  let longestGap = 0;
  for (let i = 0; i < load.keys.length; i++) {
    const acks = during.filter((o) => o.key === i && o.err === undefined).map((o) => o.settled);
    for (let j = 1; j < acks.length; j++) longestGap = Math.max(longestGap, acks[j] - acks[j - 1]);
  }
  return {
    longestWriteMs: Math.max(...during.map((o) => o.settled - o.issued)),
    longestGapOfOneKeyMs: longestGap,
    errors: load.errors(t0).length,
  };
}

async function main(): Promise<void> {
  log(`# npx tsx bench/cluster-faults.ts ${argv.join(' ')}`.trimEnd());
  log(
    `# ${TRIALS} trial(s); load average at start ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const results = new Map<string, Record<string, number>[]>();
  const record = (scenario: string, r: Record<string, number>) => {
    log(
      `${scenario}: ${Object.entries(r)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    const list = results.get(scenario) ?? [];
    list.push(r);
    results.set(scenario, list);
  };
  const cluster = await RedisCluster.start({ args: ['--appendonly', 'yes'] });
  try {
    for (let n = 0; n < TRIALS; n++) {
      if (SCENARIOS.includes('kill')) record('kill', await trialKill(cluster, n));
      if (SCENARIOS.includes('restart')) record('restart', await trialRestart(cluster, n));
      if (SCENARIOS.includes('add')) record('add', await trialAdd(cluster, n));
    }
    if (SCENARIOS.includes('seeds')) {
      const plain = await RedisServer.start();
      try {
        for (let n = 0; n < TRIALS; n++) record('seeds', await trialSeeds(plain));
      } finally {
        await plain.destroy();
      }
    }
  } finally {
    await cluster.destroy();
  }
  log(
    `# summary over ${TRIALS} trial(s) (ms); load average at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  for (const [scenario, list] of results) {
    for (const field of Object.keys(list[0])) log(`${scenario}.${field}: ${stats(list.map((r) => r[field]))}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
