// A plain-JavaScript (CommonJS) program written for ioredis, run as a user runs it (a child
// process), with `require('ioredis')` replaced by the facade: a BullMQ job with a retry, and the
// ioredis call forms (set EX, hset object, callbacks, pipeline).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { RedisServer } from '../support/redis-server';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(async () => {
  await server?.destroy();
});

test('a CommonJS program written for ioredis runs BullMQ and the ioredis call forms through the facade', () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_PORT: String(server.port),
    IOREDIS_COMPAT: join(__dirname, '..', '..', 'src', 'compat', 'ioredis', 'index.ts'),
  };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'bullmq-user.cjs')], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const output = `${res.stdout}${res.stderr}`;
  assert.equal(res.status, 0, output);
  assert.match(output, /result: sent to ada@example\.com/);
  assert.match(output, /ttl>0: true/);
  assert.match(output, /hgetall: \{"name":"ada","visits":"1"\}/);
  assert.match(output, /callback: null x/);
  assert.match(output, /pipeline: \[\[null,1\],\[null,2\]\]/);
  assert.match(output, /status: end/);
});
