// The cluster's slot table as pure data: which primary (and replicas) serve each of the 16384
// slots. Built aside from one node's CLUSTER SHARDS (Redis 7+) or CLUSTER SLOTS reply, never
// edited in place: a refresh or a MOVED makes a new SlotMap and the client swaps it in with one
// assignment, so a command never sees half a topology.

/** How many hash slots a Redis Cluster has. */
export const SLOT_COUNT = 16384;

export interface NodeAddress {
  host: string;
  port: number;
}

/** A node as a topology reply describes it. */
export interface ClusterNode extends NodeAddress {
  /** `host:port`: the key under which the client keeps the node's connection. */
  readonly key: string;
  readonly id?: string;
  readonly role: 'primary' | 'replica';
  /** CLUSTER SHARDS' `health` ('online', 'loading', 'fail' on 7.0 / 'failed' as documented); 'online' from CLUSTER SLOTS. */
  readonly health: string;
}

/** A primary and its replicas. */
export interface Shard {
  readonly primary: ClusterNode;
  readonly replicas: readonly ClusterNode[];
}

export function nodeKey(a: NodeAddress): string {
  // A ClusterNode of the map carries its key: no string built per command on the routing path.
  const key = (a as Partial<ClusterNode>).key;
  return typeof key === 'string' ? key : `${a.host}:${a.port}`;
}

/** Which shard serves each slot, plus every node known. Immutable. */
export class SlotMap {
  /** owner[slot] is an index into `shards`, or -1 for a slot no node serves. */
  private readonly owner: Int16Array;
  readonly shards: readonly Shard[];

  constructor(shards: readonly Shard[], owner: Int16Array) {
    this.shards = shards;
    this.owner = owner;
  }

  /** The shard serving `slot`, or undefined when the slot is not covered. */
  shardFor(slot: number): Shard | undefined {
    const i = this.owner[slot];
    return i < 0 ? undefined : this.shards[i];
  }

  primaryFor(slot: number): ClusterNode | undefined {
    return this.shardFor(slot)?.primary;
  }

  /** Every node, primaries first, each once (keyed by address). */
  get nodes(): ClusterNode[] {
    const seen = new Map<string, ClusterNode>();
    for (const s of this.shards) if (!seen.has(s.primary.key)) seen.set(s.primary.key, s.primary);
    for (const s of this.shards) for (const r of s.replicas) if (!seen.has(r.key)) seen.set(r.key, r);
    return [...seen.values()];
  }

  /** How many slots some primary serves (16384 when the cluster is fully covered). */
  get coveredSlots(): number {
    let n = 0;
    for (let s = 0; s < SLOT_COUNT; s++) if (this.owner[s] >= 0) n++;
    return n;
  }

  /** The slot ranges a shard serves, inclusive. */
  rangesOf(shard: Shard): [number, number][] {
    const idx = this.shards.indexOf(shard);
    const out: [number, number][] = [];
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (this.owner[s] !== idx) continue;
      const last = out[out.length - 1];
      if (last !== undefined && last[1] === s - 1) last[1] = s;
      else out.push([s, s]);
    }
    return out;
  }

  /**
   * A copy where `slot` belongs to the primary at `addr` (what a MOVED says). A node the map does
   * not know yet becomes a new shard with no replicas until the next refresh.
   */
  withSlotOwner(slot: number, addr: NodeAddress): SlotMap {
    const key = nodeKey(addr);
    const owner = this.owner.slice();
    let idx = this.shards.findIndex((s) => s.primary.key === key);
    let shards = this.shards;
    if (idx < 0) {
      idx = shards.length;
      shards = [...shards, { primary: { ...addr, key, role: 'primary', health: 'online' }, replicas: [] }];
    }
    owner[slot] = idx;
    return new SlotMap(shards, owner);
  }

  /** A one-line summary per shard, for messages and events. */
  describe(): string[] {
    return this.shards.map((s) => {
      const ranges = this.rangesOf(s)
        .map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
        .join(',');
      return `${s.primary.key} [${ranges || 'no slots'}]${s.replicas.length ? ` replicas ${s.replicas.map((r) => r.key).join(',')}` : ''}`;
    });
  }
}

/** What the client needs to turn announced endpoints into addresses it can reach. */
export interface ParseContext {
  /** The node that answered: the host to use where the reply gives none (null, '' or '?'). */
  reporter: NodeAddress;
  /** The client talks TLS: take CLUSTER SHARDS' `tls-port` where given. */
  tls?: boolean;
}

/**
 * The host to reach a node at. CLUSTER SLOTS/SHARDS give a "preferred endpoint": a NULL endpoint
 * means "use the host you sent this command to" (nodes behind a load balancer); '' means the
 * node does not know its own address yet (a one-node cluster); '?' means it announces a hostname
 * it does not have. In the last case its `ip` may still be usable; otherwise the reporter's host.
 */
function reachableHost(endpoint: unknown, ip: unknown, ctx: ParseContext): string {
  const usable = (v: unknown): v is string => typeof v === 'string' && v !== '' && v !== '?';
  if (usable(endpoint)) return endpoint;
  if (endpoint === '?' && usable(ip)) return ip;
  return ctx.reporter.host;
}

/** RESP3 maps decode to objects, RESP2 to flat [key, value, ...] arrays: both become records. */
function asRecord(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = v[i + 1];
    return out;
  }
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) return v as Record<string, unknown>;
  throw new TypeError(`expected a map, got ${typeof v}`);
}

function asInt(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number(String(v));
  if (!Number.isInteger(n)) throw new TypeError(`${what} is not an integer: ${String(v)}`);
  return n;
}

function asText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (Buffer.isBuffer(v)) return v.toString();
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
}

