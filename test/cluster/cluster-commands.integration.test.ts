// The typed cluster methods (clusterInfo, clusterMyid, clusterNodes, clusterShards, clusterKeyslot,
// clusterCountkeysinslot, clusterGetkeysinslot, readonly/readwrite, asking) against a real
// 3-primary, 3-replica cluster: a romaine client connected straight to one node, as a user
// inspecting or operating a cluster does; and the same methods on a ClusterClient's node handles.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, createCluster, ReplyError, type RedisClient } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, type RedisServer } from '../support';

let cluster: RedisCluster;
const clients: RedisClient[] = [];
before(async () => {
  cluster = await RedisCluster.start({ primaries: 3, replicas: 1 });
});
after(async () => {
  for (const c of clients) c.destroy();
  await cluster?.destroy();
});

async function clientFor(server: RedisServer): Promise<RedisClient> {
  const c = createClient({ host: '127.0.0.1', port: server.port });
  clients.push(c);
  await c.connect();
  return c;
}

test('CLUSTER INFO, MYID, NODES, SHARDS, SLOTS on a node: what the cluster is', async () => {
  const primary = await cluster.primaryFor(0);
  const c = await clientFor(primary);
  const info = await c.clusterInfo();
  assert.equal(info.cluster_state, 'ok');
  assert.equal(info.cluster_slots_assigned, 16384);
  assert.equal(info.cluster_known_nodes, 6);
  assert.equal(info.cluster_size, 3);

  const myid = await c.clusterMyid();
  assert.equal(myid, cluster.idOf(primary));

  const nodes = await c.clusterNodes();
  assert.equal(nodes.length, 6);
  const me = nodes.find((n) => n.flags.includes('myself'));
  assert.equal(me?.id, myid);
  assert.ok(me?.flags.includes('master'));
  assert.equal(me?.master, null);
  assert.ok(me?.address.startsWith(`127.0.0.1:${primary.port}@`));
  assert.equal(nodes.filter((n) => n.flags.includes('slave')).length, 3);
  for (const n of nodes.filter((x) => x.flags.includes('slave'))) assert.ok(nodes.some((m) => m.id === n.master));

  const shards = await c.clusterShards();
  assert.equal(shards.length, 3);
  const covered = shards.flatMap((s) => s.slots).reduce((sum, [a, b]) => sum + (b - a + 1), 0);
  assert.equal(covered, 16384);
  for (const s of shards) {
    assert.deepEqual(s.nodes.map((n) => n.role).sort(), ['master', 'replica']);
    for (const n of s.nodes) {
      assert.equal(typeof n.port, 'number');
      // A replica may still be in its first sync right after the cluster was made.
      const healthy = n.role === 'master' ? ['online'] : ['online', 'loading'];
      assert.ok(healthy.includes(n.health), JSON.stringify(n));
    }
  }
  const mine = shards.find((s) => s.nodes.some((n) => n.id === myid));
  assert.deepEqual(mine?.slots, await cluster.slotsOf(primary));

  // CLUSTER SLOTS is deprecated (no typed method: clusterShards()); call() still reaches it.
  const slots = (await c.call('CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
  assert.equal(
    slots.reduce((sum, [a, b]) => sum + (b - a + 1), 0),
    16384,
  );
});

test('CLUSTER KEYSLOT, COUNTKEYSINSLOT, GETKEYSINSLOT at the slot owner', async () => {
  const slot = keySlot('{ck}');
  const owner = await cluster.primaryFor(slot);
  const c = await clientFor(owner);
  assert.equal(await c.clusterKeyslot('{ck}:a'), slot);
  assert.equal(await c.clusterKeyslot('foo'), 12182);
  assert.equal(await c.clusterCountkeysinslot(slot), 0);
  for (const k of ['a', 'b', 'c']) await c.set(`{ck}:${k}`, k);
  assert.equal(await c.clusterCountkeysinslot(slot), 3);
  assert.deepEqual((await c.clusterGetkeysinslot(slot, 10)).sort(), ['{ck}:a', '{ck}:b', '{ck}:c']);
  assert.equal((await c.clusterGetkeysinslot(slot, 2)).length, 2);
  // Another node owns none of them: MOVED for the key, 0 in its own count.
  const other = await clientFor(cluster.servers.find((s) => s !== owner && s.port !== owner.port) as RedisServer);
  assert.equal(await other.clusterCountkeysinslot(slot), 0);
});

test('READONLY on a replica, then a read of its slot is served there; READWRITE brings MOVED back', async () => {
  const slot = keySlot('{ro}');
  const primary = await cluster.primaryFor(slot);
  const [replica] = await cluster.replicasOf(primary);
  const p = await clientFor(primary);
  assert.equal(await p.set('{ro}k', 'v'), 'OK');
  assert.equal(await p.wait(1, 5000), 1);

  const r = await clientFor(replica);
  await assert.rejects(r.get('{ro}k'), (err: Error) => err instanceof ReplyError && err.code === 'MOVED');
  assert.equal(await r.readonly(), 'OK');
  assert.equal(await r.get('{ro}k'), 'v');
  await assert.rejects(r.set('{ro}k', 'w'), (err: Error) => err instanceof ReplyError && err.code === 'MOVED');
  assert.equal(await r.readwrite(), 'OK');
  await assert.rejects(r.get('{ro}k'), (err: Error) => err instanceof ReplyError && err.code === 'MOVED');
});

test('ASKING: a key of a slot being imported is served by the importing node only right after ASKING', async () => {
  const slot = keySlot('{ask}');
  const from = await cluster.primaryFor(slot);
  const target = (await cluster.nodes()).find((n) => n.role === 'primary' && n.port !== from.port);
  assert.ok(target !== undefined);
  const toServer = cluster.server(target.port);
  const src = await clientFor(from);
  await src.set('{ask}k', 'moved');
  await cluster.beginSlotMigration(slot, toServer);
  try {
    await cluster.migrateKeys(slot, from, toServer);
    const dst = await clientFor(toServer);
    await assert.rejects(dst.get('{ask}k'), (err: Error) => err instanceof ReplyError && err.code === 'MOVED');
    await assert.rejects(src.get('{ask}k'), (err: Error) => err instanceof ReplyError && err.code === 'ASK');
    assert.equal(await dst.asking(), 'OK');
    assert.equal(await dst.get('{ask}k'), 'moved');
    // One command only: the next one is redirected again.
    await assert.rejects(dst.get('{ask}k'), (err: Error) => err instanceof ReplyError && err.code === 'MOVED');
    const [[e1, ok], [e2, value]] = await dst.pipeline().asking().get('{ask}k').exec();
    assert.deepEqual([e1, ok, e2, value], [null, 'OK', null, 'moved']);
  } finally {
    await cluster.finishSlotMigration(slot, from, toServer);
  }
});

test('the same typed methods on a ClusterClient node handle ask that node', async () => {
  const c = createCluster({ nodes: cluster.seeds });
  try {
    await c.connect();
    const handles = c.nodes('all');
    assert.equal(handles.length, 6);
    const ids = await Promise.all(handles.map((h) => h.clusterMyid()));
    assert.equal(new Set(ids).size, 6, 'each handle asked its own node');
    for (const [i, h] of handles.entries()) assert.equal(ids[i], cluster.idOf(cluster.server(h.port)));
    const info = await handles[0].clusterInfo();
    assert.equal(info.cluster_state, 'ok');
    const slot = keySlot('{hk}');
    await c.set('{hk}x', 1);
    const owner = await cluster.primaryFor(slot);
    assert.equal(await c.node({ host: '127.0.0.1', port: owner.port }).clusterCountkeysinslot(slot), 1);
  } finally {
    await c.close();
  }
});
