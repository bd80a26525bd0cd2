/**
 * The doctor on a Redis Cluster node (found by CLUSTER INFO on the handshake's session, or asked
 * for with --cluster): two steps.
 *
 * - `cluster`: cluster_state, slots covered, the shards with their roles and health, as the node
 *   sees them (CLUSTER SHARDS, or CLUSTER SLOTS before Redis 7).
 * - `cluster nodes`: every node the cluster announces, reached from here with the target's
 *   credentials and TLS options (TCP, handshake, PING through a romaine client). An announced
 *   address that does not answer while the one given on the command line does is the NAT/Docker
 *   problem: the nodes announce addresses of their own network; the fix is `nodeAddressMap`
 *   (or cluster-announce-* on the nodes).
 */
import { ConnectionError, ReplyError } from '../errors';
import { slotMapFromShards, slotMapFromSlots, type ClusterNode, type SlotMap, SLOT_COUNT } from '../cluster/slot-map';
import { nodeTls, seedNameOf } from '../cluster/node-endpoint';
import type { Session } from './doctor-connect';
import { failed, skipped, step, type StepResult } from './doctor-report';
import { parseInfo } from './doctor-server';
import { doctorClient, type Target } from './target';

/** At most this many nodes are tried at once. */
const PARALLEL = 8;

export interface NodeCheck {
  node: string;
  role: 'primary' | 'replica';
  /** CLUSTER SHARDS' health ('online', 'failed', 'loading'), 'online' from CLUSTER SLOTS. */
  health: string;
  /** Slot ranges it serves (primaries). */
  slots?: string;
  reachable: boolean;
  /** Why not, in words (never with the password). */
  error?: string;
  ms: number;
}

/**
 * The cluster steps, or nothing when the node is not a cluster node and --cluster was not given.
 * `force` (--cluster): a node without cluster support is a failure.
 */
export async function clusterSteps(t: Target, session: Session, force: boolean): Promise<StepResult[]> {
  const t0 = performance.now();
  const ex = await session.probe.exchange(
    [
      ['CLUSTER', 'INFO'],
      ['CLUSTER', 'MYID'],
      ['CLUSTER', 'SHARDS'],
    ],
    t.timeoutMs,
  );
  const [infoReply, myIdReply, shardsReply] = ex.replies;
  if (typeof infoReply !== 'string') {
    const disabled = infoReply instanceof ReplyError && /cluster support disabled/i.test(infoReply.message);
    if (disabled && !force) return [];
    const why = disabled
      ? 'cluster support is disabled on this server (cluster-enabled no)'
      : infoReply instanceof ReplyError
        ? `CLUSTER INFO was refused: ${infoReply.message}`
        : `no CLUSTER INFO reply (${ex.timedOut ? 'timed out' : (ex.closed ?? 'closed')})`;
    return [
      failed('cluster', ex.ms, why, {
        code: disabled ? 'cluster-disabled' : 'cluster-info-unavailable',
        what: disabled
          ? `--cluster was given, but ${t.display} is a standalone server: ${why}.`
          : `The node did not describe its cluster: ${why}.`,
        fix: disabled
          ? ['Connect with createClient(), or point the doctor at a node of the cluster.']
          : ['Grant the user CLUSTER (`ACL SETUSER <user> +cluster`), or run the doctor as a user that has it.'],
      }),
      skipped('cluster-nodes', 'not checked (no cluster view)'),
    ];
  }
  const info = parseInfo(infoReply);
  const reporter = { host: t.host, port: t.port };
  const ctx = { reporter, tls: t.tls !== undefined };
  let map: SlotMap;
  try {
    if (shardsReply instanceof ReplyError) {
      const slots = await session.probe.exchange([['CLUSTER', 'SLOTS']], t.timeoutMs);
      map = slotMapFromSlots(slots.replies[0], ctx);
    } else map = slotMapFromShards(shardsReply, ctx);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return [
      failed('cluster', performance.now() - t0, `the slot map could not be read: ${why}`, {
        code: 'cluster-map-unreadable',
        what: `CLUSTER SHARDS / CLUSTER SLOTS gave a reply the doctor could not read: ${why}.`,
        fix: ['Report it with this output (--json).'],
      }),
      skipped('cluster-nodes', 'not checked (no slot map)'),
    ];
  }
  const myId = typeof myIdReply === 'string' ? myIdReply : undefined;
  const overview = overviewStep(info, map, myId, t, performance.now() - t0);
  return [overview, await nodesStep(t, map, myId)];
}

