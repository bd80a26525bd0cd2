// Cluster pipelines on the router's fast path and off it: a command whose owner is ready goes
// straight to the node, and one that the node then redirects (MOVED after a slot moved, ASK during
// a migration) or refuses (TRYAGAIN) is followed as a command routed alone would be, with its
// result in the caller's place and in the order commands were issued. One 3-primary cluster for
// the file; each test moves slots of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createCluster } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, type RedisServer } from '../support';
import { runTs } from '../support/run-ts';

let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start({ primaries: 3, replicas: 0 });
});
after(() => cluster?.destroy());

async function otherPrimary(not: RedisServer): Promise<RedisServer> {
  const nodes = await cluster.nodes();
  return nodes.find((n) => n.role === 'primary' && n.server !== not && n.server !== undefined && n.slots.length)!
    .server!;
}

/** Redirections the client followed, from its diagnostics channel. */
function redirections(): { list: { kind: string; command: string }[]; stop(): void } {
  const list: { kind: string; command: string }[] = [];
  const on = (m: unknown): void => void list.push(m as { kind: string; command: string });
  subscribe('romaine:cluster:redirection', on);
  return { list, stop: () => unsubscribe('romaine:cluster:redirection', on) };
}

test('a pipeline whose slot moved: each command follows MOVED, results in place, APPENDs in the order issued', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  const slot = keySlot('{plmv}');
  const from = await cluster.primaryFor(slot);
  const to = await otherPrimary(from);
  await c.set('{plmv}n', '0');
  await cluster.moveSlot(slot, to); // the client still believes the old owner
  const seen = redirections();
  try {
    const p = c.pipeline();
    const others = Array.from({ length: 30 }, (_, i) => `plmv:other:${i}`);
    for (let i = 0; i < 30; i++) {
      p.append('{plmv}s', String(i % 10));
      p.set(others[i], String(i)); // keys of every primary between them
      p.incr('{plmv}n');
    }
    p.get('{plmv}s');
    const exec = p.exec();
    const after = c.append('{plmv}s', '!'); // issued after the pipeline: must land after its APPENDs
    const results = await exec;
    assert.equal(results.length, 91);
    for (let i = 0; i < 30; i++) {
      assert.deepEqual(results[3 * i], [null, i + 1], `APPEND #${i}`);
      assert.deepEqual(results[3 * i + 1], [null, 'OK']);
      assert.deepEqual(results[3 * i + 2], [null, i + 1], `INCR #${i}`);
    }
    const digits = Array.from({ length: 30 }, (_, i) => String(i % 10)).join('');
    assert.deepEqual(results[90], [null, digits]);
    assert.equal(await after, 31);
    assert.equal(await c.get('{plmv}s'), `${digits}!`);
    assert.ok(
      seen.list.some((r) => r.kind === 'moved' && r.command === 'APPEND'),
      `no MOVED was followed: ${seen.list.map((r) => `${r.kind} ${r.command}`).join(', ')}`,
    );
    assert.deepEqual(
      await Promise.all(others.map((k) => c.get(k))),
      others.map((_, i) => String(i)),
    );
  } finally {
    seen.stop();
  }
});

test('a pipeline during a slot migration: keys already moved follow ASK, the others are read where they are', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  const slot = keySlot('{plask}');
  const keys = Array.from({ length: 20 }, (_, i) => `{plask}${i}`);
  await c.mset(Object.fromEntries(keys.map((k) => [k, `v:${k}`])));
  const from = await cluster.primaryFor(slot);
  const to = await otherPrimary(from);
  await cluster.beginSlotMigration(slot, to);
  try {
    assert.equal(await cluster.migrateKeys(slot, from, to, 10), 10);
    const seen = redirections();
    try {
      const p = c.pipeline();
      for (const k of keys) p.get(k);
      p.call('PING');
      const results = await p.exec();
      assert.deepEqual(
        results.slice(0, keys.length),
        keys.map((k) => [null, `v:${k}`]),
      );
      assert.deepEqual(results[keys.length], [null, 'PONG']);
      assert.ok(
        seen.list.some((r) => r.kind === 'ask' && r.command === 'GET'),
        'no ASK was followed',
      );
    } finally {
      seen.stop();
    }
  } finally {
    await cluster.finishSlotMigration(slot, from, to);
  }
});

