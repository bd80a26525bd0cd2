// Scripts and functions on a real 3 + 3 cluster (one for the file): a script runs on the owner of
// its keys' slot, NOSCRIPT is handled on the node that answered it (a node that never ran the
// script, a SCRIPT FLUSH, a replica promoted by a failover), keys of several slots are refused
// before anything is sent; FUNCTION LOAD reaches every primary and FCALL goes by its key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, defineScript, ClusterCrossSlotError, InvalidArgumentError } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, type RedisServer } from '../support';

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
