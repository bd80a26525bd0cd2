/* eslint-disable prefer-rest-params -- a JavaScript caller's extra arguments are refused by arguments.length (extraArgumentsError) */
// The pub/sub methods of RedisClient and ClusterClient, written once: their overloads, their
// argument checks, and where each goes. A client says where subscriptions live (ClientPubSub on
// its own connection, ClusterPubSub on the cluster's nodes) and how PUBLISH/SPUBLISH are sent;
// what happens to a subscription across reconnects and failovers is the engine's, not this
// file's (docs/pubsub.md, docs/cluster.md).
import { EventEmitter } from 'node:events';
import { extraArgumentsError } from './call-check';
import type { RedisKey, RedisValue } from './command-def';
import type {
  BufferMessageListener,
  BufferPatternListener,
  MessageListener,
  PatternListener,
  SubscribeOptions,
  SubscriptionKind,
} from './pubsub';

type Listener = MessageListener | PatternListener | BufferMessageListener | BufferPatternListener;

/** Where a client's subscriptions live. @internal */
export interface PubSubEngine {
  /** Channels, patterns and shard channels subscribed (or asked for). */
  readonly count: number;
  subscribe(
    kind: SubscriptionKind,
    names: string | string[],
    listener: Listener,
    options?: SubscribeOptions,
  ): Promise<void>;
  unsubscribe(kind: SubscriptionKind, names: string | string[] | undefined, listener?: Listener): Promise<void>;
}

/** The pub/sub methods, on top of the client's events (`resubscribed` among them). */
export abstract class PubSubMethods<E extends Record<keyof E, unknown[]>> extends EventEmitter<E> {
  /** Where subscriptions live. @internal */
  protected abstract readonly pubsub: PubSubEngine;
  /** Sends PUBLISH or SPUBLISH as the client sends any command. @internal */
  protected abstract sendPublish(name: 'PUBLISH' | 'SPUBLISH', args: [RedisKey, RedisValue]): Promise<number>;

  /**
   * SUBSCRIBE: `listener(message, channel)` for each message; resolves once the server confirmed.
   * With `{ buffers: true }` the message is a Buffer, byte for byte as published. On a cluster the
   * channels live on one node (a cluster relays every PUBLISH to every node), moved when it is lost.
   */
  subscribe(channels: string | string[], listener: MessageListener, options?: { buffers?: false }): Promise<void>;
  subscribe(channels: string | string[], listener: BufferMessageListener, options: { buffers: true }): Promise<void>;
  subscribe(
    channels: string | string[],
    listener: MessageListener | BufferMessageListener,
    options?: SubscribeOptions,
  ): Promise<void> {
    if (arguments.length > 3)
      return Promise.reject(extraArgumentsError('subscribe', ['channels', 'listener', 'options'], arguments));
    return this.pubsub.subscribe('channels', channels, listener, options);
  }

  /** PSUBSCRIBE: `listener(message, channel, pattern)` for each message on a matching channel (on a cluster, on subscribe()'s node). */
  psubscribe(patterns: string | string[], listener: PatternListener, options?: { buffers?: false }): Promise<void>;
  psubscribe(patterns: string | string[], listener: BufferPatternListener, options: { buffers: true }): Promise<void>;
  psubscribe(
    patterns: string | string[],
    listener: PatternListener | BufferPatternListener,
    options?: SubscribeOptions,
  ): Promise<void> {
    if (arguments.length > 3)
      return Promise.reject(extraArgumentsError('psubscribe', ['patterns', 'listener', 'options'], arguments));
    return this.pubsub.subscribe('patterns', patterns, listener, options);
  }

  /** SSUBSCRIBE (Redis 7): shard channels; on a cluster at the owner of each channel's slot (channels of several slots are split for you). */
  ssubscribe(channels: string | string[], listener: MessageListener, options?: { buffers?: false }): Promise<void>;
  ssubscribe(channels: string | string[], listener: BufferMessageListener, options: { buffers: true }): Promise<void>;
  ssubscribe(
    channels: string | string[],
    listener: MessageListener | BufferMessageListener,
    options?: SubscribeOptions,
  ): Promise<void> {
    if (arguments.length > 3)
      return Promise.reject(extraArgumentsError('ssubscribe', ['channels', 'listener', 'options'], arguments));
    return this.pubsub.subscribe('shardChannels', channels, listener, options);
  }

  /** UNSUBSCRIBE: these channels (every one without an argument); with a listener, only that listener. */
  unsubscribe(channels?: string | string[], listener?: MessageListener | BufferMessageListener): Promise<void> {
    if (arguments.length > 2)
      return Promise.reject(extraArgumentsError('unsubscribe', ['channels', 'listener'], arguments));
    return this.pubsub.unsubscribe('channels', channels, listener);
  }

  /** PUNSUBSCRIBE: these patterns (every one without an argument); with a listener, only that listener. */
  punsubscribe(patterns?: string | string[], listener?: PatternListener | BufferPatternListener): Promise<void> {
    if (arguments.length > 2)
      return Promise.reject(extraArgumentsError('punsubscribe', ['patterns', 'listener'], arguments));
    return this.pubsub.unsubscribe('patterns', patterns, listener);
  }

  /** SUNSUBSCRIBE: these shard channels (every one without an argument); with a listener, only that listener. */
  sunsubscribe(channels?: string | string[], listener?: MessageListener | BufferMessageListener): Promise<void> {
    if (arguments.length > 2)
      return Promise.reject(extraArgumentsError('sunsubscribe', ['channels', 'listener'], arguments));
    return this.pubsub.unsubscribe('shardChannels', channels, listener);
  }

  /**
   * PUBLISH channel message: how many subscribers received it (at most once: see docs/pubsub.md).
   * On a cluster it goes to a ready primary and counts that node's subscribers only (the cluster
   * relays it to the others).
   */
  publish(channel: RedisKey, message: RedisValue): Promise<number> {
    if (arguments.length > 2) return Promise.reject(extraArgumentsError('publish', ['channel', 'message'], arguments));
    return this.sendPublish('PUBLISH', [channel, message]);
  }

  /** SPUBLISH shardchannel message (Redis 7); on a cluster at the owner of the channel's slot. */
  spublish(channel: RedisKey, message: RedisValue): Promise<number> {
    if (arguments.length > 2) return Promise.reject(extraArgumentsError('spublish', ['channel', 'message'], arguments));
    return this.sendPublish('SPUBLISH', [channel, message]);
  }

  /** Channels, patterns and shard channels subscribed through this client (a pool will not reuse it). */
  get subscriptionCount(): number {
    return this.pubsub.count;
  }
}
