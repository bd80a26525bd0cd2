// A plain JavaScript program using cluster pub/sub the way an ioredis Cluster or socket.io adapter
// user writes it: the ioredis seed shape, one client to publish and one to subscribe, JSON and
// numbers as messages, a pattern per room, sharded channels of several slots in one call, and the
// mistakes JavaScript lets through (no listener, an empty list) answered with a clear error.
// Run by test/cluster/pubsub.integration.test.ts with REDIS_URL set to one node of a cluster.
'use strict';
const { createCluster } = require('../../../src/index');

async function main() {
  const { hostname, port } = new URL(process.env.REDIS_URL);
  const sub = createCluster([{ host: hostname, port: Number(port) }]); // the ioredis shape
  const pub = createCluster({ nodes: [process.env.REDIS_URL] });
  const got = [];
  sub.on('resubscribed', (e) => got.push(`resubscribed on ${e.node}`));

  await sub.subscribe('socket.io#/#', (message, channel) => got.push(`${channel} ${JSON.parse(message).type}`));
  await sub.psubscribe('room:*', (message, channel, pattern) => got.push(`${pattern} ${channel} ${message}`));
  await sub.ssubscribe(['user:{1}', 'user:{2}', 'user:{3}'], (message, channel) => got.push(`${channel} ${message}`));

  const errors = [];
  for (const attempt of [
    () => sub.subscribe('no-listener'),
    () => sub.subscribe([], () => {}),
    () => sub.ssubscribe(42, () => {}),
  ]) {
    try {
      await attempt();
      errors.push('accepted');
    } catch (err) {
      errors.push(err.code);
    }
  }

  await pub.publish('socket.io#/#', JSON.stringify({ type: 'broadcast' }));
  await pub.publish('room:7', 42);
  let shardReceivers = 0;
  for (const ch of ['user:{1}', 'user:{2}', 'user:{3}']) shardReceivers += await pub.spublish(ch, 'hello');

  const deadline = Date.now() + 10000;
  while (got.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const count = sub.subscriptionCount;
  await sub.unsubscribe();
  await sub.punsubscribe();
  await sub.sunsubscribe();
  console.log(JSON.stringify({ got: got.sort(), errors, shardReceivers, count, after: sub.subscriptionCount }));
  await Promise.all([sub.close(), pub.close()]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
