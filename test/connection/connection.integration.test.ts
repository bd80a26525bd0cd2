import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from '../../src/connection/command';
import { Connection } from '../../src/connection/connection';
import { ConnectionLostError } from '../../src/errors';
import { RedisServer } from '../support/redis-server';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(async () => {
  await server?.destroy();
});

test('a command sent to a dead connection fails unsent, and onClose is called exactly once', async () => {
  let closes = 0;
  const conn = await Connection.open(
    {
      host: '127.0.0.1',
      port: server.port,
      connectTimeoutMs: 2000,
      keepAliveMs: 10_000,
      protocol: 3,
      database: 0,
      libName: false,
      libVersion: '0',
      listenFirstMs: 0,
      now: () => performance.now(),
    },
    { onClose: () => void closes++ },
  );
  conn.destroy(new Error('gone'));
  const outcome: { error?: unknown } = {};
  conn.send(
    new Command(
      'PING',
      [],
      undefined,
      () => undefined,
      (e) => (outcome.error = e),
    ),
  );
  assert.ok(outcome.error instanceof ConnectionLostError);
  assert.equal(outcome.error.maybeExecuted, false);
  assert.equal(closes, 1);
});
