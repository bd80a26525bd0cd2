// The cluster's connections to replicas: one RedisClient per replica the slot map lists, made on
// first use (cluster.nodes('replica'), a command for every node), or for every replica at once
// with readFrom, and destroyed when the node leaves the map or becomes a primary (the primaries'
// clients live in Topology). Each is an ordinary client whose handshake sends READONLY, so every
// reconnect has it: its lifecycle reconnects and restores it, nothing here re-sends it.
//
// The reads sent to a replica carry an AbortSignal of that replica's; when the replica's
// connection is lost, the signal fires and those reads come back to the router, which sends them
// to another replica or the primary, instead of waiting in the replica's own queue for it to
// return (a replica that died for good is dropped from the map only once the cluster says so).
import type { RedisClient } from '../client/client';
import { retryNow } from './node-seam';
import type { ClusterNode, NodeAddress, Shard, SlotMap } from './slot-map';
import type { NodeEvent } from './topology';

export interface ReplicaHooks {
  /** A client for a replica (READONLY in its handshake). */
  make(at: NodeAddress): RedisClient;
  node(e: NodeEvent): void;
  /** A replica changed state: commands waiting for one may go. */
  changed(): void;
  /** A replica's connection was lost: the topology may have changed. */
  lost(key: string): void;
}

export class Replicas {
  /** By host:port. */
  readonly clients = new Map<string, RedisClient>();
  private map: SlotMap | undefined;
  private closed = false;
  /** Per replica: aborted (and replaced) when its connection is lost. */
  private readonly signals = new Map<string, AbortController>();

  constructor(
    private readonly hooks: ReplicaHooks,
    /** readFrom reads from replicas: connect to every replica as soon as the map lists it. */
    private readonly eager = false,
  ) {}

  /** After every map swap: the clients of nodes that are no longer replicas go. */
  sync(map: SlotMap): void {
    this.map = map;
    const replicas = new Set<string>();
    for (const s of map.shards) for (const r of s.replicas) replicas.add(r.key);
    for (const [key, c] of this.clients) {
      if (replicas.has(key)) continue;
      this.clients.delete(key);
      // Reads queued on it reject with ClientClosedError (maybeExecuted false): routed again.
      c.destroy();
      this.signals.get(key)?.abort();
      this.signals.delete(key);
      this.hooks.node({ node: key, event: 'removed' });
    }
    if (this.eager) for (const r of this.known) if (r.health === 'online') this.clientFor(r);
  }

  /** A node came back (topology.ts hurryAll()): replicas waiting out a backoff try now. */
  hurry(): void {
    for (const c of this.clients.values()) retryNow(c);
  }

  /** The signal the reads sent to this replica now carry. */
  signalOf(key: string): AbortSignal {
    let s = this.signals.get(key);
    if (s === undefined) this.signals.set(key, (s = new AbortController()));
    return s.signal;
  }

  /** The replicas of the shard serving `slot` in the current map. */
  shardOf(slot: number): Shard | undefined {
    return this.map?.shardFor(slot);
  }

  /** Every replica of the current map. */
  get known(): ClusterNode[] {
    return this.map?.shards.flatMap((s) => s.replicas) ?? [];
  }

  /** The client of a replica, made and connecting on first use. */
  clientFor(node: NodeAddress & { key: string }): RedisClient {
    let c = this.clients.get(node.key);
    if (c === undefined) {
      c = this.hooks.make(node);
      const made = c;
      this.clients.set(node.key, c);
      c.on('stateChange', ({ from, to }) => {
        if (this.clients.get(node.key) !== made) return;
        if (from === 'ready') {
          // Its reads go elsewhere now; later ones get a fresh signal.
          this.signals.get(node.key)?.abort();
          this.signals.delete(node.key);
          if (to === 'reconnecting' || to === 'failed') this.hooks.lost(node.key);
        }
        this.hooks.node({ node: node.key, event: 'stateChange', from, to });
        this.hooks.changed();
      });
      this.hooks.node({ node: node.key, event: 'added' });
      if (!this.closed) c.connect().catch(() => undefined);
    }
    return c;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }

  destroy(): void {
    this.closed = true;
    for (const c of this.clients.values()) c.destroy();
  }
}
