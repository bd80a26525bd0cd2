// connect-redis 9's session store over romaine/compat/node-redis, from a plain JavaScript program
// (programs/connect-redis-store.mjs) the way an application sets it up: set/get with the session's
// TTL, length/ids/all, touch, a session that really expires, destroy, clear, callbacks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RedisServer } from '../support';
import { runTs } from '../support/run-ts';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(async () => {
  await server?.destroy();
});

test('connect-redis: a plain JavaScript program runs the session store through romaine/compat/node-redis', async () => {
  const run = await runTs(join(__dirname, 'node-redis-programs', 'connect-redis-store.mjs'), {
    cwd: join(__dirname, '..', '..'),
    redisUrl: `redis://${server.host}:${server.port}`,
    timeoutMs: 60_000,
  });
  assert.equal(run.code, 0, `the program failed:\n${run.output}`);
  assert.match(run.output, /connect-redis ok/);
  assert.match(run.output, /expiry ok/);
});