function checkSlot(n: number): number {
  if (n < 0 || n >= SLOT_COUNT) throw new TypeError(`slot ${n} is outside 0-${SLOT_COUNT - 1}`);
  return n;
}

/** Builds the map from a CLUSTER SHARDS reply (either protocol). Throws TypeError on a malformed reply. */
export function slotMapFromShards(reply: unknown, ctx: ParseContext): SlotMap {
  if (!Array.isArray(reply)) throw new TypeError('CLUSTER SHARDS reply is not an array');
  const shards: Shard[] = [];
  const owner = new Int16Array(SLOT_COUNT).fill(-1);
  for (const entry of reply) {
    const rec = asRecord(entry);
    const nodes = (Array.isArray(rec.nodes) ? rec.nodes : []).map((n) => {
      const r = asRecord(n);
      const tlsPort = r['tls-port'];
      const port = asInt(ctx.tls && tlsPort !== undefined ? tlsPort : r.port, 'port');
      const host = reachableHost(asText(r.endpoint) ?? null, asText(r.ip), ctx);
      return {
        host,
        port,
        key: nodeKey({ host, port }),
        id: asText(r.id),
        role: asText(r.role) === 'master' ? ('primary' as const) : ('replica' as const),
        health: asText(r.health) ?? 'online',
      };
    });
    // The primary is the master that is online. A shard can list a failed or loading master beside
    // it (7.2+ groups nodes by shard id, so a replaced primary stays in its shard as 'master' until
    // it comes back as a replica); that one is neither primary nor replica. A shard whose only
    // master failed and was not replaced yet still owns its slots through it (commands wait). A
    // shard with no master at all serves nothing we can reach.
    const masters = nodes.filter((n) => n.role === 'primary');
    const primary = masters.find((n) => n.health === 'online') ?? masters[0];
    if (primary === undefined) continue;
    const slots = Array.isArray(rec.slots) ? rec.slots : [];
    // A failed master left with no slots (7.0 lists a replaced primary as a shard of its own until
    // it returns): a connection to it would only keep the cluster from 'ready'.
    if (slots.length === 0 && primary.health !== 'online') continue;
    const idx = shards.length;
    shards.push({ primary, replicas: nodes.filter((n) => n.role === 'replica') });
    for (let i = 0; i + 1 < slots.length; i += 2) {
      const a = checkSlot(asInt(slots[i], 'slot'));
      const b = checkSlot(asInt(slots[i + 1], 'slot'));
      owner.fill(idx, a, b + 1);
    }
  }
  return new SlotMap(shards, owner);
}

/**
 * Builds the map from a CLUSTER SLOTS reply: [start, end, [host, port, id?, meta?], replica...]
 * per range (meta, Redis 7+: a map with `hostname`/`ip`). One shard per distinct primary.
 */
export function slotMapFromSlots(reply: unknown, ctx: ParseContext): SlotMap {
  if (!Array.isArray(reply)) throw new TypeError('CLUSTER SLOTS reply is not an array');
  const shards: Shard[] = [];
  const byPrimary = new Map<string, number>();
  const owner = new Int16Array(SLOT_COUNT).fill(-1);
  const node = (v: unknown, role: 'primary' | 'replica'): ClusterNode => {
    if (!Array.isArray(v) || v.length < 2) throw new TypeError('CLUSTER SLOTS node entry is not [host, port, ...]');
    const meta = v[3] === undefined || v[3] === null ? {} : asRecord(v[3]);
    const host = reachableHost(asText(v[0]) ?? null, asText(meta.ip), ctx);
    const port = asInt(v[1], 'port');
    return { host, port, key: nodeKey({ host, port }), id: asText(v[2]), role, health: 'online' };
  };
  for (const range of reply) {
    if (!Array.isArray(range) || range.length < 3)
      throw new TypeError('CLUSTER SLOTS entry is not [start, end, node...]');
    const a = checkSlot(asInt(range[0], 'slot'));
    const b = checkSlot(asInt(range[1], 'slot'));
    const primary = node(range[2], 'primary');
    let idx = byPrimary.get(primary.key);
    if (idx === undefined) {
      idx = shards.length;
      byPrimary.set(primary.key, idx);
      shards.push({ primary, replicas: range.slice(3).map((r: unknown) => node(r, 'replica')) });
    }
    owner.fill(idx, a, b + 1);
  }
  return new SlotMap(shards, owner);
}

/** One node's view of the cluster, with what it knows of the cluster's history. */
export interface TopologyView {
  map: SlotMap;
  /** CLUSTER INFO's `cluster_current_epoch` on the node that answered. */
  currentEpoch: number;
  reporter: NodeAddress;
}

/**
 * The view to trust among several nodes' answers. Every failover and slot move bumps the
 * cluster's epoch, so the node that has seen the highest `currentEpoch` has heard of the latest
 * change (an isolated old primary still believes in its slots, with an older epoch). Ties go to the
 * view that covers more slots, then to the first answer.
 */
export function chooseView(views: readonly TopologyView[]): TopologyView | undefined {
  let best: TopologyView | undefined;
  let bestCovered = -1;
  for (const v of views) {
    const covered = v.map.coveredSlots;
    if (
      best === undefined ||
      v.currentEpoch > best.currentEpoch ||
      (v.currentEpoch === best.currentEpoch && covered > bestCovered)
    ) {
      best = v;
      bestCovered = covered;
    }
  }
  return best;
}

/** `cluster_current_epoch` from a CLUSTER INFO reply (0 when absent). */
export function currentEpochOf(clusterInfo: unknown): number {
  const m = /cluster_current_epoch:(\d+)/.exec(asText(clusterInfo) ?? '');
  return m ? Number(m[1]) : 0;
}
