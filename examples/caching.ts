// Client-side caching: reads of hot keys are answered from memory, and the server tells the
// client when a cached key changes (CLIENT TRACKING), so the cache is never stale for long.
// RESP3 only (the default protocol). The cache is emptied when the connection is lost, because
// invalidations sent meanwhile were missed.
// Run: REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/caching.ts
import { createClient } from 'romaine';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const client = createClient(url, { cache: { maxEntries: 1000, ttlMs: 60_000 } });
const writer = createClient(url); // another application instance, writing

await writer.set('example:config:theme', 'light');

for (let i = 0; i < 10; i++) await client.get('example:config:theme'); // 1 miss, then 9 hits
const before = client.cache.stats();

// Another client changes the key: the server sends an invalidation, the entry is dropped, and
// the next read goes to the server again.
await writer.set('example:config:theme', 'dark');
let theme = await client.get('example:config:theme');
for (let tries = 0; theme !== 'dark' && tries < 100; tries++) {
  // The invalidation travels on its own; in the meantime a read may still see the old value.
  await new Promise((resolve) => setTimeout(resolve, 10));
  theme = await client.get('example:config:theme');
}
const after = client.cache.stats();

await Promise.all([client.close(), writer.close()]);
console.log(`first reads: ${before.hits} hits, ${before.misses} miss; invalidations: ${after.invalidations}`);
console.log(`caching: theme is ${theme} after the invalidation`);
