// Self-tests of src/testing/cluster.ts against a real 3 + 3 cluster (one for the whole file:
// each test leaves it healthy for the next).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RedisCluster, ownsSlot, parseClusterNodes } from '../../src/testing/cluster';

let cluster: RedisCluster;
before(async () => {
  const t0 = Date.now();
  cluster = await RedisCluster.start();
  console.log(`# cluster of 6 nodes started in ${Date.now() - t0} ms`);
});
after(() => cluster?.destroy());

// Slot 12182 is where key "foo" lives (the spec's own example).
const FOO_SLOT = 12182;

test('start: 3 primaries with one attached replica each cover all 16384 slots', async () => {
  const nodes = await cluster.nodes();
  const primaries = nodes.filter((n) => n.role === 'primary');
  const replicas = nodes.filter((n) => n.role === 'replica');
  assert.equal(primaries.length, 3);
  assert.equal(replicas.length, 3);
  for (const p of primaries) assert.equal(replicas.filter((r) => r.primaryId === p.id).length, 1);
  for (let slot = 0; slot < 16384; slot++) assert.equal(primaries.filter((p) => ownsSlot(p, slot)).length, 1);
  assert.equal(cluster.seeds.length, 6);
  assert.ok(cluster.servers.every((s) => s.port !== 6379));
  assert.equal(await cluster.servers[0].cli('CLUSTER', 'KEYSLOT', 'foo'), String(FOO_SLOT));
});

test('moveSlot: the old owner answers MOVED and the keys went along', async () => {
  const from = await cluster.primaryFor(FOO_SLOT);
  await from.cli('SET', 'foo', 'bar');
  const to = (await cluster.nodes()).find((n) => n.role === 'primary' && n.server !== from)!.server!;
  await cluster.moveSlot(FOO_SLOT, to);
  assert.equal(await cluster.primaryFor(FOO_SLOT), to);
  assert.equal((await from.cli('GET', 'foo')).trim(), `MOVED ${FOO_SLOT} 127.0.0.1:${to.port}`);
  assert.equal(await to.cli('GET', 'foo'), 'bar');
});

test('beginSlotMigration: a key already moved is answered with ASK by the source', async () => {
  const from = await cluster.primaryFor(FOO_SLOT);
  const to = (await cluster.nodes()).find((n) => n.role === 'primary' && n.server !== from)!.server!;
  await cluster.beginSlotMigration(FOO_SLOT, to);
  assert.equal(await cluster.migrateKeys(FOO_SLOT, from, to), 1);
  assert.equal((await from.cli('GET', 'foo')).trim(), `ASK ${FOO_SLOT} 127.0.0.1:${to.port}`);
  await cluster.finishSlotMigration(FOO_SLOT, from, to);
  await cluster.waitHealthy();
  assert.equal(await cluster.primaryFor(FOO_SLOT), to);
});

test('failover: the replica becomes primary of the same slots, the old primary its replica', async () => {
  const before = await cluster.primaryFor(0);
  const slots = await cluster.slotsOf(before);
  const { oldPrimary, newPrimary } = await cluster.failover(0);
  assert.equal(oldPrimary, before);
  assert.equal(await cluster.primaryFor(0), newPrimary);
  assert.deepEqual(await cluster.slotsOf(newPrimary), slots);
  assert.deepEqual(await cluster.replicasOf(newPrimary), [oldPrimary]);
});

test('killPrimary: a replica takes over; restartNode brings the old primary back as a replica', async () => {
  const { killed, promoted, recoveredMs } = await cluster.killPrimary(5000);
  console.log(`# primary SIGKILLed: cluster recovered in ${recoveredMs} ms`);
  assert.equal(killed.running, false);
  assert.equal(await cluster.primaryFor(5000), promoted);
  await cluster.restartNode(killed);
  assert.deepEqual(await cluster.replicasOf(promoted), [killed]);
});

test('addNode: an empty primary joins, takes slots by reshard, and a replica joins it', async () => {
  const t0 = Date.now();
  const added = await cluster.addNode();
  assert.deepEqual(await cluster.slotsOf(added), []);
  const donor = await cluster.primaryFor(100);
  await cluster.reshard(donor, added, 10);
  assert.equal(
    (await cluster.slotsOf(added)).reduce((n, [a, b]) => n + b - a + 1, 0),
    10,
  );
  const replica = await cluster.addNode({ replicaOf: added });
  assert.deepEqual(await cluster.replicasOf(added), [replica]);
  console.log(`# addNode + reshard 10 slots + addNode replica: ${Date.now() - t0} ms`);
});

test('restartAll: every node stops and comes back with the same slots', async () => {
  const beforeView = (await cluster.nodes()).map((n) => `${n.id} ${n.role} ${JSON.stringify(n.slots)}`).sort();
  const t0 = Date.now();
  await cluster.restartAll();
  console.log(`# restartAll of ${cluster.servers.length} nodes: ${Date.now() - t0} ms`);
  const afterView = (await cluster.nodes()).map((n) => `${n.id} ${n.role} ${JSON.stringify(n.slots)}`).sort();
  assert.deepEqual(afterView, beforeView);
});

test('parseClusterNodes: flags, hostname suffix and migration markers', () => {
  const text = [
    'a1 127.0.0.1:7001@17001,host-a myself,master - 0 0 1 connected 0-5460 [5461->-b2]',
    'b2 127.0.0.1:7002@17002 master,fail? - 0 0 2 disconnected 5461 5462-10922',
    'c3 127.0.0.1:7004@17004 slave a1 0 0 1 connected',
  ].join('\n');
  const [a, b, c] = parseClusterNodes(text);
  assert.deepEqual(a, {
    id: 'a1',
    host: '127.0.0.1',
    port: 7001,
    role: 'primary',
    primaryId: undefined,
    slots: [[0, 5460]],
    failing: false,
    connected: true,
  });
  assert.deepEqual(b.slots, [
    [5461, 5461],
    [5462, 10922],
  ]);
  assert.equal(b.failing, true);
  assert.equal(b.connected, false);
  assert.equal(c.role, 'replica');
  assert.equal(c.primaryId, 'a1');
});