test('a pipeline with a multi-key command split by a migration: TRYAGAIN waited out, later commands behind it', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0, unavailableTimeoutMs: 60_000 });
  await c.connect();
  const slot = keySlot('{pltry}');
  await c.mset({ '{pltry}a': '0', '{pltry}b': '0' });
  const from = await cluster.primaryFor(slot);
  const to = await otherPrimary(from);
  await cluster.beginSlotMigration(slot, to);
  await cluster.migrateKeys(slot, from, to, 1); // split: MSET on both keys gets TRYAGAIN
  const p = c.pipeline();
  p.mset({ '{pltry}a': 'first', '{pltry}b': 'first' });
  const exec = p.exec();
  const waiting = (): number => (c as unknown as { router: { waiting: number } }).router.waiting;
  const t0 = Date.now();
  while (waiting() === 0 && Date.now() - t0 < 10_000) await sleep(2);
  assert.ok(waiting() > 0, 'the MSET never waited');
  const q = c.pipeline();
  q.set('{pltry}a', 'second');
  q.set('{pltry}b', 'second');
  const later = q.exec();
  await sleep(100);
  await cluster.finishSlotMigration(slot, from, to);
  assert.deepEqual(await exec, [[null, 'OK']]);
  assert.deepEqual(await later, [
    [null, 'OK'],
    [null, 'OK'],
  ]);
  assert.deepEqual(await c.mget('{pltry}a', '{pltry}b'), ['second', 'second'], 'a later SET overtook the MSET');
});

test('a pipeline over 1,000 keys of every primary: typed replies, call() and Buffers in place', async () => {
  await using c = createCluster({ nodes: [cluster.seeds[0]] });
  await c.connect();
  const p = c.pipeline();
  const keys = Array.from({ length: 1000 }, (_, i) => `plall:${i}`);
  keys.forEach((k, i) => p.set(k, String(i)));
  keys.forEach((k) => p.incr(k));
  p.hset('plall:h', { f: 'v' });
  p.hgetall('plall:h');
  p.call('GET', 'plall:7');
  p.set('plall:bin', Buffer.from([0, 255, 1]));
  const results = await p.exec();
  assert.equal(results.length, 2004);
  assert.ok(results.slice(0, 1000).every(([e, v]) => e === null && v === 'OK'));
  assert.deepEqual(
    results.slice(1000, 2000).map(([e, v]) => (e === null ? v : e.message)),
    keys.map((_, i) => i + 1),
  );
  assert.deepEqual(results.slice(2000), [
    [null, 1],
    [null, { f: 'v' }],
    [null, '8'],
    [null, 'OK'],
  ]);
  assert.deepEqual(await c.buffers.get('plall:bin'), Buffer.from([0, 255, 1]));
});

test('plain JavaScript, as an ioredis Cluster user writes a pipeline', async () => {
  const node = cluster.servers[0];
  const run = await runTs(join(__dirname, 'programs', 'pipeline-user.cjs'), {
    cwd: join(__dirname, '..', '..'),
    redisUrl: `redis://${node.host}:${node.port}`,
  });
  assert.equal(run.code, 0, run.output);
  const out = JSON.parse(run.output.trim().split('\n').at(-1)!);
  assert.deepEqual(out, {
    count: 105,
    errors: ['ERR'],
    visits: Array.from({ length: 50 }, (_, i) => i + 10),
    tail: ['OK', null, '17', 2, { name: 'bob', age: '30' }],
  });
});
