// A plain JavaScript program using a cluster pipeline the way an ioredis Cluster user writes it:
// the ioredis seed shape, numbers as values, a chain of calls across keys of every slot, call()
// for a raw command, one command that fails in the middle, and the [err, value] results read in
// the order the commands were added.
// Run by test/cluster/pipeline.integration.test.ts with REDIS_URL set to one node of a cluster.
'use strict';
const { createCluster } = require('../../../src/index');

async function main() {
  const { hostname, port } = new URL(process.env.REDIS_URL);
  const cluster = createCluster([{ host: hostname, port: Number(port) }]);
  await cluster.connect();
  const p = cluster.pipeline();
  for (let i = 0; i < 50; i++) p.set(`user:${i}:visits`, i).incrby(`user:${i}:visits`, 10);
  p.set('user:name', 'ann').incr('user:name'); // not an integer: its error, in its place
  p.call('GET', 'user:7:visits');
  p.hset('user:{9}:profile', { name: 'bob', age: 30 }).hgetall('user:{9}:profile');
  const results = await p.exec();
  const errors = results.filter(([err]) => err !== null).map(([err]) => err.message.split(' ')[0]);
  const visits = results
    .slice(0, 100)
    .filter((_, i) => i % 2 === 1)
    .map(([, v]) => v);
  await cluster.close();
  console.log(JSON.stringify({ count: results.length, errors, visits, tail: results.slice(100).map(([, v]) => v) }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
