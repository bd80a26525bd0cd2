// A real Redis Cluster on loopback: N primaries with M replicas each, every node a RedisServer
// (so each is killed by pid and its temp dir removed at process exit, see cleanup.ts).
//
// Why real nodes: what a cluster client must survive (MOVED after a failover, ASK during a
// migration, CLUSTERDOWN while a primary is down, a whole restart) is what real nodes do on the
// wire and in time; a mock would only replay our own reading of the spec.
//
// Starting one costs a few seconds (~2-4 s here, mostly the gossip settling): start one per test
// file and share it between the tests that do not break it.
import { execFile } from 'node:child_process';
import { joinCluster, tlsNodeArgs } from './cluster-join';
import type { Netns } from './netns';
import { RedisServer } from './redis-server';
import { holdWritesAndSync, type KillOptions } from './replication';
import { pollUntil } from './wait';

export interface ClusterOptions {
  /** Primaries (default 3): the 16384 slots are split evenly between them. */
  primaries?: number;
  /** Replicas per primary (default 1). */
  replicas?: number;
  /** cluster-node-timeout in ms (default 1000): how long before a silent node counts as failed. */
  nodeTimeoutMs?: number;
  /** Extra redis-server args for every node (for a password use `password`). */
  args?: string[];
  /** requirepass and masterauth on every node; the harness' redis-cli calls authenticate with it. */
  password?: string;
  /** How long start() and the waits may take before they give up (default 30 s). */
  timeoutMs?: number;
  /**
   * Run every node inside this network namespace (netns.ts' createNetns()), listening on its
   * address and its loopback: to the test process the nodes are remote peers, so protected mode
   * applies to it (CONFIG SET protected-mode yes on a node makes it answer -DENIED). The caller
   * destroys the namespace after the cluster.
   */
  netns?: Netns;
  /**
   * Every node serves TLS only (`tls: 'only'`, the certificates of tls.ts) and talks TLS to the
   * others on the cluster bus and for replication (`tls-cluster yes`, `tls-replication yes`); the
   * cluster is joined with CLUSTER MEET / ADDSLOTSRANGE / REPLICATE (cluster-join.ts). Clients
   * trust `tlsFixtures().ca.pem`. The helpers that call `redis-cli --cluster` (reshard, addNode)
   * are not for such a cluster.
   */
  tls?: boolean;
}

/** One node as the cluster reports it (from CLUSTER NODES on a live node). */
export interface ClusterNodeInfo {
  id: string;
  host: string;
  port: number;
  role: 'primary' | 'replica';
  /** The primary's id for a replica. */
  primaryId?: string;
  /** Slot ranges served, inclusive ([start, end]); empty for replicas. */
  slots: [number, number][];
  /** The node is flagged `fail` or `fail?` by the reporting node. */
  failing: boolean;
  /** The reporting node has a link to it. */
  connected: boolean;
  /** The harness's RedisServer behind it (undefined for a node it did not start). */
  server?: RedisServer;
}

const SLOTS = 16384;

export class RedisCluster {
  /** Every node this harness started, in start order (primaries first as created). */
  readonly servers: RedisServer[] = [];
  private readonly opts: Required<Omit<ClusterOptions, 'args' | 'netns' | 'password' | 'tls'>> & {
    tls: boolean;
    args: string[];
    netns?: Netns;
    password?: string;
  };
  private readonly ids = new Map<RedisServer, string>();

  private constructor(opts: ClusterOptions) {
    this.opts = {
      primaries: opts.primaries ?? 3,
      replicas: opts.replicas ?? 1,
      nodeTimeoutMs: opts.nodeTimeoutMs ?? 1000,
      args: opts.args ?? [],
      timeoutMs: opts.timeoutMs ?? 30_000,
      netns: opts.netns,
      password: opts.password,
      tls: opts.tls === true,
    };
  }

  /**
   * Starts the nodes, joins them with `redis-cli --cluster create --cluster-replicas M`, and
   * resolves once every node says cluster_state:ok, knows every other node, and every replica's
   * link to its primary is up.
   */
  static async start(opts: ClusterOptions = {}): Promise<RedisCluster> {
    const c = new RedisCluster(opts);
    const count = c.opts.primaries * (1 + c.opts.replicas);
    try {
      const started = await Promise.all(Array.from({ length: count }, () => c.startNode()));
      c.servers.push(...started);
      if (c.opts.tls) {
        const n = c.opts.primaries;
        await joinCluster({
          primaries: started.slice(0, n),
          replicas: started.slice(0, n).map((_, i) => started.slice(n).filter((_, j) => j % n === i)),
          idOf: (s) => c.idOf(s),
          timeoutMs: c.opts.timeoutMs,
        });
      } else
        await cliCluster(c.opts.password, [
          'create',
          ...started.map((s) => `${s.host}:${s.port}`),
          '--cluster-replicas',
          String(c.opts.replicas),
          '--cluster-yes',
        ]);
      await c.waitHealthy();
      return c;
    } catch (err) {
      await c.destroy();
      throw err;
    }
  }

