// cluster.isolated(keys, fn) on a real 3 + 3 cluster: WATCH/MULTI/EXEC on a connection of its own
// to the owner of the keys' slot; keys of several slots refused before anything is sent; a slot
// moved behind the client's back surfaces as ClusterSlotMovedError and the next block goes to the
// new owner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createCluster,
  ClusterCrossSlotError,
  ClusterSlotMigratingError,
  ClusterSlotMovedError,
  type RedisClient,
} from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, type RedisServer } from '../support';

let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start();
});
after(() => cluster?.destroy());

async function otherPrimary(not: RedisServer): Promise<RedisServer> {
  const nodes = await cluster.nodes();
  return nodes.find((n) => n.role === 'primary' && n.server !== not && n.server?.running && n.slots.length > 0)!
    .server!;
}

/** A check-and-set with WATCH: the classic optimistic transaction. */
const transfer = (conn: RedisClient) => async (): Promise<unknown> => {
  await conn.watch('{acct}a', '{acct}b');
  const a = Number(await conn.get('{acct}a'));
  const b = Number(await conn.get('{acct}b'));
  return conn
    .multi()
    .set('{acct}a', String(a - 10))
    .set('{acct}b', String(b + 10))
    .exec();
};

test('isolated(): WATCH/MULTI/EXEC on a connection of its own at the slot owner; a concurrent write aborts the EXEC', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  await c.mset({ '{acct}a': '100', '{acct}b': '0' });
  const owner = await cluster.primaryFor(keySlot('{acct}a'));
  const done = await c.isolated(['{acct}a', '{acct}b'], async (conn) => {
    const id = String(await conn.call('CLIENT', 'ID'));
    assert.match(await owner.cli('CLIENT', 'LIST', 'ID', id), /id=/, 'the connection is to the slot owner');
    return transfer(conn)();
  });
  assert.deepEqual(done, [
    [null, 'OK'],
    [null, 'OK'],
  ]);
  assert.deepEqual(await c.mget('{acct}a', '{acct}b'), ['90', '10']);
  // A write by someone else between WATCH and EXEC: EXEC answers null, nothing ran.
  const aborted = await c.isolated('{acct}a', async (conn) => {
    await conn.watch('{acct}a');
    await c.set('{acct}a', '1000'); // the shared connection, another client as far as WATCH goes
    return conn.multi().set('{acct}a', '0').exec();
  });
  assert.equal(aborted, null);
  assert.equal(await c.get('{acct}a'), '1000');
});

test('isolated(): keys of several slots are refused before anything is sent (plain JavaScript, a single key as a string)', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  let called = false;
  await assert.rejects(
    c.isolated(['a', 'b'], () => {
      called = true;
      return Promise.resolve();
    }),
    ClusterCrossSlotError,
  );
  assert.equal(called, false);
  assert.equal(await c.isolated('single', async (conn) => conn.set('single', 'v')), 'OK');
});

test('isolated() after the slot moved behind the client: MOVED surfaces as ClusterSlotMovedError (nothing of the EXEC ran), the next block runs at the new owner', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  await c.mset({ '{acct}a': '50', '{acct}b': '50' });
  const slot = keySlot('{acct}a');
  const from = await cluster.primaryFor(slot);
  const to = await otherPrimary(from);
  await cluster.moveSlot(slot, to); // the client's map still says `from`
  const err = await c
    .isolated('{acct}a', (conn) => transfer(conn)())
    .then(
      () => assert.fail('the block ran on the old owner'),
      (e: unknown) => e,
    );
  assert.ok(err instanceof ClusterSlotMovedError, String(err));
  assert.equal(err.slot, slot);
  assert.equal(err.to, `${to.host}:${to.port}`);
  assert.deepEqual(await c.mget('{acct}a', '{acct}b'), ['50', '50'], 'nothing ran');
  assert.deepEqual(await c.isolated('{acct}a', (conn) => transfer(conn)()), [
    [null, 'OK'],
    [null, 'OK'],
  ]);
  assert.equal(await to.cli('GET', '{acct}a'), '40', 'the second block ran at the new owner');
});

