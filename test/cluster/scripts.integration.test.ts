// Scripts and functions on a real 3 + 3 cluster (one for the file): a script runs on the owner of
// its keys' slot, NOSCRIPT is handled on the node that answered it (a node that never ran the
// script, a SCRIPT FLUSH, a replica promoted by a failover), keys of several slots are refused
// before anything is sent; FUNCTION LOAD reaches every primary and FCALL goes by its key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, defineScript, ClusterCrossSlotError, InvalidArgumentError } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { join } from 'node:path';
import { RedisCluster, type RedisServer } from '../support';
import { runTs } from '../support/run-ts';

let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start();
});
after(() => cluster?.destroy());

const primaries = async (): Promise<RedisServer[]> =>
  (await cluster.nodes()).filter((n) => n.role === 'primary' && !n.failing && n.slots.length > 0).map((n) => n.server!);

/** One key per primary (in a slot it serves), prefixed. */
async function keyPerPrimary(prefix: string): Promise<{ key: string; owner: RedisServer }[]> {
  const out: { key: string; owner: RedisServer }[] = [];
  const seen = new Set<RedisServer>();
  for (let i = 0; seen.size < (await primaries()).length; i++) {
    const key = `${prefix}${i}`;
    const owner = await cluster.primaryFor(keySlot(key));
    if (seen.has(owner)) continue;
    seen.add(owner);
    out.push({ key, owner });
  }
  return out;
}

const exists = async (s: RedisServer, sha: string): Promise<boolean> =>
  (await s.cli('SCRIPT', 'EXISTS', sha)).trim() === '1';

test('runScript goes to the owner of its keys, is loaded on each node that answers NOSCRIPT, and nowhere else', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  for (const p of await primaries()) await p.cli('SCRIPT', 'FLUSH');
  const incrBy = defineScript("return redis.call('INCRBY', KEYS[1], ARGV[1])", { numberOfKeys: 1 });
  const [a, b, third] = await keyPerPrimary('sc:');
  assert.equal(await c.runScript(incrBy, [a.key], [5]), 5);
  assert.equal(await c.runScript(incrBy, [a.key], [5]), 10);
  assert.equal(await c.runScript(incrBy, [b.key], [2]), 2);
  assert.equal(await a.owner.cli('GET', a.key), '10', 'ran on the key owner');
  assert.equal(await b.owner.cli('GET', b.key), '2');
  assert.equal(await exists(a.owner, incrBy.sha1), true);
  assert.equal(await exists(b.owner, incrBy.sha1), true);
  assert.equal(await exists(third.owner, incrBy.sha1), false, 'a node that ran nothing did not load it');
  // SCRIPT FLUSH on one node (as a restart would): the next run loads it there again.
  await a.owner.cli('SCRIPT', 'FLUSH');
  assert.equal(await c.runScript(incrBy, [a.key], ['1']), 11);
  assert.equal(await exists(a.owner, incrBy.sha1), true);
  // Keys of several slots: refused before anything is sent.
  await assert.rejects(c.runScript(incrBy, [a.key, b.key], []), InvalidArgumentError);
  const two = defineScript("return redis.call('MGET', KEYS[1], KEYS[2])");
  await assert.rejects(c.runScript(two, [a.key, b.key]), ClusterCrossSlotError);
  assert.deepEqual(await c.runScript(two, [`{${a.key}}x`, `{${a.key}}y`]), [null, null]);
  // Keyless: any primary; errors of the script itself reach the caller as they are.
  assert.equal(await c.runScript(defineScript('return 42')), 42);
  await assert.rejects(c.runScript(defineScript("return redis.call('NOPE')")), /Unknown Redis command|NOPE/i);
});

test('a script keeps its place among the commands for its node: a GET issued in the same tick sees its write, on first use and after cluster.scriptFlush(); a NOSCRIPT behind its back never runs it after the GET', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  const incr = defineScript(`return redis.call('INCR', KEYS[1]) -- order ${Date.now()}`, { numberOfKeys: 1 });
  const runThenGet = (key: string) => Promise.all([c.runScript(incr, [key]), c.get(key)]);
  const [a, b] = await keyPerPrimary('so:');
  assert.deepEqual(await runThenGet(a.key), [1, '1'], 'first use on the node');
  assert.deepEqual(await runThenGet(b.key), [1, '1'], 'first use on another node');
  assert.deepEqual(await runThenGet(a.key), [2, '2'], 'cached there: EVALSHA alone');
  await c.scriptFlush();
  assert.deepEqual(await runThenGet(a.key), [3, '3'], "after the client's own SCRIPT FLUSH");
  // Behind the client's back: the GET went after the EVALSHA, so the script does not run at all.
  await a.owner.cli('SCRIPT', 'FLUSH');
  const [ran, read] = await Promise.allSettled([c.runScript(incr, [a.key]), c.get(a.key)]);
  assert.equal(ran.status, 'rejected');
  const err = ran.reason as Error & { code?: string };
  assert.equal(err.code, 'NOSCRIPT');
  assert.match(err.message, /did not run/);
  assert.deepEqual(read, { status: 'fulfilled', value: '3' });
  assert.equal(await a.owner.cli('GET', a.key), '3', 'the script did not run');
  assert.deepEqual(await runThenGet(a.key), [4, '4'], 'loaded again first');
});

