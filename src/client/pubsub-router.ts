import { InvalidArgumentError } from '../errors';
import type { RedisClient } from './client';
import type { Subscriptions } from './pubsub';
import { internals } from './internals';

/**
 * Decides where a client's subscriptions live, once, at the first subscription:
 *
 * - RESP3 (the default): on the client's own connection. Messages and confirmations are push
 *   frames, so the connection keeps running every other command.
 * - RESP2 (`protocol: 2`, or a server without RESP3): on a connection of their own, an internal
 *   client made with duplicate(). A RESP2 connection in subscriber mode refuses everything but
 *   the subscribe family and PING; giving subscriptions their own keeps `client.get()` working,
 *   so both protocols behave alike for the application. That client has the full lifecycle (it
 *   reconnects and resubscribes by itself); its 'resubscribed' and 'error' events are re-emitted
 *   by the client.
 */
export class PubSubRouter {
  private subscriber: RedisClient | undefined;
  private own: Subscriptions | undefined;

  constructor(private readonly client: RedisClient) {}

  /** The subscriptions engine, made on first use. */
  target(): Subscriptions {
    if (this.own !== undefined) return this.own;
    const client = this.client;
    const protocol = client.server?.protocol ?? client.options.protocol;
    if (protocol === 3) {
      this.own = internals(client).ownSubscriptions('push');
      return this.own;
    }
    const sub = client.duplicate();
    sub.on('resubscribed', (e) => client.emit('resubscribed', e));
    internals(sub).shardChannelDropped = (channel) => internals(client).shardChannelDropped?.(channel);
    sub.on('error', (e) => {
      if (client.listenerCount('error') > 0) client.emit('error', e);
    });
    this.subscriber = sub;
    this.own = internals(sub).ownSubscriptions('reply');
    return this.own;
  }

  /** The engine if one was made (unsubscribing never makes one). */
  get existing(): Subscriptions | undefined {
    return this.own;
  }

  async close(): Promise<void> {
    await this.subscriber?.close();
  }

  destroy(): void {
    this.subscriber?.destroy();
  }
}

/** 'a' or ['a', 'b'] as a list of distinct names, or the error that says what is wrong. */
export function nameList(method: string, names: string | string[]): string[] | InvalidArgumentError {
  const list = typeof names === 'string' ? [names] : names;
  if (!Array.isArray(list) || list.length === 0 || list.some((n) => typeof n !== 'string')) {
    return new InvalidArgumentError(`${method}() takes a name or a non-empty array of names (strings)`);
  }
  return [...new Set(list)];
}
