// Pub/sub over a Redis Cluster, made of the single-server machinery: every subscription lives on
// an ordinary RedisClient (client/pubsub.ts: it reconnects and resubscribes by itself, through
// its own Lifecycle). This layer only decides which node each subscription lives on, and moves it
// when the cluster changes:
//
// - Channels and patterns live on one node, the "home": Redis Cluster broadcasts every PUBLISH
//   to every node, so any node hears every channel. The home is a primary whose command
//   connection is ready; when its pub/sub connection fails (the node died) or the node leaves the
//   cluster, everything moves to another ready primary, if there is one (else the home's own
//   client keeps reconnecting).
// - Shard channels live on the primary that owns their slot (one client per such primary). When
//   the slot moves (a migration, after which the server sends `sunsubscribe`; a failover, seen in
//   the slot map; MOVED on SSUBSCRIBE), the channel moves to the new owner.
//
// A move drops the old subscription before it subscribes at the new node: a message published
// in between is lost (pub/sub is at most once), but none is delivered twice. What the application
// subscribed to is kept in pubsub-registry.ts; where shard channels live, in shard-placement.ts.
import type { RedisClient } from '../client/client';
import { subscribeOptionsError } from '../client/client-pubsub';
import { internals } from '../client/internals';
import { PUBSUB_VERBS, type ResubscribedEvent, type SubscribeOptions, type SubscriptionKind } from '../client/pubsub';
import { nameList } from '../client/pubsub-router';
import type { PubSubEngine } from '../client/pubsub-methods';
import {
  ClientClosedError,
  ClientFailedError,
  ClusterUnavailableError,
  InvalidArgumentError,
  ReplyError,
} from '../errors';
import type { State } from '../lifecycle/states';
import type { ResolvedClusterOptions } from './options';
import { SubscriptionRegistry, delay, type Listener, type Placement } from './pubsub-registry';
import { parseRedirection } from './redirection';
import { ShardPlacement } from './shard-placement';
import { nodeKey, type NodeAddress } from './slot-map';
import type { Topology } from './topology';

/** The cluster's 'resubscribed' event: what was subscribed again, and on which node. */
export interface ClusterResubscribedEvent extends ResubscribedEvent {
  /** The node (host:port) the subscriptions are on now. */
  node: string;
}

/** What the cluster pub/sub needs from the cluster client. */
export interface ClusterPubSubHost {
  readonly state: State;
  connect(): Promise<void>;
  resubscribed(e: ClusterResubscribedEvent): void;
}

/** How long before a shard channel move that did not succeed is tried again. */
const RETRY_LATER_MS = 1000;

