// What the application subscribed to through a ClusterClient (name -> listeners, each taking
// strings or Buffers), and how a node's pub/sub client is wired to it: each node client gets one
// relay listener per kind and message shape, which hands every message to the application's
// listeners of that shape. So a subscription can move from node to node without the node clients
// knowing the application's listeners.
import type { RedisClient } from '../client/client';
import {
  PUBSUB_VERBS,
  type BufferMessageListener,
  type BufferPatternListener,
  type MessageListener,
  type PatternListener,
  type SubscribeOptions,
  type SubscriptionKind,
} from '../client/pubsub';
import type { NodeAddress } from './slot-map';

export type Listener = MessageListener | PatternListener | BufferMessageListener | BufferPatternListener;
/** A name's listeners, each with whether it takes Buffers. */
type Listeners = Map<Listener, boolean>;
/** A node client's subscribe methods, called with either listener shape. */
type NodeSubscribe = (names: string[], listener: Listener, options?: SubscribeOptions) => Promise<void>;
type NodeUnsubscribe = (names: string[], listener?: Listener) => Promise<void>;

/** One node's pub/sub client. */
export interface Placement {
  readonly at: NodeAddress;
  readonly key: string;
  readonly client: RedisClient;
  /** Its connection failed and is being retried (cleared when it is ready again). */
  failing: boolean;
  /** Made to take over from a home that was lost: its first restore is a move (reconnected: true). */
  readonly takeover: boolean;
}

export class SubscriptionRegistry {
  /** What the application asked for: name -> its listeners (the truth every node is made to match). */
  private readonly wanted: Record<SubscriptionKind, Map<string, Listeners>> = {
    channels: new Map(),
    patterns: new Map(),
    shardChannels: new Map(),
  };

  /**
   * The listeners node clients get: a string one, and a Buffer one (subscribed with
   * `{ buffers: true }`) for names some listener wants as Buffers.
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

  /** How many channels, patterns and shard channels are asked for. */
  get count(): number {
    return this.wanted.channels.size + this.wanted.patterns.size + this.wanted.shardChannels.size;
  }

  size(kind: SubscriptionKind): number {
    return this.wanted[kind].size;
  }

  has(kind: SubscriptionKind, name: string): boolean {
    return this.wanted[kind].has(name);
  }

  names(kind: SubscriptionKind): string[] {
    return [...this.wanted[kind].keys()];
  }

  add(kind: SubscriptionKind, names: string[], listener: Listener, buffers: boolean): void {
    const map = this.wanted[kind];
    for (const name of names) {
      let listeners = map.get(name);
      if (listeners === undefined) map.set(name, (listeners = new Map<Listener, boolean>()));
      listeners.set(listener, buffers);
    }
  }

  /**
   * Removes `listener` (or every listener) from the names (every name without `names`). Returns
   * the names left with no listener, and the relays to take off names that keep listeners but lost
   * every one of a shape.
   */
  forget(
    kind: SubscriptionKind,
    names: string[] | undefined,
    listener?: Listener,
  ): { gone: string[]; thinned: Array<{ name: string; relay: Listener }> } {
    const map = this.wanted[kind];
    const gone: string[] = [];
    const thinned: Array<{ name: string; relay: Listener }> = [];
    for (const name of names ?? [...map.keys()]) {
      const listeners = map.get(name);
      if (listeners === undefined) continue;
      const before = this.shapes(kind, name);
      if (listener !== undefined) listeners.delete(listener);
      if (listener === undefined || listeners.size === 0) {
        map.delete(name);
        gone.push(name);
        continue;
      }
      const now = this.shapes(kind, name);
      if (before.text && !now.text) thinned.push({ name, relay: this.relays[kind].text });
      if (before.bytes && !now.bytes) thinned.push({ name, relay: this.relays[kind].bytes });
    }
    return { gone, thinned };
  }

  /** A name the server refused (NOPERM): dropped with all its listeners. */
  drop(kind: SubscriptionKind, name: string): void {
    this.wanted[kind].delete(name);
  }

  clear(): void {
    for (const map of Object.values(this.wanted)) map.clear();
  }

  /** Subscribes a node client to `names` with the relay of each shape their listeners have. */
  subscribe(client: RedisClient, kind: SubscriptionKind, names: string[]): Promise<void> {
    const text: string[] = [];
    const bytes: string[] = [];
    for (const name of names) {
      const shapes = this.shapes(kind, name);
      if (shapes.text) text.push(name);
      if (shapes.bytes) bytes.push(name);
    }
    const methods = client as unknown as Record<string, NodeSubscribe>;
    const sent: Promise<void>[] = [];
    if (text.length > 0) sent.push(methods[PUBSUB_VERBS[kind].subscribe](text, this.relays[kind].text));
    if (bytes.length > 0)
      sent.push(methods[PUBSUB_VERBS[kind].subscribe](bytes, this.relays[kind].bytes, { buffers: true }));
    return Promise.all(sent).then(() => undefined);
  }

  /** Unsubscribes a node client from `names` (only `relay`, when given). */
  unsubscribe(client: RedisClient, kind: SubscriptionKind, names: string[], relay?: Listener): Promise<void> {
    const methods = client as unknown as Record<string, NodeUnsubscribe>;
    return methods[PUBSUB_VERBS[kind].unsubscribe](names, relay);
  }

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
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
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
