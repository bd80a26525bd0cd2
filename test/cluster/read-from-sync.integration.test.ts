// readFrom and a replica that does not have its primary's data (yet): a restarted replica answers
// reads as soon as it listens, from an empty (or old) dataset, while `master_link_status:down`
// (replica-serve-stale-data yes, the default), so a read sent there would see a key as missing
// that its primary has. On a real 3 + 3 cluster: the replica is restarted without its RDB and its
// primary waits 5 s before the full sync (repl-diskless-sync-delay), so the window is wide; a
// replica with replica-serve-stale-data no answers -MASTERDOWN while its link is down. Before the
// fix the restarted replica's reads saw null (or, when a refresh had caught it as 'loading' in
// CLUSTER SHARDS, it was left out for good with periodic refresh off) and MASTERDOWN was the
// read's result.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createCluster, type ClusterClient } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, pollUntil, type RedisServer } from '../support';
import { waitReplicated } from '../../src/testing/replication';

let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start();
});
after(() => cluster?.destroy());

/** calls of one command in INFO commandstats (0 when absent). */
async function calls(s: RedisServer, cmd: string): Promise<number> {
  const m = new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(await s.cli('INFO', 'commandstats'));
  return m === null ? 0 : Number(m[1]);
}

/** How many times the server answered an error with this code (INFO errorstats). */
async function errorCount(s: RedisServer, code: string): Promise<number> {
  const m = new RegExp(`errorstat_${code}:count=(\\d+)`).exec(await s.cli('INFO', 'errorstats'));
  return m === null ? 0 : Number(m[1]);
}

const until = (what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<true> =>
  pollUntil(what, async () => ((await ok()) ? true : undefined), ms);

const KEYS = Array.from({ length: 300 }, (_, i) => `sync:${i}`);

/**
 * A replica, its primary, and the keys its shard serves (written and replicated before the test's
 * client is made, so that its first slot map sees every replica 'online', not 'loading').
 */
async function shard(): Promise<{ victim: RedisServer; primary: RedisServer; keys: string[] }> {
  {
    await using w = createCluster({ nodes: cluster.seeds });
    await Promise.all(KEYS.map((k) => w.set(k, k)));
  }
  const nodes = await cluster.nodes();
  const live = nodes.filter((n) => !n.failing && n.server?.running);
  // (WAIT from redis-cli waits for that connection's own writes, none: it does not wait.)
  for (const p of live.filter((n) => n.role === 'primary'))
    await waitReplicated(p.server!, await cluster.replicasOf(p.server!));
  const victimNode = live.find((n) => n.role === 'replica')!;
  const primaryNode = nodes.find((n) => n.id === victimNode.primaryId)!;
  const keys = KEYS.filter((k) => primaryNode.slots.some(([a, b]) => keySlot(k) >= a && keySlot(k) <= b));
  // Every node sees every replica 'online' in CLUSTER SHARDS (a replica whose offset has not been
  // gossiped yet shows 'loading', and the client's map, never refreshed here, would leave it out).
  for (const n of live)
    await until(
      `127.0.0.1:${n.server!.port} sees every replica online`,
      async () => {
        return !/\bloading\b/.test(await n.server!.cli('CLUSTER', 'SHARDS'));
      },
      10_000,
    );
  assert.ok(keys.length > 10, 'the shard serves some of the keys');
  return { victim: victimNode.server!, primary: primaryNode.server!, keys };
}

/** Resolves when the cluster's connection to `server` becomes ready (again). */
function nodeReady(c: ClusterClient, server: RedisServer): Promise<void> {
  const key = `${server.host}:${server.port}`;
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const timer = setTimeout(() => {
      c.off('node', on);
      reject(new Error(`the connection to ${key} did not become ready within 20 s: ${seen.join(', ')}`));
    }, 20_000);
    const on = (e: { node: string; event: string; to?: string }): void => {
      if (e.node !== key) return;
      seen.push(`${e.event} ${e.to ?? ''}`);
      if (e.event !== 'stateChange' || e.to !== 'ready') return;
      clearTimeout(timer);
      c.off('node', on);
      resolve();
    };
    c.on('node', on);
  });
}

/**
 * Kills the replica and starts it again with no RDB, its primary holding the full sync back for
 * `delayS` seconds: the replica listens and answers, with an empty dataset, meanwhile.
 */
async function restartUnsynced(
  victim: RedisServer,
  primary: RedisServer,
  delayS: number,
): Promise<() => Promise<void>> {
  const before = (await primary.cli('CONFIG', 'GET', 'repl-diskless-sync-delay')).split('\n')[1].trim();
  await primary.cli('CONFIG', 'SET', 'repl-diskless-sync', 'yes', 'repl-diskless-sync-delay', String(delayS));
  await victim.kill();
  rmSync(join(victim.dir, 'dump.rdb'), { force: true });
  await victim.restart();
  return async () => {
    await primary.cli('CONFIG', 'SET', 'repl-diskless-sync-delay', before);
    await cluster.waitHealthy();
  };
}

