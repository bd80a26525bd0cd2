// Where a ClusterClient's shard channels live: at the primary that owns each channel's slot, one
// pub/sub client per such primary. A channel follows its slot: after a migration (the old owner
// sends `sunsubscribe`), a failover (a new slot map) or MOVED on SSUBSCRIBE, it is unsubscribed at
// the old node first (no message twice) and subscribed at the new owner.
import type { RedisClient } from '../client/client';
import { ClientClosedError } from '../errors';
import type { ClusterResubscribedEvent } from './cluster-pubsub';
import { keySlot } from './key-slot';
import type { ResolvedClusterOptions } from './options';
import { delay, type Placement, type SubscriptionRegistry } from './pubsub-registry';
import { parseRedirection } from './redirection';
import { nodeKey, type NodeAddress } from './slot-map';
import type { Topology } from './topology';

/** How long a move waits for the old node to confirm SUNSUBSCRIBE before subscribing at the new one. */
const UNSUBSCRIBE_WAIT_MS = 1000;
/** The pause before trying a shard channel again after ASK, TRYAGAIN or CLUSTERDOWN. */
const RETRY_MS = 100;

/** What shard placement needs from the cluster pub/sub. */
export interface PlacementContext {
  readonly topo: Topology;
  readonly opts: ResolvedClusterOptions;
  readonly registry: SubscriptionRegistry;
  /** A new pub/sub client for a node. */
  place(at: NodeAddress): Placement;
  /** Resolves once the cluster client is connected; throws when it is closed or failed. */
  connected(): Promise<void>;
  /** Waits for a topology or node change; throws ClusterUnavailableError past the deadline. */
  nextChange(deadline: number, command: string, slot: number | undefined, why: string): Promise<void>;
  budget(): number;
  refusal(): Error | undefined;
  resubscribed(e: ClusterResubscribedEvent): void;
  /** Asks for another reconcile a little later (a move that did not succeed). */
  retryLater(): void;
}

export class ShardPlacement {
  /** The clients holding shard channels, by node (host:port). */
  private readonly nodes = new Map<string, Placement>();
  /** Shard channel -> the node it was subscribed at. */
  private readonly placedAt = new Map<string, string>();
  /** Shard channels being moved right now (left alone by reconcile()). */
  private readonly moving = new Set<string>();

  constructor(private readonly ctx: PlacementContext) {}

  /** Whether `p` is one of the shard clients in use. */
  holds(p: Placement): boolean {
    return this.nodes.get(p.key) === p;
  }

  /** The client holding a shard channel, if any. */
  nodeOf(name: string): Placement | undefined {
    return this.nodes.get(this.placedAt.get(name) ?? '');
  }

  /** The channel is no longer subscribed at `p` (the server dropped it, or refused it with MOVED). */
  unplace(p: Placement, name: string): void {
    if (this.placedAt.get(name) === p.key) this.placedAt.delete(name);
  }

