import { InvalidArgumentError } from '../errors';
import type { Lifecycle, ConnectionLike } from '../lifecycle/lifecycle';
import type { State } from '../lifecycle/states';
import type { RedisClient } from './client';
import {
  PUBSUB_VERBS,
  Subscriptions,
  type BufferMessageListener,
  type BufferPatternListener,
  type MessageListener,
  type PatternListener,
  type SubscribeOptions,
  type SubscriptionKind,
} from './pubsub';
import { PubSubRouter, nameList } from './pubsub-router';
import { internals } from './internals';
import type { PubSubEngine } from './pubsub-methods';

type Listener = MessageListener | PatternListener | BufferMessageListener | BufferPatternListener;

/**
 * A client's pub/sub wiring: what its subscribe and unsubscribe methods check and where they go
 * (PubSubRouter picks the connection at the first subscription), and the engine on the client's
 * own connection, fed by push frames (or replies on RESP2), restored before each `ready` and told
 * when the connection is lost or the client stops.
 */
export class ClientPubSub implements PubSubEngine {
  /** Where subscriptions live (made at the first one). */
  private router: PubSubRouter | undefined;
  /** The subscriptions on the client's own connection. */
  private own: Subscriptions | undefined;

  constructor(
    private readonly client: RedisClient,
    private readonly lifecycle: Lifecycle,
  ) {}

  /** Channels, patterns and shard channels subscribed through the client. */
  get count(): number {
    return this.router?.existing?.size ?? 0;
  }

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
    const bad = subscribeOptionsError(method, options);
    if (bad !== undefined) return Promise.reject(bad);
    const list = nameList(method, names);
    if (!Array.isArray(list)) return Promise.reject(list);
    this.router ??= new PubSubRouter(this.client);
    return this.router.target().add(kind, list, listener, options?.buffers === true);
  }

  unsubscribe(kind: SubscriptionKind, names: string | string[] | undefined, listener?: Listener): Promise<void> {
    const list = names === undefined ? undefined : nameList(PUBSUB_VERBS[kind].unsubscribe, names);
    if (list !== undefined && !Array.isArray(list)) return Promise.reject(list);
    return this.router?.existing?.remove(kind, list, listener) ?? Promise.resolve();
  }

  /** The subscriptions engine of the client's own connection (see PubSubRouter). */
  ownSubscriptions(mode: 'push' | 'reply'): Subscriptions {
    if (this.own !== undefined) return this.own;
    const lifecycle = this.lifecycle;
    const client = this.client;
    const engine = new Subscriptions(
      {
        get state() {
          return lifecycle.state;
        },
        get lastError() {
          return lifecycle.lastError;
        },
        get wasReady() {
          return lifecycle.phase === 'runtime';
        },
        readyConnection: () => lifecycle.connection,
        startConnecting: () => void lifecycle.connect().catch(() => undefined),
        commandTimeoutMs: client.options.commandTimeoutMs,
        resubscribed: (e) => client.emit('resubscribed', e),
        shardChannelDropped: (channel) => internals(client).shardChannelDropped?.(channel),
      },
      mode,
    );
    this.own = engine;
    // A RESP2 connection in subscriber mode delivers messages and confirmations as replies.
    if (mode === 'reply') lifecycle.claimReplies((reply) => Array.isArray(reply) && engine.handleFrame(reply));
    return engine;
  }

  /** Whether a push frame was a pub/sub message or confirmation (and was handled). */
  handlePush(frame: unknown[]): boolean {
    return this.own !== undefined && this.own.handleFrame(frame);
  }

  /** After each handshake, before `ready`: every subscription again (undefined: none to restore). */
  restore(conn: ConnectionLike): Promise<void> | undefined {
    return this.own?.restore(conn);
  }

  stateChanged(from: State, to: State): void {
    // Closing gracefully keeps the connection until what is in flight is answered: the
    // confirmations of an (un)subscribe still settle it, so the engine lets them come.
    if (from === 'ready' && to !== 'closing') this.own?.connectionLost();
    if (to === 'failed' || to === 'closing' || to === 'closed') this.own?.stopped(to);
  }

  close(): Promise<void> | undefined {
    return this.router?.close();
  }

  destroy(): void {
    this.router?.destroy();
  }
}

/** subscribe()'s third argument: undefined or { buffers?: boolean } (node-redis' `true` gets a hint). */
export function subscribeOptionsError(method: string, options: unknown): InvalidArgumentError | undefined {
  if (options === undefined) return undefined;
  if (options === true || options === false) {
    return new InvalidArgumentError(
      `${method}() takes its options as an object: pass { buffers: true } for Buffer messages (node-redis' \`true\` is romaine/compat/node-redis' form)`,
    );
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return new InvalidArgumentError(`${method}() takes { buffers?: boolean } as its third argument`);
  }
  const unknown = Object.keys(options).filter((k) => k !== 'buffers');
  const buffers = (options as { buffers?: unknown }).buffers;
  if (unknown.length > 0 || (buffers !== undefined && typeof buffers !== 'boolean')) {
    return new InvalidArgumentError(
      `${method}() takes { buffers?: boolean } as its third argument${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`,
    );
  }
  return undefined;
}