  private async startNode(): Promise<RedisServer> {
    const ns = this.opts.netns;
    const s = await RedisServer.start({
      ...(ns === undefined ? {} : { netns: ns.name, bind: `${ns.nsIp} 127.0.0.1` }),
      ...(this.opts.tls ? { tls: 'only' as const } : {}),
      args: [
        ...(this.opts.tls ? tlsNodeArgs() : []),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        String(this.opts.nodeTimeoutMs),
        // A replica with a stale link still takes over: tests kill primaries on purpose.
        '--cluster-replica-validity-factor',
        '0',
        ...(this.opts.password === undefined
          ? []
          : ['--requirepass', this.opts.password, '--masterauth', this.opts.password]),
        ...this.opts.args,
      ],
    });
    this.ids.set(s, await s.cli('CLUSTER', 'MYID'));
    return s;
  }

  /** `[{ host, port }]` of every node: what a client takes as seeds. */
  get seeds(): { host: string; port: number }[] {
    return this.servers.map((s) => ({ host: s.host, port: s.port }));
  }

  /** The node id of a server of this cluster. */
  idOf(server: RedisServer): string {
    const id = this.ids.get(server);
    if (id === undefined) throw new Error(`127.0.0.1:${server.port} is not a node of this cluster`);
    return id;
  }

  /** The server with this node id or port. */
  server(idOrPort: string | number): RedisServer {
    const s = this.servers.find((x) =>
      typeof idOrPort === 'number' ? x.port === idOrPort : this.ids.get(x) === idOrPort,
    );
    if (s === undefined) throw new Error(`no node ${idOrPort} in this cluster`);
    return s;
  }

  /** The cluster as one running node sees it (CLUSTER NODES). */
  async nodes(from?: RedisServer): Promise<ClusterNodeInfo[]> {
    const reporter = from ?? this.servers.find((s) => s.running);
    if (reporter === undefined) throw new Error('no node of the cluster is running');
    return parseClusterNodes(await reporter.cli('CLUSTER', 'NODES')).map((n) => ({
      ...n,
      server: this.servers.find((s) => this.ids.get(s) === n.id),
    }));
  }

  /** The running primary that serves `slot`, as a running node sees it. */
  async primaryFor(slot: number): Promise<RedisServer> {
    const node = (await this.nodes()).find((n) => n.role === 'primary' && !n.failing && ownsSlot(n, slot));
    if (node?.server === undefined) throw new Error(`no known primary serves slot ${slot}`);
    return node.server;
  }

  /** The replicas of a primary, as a running node sees them. */
  async replicasOf(primary: RedisServer): Promise<RedisServer[]> {
    const id = this.idOf(primary);
    return (await this.nodes())
      .filter((n) => n.role === 'replica' && n.primaryId === id && n.server !== undefined)
      .map((n) => n.server!);
  }

  /**
   * SIGKILLs the primary of `slot` (or the given primary) and waits until a replica has taken
   * over its slots and every live node says cluster_state:ok. Returns the killed server (bring it
   * back with restartNode(): it rejoins as a replica) and the new primary. `{ replicated: true }`
   * first makes sure its replicas have every write it acknowledged (see replication.ts).
   */
  async killPrimary(
    target: number | RedisServer,
    opts: KillOptions = {},
  ): Promise<{ killed: RedisServer; promoted: RedisServer; recoveredMs: number }> {
    const primary = typeof target === 'number' ? await this.primaryFor(target) : target;
    const slot = typeof target === 'number' ? target : (await this.slotsOf(primary))[0][0];
    if (opts.replicated === true) await holdWritesAndSync(primary, await this.replicasOf(primary));
    const t0 = Date.now();
    await primary.kill();
    const promoted = await this.waitFor(`a replica to take over slot ${slot}`, async () => {
      const live = this.servers.find((s) => s.running)!;
      const n = (await this.nodes(live)).find((x) => x.role === 'primary' && !x.failing && ownsSlot(x, slot));
      return n?.server !== undefined && n.server !== primary ? n.server : undefined;
    });
    await this.waitHealthy({ skipDown: true });
    return { killed: primary, promoted, recoveredMs: Date.now() - t0 };
  }

