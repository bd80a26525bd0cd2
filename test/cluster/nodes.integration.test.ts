// cluster.nodes()/node(), the fan-out of keyless commands by their command tips (DBSIZE summed,
// FLUSHALL/FLUSHDB and SCRIPT/FUNCTION LOAD on every primary, KEYS merged) and scanIterator()
// across the primaries, on a real 3 + 3 cluster (one for the file; no test breaks it).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, ClusterUnavailableError, InvalidArgumentError } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, type RedisServer } from '../support';

let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start();
});
after(() => cluster?.destroy());

const primaries = async (): Promise<RedisServer[]> =>
  (await cluster.nodes()).filter((n) => n.role === 'primary' && !n.failing).map((n) => n.server!);
const replicas = async (): Promise<RedisServer[]> =>
  (await cluster.nodes()).filter((n) => n.role === 'replica').map((n) => n.server!);

/** Keys that cover every one of the 16384 slots at least once (hash tags {s<slot>} found by search). */
function keysInEverySlot(): string[] {
  const bySlot = new Map<number, string>();
  for (let i = 0; bySlot.size < 16384; i++) {
    const k = `k${i}`;
    const s = keySlot(k);
    if (!bySlot.has(s)) bySlot.set(s, k);
  }
  return [...bySlot.values()];
}
const ALL_SLOTS = keysInEverySlot();

beforeEach(async () => {
  for (const p of await primaries()) await p.cli('FLUSHALL');
});

test('DBSIZE is summed over the primaries, KEYS merged, FLUSHDB and FLUSHALL reach every primary', async () => {
  await using c = createCluster({ nodes: [cluster.seeds[0]] });
  await c.connect();
  await Promise.all(ALL_SLOTS.map((k) => c.set(k, '1')));
  const perNode = await Promise.all((await primaries()).map(async (p) => Number(await p.cli('DBSIZE'))));
  assert.ok(perNode.every((n) => n > 0));
  assert.equal(await c.dbsize(), ALL_SLOTS.length);
  assert.equal(await c.call('DBSIZE'), ALL_SLOTS.length);
  const keys = await c.keys('k1*');
  assert.deepEqual([...keys].sort(), ALL_SLOTS.filter((k) => k.startsWith('k1')).sort());

  assert.equal(await c.flushdb(), 'OK');
  assert.equal(await c.dbsize(), 0);
  for (const p of await primaries()) assert.equal(await p.cli('DBSIZE'), '0');

  await Promise.all(ALL_SLOTS.slice(0, 3000).map((k) => c.set(k, '1')));
  assert.equal(await c.call('FLUSHALL'), 'OK');
  for (const p of await primaries()) assert.equal(await p.cli('DBSIZE'), '0');
  assert.equal(await c.randomkey(), null);
  await c.set('only-one', 'x');
  assert.equal(await c.randomkey(), 'only-one', 'RANDOMKEY answers the key of whichever primary has one');
});

test('SCRIPT LOAD reaches every node (replicas too), SCRIPT EXISTS is true only where all have it, SCRIPT FLUSH clears all; FUNCTION LOAD on every primary', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  const sha = await c.scriptLoad('return 42');
  for (const s of [...(await primaries()), ...(await replicas())])
    assert.equal(await s.cli('SCRIPT', 'EXISTS', sha), '1', `loaded on 127.0.0.1:${s.port}`);
  assert.deepEqual(await c.scriptExists(sha, '0'.repeat(40)), [true, false]);
  // EVALSHA of a key in any slot now finds it, whichever primary serves the key.
  for (const k of ['a', 'b', 'c', 'd', 'e']) assert.equal(await c.evalsha(sha, [k]), 42);
  const [one] = await primaries();
  await one.cli('SCRIPT', 'FLUSH');
  assert.deepEqual(await c.scriptExists(sha), [false], 'AND over the primaries');
  assert.equal(await c.scriptFlush(), 'OK');
  for (const s of [...(await primaries()), ...(await replicas())])
    assert.equal(await s.cli('SCRIPT', 'EXISTS', sha), '0');

  const lib = "#!lua name=cnodeslib\nredis.register_function('cnodes_f', function(keys) return keys[1] end)";
  assert.equal(await c.functionLoad(lib, { REPLACE: true }), 'cnodeslib');
  for (const p of await primaries()) assert.match(await p.cli('FUNCTION', 'LIST'), /cnodeslib/);
  for (const k of ['a', 'b', 'c']) assert.equal(await c.fcall('cnodes_f', [k]), k);
  assert.equal(await c.functionDelete('cnodeslib'), 'OK');
  for (const p of await primaries()) assert.doesNotMatch(await p.cli('FUNCTION', 'LIST'), /cnodeslib/);
});

