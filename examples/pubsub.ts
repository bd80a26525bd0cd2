// Pub/sub: subscriptions survive reconnects. The client resubscribes before it reports `ready`
// again, so a listener keeps receiving messages across a server restart or a dropped connection.
// Messages published while the connection is down are lost (Redis pub/sub is at most once).
// Run: REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/pubsub.ts
import { createClient } from 'romaine';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const subscriber = createClient(url, { clientName: 'example-subscriber' });
const publisher = createClient(url);

const received: string[] = [];
let next: (() => void) | undefined;
const message = (): Promise<void> => new Promise((resolve) => (next = resolve));

// Resolves once the server confirmed the subscription. The same client can run other commands:
// with RESP3, messages arrive as push frames on the shared connection.
await subscriber.subscribe('example:news', (text, channel) => {
  received.push(`${channel}: ${text}`);
  next?.();
});
await subscriber.psubscribe('example:alerts:*', (text, channel, pattern) => {
  received.push(`${channel} (${pattern}): ${text}`);
  next?.();
});

let arrived = message();
console.log(`published to ${await publisher.publish('example:news', 'hello')} subscriber(s)`);
await arrived;
arrived = message();
await publisher.publish('example:alerts:disk', 'almost full');
await arrived;

// Drop the subscriber's connection from the server side, as a restart would.
const resubscribed = new Promise<void>((resolve) => subscriber.once('resubscribed', () => resolve()));
await publisher.clientKill({ ID: await subscriber.clientId() });
await resubscribed;
arrived = message();
await publisher.publish('example:news', 'after the reconnect');
await arrived;

await subscriber.unsubscribe(); // every channel; punsubscribe() for patterns
await Promise.all([subscriber.close(), publisher.close()]);
for (const line of received) console.log(`  ${line}`);
console.log(`pubsub: ${received.length} messages received, the last after a reconnect`);
