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
// in between is lost (pub/sub is at most once), but none is delivered twice.
import type { RedisClient } from '../client/client';
import { internals } from '../client/internals';
import type {
  BufferMessageListener,
  BufferPatternListener,
  MessageListener,
  PatternListener,
  ResubscribedEvent,
  SubscribeOptions,
  SubscriptionKind,
} from '../client/pubsub';
import { subscribeOptionsError } from '../client/client-pubsub';
import { nameList } from '../client/pubsub-router';
import {
  ClientClosedError,
  ClientFailedError,
  ClusterUnavailableError,
  InvalidArgumentError,
  ReplyError,
} from '../errors';
import type { State } from '../lifecycle/states';
import { keySlot } from './key-slot';
import type { ResolvedClusterOptions } from './options';
import { parseRedirection } from './redirection';
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

type Listener = MessageListener | PatternListener | BufferMessageListener | BufferPatternListener;
/** A name's listeners, each with whether it takes Buffers. */
type Listeners = Map<Listener, boolean>;
/** A node client's subscribe methods, called with either listener shape. */
type NodeSubscribe = (names: string[], listener: Listener, options?: SubscribeOptions) => Promise<void>;
type NodeUnsubscribe = (names: string[], listener?: Listener) => Promise<void>;

/** One node's pub/sub client. */
interface Placement {
  readonly at: NodeAddress;
  readonly key: string;
  readonly client: RedisClient;
  /** Its connection failed and is being retried (cleared when it is ready again). */
  failing: boolean;
  /** Made to take over from a home that was lost: its first restore is a move (reconnected: true). */
  readonly takeover: boolean;
}

const SUBSCRIBE = { channels: 'subscribe', patterns: 'psubscribe', shardChannels: 'ssubscribe' } as const;
const UNSUBSCRIBE = { channels: 'unsubscribe', patterns: 'punsubscribe', shardChannels: 'sunsubscribe' } as const;
/** How long a move waits for the old node to confirm SUNSUBSCRIBE before subscribing at the new one. */
const UNSUBSCRIBE_WAIT_MS = 1000;
/** The pause before trying a shard channel again after ASK, TRYAGAIN or CLUSTERDOWN, or a failed move. */
const RETRY_MS = 100;

export class ClusterPubSub {
  /** What the application asked for: name -> its listeners (the truth every node is made to match). */
  private readonly wanted: Record<SubscriptionKind, Map<string, Listeners>> = {
    channels: new Map(),
    patterns: new Map(),
    shardChannels: new Map(),
  };
  private home: Placement | undefined;
  /** The clients holding shard channels, by node (host:port). */
  private readonly shardNodes = new Map<string, Placement>();
  /** Shard channel -> the node it was subscribed at. */
  private readonly placedAt = new Map<string, string>();
  /** Shard channels being moved right now (left alone by reconcile()). */
  private readonly moving = new Set<string>();
  private soon: NodeJS.Immediate | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  /**
   * Every node client gets one listener per kind and message shape (a string one, and a Buffer one
   * subscribed with `{ buffers: true }` for names some listener wants as Buffers); each hands the
   * message to the application's listeners of its shape.
   */
  private readonly relays: Record<SubscriptionKind, Record<'text' | 'bytes', Listener>> = {
    channels: {
      text: (m: string, ch: string) => deliver(this.wanted.channels.get(ch), false, m, ch),
      bytes: (m: Buffer, ch: string) => deliver(this.wanted.channels.get(ch), true, m, ch),
    },
    patterns: {
      text: (m: string, ch: string, p: string) => deliver(this.wanted.patterns.get(p), false, m, ch, p),
      bytes: (m: Buffer, ch: string, p: string) => deliver(this.wanted.patterns.get(p), true, m, ch, p),
    },
    shardChannels: {
      text: (m: string, ch: string) => deliver(this.wanted.shardChannels.get(ch), false, m, ch),
      bytes: (m: Buffer, ch: string) => deliver(this.wanted.shardChannels.get(ch), true, m, ch),
    },
  };

  constructor(
    private readonly host: ClusterPubSubHost,
    private readonly topo: Topology,
    private readonly opts: ResolvedClusterOptions,
  ) {}

  /** How many channels, patterns and shard channels are subscribed (or asked for). */
  get count(): number {
    return this.wanted.channels.size + this.wanted.patterns.size + this.wanted.shardChannels.size;
  }

