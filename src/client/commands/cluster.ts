import { def, id, optionKeys, variadic, withOptions, type RedisKey } from '../command-def';
import type { Arg } from '../../protocol/types';
import { camelCase, setOwn, toNumber, toObject } from './reply';
import { infoValue } from './server';

/** One node, as a line of CLUSTER NODES (or CLUSTER REPLICAS) describes it. */
export interface ClusterNodeLine {
  id: string;
  /** 'ip:port@cport[,hostname]' as the server writes it. */
  address: string;
  /** 'myself', 'master', 'slave', 'fail?', 'fail', 'handshake', 'noaddr', 'nofailover', 'noflags'. */
  flags: string[];
  /** The primary's id for a replica, null for a primary. */
  master: string | null;
  pingSent: number;
  pongRecv: number;
  configEpoch: number;
  /** 'connected' | 'disconnected'. */
  linkState: string;
  /** '0-5460', '5461', and migrations such as '[93->-nodeid]'. */
  slots: string[];
}

/** A node of a shard, as CLUSTER SHARDS describes it (Redis' names in camelCase). */
export interface ClusterShardNode {
  id: string;
  port?: number;
  tlsPort?: number;
  ip: string;
  endpoint: string;
  hostname?: string;
  /** 'master' | 'replica'. */
  role: string;
  replicationOffset: number;
  /** 'online' | 'failed' | 'loading'. */
  health: string;
}

/** One shard of CLUSTER SHARDS: its slot ranges (inclusive) and nodes (Redis 7). */
export interface ClusterShard {
  slots: [start: number, end: number][];
  nodes: ClusterShardNode[];
}

/** One cluster bus link, as CLUSTER LINKS describes it (Redis 7). */
export interface ClusterLink {
  /** 'to' | 'from'. */
  direction: string;
  node: string;
  createTime: number;
  events: string;
  sendBufferAllocated: number;
  sendBufferUsed: number;
}

/** CLUSTER SETSLOT's subcommand: exactly one key. */
export interface ClusterSetslotAction {
  IMPORTING?: string;
  MIGRATING?: string;
  NODE?: string;
  STABLE?: true;
}

const NUMERIC = new Set([
  'port',
  'tls-port',
  'replication-offset',
  'create-time',
  'send-buffer-allocated',
  'send-buffer-used',
]);

function camelFields(reply: unknown): Record<string, unknown> {
  const raw = toObject<unknown>(reply);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) setOwn(out, camelCase(key), NUMERIC.has(key) ? toNumber(raw[key]) : raw[key]);
  return out;
}

function toShards(reply: unknown[]): ClusterShard[] {
  return reply.map((shard) => {
    const raw = toObject<unknown>(shard);
    const bounds = (raw.slots as unknown[]).map(toNumber);
    const slots: [number, number][] = [];
    for (let i = 0; i + 1 < bounds.length; i += 2) slots.push([bounds[i], bounds[i + 1]]);
    return { slots, nodes: (raw.nodes as unknown[]).map((n) => camelFields(n) as unknown as ClusterShardNode) };
  });
}

function toNodeLines(reply: unknown): ClusterNodeLine[] {
  const lines = Array.isArray(reply) ? reply.map(String) : String(reply).split('\n');
  return lines
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((line) => {
      const f = line.split(' ');
      return {
        id: f[0],
        address: f[1],
        flags: f[2].split(','),
        master: f[3] === '-' ? null : f[3],
        pingSent: Number(f[4]),
        pongRecv: Number(f[5]),
        configEpoch: Number(f[6]),
        linkState: f[7],
        slots: f.slice(8),
      };
    });
}

/** CLUSTER INFO's "field:value" lines as an object, numbers where numeric. */
function toClusterInfo(reply: unknown): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const raw of String(reply).split('\n')) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    setOwn(out, line.slice(0, colon), infoValue(line.slice(colon + 1)));
  }
  return out;
}

const ranges = (sub: string, pairs: [number, number][]): Arg[] => [sub, ...pairs.flat()];

/**
 * Cluster commands for one node: what it knows about the cluster and how to change it. On a
 * ClusterClient they run where its keyless commands go (see docs/cluster.md); to ask a given node,
 * use a client connected to it.
 */
