// Recipe (docs/testing.md): a password rotation. The server starts asking for a new password
// before the service's secret store has it; with a `credentials` provider the client retries the
// refused password with backoff and picks the new one up on its own, without a restart.
// Run: node --import tsx examples/testing-password-rotation.ts   (needs redis-server on PATH)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'romaine';
import { startRedis } from 'romaine/testing';

test('a password rotation: refused while the secret is stale, served once it is updated', async () => {
  const t0 = performance.now();
  await using redis = await startRedis({ args: ['--requirepass', 'old-secret', '--appendonly', 'yes'] });
  const secrets = { redis: 'old-secret' }; // stands for a secrets manager
  const client = createClient(redis.url, {
    credentials: () => ({ password: secrets.redis }), // asked before every connection attempt
    reconnect: { baseDelayMs: 50, maxDelayMs: 300 },
  });
  let refused = 0;
  client.on('reconnecting', ({ reason }) => {
    if (reason.kind === 'auth') refused++;
  });
  try {
    assert.equal(await client.incr('jobs'), 1);

    // The rotation: the server now wants the new password (a restart drops every connection).
    await redis.restart(['--requirepass', 'new-secret', '--appendonly', 'yes']);
    const during = client.incr('jobs'); // waits while the old password is refused
    await new Promise((r) => setTimeout(r, 500));
    secrets.redis = 'new-secret'; // the secret store catches up

    assert.equal(await during, 2);
    assert.ok(refused >= 1, 'the stale password was refused and retried');
    console.log(
      `recipe password rotation: the stale password was refused ${refused > 1 ? 'several times' : 'once'}, ` +
        `2 jobs counted (${Math.round(performance.now() - t0)} ms)`,
    );
  } finally {
    client.destroy();
  }
});