/**
 * The client reconnects to the restarted replica within a fraction of a second (well inside the
 * 5 s before its sync), and no periodic refresh comes to mark it 'loading' in the slot map (a
 * map that did would hide it for the wrong reason; a refresh may come at any time in real life).
 */
const QUICK = () => ({ nodes: cluster.seeds, reconnect: { baseDelayMs: 20, maxDelayMs: 100 }, refreshIntervalMs: 0 });

const linkUp = async (s: RedisServer): Promise<boolean> => /\bconnected\b/.test(await s.cli('ROLE'));

test("readFrom: 'replica': a restarted replica gets no read before it has synced with its primary; reads wait for it", async () => {
  const { victim, primary, keys } = await shard();
  await using c = createCluster({ ...QUICK(), readFrom: 'replica', unavailableTimeoutMs: 30_000 });
  const first = nodeReady(c, victim);
  await c.connect();
  await first;
  const ready = nodeReady(c, victim);
  const restore = await restartUnsynced(victim, primary, 5);
  try {
    await ready;
    assert.equal(await linkUp(victim), false, 'precondition: the replica is reachable and has not synced yet');
    assert.equal(await victim.cli('DBSIZE'), '0', 'precondition: its dataset is empty');
    await victim.cli('CONFIG', 'RESETSTAT');
    await primary.cli('CONFIG', 'RESETSTAT');
    assert.deepEqual(await Promise.all(keys.map((k) => c.get(k))), keys, 'every read saw the primary’s data');
    assert.ok(await linkUp(victim), 'the reads were answered once the replica had synced');
    assert.ok((await calls(victim, 'get')) > 0, 'the reads went to the replica');
    assert.equal(await calls(primary, 'get'), 0, "readFrom: 'replica' never reads from the primary");
  } finally {
    await restore();
  }
});

test("readFrom: 'preferReplica': a restarted replica's reads go to its primary until it has synced, then back to it", async () => {
  const { victim, primary, keys } = await shard();
  await using c = createCluster({ ...QUICK(), readFrom: 'preferReplica' });
  const first = nodeReady(c, victim);
  await c.connect();
  await first;
  const ready = nodeReady(c, victim);
  const restore = await restartUnsynced(victim, primary, 5);
  try {
    await ready;
    assert.equal(await linkUp(victim), false, 'precondition: the replica is reachable and has not synced yet');
    await victim.cli('CONFIG', 'RESETSTAT');
    await primary.cli('CONFIG', 'RESETSTAT');
    assert.deepEqual(await Promise.all(keys.map((k) => c.get(k))), keys, 'every read saw the primary’s data');
    if (!(await linkUp(victim))) {
      assert.equal(await calls(victim, 'get'), 0, 'no read went to the replica before its sync');
      assert.ok((await calls(primary, 'get')) > 0, 'they went to the primary');
    }
    await until('the replica synced', () => linkUp(victim), 30_000);
    await until(
      'reads back on the replica',
      async () => {
        assert.deepEqual(await Promise.all(keys.map((k) => c.get(k))), keys);
        return (await calls(victim, 'get')) > 0;
      },
      10_000,
    );
  } finally {
    await restore();
  }
});

test("readFrom: 'preferReplica': a replica answering -MASTERDOWN (its link lost, replica-serve-stale-data no) is left for the primary, and no read fails", async () => {
  const { victim, primary, keys } = await shard();
  await using c = createCluster({ nodes: cluster.seeds, readFrom: 'preferReplica' });
  await c.connect();
  await victim.cli('CONFIG', 'SET', 'replica-serve-stale-data', 'no');
  const downBefore = await errorCount(victim, 'MASTERDOWN');
  let stop = false;
  const errors: unknown[] = [];
  let reads = 0;
  const load = Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; !stop; i = (i + 8) % keys.length) {
        try {
          const v = await c.get(keys[i]);
          if (v !== keys[i]) errors.push(new Error(`${keys[i]}: ${String(v)}`));
          reads++;
        } catch (err) {
          errors.push(err);
        }
      }
    }),
  );
  try {
    await until('reads under way', () => reads > 200, 10_000);
    // The primary drops its replica's link; the replica connects again within a second or so
    // (a partial resync), answering -MASTERDOWN to reads meanwhile.
    await until(
      'the replica answered MASTERDOWN',
      async () => {
        await primary.cli('CLIENT', 'KILL', 'TYPE', 'replica');
        await new Promise((r) => setTimeout(r, 300));
        return (await errorCount(victim, 'MASTERDOWN')) > downBefore;
      },
      20_000,
    );
    await until('the replica synced', () => linkUp(victim), 10_000);
    await victim.cli('CONFIG', 'RESETSTAT');
    await until('reads back on the replica', async () => (await calls(victim, 'get')) > 0, 10_000);
  } finally {
    stop = true;
    await load;
    await victim.cli('CONFIG', 'SET', 'replica-serve-stale-data', 'yes');
  }
  assert.deepEqual(errors, [], 'no read failed or saw another value');
});