  /** Adds `listener` to each name; resolves once every name is confirmed by the node it lives on. */
  subscribe(
    kind: SubscriptionKind,
    names: string | string[],
    listener: Listener,
    options?: SubscribeOptions,
  ): Promise<void> {
    const method = SUBSCRIBE[kind];
    if (typeof listener !== 'function') {
      return Promise.reject(new InvalidArgumentError(`${method}() needs a listener function`));
    }
    const badOptions = subscribeOptionsError(method, options);
    if (badOptions !== undefined) return Promise.reject(badOptions);
    const list = nameList(method, names);
    if (!Array.isArray(list)) return Promise.reject(list);
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    const map = this.wanted[kind];
    for (const name of list) {
      let listeners = map.get(name);
      if (listeners === undefined) map.set(name, (listeners = new Map<Listener, boolean>()));
      listeners.set(listener, options?.buffers === true);
    }
    const done = kind === 'shardChannels' ? this.subscribeShards(list) : this.subscribeHome(kind, list);
    return done.catch((err: unknown) => {
      // Refused by the server (NOPERM): not subscribed anywhere, so not restored either.
      if (err instanceof ReplyError) this.forget(kind, list, listener);
      throw err;
    });
  }

  /** Removes `listener` (or every listener) from each name (every name without `names`); unsubscribes names left with none. */
  async unsubscribe(kind: SubscriptionKind, names: string | string[] | undefined, listener?: Listener): Promise<void> {
    const list = names === undefined ? undefined : nameList(UNSUBSCRIBE[kind], names);
    if (list !== undefined && !Array.isArray(list)) throw list;
    const before = (list ?? [...this.wanted[kind].keys()]).map((n) => ({ name: n, ...this.shapes(kind, n) }));
    const gone = this.forget(kind, list, listener);
    // Names that keep listeners but lost every one of a shape: that relay goes from the node.
    const thinned: Array<{ name: string; relay: Listener }> = [];
    for (const b of before) {
      const now = this.shapes(kind, b.name);
      if (!now.text && !now.bytes) continue;
      if (b.text && !now.text) thinned.push({ name: b.name, relay: this.relays[kind].text });
      if (b.bytes && !now.bytes) thinned.push({ name: b.name, relay: this.relays[kind].bytes });
    }
    await Promise.all(
      thinned.map(({ name, relay }) => {
        const p = kind === 'shardChannels' ? this.shardNodes.get(this.placedAt.get(name) ?? '') : this.home;
        return p === undefined
          ? Promise.resolve()
          : unsubscribeOn(p.client, kind)([name], relay).catch(() => undefined);
      }),
    );
    if (gone.length === 0) return;
    if (kind !== 'shardChannels') {
      const home = this.home;
      if (home === undefined) return;
      // An unsubscribe whose connection is gone is done: errors are nothing to report.
      await unsubscribeOn(home.client, kind)(gone).catch(() => undefined);
      if (this.home === home && this.wanted.channels.size + this.wanted.patterns.size === 0) {
        this.home = undefined;
        await home.client.close().catch(() => undefined);
      }
      return;
    }
    const byNode = new Map<Placement, string[]>();
    for (const name of gone) {
      const p = this.shardNodes.get(this.placedAt.get(name) ?? '');
      this.placedAt.delete(name);
      if (p !== undefined) byNode.set(p, [...(byNode.get(p) ?? []), name]);
    }
    await Promise.all([...byNode].map(([p, list]) => p.client.sunsubscribe(list).catch(() => undefined)));
    this.closeIdle();
  }