export class ClusterPubSub implements PubSubEngine {
  /** What the application asked for, and the relays that wire node clients to it. */
  private readonly registry = new SubscriptionRegistry();
  /** The node holding channels and patterns. */
  private home: Placement | undefined;
  private readonly shards: ShardPlacement;
  private soon: NodeJS.Immediate | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: ClusterPubSubHost,
    private readonly topo: Topology,
    private readonly opts: ResolvedClusterOptions,
  ) {
    this.shards = new ShardPlacement({
      topo,
      opts,
      registry: this.registry,
      place: (at) => this.place(at, false),
      connected: () => this.connected(),
      nextChange: (deadline, command, slot, why) => this.nextChange(deadline, command, slot, why),
      budget: () => this.budget(),
      refusal: () => this.refusal(),
      resubscribed: (e) => host.resubscribed(e),
      retryLater: () => this.retryLater(),
    });
  }

  /** How many channels, patterns and shard channels are subscribed (or asked for). */
  get count(): number {
    return this.registry.count;
  }

  /** Adds `listener` to each name; resolves once every name is confirmed by the node it lives on. */
  subscribe(
    kind: SubscriptionKind,
    names: string | string[],
    listener: Listener,
    options?: SubscribeOptions,
  ): Promise<void> {
    const method = PUBSUB_VERBS[kind].subscribe;
    if (typeof listener !== 'function') {
      return Promise.reject(new InvalidArgumentError(`${method}() needs a listener function`));
    }
    const badOptions = subscribeOptionsError(method, options);
    if (badOptions !== undefined) return Promise.reject(badOptions);
    const list = nameList(method, names);
    if (!Array.isArray(list)) return Promise.reject(list);
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    this.registry.add(kind, list, listener, options?.buffers === true);
    const done = kind === 'shardChannels' ? this.shards.subscribe(list) : this.subscribeHome(kind, list);
    return done.catch((err: unknown) => {
      // Refused by the server (NOPERM): not subscribed anywhere, so not restored either.
      if (err instanceof ReplyError) this.registry.forget(kind, list, listener);
      throw err;
    });
  }

  /** Removes `listener` (or every listener) from each name (every name without `names`); unsubscribes names left with none. */
  async unsubscribe(kind: SubscriptionKind, names: string | string[] | undefined, listener?: Listener): Promise<void> {
    const list = names === undefined ? undefined : nameList(PUBSUB_VERBS[kind].unsubscribe, names);
    if (list !== undefined && !Array.isArray(list)) throw list;
    const { gone, thinned } = this.registry.forget(kind, list, listener);
    // Names that keep listeners but lost every one of a shape: that relay goes from the node.
    await Promise.all(
      thinned.map(({ name, relay }) => {
        const p = kind === 'shardChannels' ? this.shards.nodeOf(name) : this.home;
        if (p === undefined) return Promise.resolve();
        return this.registry.unsubscribe(p.client, kind, [name], relay).catch(() => undefined);
      }),
    );
    if (gone.length === 0) return;
    if (kind === 'shardChannels') return this.shards.unsubscribe(gone);
    const home = this.home;
    if (home === undefined) return;
    // An unsubscribe whose connection is gone is done: errors are nothing to report.
    await this.registry.unsubscribe(home.client, kind, gone).catch(() => undefined);
    if (this.home === home && this.registry.size('channels') + this.registry.size('patterns') === 0) {
      this.home = undefined;
      await home.client.close().catch(() => undefined);
    }
  }

  /** The topology or a node changed: subscriptions on a node that is gone or no longer the owner move. */
  changed(): void {
    if (this.count === 0 || this.soon !== undefined) return;
    this.soon = setImmediate(() => {
      this.soon = undefined;
      if (this.refusal() !== undefined) return;
      this.reconcileHome();
      this.shards.reconcile();
    });
  }

  /** Graceful: every pub/sub connection is closed; pending subscribe() calls reject with ClientClosedError. */
  async close(): Promise<void> {
    const clients = this.stop();
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }

  destroy(): void {
    for (const c of this.stop()) c.destroy();
  }

  private stop(): RedisClient[] {
    if (this.soon !== undefined) clearImmediate(this.soon);
    clearTimeout(this.retryTimer);
    const clients = [...(this.home ? [this.home.client] : []), ...this.shards.stop()];
    this.home = undefined;
    this.registry.clear();
    return clients;
  }

  // ------------------------------------------------------------------ channels and patterns

  private async subscribeHome(kind: 'channels' | 'patterns', names: string[]): Promise<void> {
    const deadline = Date.now() + this.budget();
    for (;;) {
      const home = await this.homeBy(deadline, PUBSUB_VERBS[kind].subscribe.toUpperCase());
      try {
        // The node client's own engine: a name it has already (a move subscribed everything) costs nothing.
        await this.registry.subscribe(home.client, kind, names);
        return;
      } catch (err) {
        const refused = this.refusal();
        if (refused !== undefined) throw refused;
        // The home was replaced meanwhile (its client destroyed): the new one has the names too.
        if (this.home !== home && err instanceof ClientClosedError) continue;
        throw err;
      }
    }
  }

  /** The home, chosen (and its client made) when there is none; waits for a ready primary within the budget. */
  private async homeBy(deadline: number, command: string): Promise<Placement> {
    for (;;) {
      await this.connected();
      this.reconcileHome();
      if (this.home !== undefined) return this.home;
      await this.nextChange(deadline, command, undefined, 'no primary of the cluster is ready');
    }
  }

  /** Moves channels and patterns to another ready primary when their node is lost or left the cluster. */
  private reconcileHome(): void {
    const old = this.home;
    if (this.registry.size('channels') + this.registry.size('patterns') === 0) return;
    if (old !== undefined && !this.lost(old)) return;
    const at = this.readyPrimary(old?.key);
    if (at === undefined) return; // nowhere better: the home's own client keeps reconnecting
    // Destroyed first: there is no moment with two connections subscribed to the same channel.
    old?.client.destroy();
    const home = this.place(at, old !== undefined);
    this.home = home;
    // Made before the client connects: its first restore subscribes them all in one round trip
    // (and reports, on a takeover, the 'resubscribed' event).
    for (const kind of ['channels', 'patterns'] as const) {
      this.registry.subscribe(home.client, kind, this.registry.names(kind)).catch(() => undefined);
    }
  }

  private lost(p: Placement): boolean {
    const state = p.client.state;
    if (p.failing || state === 'failed' || state === 'closing' || state === 'closed') return true;
    const map = this.topo.map;
    return map !== undefined && !map.nodes.some((n) => n.key === p.key);
  }

  /** A random primary whose command connection is ready (a node known to be up), other than `except`. */
  private readyPrimary(except: string | undefined): NodeAddress | undefined {
    const ready = (this.topo.map?.shards ?? [])
      .map((s) => s.primary)
      .filter((n) => n.key !== except && this.topo.clients.get(n.key)?.state === 'ready');
    return ready.length === 0 ? undefined : ready[Math.floor(Math.random() * ready.length)];
  }

  // ------------------------------------------------------------------ node clients

  /** A pub/sub client for one node: the cluster's node options, reconnecting forever by itself. */
  private place(at: NodeAddress, takeover: boolean): Placement {
    const client = this.topo.makeClient(at, false);
    const p: Placement = { at, key: nodeKey(at), client, failing: false, takeover };
    client.on('reconnecting', () => {
      p.failing = true;
      this.changed();
    });
    client.on('stateChange', ({ to }) => {
      if (to === 'ready') p.failing = false;
    });
    client.on('resubscribed', (e) => this.restored(p, e));
    internals(client).shardChannelDropped = (channel) => {
      // The server unsubscribed it (its slot moved away): look where it lives now.
      this.shards.unplace(p, channel);
      this.topo.requestRefresh(`the server unsubscribed shard channel ${channel}`);
      this.changed();
    };
    return p;
  }

  /** A node client subscribed everything again on a new connection: tell the application. */
  private restored(p: Placement, e: ResubscribedEvent): void {
    if (this.home !== p && !this.shards.holds(p)) return;
    const failed: ResubscribedEvent['failed'] = [];
    let replace = false;
    for (const f of e.failed) {
      const r = f.kind === 'shardChannels' ? parseRedirection(f.error, p.at) : undefined;
      if (r !== undefined) {
        // Its slot is elsewhere now: it moves there.
        if (r.kind === 'moved') this.topo.moved(r.slot, r.address);
        this.shards.unplace(p, f.name);
        replace = true;
        continue;
      }
      this.registry.drop(f.kind, f.name); // refused (NOPERM after an ACL change): dropped, as on one server
      failed.push(f);
    }
    if (replace) {
      this.topo.requestRefresh('MOVED on SSUBSCRIBE');
      this.changed();
    }
    // A new placement's first subscription is no reconnect: nothing was missed.
    if (!e.reconnected && !p.takeover) return;
    this.host.resubscribed({ ...e, reconnected: true, failed, node: p.key });
  }

  // ------------------------------------------------------------------ helpers

  private retryLater(): void {
    if (this.retryTimer !== undefined || this.refusal() !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.changed();
    }, RETRY_LATER_MS);
    this.retryTimer.unref();
  }

  private async connected(): Promise<void> {
    const refused = this.refusal();
    if (refused !== undefined) throw refused;
    const state = this.host.state;
    if (state === 'idle' || state === 'connecting') await this.host.connect();
  }

  /** Waits for a topology or node change (or a short pause); throws when the budget is spent. */
  private async nextChange(deadline: number, command: string, slot: number | undefined, why: string): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) throw new ClusterUnavailableError(command, slot, this.budget(), why);
    await Promise.race([this.topo.changedSignal, delay(Math.min(left, 200))]);
  }

  private budget(): number {
    return this.opts.commandTimeoutMs > 0 ? this.opts.commandTimeoutMs : this.opts.unavailableTimeoutMs;
  }

  private refusal(): Error | undefined {
    const state = this.host.state;
    if (state === 'closing' || state === 'closed') return new ClientClosedError('the cluster client is closed');
    if (state === 'failed') return new ClientFailedError(undefined);
    return undefined;
  }
}
