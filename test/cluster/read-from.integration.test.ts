// readFrom on a real 3 + 3 cluster: reads land on replicas (INFO commandstats on each node, the
// READONLY flag in the replica's CLIENT LIST), writes never do; READONLY comes back after the
// replica connection is killed; a killed replica's reads go to the primary (preferReplica) or
// wait for a replica (replica); a replica that answers MOVED is followed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, ClusterUnavailableError, InvalidArgumentError } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, pollUntil, type RedisServer } from '../support';
import { waitReplicated } from '../../src/testing/replication';

let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start();
});
after(() => cluster?.destroy());

const role = async (want: 'primary' | 'replica'): Promise<RedisServer[]> =>
  (await cluster.nodes()).filter((n) => n.role === want && !n.failing && n.server?.running).map((n) => n.server!);

/** calls of one command in INFO commandstats (0 when absent). */
async function calls(s: RedisServer, cmd: string): Promise<{ calls: number; rejected: number }> {
  const m = new RegExp(`cmdstat_${cmd}:calls=(\\d+),[^\\n]*rejected_calls=(\\d+)`).exec(
    await s.cli('INFO', 'commandstats'),
  );
  return m === null ? { calls: 0, rejected: 0 } : { calls: Number(m[1]), rejected: Number(m[2]) };
}