test('a script run before a failover still works after it: the promoted replica answers NOSCRIPT and loads it', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  const script = defineScript("redis.call('INCR', KEYS[1]); return redis.call('GET', KEYS[1])", {
    numberOfKeys: 1,
  });
  const [{ key }] = await keyPerPrimary('fo:');
  assert.equal(await c.runScript(script, [key]), '1');
  const { newPrimary } = await cluster.failover(keySlot(key));
  assert.equal(await exists(newPrimary, script.sha1), false, 'the promoted replica has no copy of the script');
  assert.equal(await c.runScript(script, [key]), '2');
  assert.equal(await exists(newPrimary, script.sha1), true);
  assert.equal(await newPrimary.cli('GET', key), '2', 'ran on the new primary');
});

test('FUNCTION LOAD reaches every primary; FCALL goes by its key, before and after a failover (plain JavaScript arguments)', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  const lib =
    "#!lua name=clib\nredis.register_function('cincr', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)";
  await c.call('FUNCTION', 'LOAD', 'REPLACE', lib);
  const keys = await keyPerPrimary('fn:');
  for (const { key, owner } of keys) {
    assert.equal(await c.call('FCALL', 'cincr', 1, key, 3), 3);
    assert.equal(await owner.cli('GET', key), '3');
    assert.equal(await c.fcall('cincr', [key], ['4']), 7);
  }
  const { newPrimary } = await cluster.failover(keySlot(keys[0].key));
  assert.equal(await c.call('FCALL', 'cincr', 1, keys[0].key, 1), 8);
  assert.equal(await newPrimary.cli('GET', keys[0].key), '8');
});

/** Calls of EVAL, EVALSHA and SCRIPT LOAD on a node since its last CONFIG RESETSTAT. */
async function scriptCalls(s: RedisServer): Promise<{ eval: number; evalsha: number; load: number }> {
  const info = await s.cli('INFO', 'commandstats');
  const calls = (name: string) => Number(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { eval: calls('eval'), evalsha: calls('evalsha'), load: calls('script\\|load') };
}

test('scripts in a pipeline across slots: each at its keys owner, SCRIPT LOAD once ahead of it on each node that needs it, EVALSHA in its place; NOSCRIPT after a flush gets EVAL there', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  const incrBy = defineScript(`return redis.call('INCRBY', KEYS[1], ARGV[1]) -- pipeline ${Date.now()}`, {
    numberOfKeys: 1,
  });
  const [a, b, third] = await keyPerPrimary('sp:');
  const nodes = [a.owner, b.owner, third.owner];
  for (const s of nodes) await s.cli('CONFIG', 'RESETSTAT');
  const p = c
    .pipeline()
    .runScript(incrBy, [a.key], [1])
    .get(a.key)
    .runScript(incrBy, [b.key], [2])
    .runScript(incrBy, [a.key], [3])
    .get(a.key)
    .runScript(defineScript("return redis.call('MGET', KEYS[1], KEYS[2])"), [a.key, b.key]);
  const results = await p.exec();
  assert.deepEqual(results.slice(0, 5), [
    [null, 1],
    [null, '1'],
    [null, 2],
    [null, 4],
    [null, '4'],
  ]);
  assert.ok(results[5][0] instanceof ClusterCrossSlotError, 'keys of several slots: the error in its place');
  assert.deepEqual(await scriptCalls(a.owner), { eval: 0, evalsha: 2, load: 1 });
  assert.deepEqual(await scriptCalls(b.owner), { eval: 0, evalsha: 1, load: 1 });
  assert.deepEqual(await scriptCalls(third.owner), { eval: 0, evalsha: 0, load: 0 }, 'nothing where no key is');
  // Known on those nodes now: EVALSHA only.
  for (const s of nodes) await s.cli('CONFIG', 'RESETSTAT');
  assert.deepEqual(await c.pipeline().runScript(incrBy, [a.key], [10]).runScript(incrBy, [b.key], [10]).exec(), [
    [null, 14],
    [null, 12],
  ]);
  assert.deepEqual(await scriptCalls(a.owner), { eval: 0, evalsha: 1, load: 0 });
  // Flushed behind the client's back: NOSCRIPT, then EVAL on that node, the script ran once.
  await a.owner.cli('SCRIPT', 'FLUSH');
  for (const s of nodes) await s.cli('CONFIG', 'RESETSTAT');
  assert.deepEqual(await c.pipeline().runScript(incrBy, [a.key], [100]).exec(), [[null, 114]]);
  assert.deepEqual(await scriptCalls(a.owner), { eval: 1, evalsha: 1, load: 0 });
  assert.equal(await a.owner.cli('GET', a.key), '114');
});

