// The health check of a sentinel-managed client confirms a suspicion on the node the connection is
// on, not on the node the sentinels name now. It used to open its probe through discovery: when the
// sentinels named another node, it asked that node about our connection id, which that node does not
// know, and condemned a healthy connection (and the client took the probe's node for its own).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type ConnectionError } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { RedisSentinel } from '../support/sentinel';

let d: RedisSentinel;
let other: RedisServer;
before(async () => {
  [d, other] = await Promise.all([RedisSentinel.start({ replicas: 0, sentinels: 1 }), RedisServer.start()]);
});
after(async () => {
  await Promise.all([d?.destroy(), other?.destroy()]);
});

test('a busy connection is probed on its own node: spared, although the sentinels now name another node', async () => {
  const client = createClient({
    sentinel: { sentinels: d.sentinels, name: d.name },
    healthCheck: { intervalMs: 200, timeoutMs: 500, probeTimeoutMs: 1000 },
  });
  const reconnects: ConnectionError[] = [];
  client.on('reconnecting', (e) => reconnects.push(e.reason));
  try {
    await client.connect();
    const primary = d.servers[0];
    assert.equal(await client.incr('probe:k'), 1);
    // The sentinel now names another server for the same master name; the client is not told
    // (no failover event) and stays where it is.
    const s = d.sentinelServers[0];
    assert.equal(await s.cli('SENTINEL', 'REMOVE', d.name), 'OK');
    assert.equal(await s.cli('SENTINEL', 'MONITOR', d.name, other.host, String(other.port), '1'), 'OK');
    // Its primary holds writes for 2.5 s: the INCR is owed and nothing arrives, well past timeoutMs.
    assert.equal(await primary.cli('CLIENT', 'PAUSE', '2500', 'WRITE'), 'OK');
    assert.equal(await client.incr('probe:k'), 2, 'the held INCR got its reply on the same connection');
    assert.deepEqual(
      reconnects.map((e) => e.message),
      [],
      'the connection was not condemned',
    );
    assert.equal(await primary.cli('GET', 'probe:k'), '2');
    assert.equal(await other.cli('EXISTS', 'probe:k'), '0');
  } finally {
    await client.close();
  }
});