test('isolated() during a slot migration (the key already moved): ASK surfaces as ClusterSlotMigratingError (from, to; nothing ran), the map is not changed, the next block after the migration runs at the new owner', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  const key = '{isoask}k';
  const slot = keySlot(key);
  await c.set(key, '5');
  const from = await cluster.primaryFor(slot);
  const to = await otherPrimary(from);
  const where = (s: RedisServer) => `${s.host}:${s.port}`;
  await cluster.beginSlotMigration(slot, to);
  try {
    assert.equal(await cluster.migrateKeys(slot, from, to), 1);
    // A plain command: ASKING then GET at the target (the router follows an ASK).
    const plain = await c
      .isolated(key, (conn) => conn.get(key))
      .then(
        () => assert.fail('the block read the key at the migration source'),
        (e: unknown) => e,
      );
    assert.ok(plain instanceof ClusterSlotMigratingError, String(plain));
    assert.equal(plain.code, 'ESLOTMIGRATING');
    assert.equal(plain.slot, slot);
    assert.equal(plain.from, where(from));
    assert.equal(plain.to, where(to));
    assert.equal(plain.inTransaction, false);
    assert.equal(plain.maybeExecuted, false);
    assert.match(plain.message, /migrat/);
    assert.match(plain.message, /after the migration/);
    assert.doesNotMatch(plain.message, /it goes to/);
    // Inside MULTI: EXECABORT, nothing of the transaction ran; and the map still says `from`.
    const queued = await c
      .isolated(key, (conn) => conn.multi().incr(key).exec())
      .then(
        () => assert.fail('the transaction ran'),
        (e: unknown) => e,
      );
    assert.ok(queued instanceof ClusterSlotMigratingError, String(queued));
    assert.equal(queued.inTransaction, true);
    assert.equal(queued.from, where(from), 'an ASK does not change the map: the block went to the source again');
  } finally {
    await cluster.finishSlotMigration(slot, from, to);
  }
  assert.equal(await to.cli('GET', key), '5', 'nothing ran');
  await c.get(key); // MOVED: the map learns the new owner
  assert.equal(await c.isolated(key, (conn) => conn.incr(key)), 6);
  assert.equal(await to.cli('GET', key), '6', 'ran at the new owner');
});

test('isolated(): the slot moves between WATCH and MULTI: the MOVED of a queued command surfaces as ClusterSlotMovedError (not EXECABORT), nothing of the transaction ran', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  await c.mset({ '{mvx}a': '70', '{mvx}b': '30' });
  const slot = keySlot('{mvx}a');
  const from = await cluster.primaryFor(slot);
  const to = await otherPrimary(from);
  let reads = 0;
  const err = await c
    .isolated(['{mvx}a', '{mvx}b'], async (conn) => {
      await conn.watch('{mvx}a', '{mvx}b');
      const a = Number(await conn.get('{mvx}a'));
      reads++;
      await cluster.moveSlot(slot, to); // the owner changes while the block holds `from`'s connection
      return conn
        .multi()
        .set('{mvx}a', String(a - 10))
        .incrby('{mvx}b', 10)
        .exec();
    })
    .then(
      (v) => assert.fail(`the block resolved: ${JSON.stringify(v)}`),
      (e: unknown) => e,
    );
  assert.equal(reads, 1, 'the commands before MULTI ran on the old owner');
  assert.ok(err instanceof ClusterSlotMovedError, `a ClusterSlotMovedError, got ${String(err)}`);
  assert.equal(err.code, 'ESLOTMOVED');
  assert.equal(err.slot, slot);
  assert.equal(err.from, `${from.host}:${from.port}`);
  assert.equal(err.to, `${to.host}:${to.port}`);
  assert.equal(err.maybeExecuted, false, 'EXECABORT: Redis discarded the transaction');
  assert.match(err.message, /EXECABORT|discarded/);
  assert.equal((err.cause as { code?: string }).code, 'EXECABORT', 'the cause is the EXEC answer');
  assert.deepEqual(await to.cli('MGET', '{mvx}a', '{mvx}b'), '70\n30', 'nothing of the transaction ran');
  // The map was updated from the MOVED: the next block goes to the new owner and commits.
  const done = await c.isolated(['{mvx}a', '{mvx}b'], async (conn) => {
    await conn.watch('{mvx}a');
    return conn.multi().decrby('{mvx}a', 10).incrby('{mvx}b', 10).exec();
  });
  assert.deepEqual(done, [
    [null, 60],
    [null, 40],
  ]);
});

test('isolated(): a manual failover between WATCH and MULTI: ClusterSlotMovedError to the promoted replica, nothing of the transaction ran', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  await c.mset({ '{fox}a': '5', '{fox}b': '5' });
  const slot = keySlot('{fox}a');
  let promoted: RedisServer | undefined;
  const err = await c
    .isolated(['{fox}a', '{fox}b'], async (conn) => {
      await conn.watch('{fox}a');
      ({ newPrimary: promoted } = await cluster.failover(slot)); // the block's node is now a replica
      return conn.multi().incr('{fox}a').incr('{fox}b').exec();
    })
    .then(
      (v) => assert.fail(`the block resolved: ${JSON.stringify(v)}`),
      (e: unknown) => e,
    );
  assert.ok(err instanceof ClusterSlotMovedError, `a ClusterSlotMovedError, got ${String(err)}`);
  assert.equal(err.inTransaction, true);
  assert.equal(err.maybeExecuted, false);
  assert.equal(err.to, `${promoted!.host}:${promoted!.port}`);
  assert.deepEqual(await c.mget('{fox}a', '{fox}b'), ['5', '5'], 'nothing of the transaction ran');
  assert.deepEqual(await c.isolated('{fox}a', (conn) => conn.multi().incr('{fox}a').exec()), [[null, 6]]);
});
