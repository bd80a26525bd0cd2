// A primary demoted under a write load (what a failover does to the old primary): its READONLY
// replies mean the writes did not run. They must wait and go to the primary found next, never be
// reported to the caller, and never count as "maybe executed". Real servers: A (the client's
// primary) and B (its replica); A is demoted to a replica of B, then promoted back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, RomaineError } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { holdWritesAndSync } from '../support/replication';
import { pollUntil, sleep, waitFor } from '../support/wait';

test('writes refused with READONLY by a demoted primary wait and run on the primary found next: 0 errors, 0 lost, 0 duplicates', async () => {
  const a = await RedisServer.start();
  const b = await RedisServer.start({ args: ['--replicaof', a.host, String(a.port)] });
  const KEY = 'readonly:counter';
  const client = createClient({ host: a.host, port: a.port, reconnect: { baseDelayMs: 20, maxDelayMs: 200 } });
  const reasons: string[] = [];
  client.on('reconnecting', (e) => reasons.push(e.reason.kind));
  let acked = 0;
  const errors: unknown[] = [];
  let running = true;
  const worker = async () => {
    while (running) {
      try {
        await client.incr(KEY);
        acked++;
      } catch (err) {
        errors.push(err);
        await sleep(5);
      }
    }
  };
  try {
    await client.connect();
    await pollUntil(
      'the replica to be linked',
      async () => (/master_link_status:up/.test(await b.cli('INFO', 'replication')) ? true : undefined),
      15_000,
    );
    const workers = Array.from({ length: 10 }, worker);
    await waitFor('some writes', () => acked > 200, 15_000);
    // The switch: A holds its writes while B catches up, B becomes the primary and A its replica;
    // the writes A held are then refused with READONLY.
    await holdWritesAndSync(a, [b]);
    assert.equal(await b.cli('REPLICAOF', 'NO', 'ONE'), 'OK');
    assert.equal(await a.cli('REPLICAOF', b.host, String(b.port)), 'OK');
    assert.equal(await a.cli('CLIENT', 'UNPAUSE'), 'OK');
    await waitFor('the client to see READONLY', () => reasons.includes('readonly'), 15_000);
    await sleep(200);
    // ...and back: A is the primary again (with everything B had), where the client is configured.
    await pollUntil(
      'A to have synced from B',
      async () => (/master_link_status:up/.test(await a.cli('INFO', 'replication')) ? true : undefined),
      15_000,
    );
    assert.equal(await a.cli('REPLICAOF', 'NO', 'ONE'), 'OK');
    assert.equal(await b.cli('REPLICAOF', a.host, String(a.port)), 'OK');
    const before = acked;
    await waitFor('writes to succeed on the primary again', () => acked > before + 200, 20_000);
    running = false;
    await Promise.all(workers);
    const value = Number(await a.cli('GET', KEY));
    console.log(
      `# READONLY switch: ${acked} acknowledged, counter ${value}, ${errors.length} errors; reconnect reasons: ${[...new Set(reasons)].join(', ')}`,
    );
    assert.deepEqual(
      errors.map((e) => (e instanceof RomaineError ? `${e.name} ${e.code}: ${e.message}` : String(e))),
      [],
      'no write was reported as failed or maybe-executed',
    );
    assert.equal(value, acked, 'every acknowledged INCR is in the counter, none ran twice');
  } finally {
    running = false;
    await client.close();
    await Promise.all([a.destroy(), b.destroy()]);
  }
});