function ranges(map: SlotMap, node: ClusterNode): string {
  const shard = map.shards.find((s) => s.primary === node);
  if (shard === undefined) return '';
  return map
    .rangesOf(shard)
    .map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
    .join(',');
}

function overviewStep(
  info: Record<string, string>,
  map: SlotMap,
  myId: string | undefined,
  t: Target,
  ms: number,
): StepResult {
  const state = info.cluster_state ?? '?';
  const covered = map.coveredSlots;
  const primaries = map.shards.length;
  const replicas = map.shards.reduce((n, s) => n + s.replicas.length, 0);
  // 'loading': a replica still syncing (Redis 7.0 also says it of a replica of an empty primary,
  // whose offset is 0): a remark, not a warning.
  const failing = map.nodes.filter((n) => n.health === 'failed');
  const loading = map.nodes.filter((n) => n.health === 'loading');
  const me = map.nodes.find((n) => n.id !== undefined && n.id === myId);
  const details = {
    state,
    slotsCovered: covered,
    slotsAssigned: Number(info.cluster_slots_assigned ?? NaN),
    slotsFail: Number(info.cluster_slots_fail ?? NaN),
    slotsPfail: Number(info.cluster_slots_pfail ?? NaN),
    knownNodes: Number(info.cluster_known_nodes ?? NaN),
    currentEpoch: Number(info.cluster_current_epoch ?? NaN),
    thisNode: me === undefined ? undefined : { announced: me.key, role: me.role },
    shards: map.shards.map((s) => ({
      primary: s.primary.key,
      health: s.primary.health,
      slots: ranges(map, s.primary),
      replicas: s.replicas.map((r) => ({ node: r.key, health: r.health })),
    })),
  };
  const summary = `cluster_state:${state}, ${covered} of ${SLOT_COUNT} slots covered, ${primaries} primar${primaries === 1 ? 'y' : 'ies'}, ${replicas} replica${replicas === 1 ? '' : 's'}`;
  const notes = map.describe().map((line) => `shard ${line}`);
  for (const n of [...failing, ...loading]) notes.push(`${n.key} (${n.role}) is ${n.health}`);
  if (me !== undefined && me.key !== `${t.host}:${t.port}`)
    notes.push(`This node announces itself as ${me.key}; you reached it at ${t.host}:${t.port}.`);
  if (state !== 'ok' || covered < SLOT_COUNT) {
    const uncovered = SLOT_COUNT - covered;
    return step('cluster', 'fail', summary, {
      ms,
      details,
      notes,
      problem: {
        code: 'cluster-down',
        what:
          state !== 'ok'
            ? `The cluster does not serve every slot (cluster_state:${state}${uncovered > 0 ? `, ${uncovered} slots served by no node` : ''}): commands for those slots fail with CLUSTERDOWN.`
            : `${uncovered} slots are served by no node: commands for their keys fail.`,
        fix: [
          'If a primary died and has no replica to take over, bring it back (its slots return with it).',
          'Assign the missing slots: `redis-cli --cluster fix <host:port>`, then check with `redis-cli --cluster check <host:port>`.',
        ],
      },
    });
  }
  return step('cluster', failing.length > 0 ? 'warn' : 'ok', summary, { ms, details, notes });
}