  /** SSUBSCRIBE takes the channels of one slot: one command per slot, at each slot's owner. */
  async subscribe(names: string[]): Promise<void> {
    await this.ctx.connected();
    const deadline = Date.now() + this.ctx.budget();
    const bySlot = new Map<number, string[]>();
    for (const name of names) {
      const slot = keySlot(name);
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), name]);
    }
    await Promise.all([...bySlot].map(([slot, list]) => this.placeSlot(slot, list, deadline)));
  }

  /** Unsubscribes names no listener wants any more, where they are. */
  async unsubscribe(gone: string[]): Promise<void> {
    const byNode = new Map<Placement, string[]>();
    for (const name of gone) {
      const p = this.nodeOf(name);
      this.placedAt.delete(name);
      if (p !== undefined) byNode.set(p, [...(byNode.get(p) ?? []), name]);
    }
    // An unsubscribe whose connection is gone is done: errors are nothing to report.
    await Promise.all([...byNode].map(([p, list]) => p.client.sunsubscribe(list).catch(() => undefined)));
    this.closeIdle();
  }

  /** Shard channels whose slot is owned by another node than the one they are on now move there. */
  reconcile(): void {
    const map = this.ctx.topo.map;
    if (map === undefined) return;
    const moves = new Map<number, string[]>();
    for (const name of this.ctx.registry.names('shardChannels')) {
      if (this.moving.has(name)) continue;
      const slot = keySlot(name);
      const owner = map.primaryFor(slot);
      if (owner === undefined || this.placedAt.get(name) === owner.key) continue;
      moves.set(slot, [...(moves.get(slot) ?? []), name]);
    }
    for (const [slot, names] of moves) void this.move(slot, names);
  }

  /** Forgets every client (close/destroy) and returns them to be ended. */
  stop(): RedisClient[] {
    const clients = [...this.nodes.values()].map((p) => p.client);
    this.nodes.clear();
    this.placedAt.clear();
    return clients;
  }

  /**
   * Subscribes the channels of one slot at the slot's owner, following MOVED, waiting out ASK,
   * TRYAGAIN and CLUSTERDOWN and an owner that is not ready, within the budget. Resolves with the
   * node they are on.
   */
  private async placeSlot(slot: number, names: string[], deadline: number): Promise<string> {
    const { topo, registry } = this.ctx;
    let hops = 0;
    for (;;) {
      await this.ctx.connected();
      const live = names.filter((n) => registry.has('shardChannels', n));
      const owner = topo.map?.primaryFor(slot);
      if (live.length === 0) return owner?.key ?? '';
      if (owner === undefined || topo.clients.get(owner.key)?.state !== 'ready') {
        const why =
          owner === undefined ? `slot ${slot} is served by no primary` : `its owner ${owner.key} is not ready`;
        await this.ctx.nextChange(deadline, 'SSUBSCRIBE', slot, why);
        continue;
      }
      const p = this.nodeFor(owner);
      for (const n of live) this.placedAt.set(n, p.key);
      try {
        await registry.subscribe(p.client, 'shardChannels', live);
        // A first restore refused with MOVED resolves too (and unplaced them): then again.
        if (live.every((n) => this.placedAt.get(n) === p.key || !registry.has('shardChannels', n))) return p.key;
        continue;
      } catch (err) {
        const refused = this.ctx.refusal();
        if (refused !== undefined) throw refused;
        for (const n of live) this.unplace(p, n);
        const r = parseRedirection(err, owner);
        if (r !== undefined) {
          if (r.kind === 'moved') {
            topo.moved(r.slot, r.address);
            topo.requestRefresh('MOVED on SSUBSCRIBE');
          }
          if (++hops > this.ctx.opts.maxRedirections || Date.now() >= deadline) throw err;
          if (r.kind !== 'moved') await delay(RETRY_MS);
          continue;
        }
        // That node's client was dropped meanwhile (the channels moved): place them again.
        if (err instanceof ClientClosedError && !this.holds(p)) continue;
        throw err;
      }
    }
  }

  private nodeFor(at: NodeAddress): Placement {
    const key = nodeKey(at);
    let p = this.nodes.get(key);
    if (p === undefined || p.client.state === 'closing' || p.client.state === 'closed') {
      p = this.ctx.place(at);
      this.nodes.set(key, p);
    }
    return p;
  }

  private async move(slot: number, names: string[]): Promise<void> {
    for (const n of names) this.moving.add(n);
    const started = performance.now();
    try {
      // Off the old node first (no message twice); a node that does not answer is not waited for long.
      const byNode = new Map<Placement, string[]>();
      for (const name of names) {
        const p = this.nodeOf(name);
        this.placedAt.delete(name);
        if (p !== undefined) byNode.set(p, [...(byNode.get(p) ?? []), name]);
      }
      if (byNode.size > 0) {
        const drops = [...byNode].map(([p, list]) => p.client.sunsubscribe(list).catch(() => undefined));
        await Promise.race([Promise.all(drops), delay(UNSUBSCRIBE_WAIT_MS)]);
        this.closeIdle();
      }
      const node = await this.placeSlot(slot, names, Date.now() + this.ctx.budget());
      const moved = names.filter((n) => this.placedAt.get(n) === node);
      if (moved.length > 0) {
        this.ctx.resubscribed({
          reconnected: true,
          node,
          channels: [],
          patterns: [],
          shardChannels: moved,
          failed: [],
          durationMs: performance.now() - started,
        });
      }
    } catch {
      // Not placed within the budget (or closed): try again a little later.
      this.ctx.retryLater();
    } finally {
      for (const n of names) this.moving.delete(n);
    }
  }

  /** Closes the shard clients that hold nothing any more. */
  private closeIdle(): void {
    const inUse = new Set(this.placedAt.values());
    for (const [key, p] of this.nodes) {
      if (inUse.has(key) || p.client.subscriptionCount > 0) continue;
      this.nodes.delete(key);
      if (p.failing) p.client.destroy();
      else p.client.close().catch(() => undefined);
    }
  }
}