  /** The topology or a node changed: subscriptions on a node that is gone or no longer the owner move. */
  changed(): void {
    if (this.count === 0 || this.soon !== undefined) return;
    this.soon = setImmediate(() => {
      this.soon = undefined;
      this.reconcile();
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
    const clients = [...(this.home ? [this.home.client] : []), ...[...this.shardNodes.values()].map((p) => p.client)];
    this.home = undefined;
    this.shardNodes.clear();
    this.placedAt.clear();
    for (const map of Object.values(this.wanted)) map.clear();
    return clients;
  }

  // ------------------------------------------------------------------ channels and patterns

  private async subscribeHome(kind: 'channels' | 'patterns', names: string[]): Promise<void> {
    const deadline = Date.now() + this.budget();
    for (;;) {
      const home = await this.homeBy(deadline, SUBSCRIBE[kind].toUpperCase());
      try {
        // The node client's own engine: a name it has already (a move subscribed everything) costs nothing.
        await this.relay(home.client, kind, names);
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
    if (this.wanted.channels.size + this.wanted.patterns.size === 0) return;
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
      this.relay(home.client, kind, [...this.wanted[kind].keys()]).catch(() => undefined);
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

  // ------------------------------------------------------------------ shard channels

  private async subscribeShards(names: string[]): Promise<void> {
    await this.connected();
    const deadline = Date.now() + this.budget();
    // SSUBSCRIBE takes the channels of one slot: one command per slot, at each slot's owner.
    const bySlot = new Map<number, string[]>();
    for (const name of names) {
      const slot = keySlot(name);
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), name]);
    }
    await Promise.all([...bySlot].map(([slot, list]) => this.placeSlot(slot, list, deadline)));
  }

  /**
   * Subscribes the channels of one slot at the slot's owner, following MOVED, waiting out ASK,
   * TRYAGAIN and CLUSTERDOWN and an owner that is not ready, within the budget. Resolves with the
   * node they are on.
   */
  private async placeSlot(slot: number, names: string[], deadline: number): Promise<string> {
    let hops = 0;
    for (;;) {
      await this.connected();
      const live = names.filter((n) => this.wanted.shardChannels.has(n));
      const owner = this.topo.map?.primaryFor(slot);
      if (live.length === 0) return owner?.key ?? '';
      if (owner === undefined || this.topo.clients.get(owner.key)?.state !== 'ready') {
        const why =
          owner === undefined ? `slot ${slot} is served by no primary` : `its owner ${owner.key} is not ready`;
        await this.nextChange(deadline, 'SSUBSCRIBE', slot, why);
        continue;
      }
      const p = this.shardNode(owner);
      for (const n of live) this.placedAt.set(n, p.key);
      try {
        await this.relay(p.client, 'shardChannels', live);
        // A first restore refused with MOVED resolves too (and unplaced them): then again.
        if (live.every((n) => this.placedAt.get(n) === p.key || !this.wanted.shardChannels.has(n))) return p.key;
        continue;
      } catch (err) {
        const refused = this.refusal();
        if (refused !== undefined) throw refused;
        for (const n of live) if (this.placedAt.get(n) === p.key) this.placedAt.delete(n);
        const r = parseRedirection(err, owner);
        if (r !== undefined) {
          if (r.kind === 'moved') {
            this.topo.moved(r.slot, r.address);
            this.topo.requestRefresh('MOVED on SSUBSCRIBE');
          }
          if (++hops > this.opts.maxRedirections || Date.now() >= deadline) throw err;
          if (r.kind !== 'moved') await delay(RETRY_MS);
          continue;
        }
        // That node's client was dropped meanwhile (the channels moved): place them again.
        if (err instanceof ClientClosedError && this.shardNodes.get(p.key) !== p) continue;
        throw err;
      }
    }
  }

  private shardNode(at: NodeAddress): Placement {
    const key = nodeKey(at);
    let p = this.shardNodes.get(key);
    if (p === undefined || p.client.state === 'closing' || p.client.state === 'closed') {
      p = this.place(at, false);
      this.shardNodes.set(key, p);
    }
    return p;
  }

  /** Shard channels whose slot is owned by another node than the one they are on now move there. */
  private reconcileShards(): void {
    const map = this.topo.map;
    if (map === undefined) return;
    const moves = new Map<number, string[]>();
    for (const name of this.wanted.shardChannels.keys()) {
      if (this.moving.has(name)) continue;
      const slot = keySlot(name);
      const owner = map.primaryFor(slot);
      if (owner === undefined || this.placedAt.get(name) === owner.key) continue;
      moves.set(slot, [...(moves.get(slot) ?? []), name]);
    }
    for (const [slot, names] of moves) void this.move(slot, names);
  }

  private async move(slot: number, names: string[]): Promise<void> {
    for (const n of names) this.moving.add(n);
    const started = performance.now();
    try {
      // Off the old node first (no message twice); a node that does not answer is not waited for long.
      const byNode = new Map<Placement, string[]>();
      for (const name of names) {
        const p = this.shardNodes.get(this.placedAt.get(name) ?? '');
        this.placedAt.delete(name);
        if (p !== undefined) byNode.set(p, [...(byNode.get(p) ?? []), name]);
      }
      if (byNode.size > 0) {
        const drops = [...byNode].map(([p, list]) => p.client.sunsubscribe(list).catch(() => undefined));
        await Promise.race([Promise.all(drops), delay(UNSUBSCRIBE_WAIT_MS)]);
        this.closeIdle();
      }
      const node = await this.placeSlot(slot, names, Date.now() + this.budget());
      const moved = names.filter((n) => this.placedAt.get(n) === node);
      if (moved.length > 0) {
        this.host.resubscribed({
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
      this.retryLater();
    } finally {
      for (const n of names) this.moving.delete(n);
    }
  }

  /** Closes the shard clients that hold nothing any more. */
  private closeIdle(): void {
    const inUse = new Set(this.placedAt.values());
    for (const [key, p] of this.shardNodes) {
      if (inUse.has(key) || p.client.subscriptionCount > 0) continue;
      this.shardNodes.delete(key);
      if (p.failing) p.client.destroy();
      else p.client.close().catch(() => undefined);
    }
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
      if (this.placedAt.get(channel) === p.key) this.placedAt.delete(channel);
      this.topo.requestRefresh(`the server unsubscribed shard channel ${channel}`);
      this.changed();
    };
    return p;
  }

  /** A node client subscribed everything again on a new connection: tell the application. */
  private restored(p: Placement, e: ResubscribedEvent): void {
    if (this.home !== p && this.shardNodes.get(p.key) !== p) return;
    const failed: ResubscribedEvent['failed'] = [];
    let replace = false;
    for (const f of e.failed) {
      const r = f.kind === 'shardChannels' ? parseRedirection(f.error, p.at) : undefined;
      if (r !== undefined) {
        // Its slot is elsewhere now: it moves there.
        if (r.kind === 'moved') this.topo.moved(r.slot, r.address);
        if (this.placedAt.get(f.name) === p.key) this.placedAt.delete(f.name);
        replace = true;
        continue;
      }
      this.wanted[f.kind].delete(f.name); // refused (NOPERM after an ACL change): dropped, as on one server
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

  /** Which shapes of listener a name has. */
  private shapes(kind: SubscriptionKind, name: string): { text: boolean; bytes: boolean } {
    let text = false;
    let bytes = false;
    for (const buffers of this.wanted[kind].get(name)?.values() ?? []) {
      if (buffers) bytes = true;
      else text = true;
    }
    return { text, bytes };
  }

  /** Subscribes a node client to `names` with the relay of each shape their listeners have. */
  private relay(client: RedisClient, kind: SubscriptionKind, names: string[]): Promise<void> {
    const text: string[] = [];
    const bytes: string[] = [];
    for (const name of names) {
      const shapes = this.shapes(kind, name);
      if (shapes.text) text.push(name);
      if (shapes.bytes) bytes.push(name);
    }
    const subscribe = subscribeOn(client, kind);
    const sent: Promise<void>[] = [];
    if (text.length > 0) sent.push(subscribe(text, this.relays[kind].text));
    if (bytes.length > 0) sent.push(subscribe(bytes, this.relays[kind].bytes, { buffers: true }));
    return Promise.all(sent).then(() => undefined);
  }

  private reconcile(): void {
    if (this.refusal() !== undefined) return;
    this.reconcileHome();
    this.reconcileShards();
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined || this.refusal() !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.changed();
    }, RETRY_MS * 10);
    this.retryTimer.unref();
  }

  /** Removes `listener` (or all) from the names (all without `names`); returns the names left with none. */
  private forget(kind: SubscriptionKind, names: string[] | undefined, listener?: Listener): string[] {
    const map = this.wanted[kind];
    const gone: string[] = [];
    for (const name of names ?? [...map.keys()]) {
      const listeners = map.get(name);
      if (listeners === undefined) continue;
      if (listener !== undefined) listeners.delete(listener);
      if (listener === undefined || listeners.size === 0) {
        map.delete(name);
        gone.push(name);
      }
    }
    return gone;
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function subscribeOn(client: RedisClient, kind: SubscriptionKind): NodeSubscribe {
  const methods = client as unknown as Record<string, NodeSubscribe>;
  return (names, listener, options) => methods[SUBSCRIBE[kind]](names, listener, options);
}

function unsubscribeOn(client: RedisClient, kind: SubscriptionKind): NodeUnsubscribe {
  const methods = client as unknown as Record<string, NodeUnsubscribe>;
  return (names, listener) => methods[UNSUBSCRIBE[kind]](names, listener);
}

/**
 * Calls each listener of the shape the message came in (`buffers`); one that throws does not stop
 * the others (it is rethrown on its own).
 */
function deliver(
  listeners: Listeners | undefined,
  buffers: boolean,
  message: string | Buffer,
  channel: string,
  pattern?: string,
): void {
  if (listeners === undefined) return;
  for (const [listener, wantsBuffers] of listeners) {
    if (wantsBuffers !== buffers) continue;
    try {
      if (pattern === undefined) (listener as (m: string | Buffer, c: string) => void)(message, channel);
      else (listener as (m: string | Buffer, c: string, p: string) => void)(message, channel, pattern);
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
    }
  }
}
