// Recipe (docs/testing.md): a cluster failover. A real 3 x (1 + 1) Redis Cluster; a primary is
// SIGKILLed while the service writes, its replica takes over, and no write of the service fails.
// Run: node --import tsx examples/testing-cluster-failover.ts   (needs redis-server on PATH)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster } from 'romaine';
import { startCluster } from 'romaine/testing';

test('a cluster failover: every write succeeds while a primary dies and its replica takes over', async () => {
  const t0 = performance.now();
  await using cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
  const started = Math.round(performance.now() - t0);
  // commandTimeoutMs: a write may wait out the whole takeover (seconds; more on a loaded CI machine).
  const client = createCluster({ nodes: cluster.urls, commandTimeoutMs: 30_000 });
  try {
    await client.connect();
    // The service: writes keys spread over every slot, without a pause.
    let written = 0;
    let writing = true;
    const service = (async () => {
      while (writing) await client.set(`order:${written++}`, 'paid');
    })();

    const { oldPrimary, newPrimary, tookMs } = await cluster.killPrimary(0); // the primary of slot 0
    assert.notEqual(newPrimary, oldPrimary);
    writing = false;
    await service; // rejects if a single write failed
    assert.equal(await client.get('order:0'), 'paid');
    console.log(
      `recipe cluster failover: ${written} writes, 0 failed; takeover in ${tookMs} ms ` +
        `(cluster started in ${started} ms, total ${Math.round(performance.now() - t0)} ms)`,
    );
  } finally {
    client.destroy();
  }
});
