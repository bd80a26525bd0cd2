// startCluster() and startSentinel() from the user's side: a romaine client keeps working across
// every fault the handles inject, and close() leaves no process behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, createCluster, InvalidArgumentError } from 'romaine';
import { startCluster, startSentinel } from 'romaine/testing';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('startCluster: failover(), killPrimary() and restartAll() under a cluster client; close() kills every node', async () => {
  await assert.rejects(startCluster({ primaries: 2 }), /'primaries' must be an integer from 3/);
  await assert.rejects(startCluster({ replicas: 1 } as never), /unknown option 'replicas'/);
  const cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
  const client = createCluster({ nodes: cluster.urls, commandTimeoutMs: 20_000 });
  try {
    assert.equal(cluster.nodes.length, 6);
    assert.deepEqual(
      cluster.seeds,
      cluster.nodes.map((n) => ({ host: n.host, port: n.port })),
    );
    await client.set('k', '1');
    const before = await cluster.primaryFor(0);

    const f = await cluster.failover(0);
    assert.equal(f.oldPrimary, before);
    assert.notEqual(f.newPrimary, before);
    assert.equal(await cluster.primaryFor(0), f.newPrimary);
    assert.equal(await client.incr('k'), 2, 'the client followed the failover');

    const k = await cluster.killPrimary(0);
    assert.equal(k.oldPrimary, f.newPrimary);
    assert.equal(k.oldPrimary.running, false, 'the killed primary stays down');
    assert.ok(k.tookMs > 0);
    assert.equal(await client.incr('k'), 3, 'the client followed the takeover');
    await k.oldPrimary.restart();
    await cluster.waitHealthy();

    await cluster.restartAll();
    assert.ok(cluster.nodes.every((n) => n.running));
    await client.set('after', 'restart');
    assert.equal(await client.get('after'), 'restart', 'the client survived a restart of every node');
    await assert.rejects(cluster.failover(99999), InvalidArgumentError);
  } finally {
    client.destroy();
    const pids = cluster.nodes.map((n) => n.pid);
    await cluster.close();
    assert.deepEqual(pids.filter(alive), [], 'every node is gone after close()');
  }
});

test('startSentinel: failover(), killPrimary() and restartAll() under a sentinel client; close() kills every process', async () => {
  await using sentinel = await startSentinel({ replicas: 1, sentinels: 3, masterName: 'cache' });
  assert.equal(sentinel.masterName, 'cache');
  assert.equal(sentinel.sentinels.length, 3);
  assert.equal(sentinel.nodes.length, 2);
  const client = createClient({
    sentinel: { sentinels: sentinel.sentinels, name: sentinel.masterName },
    commandTimeoutMs: 20_000,
  });
  try {
    await client.set('n', '0');
    const first = await sentinel.primary();
    assert.equal(first, sentinel.nodes[0]);

    const f = await sentinel.failover();
    assert.equal(f.oldPrimary, first);
    assert.equal(f.newPrimary, sentinel.nodes[1]);
    assert.equal(await client.incr('n'), 1);

    const k = await sentinel.killPrimary();
    assert.equal(k.oldPrimary, f.newPrimary);
    assert.equal(k.newPrimary, first);
    assert.equal(await client.incr('n'), 2, 'the client followed the sentinels');

    await sentinel.restartAll();
    assert.ok([...sentinel.nodes, ...sentinel.sentinelNodes].every((n) => n.running));
    assert.equal(await sentinel.primary(), first, 'the primary of the moment stays primary across restartAll()');
    await client.set('after', 'restart');
    assert.equal(await client.get('after'), 'restart');
  } finally {
    client.destroy();
  }
  const pids = [...sentinel.nodes, ...sentinel.sentinelNodes].map((n) => n.pid);
  await sentinel.close();
  assert.deepEqual(pids.filter(alive), []);
});

test("startCluster({ tls: 'only' }): a TLS cluster a client reaches with rediss:// seeds; a wrong tls value is refused", async () => {
  await assert.rejects(startCluster({ tls: true } as never), (err: Error) => {
    assert.ok(err instanceof InvalidArgumentError);
    assert.match(err.message, /'tls' must be 'only'/);
    return true;
  });
  await using cluster = await startCluster({ primaries: 3, replicasPerPrimary: 0, tls: 'only' });
  assert.ok(
    cluster.urls.every((u) => u.startsWith('rediss://')),
    cluster.urls.join(' '),
  );
  await using c = createCluster({ nodes: [cluster.urls[0]], tls: { rejectUnauthorized: false } });
  await c.mset({ '{a}k': '1' });
  for (let i = 0; i < 10; i++) await c.set(`tls:${i}`, String(i)); // keys on every primary
  assert.equal(await c.get('tls:9'), '9');
  assert.equal(c.nodes('primary').length, 3);
});
