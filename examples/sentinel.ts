// Redis Sentinel: give the sentinels and the master name instead of an address. The client finds
// the primary, and follows it when the sentinels fail over: writes wait during the switch and go
// to the new primary; the 'switch' event says where the client moved and what made it move.
// Run: REDIS_URL=redis://127.0.0.1:26379 node --import tsx examples/sentinel.ts   (a sentinel of 'mymaster')
import { createClient } from 'romaine';

const at = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:26379');
const sentinel = { host: at.hostname, port: Number(at.port || 26379) };

const client = createClient({
  sentinel: { sentinels: [sentinel], name: 'mymaster' }, // the other sentinels are learned from this one
  commandTimeoutMs: 10_000, // a command waits at most this long, failovers included
});
const moved = new Promise<string>((resolve) =>
  client.once('switch', (e) => resolve(`${e.from?.port ?? '?'} -> ${e.to.port} after ${e.trigger}`)),
);

// Rejects at once for an unknown master name (naming the ones the sentinels know).
await client.connect();
await client.del('example:visits');
for (let i = 0; i < 100; i++) await client.incr('example:visits');

// What an operator does before maintenance (a crash of the primary ends the same way).
// A sentinel refuses (NOGOODSLAVE) until it has seen a replica fit for promotion: try again.
const admin = createClient(sentinel);
for (let i = 0; ; i++) {
  try {
    await admin.call('SENTINEL', 'FAILOVER', 'mymaster');
    break;
  } catch (err) {
    if (i === 40) throw err;
    await new Promise((r) => setTimeout(r, 250));
  }
}
await admin.close();

// Writes go on: during the switch they wait, then go to the new primary.
for (let i = 0; i < 100; i++) await client.incr('example:visits');
console.log(`moved from port ${await moved}`);
const visits = Number(await client.get('example:visits'));
await client.close();
console.log(`sentinel: ${visits} visits counted across a failover`);
