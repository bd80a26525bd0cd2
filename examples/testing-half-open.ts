// Recipe (docs/testing.md): a half-open connection. The network between the service and Redis
// goes silent (no FIN, no RST: a dead NAT entry, a pulled cable); a command timeout answers the
// request in time, the health check replaces the dead connection, and service resumes on heal.
// Run: node --import tsx examples/testing-half-open.ts   (needs redis-server and python3 on PATH)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, CommandTimeoutError } from 'romaine';
import { startRedis, faultProxy } from 'romaine/testing';

test('a half-open connection: the request times out, the health check reconnects', async () => {
  const t0 = performance.now();
  await using redis = await startRedis();
  await using proxy = await faultProxy(redis); // the service talks to the proxy, not to Redis
  const client = createClient(proxy.url, {
    commandTimeoutMs: 1000, // no request waits longer than this
    healthCheck: { intervalMs: 500, timeoutMs: 1000, probeTimeoutMs: 500 }, // find a silent link fast
    connectTimeoutMs: 1000,
    reconnect: { maxDelayMs: 500 },
  });
  try {
    await client.set('greeting', 'hello');

    const declaredDead = new Promise<string>((resolve) =>
      client.once('reconnecting', ({ reason }) => resolve(reason.kind)),
    );
    await proxy.blackhole(); // silence both ways; new connects hang too
    await assert.rejects(client.get('greeting'), CommandTimeoutError); // answered in 1 s, not never
    assert.equal(await declaredDead, 'health'); // the health check condemned the silent connection
    const deadAfter = Math.round(performance.now() - t0);

    const back = new Promise((resolve) => client.once('ready', resolve));
    await proxy.heal();
    await back;
    assert.equal(await client.get('greeting'), 'hello');
    assert.equal(proxy.accepted >= 2, true); // a new connection replaced the half-open one
    console.log(
      `recipe half-open: timed out after 1000 ms, replaced by the health check, ` +
        `served again after heal (dead at ${deadAfter} ms, total ${Math.round(performance.now() - t0)} ms)`,
    );
  } finally {
    client.destroy();
  }
});