async function nodesStep(t: Target, map: SlotMap, myId: string | undefined): Promise<StepResult> {
  const t0 = performance.now();
  const nodes = map.nodes;
  const checks: NodeCheck[] = new Array<NodeCheck>(nodes.length);
  let next = 0;
  const seedName = seedNameOf([{ host: t.host, port: t.port }]);
  const worker = async (): Promise<void> => {
    while (next < nodes.length) {
      const i = next++;
      checks[i] = await reach(t, nodes[i], map, seedName);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, nodes.length) }, worker));

  const unreachable = checks.filter((c) => !c.reachable);
  const details = { nodes: checks };
  const summary =
    unreachable.length === 0
      ? `all ${checks.length} announced node${checks.length === 1 ? '' : 's'} reachable from here`
      : `${unreachable.length} of ${checks.length} announced nodes not reachable from here`;
  const notes = checks.map(
    (c) =>
      `${c.reachable ? 'reachable' : 'NOT reachable'}: ${c.node} ${c.role}${c.slots ? ` [${c.slots}]` : ''}${c.health !== 'online' ? ` (${c.health})` : ''}${c.error ? ` — ${c.error}` : ''}`,
  );
  const ms = performance.now() - t0;
  if (unreachable.length === 0) return step('cluster-nodes', 'ok', summary, { ms, details, notes });

  // The address given on the command line answered (we are talking to it): announced addresses
  // that do not are the NAT / Docker / Kubernetes problem, unless the node is known to be down.
  const me = nodes.find((n) => n.id !== undefined && n.id === myId);
  const selfMismatch = me !== undefined && me.key !== `${t.host}:${t.port}`;
  const unexplained = unreachable.filter((c) => c.health !== 'failed');
  const nat = unexplained.length > 0 && (selfMismatch || unexplained.length === checks.length);
  const primariesDown = unreachable.filter((c) => c.role === 'primary');
  const example = unexplained[0]?.node ?? unreachable[0].node;
  const fix = nat
    ? [
        `Give the client a nodeAddressMap from each announced address to one it can reach, e.g. createCluster({ nodes, nodeAddressMap: { '${example}': { host: '<reachable host>', port: <port> } } }) (ioredis: natMap; node-redis: nodeAddressMap).`,
        'Or make the nodes announce addresses clients can reach: cluster-announce-ip / cluster-announce-port / cluster-announce-hostname (with cluster-preferred-endpoint-type hostname), or publish the ports under the same numbers (Docker: --net=host).',
      ]
    : [
        'Check that these nodes run and that this machine may reach them (firewall, security groups).',
        'A node shown as failed is being replaced by the cluster: check `redis-cli --cluster check <host:port>`.',
      ];
  const what = nat
    ? `${t.host}:${t.port} answers, but the cluster announces ${unexplained.map((c) => c.node).join(', ')}, which this machine cannot reach${selfMismatch && me !== undefined ? ` (the node you reached calls itself ${me.key})` : ''}: the nodes announce addresses of their own network (NAT, Docker, Kubernetes). A cluster client learns the nodes from these announcements, so its commands for their slots would fail.`
    : `${unreachable.map((c) => `${c.node} (${c.error ?? 'no answer'})`).join('; ')} could not be reached from here${primariesDown.length > 0 ? `: the slots of ${primariesDown.map((c) => c.node).join(', ')} cannot be served to this client` : ''}.`;
  const verdict = primariesDown.length > 0 || nat ? 'fail' : 'warn';
  if (verdict === 'warn') return step('cluster-nodes', 'warn', summary, { ms, details, notes: [...notes, what] });
  return step('cluster-nodes', 'fail', summary, {
    ms,
    details,
    notes,
    problem: { code: nat ? 'cluster-announced-unreachable' : 'cluster-node-unreachable', what, fix },
  });
}

/** TCP, TLS, handshake and PING to one announced node, through a romaine client. */
async function reach(t: Target, node: ClusterNode, map: SlotMap, seedName: string | undefined): Promise<NodeCheck> {
  const t0 = performance.now();
  const base: NodeCheck = {
    node: node.key,
    role: node.role,
    health: node.health,
    ...(node.role === 'primary' ? { slots: ranges(map, node) } : {}),
    reachable: false,
    ms: 0,
  };
  const tls =
    t.tls === undefined
      ? undefined
      : nodeTls(node, node, {
          mapAddress: (a) => a,
          tls: t.insecure ? { ...t.tls, rejectUnauthorized: false } : t.tls,
          seedName,
        });
  const client = doctorClient(t, { ...t.clientOptions, host: node.host, port: node.port, tls });
  try {
    await client.connect();
    await client.ping();
    return { ...base, reachable: true, ms: round(performance.now() - t0) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const kind = err instanceof ConnectionError ? `${err.kind}: ` : '';
    return { ...base, error: t.scrub(`${kind}${message}`), ms: round(performance.now() - t0) };
  } finally {
    client.destroy();
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