  /**
   * A manual failover: CLUSTER FAILOVER on a replica of the primary of `slot` (or of the given
   * primary); waits until the replica is primary everywhere. Returns the old and new primary.
   */
  async failover(target: number | RedisServer): Promise<{ oldPrimary: RedisServer; newPrimary: RedisServer }> {
    const primary = typeof target === 'number' ? await this.primaryFor(target) : target;
    const [replica] = await this.replicasOf(primary);
    if (replica === undefined) throw new Error(`primary 127.0.0.1:${primary.port} has no replica to fail over to`);
    const r = await replica.cli('CLUSTER', 'FAILOVER');
    if (r !== 'OK') throw new Error(`CLUSTER FAILOVER on 127.0.0.1:${replica.port}: ${r}`);
    const id = this.idOf(replica);
    await this.waitFor('the failover to be seen by every node', async () => {
      for (const s of this.servers.filter((x) => x.running)) {
        const me = (await this.nodes(s)).find((n) => n.id === id);
        if (me?.role !== 'primary') return undefined;
      }
      return true;
    });
    await this.waitHealthy();
    return { oldPrimary: primary, newPrimary: replica };
  }

  /** Starts a stopped or killed node again (same port, dir and nodes.conf) and waits for health. */
  async restartNode(server: RedisServer): Promise<void> {
    await server.restart();
    await this.waitHealthy();
  }

  /** Stops every node (SIGTERM), starts them all again and waits until the cluster is healthy. */
  async restartAll(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
    await Promise.all(this.servers.map((s) => s.restart()));
    await this.waitHealthy();
  }

  /** The slot ranges a primary serves. */
  async slotsOf(primary: RedisServer): Promise<[number, number][]> {
    const me = (await this.nodes()).find((n) => n.id === this.idOf(primary));
    return me?.slots ?? [];
  }

  /**
   * First half of a slot move: the target is IMPORTING, the source MIGRATING, no key moved yet.
   * While it lasts, a command for a key already on the target gets `-ASK` from the source.
   */
  async beginSlotMigration(slot: number, to: RedisServer): Promise<{ from: RedisServer; to: RedisServer }> {
    const from = await this.primaryFor(slot);
    if (from === to) throw new Error(`slot ${slot} is already served by 127.0.0.1:${to.port}`);
    await expectOk(to.cli('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', this.idOf(from)));
    await expectOk(from.cli('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', this.idOf(to)));
    return { from, to };
  }

  /** MIGRATEs the keys of `slot` (all, or at most `limit`) from `from` to `to`; returns how many. */
  async migrateKeys(slot: number, from: RedisServer, to: RedisServer, limit = Infinity): Promise<number> {
    let moved = 0;
    while (moved < limit) {
      const n = Math.min(100, limit - moved);
      const out = await from.cli('CLUSTER', 'GETKEYSINSLOT', String(slot), String(n));
      const keys = out === '' ? [] : out.split('\n');
      if (keys.length === 0) break;
      const auth = this.opts.password === undefined ? [] : ['AUTH', this.opts.password];
      const r = await from.cli('MIGRATE', to.host, String(to.port), '', '0', '5000', ...auth, 'KEYS', ...keys);
      if (r !== 'OK' && r !== 'NOKEY') throw new Error(`MIGRATE slot ${slot}: ${r}`);
      moved += keys.length;
    }
    return moved;
  }

  /** Second half: the rest of the keys move, then every node is told the new owner. */
  async finishSlotMigration(slot: number, from: RedisServer, to: RedisServer): Promise<void> {
    await this.migrateKeys(slot, from, to);
    // The target first, then the source (so the source cannot send MOVED to a node that does not
    // know yet), then the others: the order redis-cli --cluster reshard uses.
    const id = this.idOf(to);
    await expectOk(to.cli('CLUSTER', 'SETSLOT', String(slot), 'NODE', id));
    await expectOk(from.cli('CLUSTER', 'SETSLOT', String(slot), 'NODE', id));
    const primaries = (await this.nodes()).filter((n) => n.role === 'primary' && !n.failing && n.server?.running);
    for (const n of primaries) {
      if (n.server !== to && n.server !== from)
        await expectOk(n.server!.cli('CLUSTER', 'SETSLOT', String(slot), 'NODE', id));
    }
  }

  /** Moves one slot with its keys to `to` (a primary); afterwards the old owner answers MOVED. */
  async moveSlot(slot: number, to: RedisServer): Promise<{ from: RedisServer }> {
    const { from } = await this.beginSlotMigration(slot, to);
    await this.finishSlotMigration(slot, from, to);
    await this.waitFor(`every node to agree on the owner of slot ${slot}`, async () => {
      for (const s of this.servers.filter((x) => x.running)) {
        const owner = (await this.nodes(s)).find((n) => n.role === 'primary' && ownsSlot(n, slot));
        if (owner?.id !== this.idOf(to)) return undefined;
      }
      return true;
    });
    return { from };
  }