/** Waits until `ok()` is true (generous budgets: the machine is shared). */
const until = (what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<true> =>
  pollUntil(what, async () => ((await ok()) ? true : undefined), ms);

async function resetStats(): Promise<void> {
  for (const s of cluster.servers.filter((x) => x.running)) await s.cli('CONFIG', 'RESETSTAT');
}

/** One key per primary's slots (several), so every shard is read. */
const KEYS = Array.from({ length: 300 }, (_, i) => `rf:${i}`);

async function writeAndReplicate(c: ReturnType<typeof createCluster>): Promise<void> {
  await Promise.all(KEYS.map((k) => c.set(k, k)));
  // Replication is asynchronous: wait until every replica has the keys of its primary. (A WAIT sent
  // by redis-cli waits for that connection's own writes, none: it returned at once.)
  for (const p of await role('primary')) await waitReplicated(p, await cluster.replicasOf(p));
}

test("readFrom: 'replica': reads land on the replicas (commandstats, READONLY flag), writes on the primaries; READONLY is back after a reconnect", async () => {
  await using c = createCluster({ nodes: cluster.seeds, readFrom: 'replica' });
  await c.connect();
  await writeAndReplicate(c);
  await resetStats();
  assert.deepEqual(await Promise.all(KEYS.map((k) => c.get(k))), KEYS);
  assert.deepEqual(await c.mget('{rf}a', '{rf}b'), [null, null]);
  assert.equal(await c.call('GET', KEYS[0]), KEYS[0]);
  await Promise.all(KEYS.map((k) => c.set(k, 'again')));
  for (const r of await role('replica')) {
    const get = await calls(r, 'get');
    assert.ok(get.calls > 0 && get.rejected === 0, `reads served by replica ${r.port}: ${JSON.stringify(get)}`);
    assert.equal((await calls(r, 'set')).rejected, 0, 'no write was sent to a replica');
    // Our connections there (the CLIENT LIST line of redis-cli's own connection left out): 'r' is READONLY.
    const mine = (await r.cli('CLIENT', 'LIST', 'TYPE', 'normal'))
      .split('\n')
      .filter((l) => !/cmd=client\|list/.test(l));
    assert.ok(
      mine.length > 0 && mine.every((l) => /flags=\w*r/.test(l)),
      `READONLY on the replica connection: ${mine.join(' | ')}`,
    );
  }
  for (const p of await role('primary')) {
    assert.equal((await calls(p, 'get')).calls, 0, `no read on primary ${p.port}`);
    assert.ok((await calls(p, 'set')).calls > 0);
  }

  // The replica connections are killed: each client reconnects through its lifecycle, whose
  // handshake sends READONLY again, and the reads stay on the replicas.
  for (const r of await role('replica')) await r.cli('CLIENT', 'KILL', 'TYPE', 'normal');
  await resetStats();
  await until(
    'reads after the reconnect',
    async () => (await Promise.all(KEYS.map((k) => c.get(k)))).every((v) => v === 'again'),
    10_000,
  );
  for (const r of await role('replica')) {
    assert.ok((await calls(r, 'get')).calls > 0, `reads back on replica ${r.port} after the reconnect`);
    assert.equal((await calls(r, 'get')).rejected, 0, 'no MOVED: READONLY was restored');
  }
  for (const p of await role('primary')) assert.equal((await calls(p, 'get')).calls, 0);
});

test("readFrom: 'preferReplica': a killed replica's reads go to its primary with no error, then back when it returns", async () => {
  await using c = createCluster({ nodes: cluster.seeds, readFrom: 'preferReplica' });
  await c.connect();
  await writeAndReplicate(c);
  const [victim] = await role('replica');
  const all = await cluster.nodes();
  const primary = all.find((n) => n.id === all.find((x) => x.server === victim)!.primaryId)!.server!;
  let stop = false;
  const errors: unknown[] = [];
  let reads = 0;
  const load = Promise.all(
    Array.from({ length: 10 }, async (_, w) => {
      for (let i = w; !stop; i = (i + 10) % KEYS.length) {
        try {
          assert.equal(await c.get(KEYS[i]), KEYS[i]);
          reads++;
        } catch (err) {
          errors.push(err);
        }
      }
    }),
  );
  await until('reads under way', () => reads > 200, 10_000);
  await resetStats();
  await victim.kill();
  const at = reads;
  await until('reads after the kill', () => reads > at + 500, 15_000);
  assert.ok((await calls(primary, 'get')).calls > 0, "the dead replica's reads went to its primary");
  await cluster.restartNode(victim);
  await resetStats();
  await until('reads back on the restarted replica', async () => (await calls(victim, 'get')).calls > 0, 20_000);
  stop = true;
  await load;
  assert.deepEqual(errors, [], 'no read failed');
});

test("readFrom: 'replica' waits for a replica (ClusterUnavailableError after its budget when none comes); a replica answering MOVED is followed", async () => {
  await using c = createCluster({
    nodes: cluster.seeds,
    readFrom: 'replica',
    unavailableTimeoutMs: 500,
    refreshIntervalMs: 0,
  });
  await c.connect();
  await writeAndReplicate(c);
  const [victim] = await role('replica');
  const nodes = await cluster.nodes();
  const primaryId = nodes.find((x) => x.server === victim)!.primaryId;
  const primary = nodes.find((n) => n.id === primaryId)!;
  const key = KEYS.find((k) => primary.slots.some(([a, b]) => keySlot(k) >= a && keySlot(k) <= b))!;
  await victim.kill();
  await assert.rejects(c.get(key), (err: unknown) => {
    assert.ok(err instanceof ClusterUnavailableError, String(err));
    assert.match(err.message, /replica/);
    return true;
  });
  await cluster.restartNode(victim);
  await until(
    'a replica serves the read again',
    () =>
      c.get(key).then(
        (v) => v === key,
        () => false,
      ),
    20_000,
  );

  // The slot moves to another shard behind the client's back (no refresh): the old shard's
  // replica answers MOVED, the read follows it and updates the map.
  const other = (await role('primary')).find((p) => p !== primary.server)!;
  await cluster.moveSlot(keySlot(key), other);
  assert.equal(await c.get(key), key);
  assert.equal(await c.get(key), key);
});

test('readFrom is validated at createCluster(), with the ioredis and node-redis names answered', () => {
  assert.throws(() => createCluster({ nodes: cluster.seeds, readFrom: 'slave' as never }), /readFrom.*scaleReads/);
  assert.throws(() => createCluster({ nodes: cluster.seeds, scaleReads: 'slave' } as never), /readFrom/);
  assert.throws(() => createCluster({ nodes: cluster.seeds, useReplicas: true } as never), InvalidArgumentError);
});
