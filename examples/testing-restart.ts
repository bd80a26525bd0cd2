// Recipe (docs/testing.md): my service survives a Redis restart. A real redis-server from
// romaine/testing; the service's client keeps its requests across a stop and a start.
// Run: node --import tsx examples/testing-restart.ts   (needs redis-server on PATH, nothing else)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type RedisClient } from 'romaine';
import { startRedis } from 'romaine/testing';

// The service under test: counts page views.
function pageViews(redis: RedisClient) {
  return { hit: (page: string) => redis.incr(`views:${page}`) };
}

test('my service survives a Redis restart', async () => {
  const t0 = performance.now();
  // appendonly: the data survives the restart too (startRedis persists nothing by default).
  await using redis = await startRedis({ args: ['--appendonly', 'yes'] });
  const client = createClient(redis.url);
  const views = pageViews(client);
  try {
    assert.equal(await views.hit('home'), 1);

    await redis.stop(); // SIGTERM: the server goes away, as in a deploy
    const during = views.hit('home'); // issued while it is down: waits in the offline queue
    await redis.restart(); // same port, same data directory
    assert.equal(await during, 2);
    assert.equal(await views.hit('home'), 3);
  } finally {
    client.destroy();
  }
  console.log(`recipe restart: 3 hits counted across a restart in ${Math.round(performance.now() - t0)} ms`);
});