test('scanIterator yields every key of every primary exactly once, with MATCH, COUNT and TYPE', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  await Promise.all(ALL_SLOTS.map((k) => c.set(k, '1')));
  await Promise.all(['h1', 'h2', 'h3'].map((k) => c.hset(`hash:${k}`, { f: 'v' })));
  const seen: string[] = [];
  for await (const k of c.scanIterator({ COUNT: 500 })) seen.push(k);
  assert.equal(seen.length, ALL_SLOTS.length + 3, 'no key twice');
  assert.equal(new Set(seen).size, seen.length);
  const hashes: string[] = [];
  for await (const k of c.scanIterator({ TYPE: 'hash' })) hashes.push(k);
  assert.deepEqual(hashes.sort(), ['hash:h1', 'hash:h2', 'hash:h3']);
  const matched: string[] = [];
  for await (const k of c.scanIterator({ MATCH: 'k99*' })) matched.push(k);
  assert.deepEqual(matched.sort(), ALL_SLOTS.filter((k) => k.startsWith('k99')).sort());
  // The single client's option check: a lower-case ioredis option is refused before any SCAN.
  assert.throws(() => c.scanIterator({ match: 'x*' } as never), InvalidArgumentError);
});

test('nodes() and node() address each node; a handle runs typed commands there and cannot close the shared connection', async () => {
  await using c = createCluster({ nodes: [cluster.seeds[0]] });
  await c.connect();
  const ps = c.nodes();
  const rs = c.nodes('replica');
  assert.equal(ps.length, 3);
  assert.equal(rs.length, 3);
  assert.equal(c.nodes('all').length, 6);
  assert.deepEqual(
    ps.map((n) => n.nodeRole),
    ['primary', 'primary', 'primary'],
  );
  const ports = new Set((await primaries()).map((p) => p.port));
  for (const n of ps) assert.ok(ports.has(n.port));

  // Typed methods, call() and buffers on one node: what that node says about itself.
  for (const n of ps) {
    assert.match(String(await n.call('ROLE').then((r) => (r as unknown[])[0])), /master/);
    assert.equal(await n.ping(), 'PONG');
    assert.equal(Number((await n.info('server')).server.tcp_port), n.port);
  }
  for (const n of rs) assert.equal(((await n.call('ROLE')) as unknown[])[0], 'slave');
  const owner = c.node(ownerOf(c, '{r}k'));
  await owner.set('{r}k', 'direct');
  assert.equal(await c.get('{r}k'), 'direct');
  assert.deepEqual(await owner.buffers.get('{r}k'), Buffer.from('direct'));
  const dbs = await Promise.all(ps.map((n) => n.dbsize()));
  assert.equal(
    dbs.reduce((a, b) => a + b, 0),
    await c.dbsize(),
  );
  const keysOnOwner: string[] = [];
  for await (const k of owner.scanIterator()) keysOnOwner.push(k);
  assert.ok(keysOnOwner.includes('{r}k'));

  // node() by 'host:port' or { host, port }; unknown nodes are refused with the known list.
  assert.equal(c.node(ps[1].address).address, ps[1].address);
  assert.equal(c.node({ host: ps[2].host, port: ps[2].port }).nodeRole, 'primary');
  assert.throws(() => c.node('127.0.0.1:1'), /no such node.*known: 127\.0\.0\.1:/);
  assert.throws(() => c.nodes('master' as never), InvalidArgumentError);

  // No way to end the cluster's connection through a handle.
  const h = ps[0] as unknown as Record<string, unknown>;
  for (const m of ['close', 'destroy', 'quit', 'disconnect', 'connect', 'duplicate', 'multi', 'pipeline'])
    assert.equal(h[m], undefined, `a node handle has no ${m}()`);
  await assert.rejects(ps[0].call('QUIT'), InvalidArgumentError);
  await assert.rejects(ps[0].call('CLIENT', 'REPLY', 'OFF'), InvalidArgumentError);
  assert.equal(await c.ping(), 'PONG');
  assert.equal(c.state, 'ready');

  // After close, a handle refuses instead of reopening anything.
  await c.close();
  await assert.rejects(ps[0].ping(), ClusterUnavailableError);
});

function ownerOf(c: ReturnType<typeof createCluster>, key: string): string {
  const map = (c as unknown as { topo: { map: { primaryFor(s: number): { key: string } } } }).topo.map;
  return map.primaryFor(keySlot(key)).key;
}
