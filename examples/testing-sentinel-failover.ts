// Recipe (docs/testing.md): a sentinel failover. A real primary + 2 replicas + 3 sentinels; the
// primary is SIGKILLed while the service counts, the sentinels promote a replica, the client
// follows them, and no acknowledged increment is lost (those in flight at the kill reject with
// ConnectionLostError { maybeExecuted: true }: an honest "unknown").
// Run: node --import tsx examples/testing-sentinel-failover.ts   (needs redis-server on PATH)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ConnectionLostError } from 'romaine';
import { startSentinel } from 'romaine/testing';

test('a sentinel failover: the client follows the new primary and loses no acknowledged write', async () => {
  const t0 = performance.now();
  await using deployment = await startSentinel({ replicas: 2, sentinels: 3 });
  const started = Math.round(performance.now() - t0);
  const client = createClient({
    sentinel: { sentinels: deployment.sentinels, name: deployment.masterName },
    commandTimeoutMs: 15_000,
  });
  try {
    let acknowledged = 0;
    let unknown = 0;
    let counting = true;
    const service = (async () => {
      while (counting) {
        try {
          await client.incr('visits');
          acknowledged++;
        } catch (err) {
          // Sent to the primary that died, no reply: it may have run. romaine does not re-send a
          // non-idempotent write on its own; the service decides (here: it counts it as unknown).
          if (!(err instanceof ConnectionLostError && err.maybeExecuted)) throw err;
          unknown++;
        }
      }
    })();
    // Waits until the service has counted `n`, or fails with its error.
    const counted = (n: number) =>
      Promise.race([
        service.then(() => {
          throw new Error('the service stopped');
        }),
        (async () => {
          while (acknowledged < n) await new Promise((r) => setTimeout(r, 10));
        })(),
      ]);
    await counted(50);

    // replicated: the replicas have every acknowledged write before the kill, so a loss would be
    // the client's, not asynchronous replication's.
    const { oldPrimary, newPrimary, tookMs } = await deployment.killPrimary({ replicated: true });
    assert.notEqual(newPrimary, oldPrimary);
    const afterSwitch = acknowledged;
    await counted(afterSwitch + 50);
    counting = false;
    await service;
    const total = Number(await client.get('visits'));
    assert.ok(
      total >= acknowledged && total <= acknowledged + unknown,
      `${total} counted, ${acknowledged} acknowledged`,
    );
    console.log(
      `recipe sentinel failover: ${acknowledged} increments acknowledged, 0 lost, ${unknown} in flight at the kill; ` +
        `new primary named in ${tookMs} ms ` +
        `(deployment started in ${started} ms, total ${Math.round(performance.now() - t0)} ms)`,
    );
  } finally {
    client.destroy();
  }
});
