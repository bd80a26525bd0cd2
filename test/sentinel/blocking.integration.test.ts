// A blocking command (BLPOP, XREAD BLOCK...) waiting on the primary while the sentinels replace it,
// against a real deployment (1 primary, 2 replicas, 3 sentinels). Without help it waits on the old
// primary until the sentinels reconfigure that one (seconds), and misses what is pushed to the new
// primary meanwhile. The client unblocks it on the old primary (CLIENT UNBLOCK ... TIMEOUT from
// another connection: answered like a timeout, so nothing was popped there) and sends it again to
// the new primary within what is left of its timeout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../../src/index';
import { RedisSentinel, type Address } from '../support/sentinel';
import { sleep, settleWithin } from '../support/wait';

let d: RedisSentinel;
before(async () => {
  d = await RedisSentinel.start();
});
after(() => d?.destroy());

/** Resolves once every running sentinel names a primary other than `old`, and it says it is one. */
async function newPrimaryAnnounced(old: Address): Promise<Address> {
  for (;;) {
    try {
      const a = await d.primaryAddress();
      if (a.port !== old.port && /^master/.test(await d.server(a.port).cli('ROLE'))) return a;
    } catch {
      // a sentinel busy with the failover: ask again
    }
    await sleep(20);
  }
}

/** The clients blocked in `cmd` on a node (CLIENT LIST). */
async function blockedOn(port: number, cmd: string): Promise<number> {
  const list = await d.server(port).cli('CLIENT', 'LIST');
  return list.split('\n').filter((l) => l.includes(`cmd=${cmd}`) && / flags=\S*b/.test(l)).length;
}

test('BLPOP during SENTINEL FAILOVER: unblocked on the old primary, sent again to the new one, gets what is pushed there; nothing popped twice or lost', async () => {
  const client = createClient({ sentinel: { sentinels: d.sentinels, name: d.name } });
  let failover: Promise<unknown> | undefined;
  try {
    await client.connect();
    await client.del('bq');
    const old = await d.primaryAddress();
    const t0 = Date.now();
    const popped = client.blpop('bq', 30);
    // The BLPOP runs on a dedicated connection of the client: wait until the server holds it.
    let blocked = false;
    for (let i = 0; i < 200 && !blocked; i++) {
      blocked = (await blockedOn(old.port, 'blpop')) === 1;
      if (!blocked) await sleep(20);
    }
    assert.ok(blocked, 'the BLPOP is blocked on the primary');
    failover = d.failover();
    const next = await newPrimaryAnnounced(old);
    const tSwitch = Date.now();
    // Pushed to the new primary while the old one is not a replica yet.
    assert.equal(await d.server(next.port).cli('RPUSH', 'bq', 'after-failover'), '1');
    const got = await settleWithin(popped, 5_000);
    const gotMs = Date.now() - tSwitch;
    assert.equal(got.status, 'fulfilled', `the BLPOP returned: ${JSON.stringify(got)}`);
    assert.deepEqual((got as { value: unknown }).value, { key: 'bq', element: 'after-failover' });
    console.log(
      `# BLPOP answered ${gotMs} ms after the new primary ${next.host}:${next.port} was announced (${Date.now() - t0} ms after it was sent)`,
    );
    await failover; // the old primary is a replica of the new one, resynced
    assert.equal(await d.server(next.port).cli('LLEN', 'bq'), '0', 'popped once, on the new primary');
    assert.equal(await d.server(old.port).cli('LLEN', 'bq'), '0', 'the old primary (now a replica) agrees');
  } finally {
    await failover?.catch(() => undefined);
    await client.close();
  }
});