test('a script in a pipeline after a failover: the promoted replica gets SCRIPT LOAD ahead of the EVALSHA (a new node is not known to have it)', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  const script = defineScript(`return redis.call('INCR', KEYS[1]) -- failover ${Date.now()}`, { numberOfKeys: 1 });
  const [{ key }] = await keyPerPrimary('spf:');
  assert.deepEqual(await c.pipeline().runScript(script, [key]).exec(), [[null, 1]]);
  const { newPrimary } = await cluster.failover(keySlot(key));
  await newPrimary.cli('CONFIG', 'RESETSTAT');
  assert.deepEqual(await c.pipeline().runScript(script, [key]).get(key).exec(), [
    [null, 2],
    [null, '2'],
  ]);
  assert.deepEqual(await scriptCalls(newPrimary), { eval: 0, evalsha: 1, load: 1 });
});

test('a script in a pipeline during a slot migration: ASK to the target, where SCRIPT LOAD, ASKING and EVALSHA go in that order', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  const script = defineScript(`return redis.call('INCRBY', KEYS[1], ARGV[1]) -- ask ${Date.now()}`, {
    numberOfKeys: 1,
  });
  const key = '{spask}k';
  const slot = keySlot(key);
  await c.set(key, '10');
  const from = await cluster.primaryFor(slot);
  const to = (await primaries()).find((s) => s !== from)!;
  await cluster.beginSlotMigration(slot, to);
  try {
    assert.equal(await cluster.migrateKeys(slot, from, to), 1);
    await to.cli('CONFIG', 'RESETSTAT');
    assert.deepEqual(await c.pipeline().runScript(script, [key], [5]).exec(), [[null, 15]]);
    assert.deepEqual(await scriptCalls(to), { eval: 0, evalsha: 1, load: 1 });
  } finally {
    await cluster.finishSlotMigration(slot, from, to);
  }
  assert.equal(await to.cli('GET', key), '15', 'ran at the migration target (the new owner now)');
});

test('a script in a cluster multi(): EVAL at the owner of the block slot; its keys count for the slot', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  const script = defineScript(`return redis.call('INCRBY', KEYS[1], ARGV[1]) -- multi ${Date.now()}`);
  assert.equal(await c.runScript(script, ['{smx}n'], [1]), 1); // cached at the owner: multi() still sends EVAL
  const owner = await cluster.primaryFor(keySlot('{smx}n'));
  await owner.cli('CONFIG', 'RESETSTAT');
  assert.deepEqual(await c.multi().runScript(script, ['{smx}n'], [10]).get('{smx}n').exec(), [
    [null, 11],
    [null, '11'],
  ]);
  assert.deepEqual(await scriptCalls(owner), { eval: 1, evalsha: 0, load: 0 });
  await assert.rejects(c.multi().get('{smx}n').runScript(script, ['other']).exec(), ClusterCrossSlotError);
  assert.throws(
    () => defineScript('return 1', { numberOfKeys: 1 }).run(c.multi() as never),
    /cluster\.pipeline\(\)\.runScript/,
  );
});

test('plain JavaScript: scripts in a cluster pipeline and multi(), wrong calls refused before anything is sent', async () => {
  const node = cluster.servers.find((s) => s.running)!;
  const run = await runTs(join(__dirname, 'programs', 'script-user.cjs'), {
    cwd: join(__dirname, '..', '..'),
    redisUrl: `redis://${node.host}:${node.port}`,
    args: ['cluster'],
  });
  assert.equal(run.code, 0, run.output);
  assert.deepEqual(JSON.parse(run.output.trim().split('\n').at(-1)!), {
    piped: [1, '1', 2, '2', 3, '3'],
    tx: [5, 6],
    refused: ['EINVALIDARG', 'EINVALIDARG', 'EINVALIDARG'],
    run: 'EINVALIDARG',
    direct: 1001,
  });
});
