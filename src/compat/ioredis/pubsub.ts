/**
 * ioredis' pub/sub methods and events over romaine's subscriptions, shared by the facade's Redis
 * and Cluster. Every subscription is made with romaine's `{ buffers: true }`, so a message arrives
 * byte for byte as published: 'messageBuffer' / 'pmessageBuffer' / 'smessageBuffer' carry those
 * bytes, and 'message' / 'pmessage' / 'smessage' the same bytes decoded as UTF-8 (as ioredis does).
 */
import type { EventEmitter } from 'node:events';
import type { BufferMessageListener, BufferPatternListener } from '../../client/pubsub';
import { takeCallback, withCallback } from './convert';

/** What the facade needs of a romaine client or cluster client to subscribe. */
export interface SubscribeBackend {
  subscribe(channels: string, listener: BufferMessageListener, options: { buffers: true }): Promise<void>;
  psubscribe(patterns: string, listener: BufferPatternListener, options: { buffers: true }): Promise<void>;
  ssubscribe(channels: string, listener: BufferMessageListener, options: { buffers: true }): Promise<void>;
  unsubscribe(channels: string, listener: BufferMessageListener): Promise<void>;
  punsubscribe(patterns: string, listener: BufferPatternListener): Promise<void>;
  sunsubscribe(channels: string, listener: BufferMessageListener): Promise<void>;
}

type Kind = 'channels' | 'patterns' | 'shard';

/** One romaine listener per channel or pattern, re-emitted as ioredis events on `emitter`. */
export class Subscriptions {
  private readonly channels = new Map<string, BufferMessageListener>();
  private readonly patterns = new Map<string, BufferPatternListener>();
  private readonly shard = new Map<string, BufferMessageListener>();

  constructor(private readonly emitter: EventEmitter) {}

  /** SUBSCRIBE: resolves with the number of channels and patterns subscribed. */
  subscribe(backend: SubscribeBackend, args: unknown[]): Promise<number> {
    const cb = takeCallback(args);
    const work = Promise.all(
      this.added(this.channels, args).map((channel) => {
        const listener: BufferMessageListener = (message, ch) => {
          this.emitter.emit('message', ch, message.toString());
          this.emitter.emit('messageBuffer', Buffer.from(ch), message);
        };
        this.channels.set(channel, listener);
        return backend.subscribe(channel, listener, { buffers: true });
      }),
    ).then(() => this.count());
    return withCallback(work, cb);
  }

  /** PSUBSCRIBE: 'pmessage' (pattern, channel, message) and 'pmessageBuffer'. */
  psubscribe(backend: SubscribeBackend, args: unknown[]): Promise<number> {
    const cb = takeCallback(args);
    const work = Promise.all(
      this.added(this.patterns, args).map((pattern) => {
        const listener: BufferPatternListener = (message, channel, p) => {
          this.emitter.emit('pmessage', p, channel, message.toString());
          this.emitter.emit('pmessageBuffer', Buffer.from(p), Buffer.from(channel), message);
        };
        this.patterns.set(pattern, listener);
        return backend.psubscribe(pattern, listener, { buffers: true });
      }),
    ).then(() => this.count());
    return withCallback(work, cb);
  }

  /** SSUBSCRIBE: 'smessage' (channel, message) and 'smessageBuffer'; resolves with the shard channels subscribed. */
  ssubscribe(backend: SubscribeBackend, args: unknown[]): Promise<number> {
    const cb = takeCallback(args);
    const work = Promise.all(
      this.added(this.shard, args).map((channel) => {
        const listener: BufferMessageListener = (message, ch) => {
          this.emitter.emit('smessage', ch, message.toString());
          this.emitter.emit('smessageBuffer', Buffer.from(ch), message);
        };
        this.shard.set(channel, listener);
        return backend.ssubscribe(channel, listener, { buffers: true });
      }),
    ).then(() => this.shard.size);
    return withCallback(work, cb);
  }

  /** UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE these names (every one without names); resolves with what stays. */
  drop(backend: SubscribeBackend, kind: Kind, args: unknown[]): Promise<number> {
    const cb = takeCallback(args);
    const map: Map<string, BufferMessageListener | BufferPatternListener> = this[kind];
    const given = nameArgs(args);
    const names = given.length === 0 ? [...map.keys()] : given.filter((n) => map.has(n));
    const work = Promise.all(
      names.map((name) => {
        const listener = map.get(name);
        map.delete(name);
        if (kind === 'channels') return backend.unsubscribe(name, listener as BufferMessageListener);
        if (kind === 'patterns') return backend.punsubscribe(name, listener as BufferPatternListener);
        return backend.sunsubscribe(name, listener as BufferMessageListener);
      }),
    ).then(() => (kind === 'shard' ? this.shard.size : this.count()));
    return withCallback(work, cb);
  }

  /** Forgets every subscription (a new connection after quit() starts with none). */
  clear(): void {
    this.channels.clear();
    this.patterns.clear();
    this.shard.clear();
  }

  private added(map: Map<string, unknown>, args: unknown[]): string[] {
    return [...new Set(nameArgs(args))].filter((n) => !map.has(n));
  }

  private count(): number {
    return this.channels.size + this.patterns.size;
  }
}

/** Channel or pattern names as ioredis takes them: separate arguments, arrays, or both. */
function nameArgs(args: unknown[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (Array.isArray(a)) for (const inner of a as unknown[]) out.push(String(inner));
    else out.push(String(a));
  }
  return out;
}
