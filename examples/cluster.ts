// Redis Cluster: one seed is enough; keys are routed to the node that serves their slot, hash
// tags keep related keys together for multi-key commands and transactions.
// Run: REDIS_URL=redis://127.0.0.1:7000 node --import tsx examples/cluster.ts   (any node of a cluster)
import { createCluster, ClusterCrossSlotError } from 'romaine';

const cluster = createCluster({
  nodes: [process.env.REDIS_URL ?? 'redis://127.0.0.1:7000'],
  commandTimeoutMs: 5000, // a command waits at most this long, failovers included
});
cluster.on('topologyChanged', (c) => console.log(`topology (${c.reason}): ${c.shards.length} shards`));

// Rejects at once when the seed is not a cluster node or refuses us (protected mode, password).
await cluster.connect();

// Keys spread over every primary; each command goes to its key's owner.
for (let i = 0; i < 100; i++) await cluster.set(`example:item:${i}`, String(i));
const total = (await cluster.pipeline().get('example:item:7').get('example:item:42').exec())
  .map(([, v]) => Number(v))
  .reduce((a, b) => a + b, 0);

// Multi-key commands and transactions need one slot: a hash tag {...} gives it.
await cluster.mset({ '{user:1}:name': 'Ada', '{user:1}:visits': '1' });
const [, [, visits]] = (await cluster.multi().get('{user:1}:name').incr('{user:1}:visits').exec())!;
try {
  await cluster.mget('example:item:1', 'example:item:2'); // two slots
} catch (err) {
  if (err instanceof ClusterCrossSlotError) console.log(`refused before sending: ${err.code}`);
}

await cluster.close();
console.log(`cluster: ${cluster.primaries.length} primaries, items 7+42=${total}, Ada visited ${String(visits)} times`);
