// HSCAN, SSCAN and ZSCAN as iterators on a cluster (cluster.hscanIterator() and friends, and the
// Buffer variants of cluster.buffers), on a real 3 + 3 cluster: each page goes to the key's node,
// and a slot moved to another primary mid-iteration is followed (MOVED) without losing an element.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, InvalidArgumentError } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, type RedisServer } from '../support';

let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start();
});
after(() => cluster?.destroy());

const N = 600; // past every listpack limit: a real hash table, many pages

async function otherPrimary(not: RedisServer): Promise<RedisServer> {
  const nodes = await cluster.nodes();
  return nodes.find((n) => n.role === 'primary' && n.server !== not && n.server?.running && n.slots.length > 0)!
    .server!;
}

test('hscanIterator, sscanIterator, zscanIterator walk a key at its node; the Buffer variants yield bytes', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  const fields = Array.from({ length: N }, (_, i) => `f${i}`);
  await c.hset('ks:h', Object.fromEntries(fields.map((f) => [f, `v-${f}`])));
  await c.sadd('ks:s', ...fields);
  await c.call('ZADD', 'ks:z', ...fields.flatMap((f, i) => [String(i), f]));
  const h = new Map<string, string>();
  for await (const [f, v] of c.hscanIterator('ks:h', { COUNT: 20 })) h.set(f, v);
  assert.equal(h.size, N);
  assert.equal(h.get('f7'), 'v-f7');
  const s = new Set<string>();
  for await (const m of c.sscanIterator('ks:s', { MATCH: 'f1*' })) s.add(m);
  assert.deepEqual([...s].sort(), fields.filter((f) => f.startsWith('f1')).sort());
  const z = new Map<string, number>();
  for await (const { value, score } of c.zscanIterator('ks:z')) z.set(value, score);
  assert.equal(z.size, N);
  assert.equal(z.get('f42'), 42);
  const bh: [Buffer, Buffer][] = [];
  for await (const e of c.buffers.hscanIterator('ks:h')) bh.push(e);
  assert.equal(bh.length, N);
  assert.ok(Buffer.isBuffer(bh[0][0]) && Buffer.isBuffer(bh[0][1]));
  const bs: Buffer[] = [];
  for await (const m of c.buffers.sscanIterator('ks:s')) bs.push(m);
  assert.equal(bs.length, N);
  assert.ok(Buffer.isBuffer(bs[0]));
  // Options spelled like ioredis' scanStream() are refused before the first page (plain JavaScript).
  assert.throws(
    () => (c.hscanIterator as (k: string, o: unknown) => unknown)('ks:h', { match: 'f*' }),
    InvalidArgumentError,
  );
});

test('a slot moved to another primary in the middle of an HSCAN: the next page follows MOVED, every field comes', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  const key = 'ks:moving';
  const fields = Array.from({ length: N }, (_, i) => `m${i}`);
  await c.hset(key, Object.fromEntries(fields.map((f) => [f, '1'])));
  const slot = keySlot(key);
  const from = await cluster.primaryFor(slot);
  const to = await otherPrimary(from);
  const seen = new Set<string>();
  let moved = false;
  for await (const [f] of c.hscanIterator(key, { COUNT: 10 })) {
    seen.add(f);
    if (!moved && seen.size >= 50) {
      moved = true;
      await cluster.moveSlot(slot, to);
    }
  }
  assert.ok(moved);
  assert.equal(await to.cli('HLEN', key), String(N), 'the key is on the new owner');
  assert.deepEqual([...seen].sort(), [...fields].sort(), 'every field came');
});