export const CLUSTER = {
  /** ASKING: lets the next command reach a slot being imported (after an ASK redirection); send it in the same pipeline as that command. */
  asking: def('ASKING', () => [], id<'OK'>()),
  /** READONLY: lets this connection read from a cluster replica (lost on reconnect: a new connection starts read-write). */
  readonly: def('READONLY', () => [], id<'OK'>()),
  /** READWRITE: ends READONLY. */
  readwrite: def('READWRITE', () => [], id<'OK'>()),
  /** CLUSTER ADDSLOTS slot [slot ...]: assigns the slots to this node. */
  clusterAddslots: variadic(def('CLUSTER', (...slots: number[]) => ['ADDSLOTS', ...slots], id<'OK'>())),
  /** CLUSTER ADDSLOTSRANGE [start, end] ...: assigns the ranges (inclusive) to this node (Redis 7). */
  clusterAddslotsrange: variadic(
    def('CLUSTER', (...slotRanges: [number, number][]) => ranges('ADDSLOTSRANGE', slotRanges), id<'OK'>()),
  ),
  /** CLUSTER BUMPEPOCH: 'BUMPED n' or 'STILL n'. */
  clusterBumpepoch: def('CLUSTER', () => ['BUMPEPOCH'], id<string>()),
  /** CLUSTER COUNT-FAILURE-REPORTS node-id: how many nodes report it failing. */
  clusterCountFailureReports: def('CLUSTER', (nodeId: string) => ['COUNT-FAILURE-REPORTS', nodeId], id<number>()),
  /** CLUSTER COUNTKEYSINSLOT slot: the number of keys in the slot (on this node). */
  clusterCountkeysinslot: def('CLUSTER', (slot: number) => ['COUNTKEYSINSLOT', slot], id<number>()),
  /** CLUSTER DELSLOTS slot [slot ...]: unassigns the slots from this node. */
  clusterDelslots: variadic(def('CLUSTER', (...slots: number[]) => ['DELSLOTS', ...slots], id<'OK'>())),
  /** CLUSTER DELSLOTSRANGE [start, end] ...: unassigns the ranges (Redis 7). */
  clusterDelslotsrange: variadic(
    def('CLUSTER', (...slotRanges: [number, number][]) => ranges('DELSLOTSRANGE', slotRanges), id<'OK'>()),
  ),
  /** CLUSTER FAILOVER [FORCE|TAKEOVER]: a replica takes over from its primary. */
  clusterFailover: def(
    'CLUSTER',
    (mode?: 'FORCE' | 'TAKEOVER'): Arg[] => (mode === undefined ? ['FAILOVER'] : ['FAILOVER', mode]),
    id<'OK'>(),
  ),
  /** CLUSTER FLUSHSLOTS: unassigns every slot of this node. */
  clusterFlushslots: def('CLUSTER', () => ['FLUSHSLOTS'], id<'OK'>()),
  /** CLUSTER FORGET node-id: removes a node from this node's table (for 60 s). */
  clusterForget: def('CLUSTER', (nodeId: string) => ['FORGET', nodeId], id<'OK'>()),
  /** CLUSTER GETKEYSINSLOT slot count: up to count keys of the slot (on this node). */
  clusterGetkeysinslot: def('CLUSTER', (slot: number, count: number) => ['GETKEYSINSLOT', slot, count], id<string[]>()),
  /** CLUSTER INFO: the cluster's state as this node sees it ({ cluster_state: 'ok', cluster_known_nodes: 6, ... }). */
  clusterInfo: def('CLUSTER', () => ['INFO'], toClusterInfo),
  /** CLUSTER KEYSLOT key: the key's hash slot (computed by the server). */
  clusterKeyslot: def('CLUSTER', (key: RedisKey) => ['KEYSLOT', key], id<number>()),
  /** CLUSTER LINKS: this node's cluster bus links (Redis 7). */
  clusterLinks: def(
    'CLUSTER',
    () => ['LINKS'],
    (r: unknown[]) => r.map((l) => camelFields(l) as unknown as ClusterLink),
  ),
  /** CLUSTER MEET ip port [cluster-bus-port]: joins a node to the cluster. */
  clusterMeet: def(
    'CLUSTER',
    (host: string, port: number, busPort?: number): Arg[] =>
      busPort === undefined ? ['MEET', host, port] : ['MEET', host, port, busPort],
    id<'OK'>(),
  ),
  /** CLUSTER MYID: this node's id. */
  clusterMyid: def('CLUSTER', () => ['MYID'], id<string>()),
  /** CLUSTER NODES: every node as this node sees it, parsed. */
  clusterNodes: def('CLUSTER', () => ['NODES'], toNodeLines),
  /** CLUSTER REPLICAS node-id: the primary's replicas, parsed like CLUSTER NODES. */
  clusterReplicas: def('CLUSTER', (nodeId: string) => ['REPLICAS', nodeId], toNodeLines),
  /** CLUSTER REPLICATE node-id: makes this node a replica of that primary. */
  clusterReplicate: def('CLUSTER', (nodeId: string) => ['REPLICATE', nodeId], id<'OK'>()),
  /** CLUSTER RESET [HARD|SOFT]: forgets the cluster (the node must hold no keys). */
  clusterReset: def(
    'CLUSTER',
    (mode?: 'HARD' | 'SOFT'): Arg[] => (mode === undefined ? ['RESET'] : ['RESET', mode]),
    id<'OK'>(),
  ),
  /** CLUSTER SAVECONFIG: writes nodes.conf now. */
  clusterSaveconfig: def('CLUSTER', () => ['SAVECONFIG'], id<'OK'>()),
  /** CLUSTER SET-CONFIG-EPOCH epoch: sets a new node's config epoch. */
  clusterSetConfigEpoch: def('CLUSTER', (epoch: number) => ['SET-CONFIG-EPOCH', epoch], id<'OK'>()),
  /** CLUSTER SETSLOT slot IMPORTING id | MIGRATING id | NODE id | STABLE: changes a slot's state on this node. */
  clusterSetslot: withOptions(
    def(
      'CLUSTER',
      (slot: number, action: ClusterSetslotAction): Arg[] => {
        if (action.IMPORTING !== undefined) return ['SETSLOT', slot, 'IMPORTING', action.IMPORTING];
        if (action.MIGRATING !== undefined) return ['SETSLOT', slot, 'MIGRATING', action.MIGRATING];
        if (action.NODE !== undefined) return ['SETSLOT', slot, 'NODE', action.NODE];
        if (action.STABLE) return ['SETSLOT', slot, 'STABLE'];
        throw new Error('clusterSetslot() needs one of IMPORTING, MIGRATING, NODE or STABLE');
      },
      id<'OK'>(),
    ),
    optionKeys<ClusterSetslotAction>({ IMPORTING: 0, MIGRATING: 0, NODE: 0, STABLE: 0 }),
  ),
  /** CLUSTER SHARDS: the shards, each with its slot ranges and nodes (Redis 7). */
  clusterShards: def('CLUSTER', () => ['SHARDS'], toShards),
};
