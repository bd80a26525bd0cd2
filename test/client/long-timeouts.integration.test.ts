import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type RedisClient } from '../../src/index';
import { RedisServer } from '../support/redis-server';

// Node fires a timer set past 2^31 - 1 ms after 1 ms. Options are refused past that bound at
// createClient() (test/client/options.test.ts); this guards the one deadline computed at run time:
// a blocking command's own wait plus commandTimeoutMs.
let server: RedisServer;
let client: RedisClient;
before(async () => {
  server = await RedisServer.start();
  client = createClient({ port: server.port, commandTimeoutMs: 1000 });
  await client.connect();
});
after(async () => {
  await client?.close();
  await server?.destroy();
});

test('a blocking command whose wait plus commandTimeoutMs passes 2^31 - 1 ms is not timed out at once', async () => {
  const days25 = 25 * 24 * 3600; // seconds: past what a Node timer holds
  const popped = client.blpop('long:list', days25);
  await new Promise((r) => setTimeout(r, 300));
  await client.rpush('long:list', 'x');
  assert.deepEqual(await popped, { key: 'long:list', element: 'x' });
});