  /** Moves `count` slots from one primary to another with `redis-cli --cluster reshard`. */
  async reshard(from: RedisServer, to: RedisServer, count: number): Promise<void> {
    await cliCluster(this.opts.password, [
      'reshard',
      `${to.host}:${to.port}`,
      '--cluster-from',
      this.idOf(from),
      '--cluster-to',
      this.idOf(to),
      '--cluster-slots',
      String(count),
      '--cluster-yes',
    ]);
    await this.waitHealthy();
  }

  /**
   * Starts a new node and joins it: as an empty primary (no slots: move some with moveSlot or
   * reshard) or as a replica of `replicaOf`. Waits until every node knows it.
   */
  async addNode(opts: { replicaOf?: RedisServer } = {}): Promise<RedisServer> {
    const s = await this.startNode();
    this.servers.push(s);
    const existing = this.servers.find((x) => x !== s && x.running)!;
    const args = ['add-node', `${s.host}:${s.port}`, `${existing.host}:${existing.port}`];
    if (opts.replicaOf) args.push('--cluster-slave', '--cluster-master-id', this.idOf(opts.replicaOf));
    await cliCluster(this.opts.password, args);
    await this.waitHealthy();
    return s;
  }

  /**
   * Resolves when every running node says cluster_state:ok, sees the same set of nodes with no
   * `fail` flags (`skipDown`: nodes that are stopped are ignored, and may be flagged), has a link
   * to every running node, and every running replica's link to its primary is up.
   */
  async waitHealthy(opts: { skipDown?: boolean } = {}): Promise<void> {
    const running = () => this.servers.filter((s) => s.running);
    await this.waitFor('the cluster to be healthy', async () => {
      const live = running();
      const liveIds = new Set(live.map((s) => this.ids.get(s)));
      for (const s of live) {
        if (!/cluster_state:ok/.test(await s.cli('CLUSTER', 'INFO'))) return undefined;
        const view = await this.nodes(s);
        for (const id of liveIds) {
          const n = view.find((x) => x.id === id);
          if (n === undefined || n.failing || !n.connected) return undefined;
        }
        if (!opts.skipDown && view.some((n) => n.failing)) return undefined;
        const info = await s.cli('INFO', 'replication');
        if (/role:slave/.test(info) && !/master_link_status:up/.test(info)) return undefined;
      }
      return true;
    });
  }

  private waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    return pollUntil(what, probe, this.opts.timeoutMs);
  }

  /** SIGTERM every node, waiting for each to exit (restartAll/restartNode work after it). */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }

  /** SIGKILL every node. */
  async kill(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.kill()));
  }

  /** Kills every node and removes their dirs (also done at process exit). */
  async destroy(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.destroy()));
  }
}

/** Does this node serve `slot`? */
export function ownsSlot(n: Pick<ClusterNodeInfo, 'slots'>, slot: number): boolean {
  return n.slots.some(([a, b]) => slot >= a && slot <= b);
}

/** Parses CLUSTER NODES output (one node per line; `[slot->-id]` migration markers skipped). */
export function parseClusterNodes(text: string): Omit<ClusterNodeInfo, 'server'>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [id, addr, flags, primaryId, , , , link, ...slotFields] = line.trim().split(' ');
      // ip:port@cport[,hostname]
      const hostPort = addr.split('@')[0];
      const colon = hostPort.lastIndexOf(':');
      const flagSet = new Set(flags.split(','));
      const slots: [number, number][] = [];
      for (const f of slotFields) {
        if (f.startsWith('[')) continue;
        const [a, b] = f.split('-').map(Number);
        slots.push([a, b ?? a]);
      }
      return {
        id,
        host: hostPort.slice(0, colon),
        port: Number(hostPort.slice(colon + 1)),
        role: flagSet.has('master') ? ('primary' as const) : ('replica' as const),
        primaryId: primaryId === '-' ? undefined : primaryId,
        slots,
        failing: flagSet.has('fail') || flagSet.has('fail?'),
        connected: link === 'connected',
      };
    });
}

async function expectOk(p: Promise<string>): Promise<void> {
  const r = (await p).trim();
  if (r !== 'OK') throw new Error(`expected OK, got ${r}`);
}

function cliCluster(password: string | undefined, args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.REDISCLI_AUTH;
  if (password !== undefined) env.REDISCLI_AUTH = password; // env, not -a: keeps it off ps output
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['--cluster', ...args], { maxBuffer: 64 << 20, env }, (err, stdout, stderr) => {
      if (err || /\[ERR\]/.test(stdout)) {
        reject(
          new Error(`redis-cli --cluster ${args[0]} failed: ${err?.message ?? ''}\n${stdout.slice(-2000)}${stderr}`),
        );
      } else resolve(stdout);
    });
  });
}

export { SLOTS as CLUSTER_SLOTS };
