// The cluster client under an INCR load while the cluster changes under it, on a real 3 + 3
// cluster (one for the file; each test leaves it healthy): a manual failover, a resharding, a node
// added and given slots, the whole cluster restarted. Each checks the counter invariant (every
// promise settled, 0 duplicates, 0 lost acknowledgements) and which errors reached the
// application. Timings are logged, never asserted (bench/cluster-faults.ts measures them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ClientClosedError, createCluster } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, type RedisServer } from '../support';
import { BUSY_SCRIPT } from '../support/busy-script';
import { waitReplicated } from '../../src/testing/replication';

/** Polls an async condition every 20 ms. */
async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
import { IncrLoad, spreadKeys } from './incr-load';

let cluster: RedisCluster;
before(async () => {
  // AOF: the whole-cluster restart must keep what the nodes acknowledged (with the harness'
  // default, no persistence, a restart loses every key: the server's loss, not the client's).
  cluster = await RedisCluster.start({ args: ['--appendonly', 'yes'] });
});
after(() => cluster?.destroy());

const WORKERS = 20;

/** Sum of `errorstat_<CODE>` (INFO errorstats) and `cmdstat_asking` calls over the running nodes. */
async function serverCounts(): Promise<{ moved: number; ask: number; asking: number }> {
  let moved = 0;
  let ask = 0;
  let asking = 0;
  for (const s of cluster.servers.filter((x) => x.running)) {
    const info = await s.cli('INFO', 'all');
    moved += Number(/^errorstat_MOVED:count=(\d+)/m.exec(info)?.[1] ?? 0);
    ask += Number(/^errorstat_ASK:count=(\d+)/m.exec(info)?.[1] ?? 0);
    asking += Number(/^cmdstat_asking:calls=(\d+)/m.exec(info)?.[1] ?? 0);
  }
  return { moved, ask, asking };
}

async function resetStats(): Promise<void> {
  for (const s of cluster.servers.filter((x) => x.running)) await s.cli('CONFIG', 'RESETSTAT');
}

/** A primary other than `not` that serves slots. */
async function otherPrimary(not: RedisServer): Promise<RedisServer> {
  const nodes = await cluster.nodes();
  return nodes.find((n) => n.role === 'primary' && n.server !== not && n.server?.running && n.slots.length > 0)!
    .server!;
}

/**
 * A primary paused for `pauseMs` (the next commands stay in flight on it), replaced by its replica
 * (TAKEOVER), then dropped from the client's map by a refresh while a GET and an INCR are in flight
 * on it. Returns their outcomes (value or error).
 */
async function dropWhileInFlight(pauseMs: number, tag: string): Promise<{ get: unknown; incr: unknown; ran: string }> {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0, unavailableTimeoutMs: 20_000 });
  await c.connect();
  const slot = keySlot(`${tag}:key`);
  await c.set(`${tag}:key`, 'v');
  await c.del(`{${tag}:key}n`);
  const old = await cluster.primaryFor(slot);
  const [replica] = await cluster.replicasOf(old);
  const others = (await cluster.nodes(replica)).filter((n) => n.role === 'primary' && n.server !== old);
  // Replication is asynchronous: on a loaded machine the replica could take over without the SET,
  // and the GET would rightly answer null from it.
  await waitReplicated(old, [replica]);
  await old.pause(pauseMs);
  const get = c.get(`${tag}:key`);
  const incr = c.incr(`{${tag}:key}n`);
  const getOutcome = get.then(
    (v) => v,
    (e: unknown) => e,
  );
  const incrOutcome = incr.then(
    (v) => v,
    (e: unknown) => e,
  );
  await new Promise((r) => setTimeout(r, 50));
  // The replica takes over at once (no agreement from the paused primary), and the other primaries
  // learn it; a refresh then drops the old primary from the map while the two are in flight on it.
  assert.equal((await replica.cli('CLUSTER', 'FAILOVER', 'TAKEOVER')).trim(), 'OK');
  const [replicaId, oldId] = [cluster.idOf(replica), cluster.idOf(old)];
  for (const p of others) {
    await waitFor('the other primaries to see the takeover', async () => {
      const view = await cluster.nodes(p.server);
      return (
        view.find((n) => n.id === replicaId)?.role === 'primary' && view.find((n) => n.id === oldId)?.role === 'replica'
      );
    });
  }
  await (c as unknown as { topo: { refresh(why: string): Promise<void> } }).topo.refresh('test');
  assert.ok(!c.primaries.includes(`127.0.0.1:${old.port}`), 'the old primary left the map');
  const out = { get: await getOutcome, incr: await incrOutcome, ran: await replica.cli('GET', `{${tag}:key}n`) };
  await cluster.waitHealthy();
  return out;
}

test('a primary dropped from the map while commands are in flight on it: they get its real replies (MOVED, followed), not ClientClosedError', async () => {
  // Paused longer than a refresh waits for a node (2 s), shorter than a retired node is given to answer.
  const r = await dropWhileInFlight(3500, 'drop1');
  assert.equal(r.get, 'v', 'the GET in flight was answered');
  assert.equal(r.incr, 1, 'the INCR in flight got its reply (MOVED, followed to the new owner)');
  assert.equal(r.ran, '1', 'it ran once');
});

test('a dropped primary that never answers: the idempotent GET in flight goes to the new owner, the INCR fails with maybeExecuted', async () => {
  const r = await dropWhileInFlight(7000, 'drop2');
  assert.equal(r.get, 'v', 'the GET was sent again to the new owner');
  assert.ok(r.incr instanceof Error && (r.incr as { maybeExecuted?: boolean }).maybeExecuted === true, String(r.incr));
  assert.equal(r.ran, '', 'the INCR did not run (the paused node dropped it): maybeExecuted was honest');
});

test('CLUSTER FAILOVER under an INCR load: 0 errors reach the application, 0 duplicates, 0 lost', async () => {
  await using c = createCluster({ nodes: cluster.seeds, unavailableTimeoutMs: 20_000 });
  await c.connect();
  const load = new IncrLoad(c, spreadKeys('fo:', WORKERS));
  await load.start();
  await load.progress();
  const victim = await cluster.primaryFor(keySlot(load.keys[0]));
  const t0 = Date.now();
  const { newPrimary } = await cluster.failover(victim);
  const failoverMs = Date.now() - t0;
  await load.progress();
  const r = await load.stop();
  console.log(
    `# CLUSTER FAILOVER: done in ${failoverMs} ms; ${r.acked} INCRs acknowledged; ${r.failed.length} errors ` +
      `(${r.maybeExecuted} maybeExecuted); longest stall ${r.longestStall} ms; ${r.kinds}`,
  );
  assert.equal(r.duplicates, 0, 'no INCR ran twice');
  assert.equal(r.lost, 0, 'no acknowledged INCR was lost');
  assert.equal(r.failed.length, 0, `no error reached the application: ${r.kinds}`);
  assert.ok(c.primaries.includes(`127.0.0.1:${newPrimary.port}`), 'the promoted replica is a primary of the map');
});

test('resharding under an INCR load: ASK and MOVED both followed, 0 errors, 0 duplicates, 0 lost', async () => {
  await using c = createCluster({ nodes: cluster.seeds, unavailableTimeoutMs: 20_000 });
  await c.connect();
  // Many keys per slot, in a few slots: a slot migrates key by key, so some of its keys are
  // already on the target (ASK) while others are still on the source.
  const first = await cluster.primaryFor(keySlot('{rs0}'));
  const tags = Array.from({ length: 40 }, (_, i) => `rs${i}`);
  const mine = [];
  for (const t of tags) if ((await cluster.primaryFor(keySlot(`{${t}}`))) === first) mine.push(t);
  const slotTags = mine.slice(0, 4);
  const keys = slotTags.flatMap((t) => Array.from({ length: 6 }, (_, i) => `{${t}}:${i}`));
  const load = new IncrLoad(c, keys);
  await load.start();
  await load.progress();
  await resetStats();
  const to = await otherPrimary(first);
  for (const t of slotTags) {
    const slot = keySlot(`{${t}}`);
    const { from } = await cluster.beginSlotMigration(slot, to);
    // Half the keys move, the load runs on both halves for a while, then the rest moves.
    await cluster.migrateKeys(slot, from, to, 3);
    await load.progress(5);
    await cluster.finishSlotMigration(slot, from, to);
    await load.progress(5);
  }
  await cluster.waitHealthy();
  await load.progress();
  const counts = await serverCounts();
  const r = await load.stop();
  console.log(
    `# resharding ${slotTags.length} slots under load: ${r.acked} INCRs acknowledged; servers answered ` +
      `${counts.ask} ASK, ${counts.moved} MOVED, ran ${counts.asking} ASKING; ${r.failed.length} errors; ` +
      `longest stall ${r.longestStall} ms; ${r.kinds}`,
  );
  assert.ok(counts.ask > 0 && counts.asking > 0, 'ASK was met and followed (ASKING sent)');
  assert.ok(counts.moved > 0, 'MOVED was met');
  assert.equal(r.duplicates, 0, 'no INCR ran twice');
  assert.equal(r.lost, 0, 'no acknowledged INCR was lost');
  assert.equal(r.failed.length, 0, `no error reached the application: ${r.kinds}`);
});

test('a node added and slots moved to it under an INCR load: the client uses it, 0 errors, 0 duplicates, 0 lost', async () => {
  await using c = createCluster({ nodes: cluster.seeds, unavailableTimeoutMs: 20_000 });
  const added: string[] = [];
  c.on('node', (e) => {
    if (e.event === 'added') added.push(e.node);
  });
  await c.connect();
  const load = new IncrLoad(c, spreadKeys('add:', WORKERS));
  await load.start();
  await load.progress();
  const fresh = await cluster.addNode();
  const slots = [...new Set(load.keys.slice(0, 6).map((k) => keySlot(k)))];
  for (const slot of slots) await cluster.moveSlot(slot, fresh);
  await load.progress();
  const r = await load.stop();
  console.log(
    `# node added, ${slots.length} slots moved to it under load: ${r.acked} INCRs acknowledged; ` +
      `${r.failed.length} errors; longest stall of one key ${r.longestStall} ms; ${r.kinds}`,
  );
  const key = `127.0.0.1:${fresh.port}`;
  assert.ok(added.includes(key), 'the new node got a client');
  assert.ok(Number(await fresh.cli('GET', load.keys[0])) > 0, 'the keys are on the new node');
  assert.equal(r.duplicates, 0, 'no INCR ran twice');
  assert.equal(r.lost, 0, 'no acknowledged INCR was lost');
  assert.equal(r.failed.length, 0, `no error reached the application: ${r.kinds}`);
});

test('a MOVED to a node the client does not know yet, answered while close() is under way: the command rejects with ClientClosedError and no connection to that node outlives close()', async () => {
  const c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  // The new node joins after the client read its map: only a MOVED can tell the client about it.
  const fresh = await cluster.addNode();
  const key = '{closemoved}k';
  const from = await cluster.primaryFor(keySlot(key));
  await cluster.moveSlot(keySlot(key), fresh);
  // On the client's own connection to the old owner, in this order: a busy script keeps the node
  // from answering the GET (MOVED) until close() below has begun.
  const busy = c.node(`127.0.0.1:${from.port}`).eval(BUSY_SCRIPT, [], ['500']);
  const get = c.get(key).then(
    (v) => v,
    (e: unknown) => e,
  );
  await c.close();
  assert.equal(await busy, 'done');
  const got = await get;
  assert.ok(got instanceof ClientClosedError, `the GET did not run: ${String(got)}`);
  const clients = (c as unknown as { topo: { clients: Map<string, { state: string }> } }).topo.clients;
  const open = [...clients].filter(([, n]) => n.state !== 'closed').map(([k, n]) => `${k} ${n.state}`);
  assert.deepEqual(open, [], 'every node client is closed once close() resolved');
  // And on the server's side: none of our connections reached the new node (the leaked client
  // connected within milliseconds; redis-cli's own connection is left out).
  await new Promise((r) => setTimeout(r, 300));
  const ours = (await fresh.cli('CLIENT', 'LIST', 'TYPE', 'normal'))
    .split('\n')
    .filter((l) => !/cmd=client\|list/.test(l));
  assert.deepEqual(ours, []);
});

test('the whole cluster restarted under an INCR load: every promise settles, 0 duplicates, 0 lost, the client is ready again', async () => {
  await using c = createCluster({ nodes: cluster.seeds, unavailableTimeoutMs: 30_000 });
  await c.connect();
  const load = new IncrLoad(c, spreadKeys('rs:', WORKERS));
  await load.start();
  await load.progress();
  const t0 = Date.now();
  await cluster.restartAll();
  const restartMs = Date.now() - t0;
  await load.progress();
  const r = await load.stop();
  console.log(
    `# whole cluster restarted in ${restartMs} ms under load: ${r.acked} INCRs acknowledged; ` +
      `${r.failed.length} errors (${r.maybeExecuted} maybeExecuted); longest stall ${r.longestStall} ms; ${r.kinds}`,
  );
  assert.equal(c.state, 'ready');
  assert.equal(r.duplicates, 0, 'no INCR ran twice');
  assert.equal(r.lost, 0, 'no acknowledged INCR was lost');
  assert.ok(
    r.failed.every((f) => (f.err as { maybeExecuted?: boolean }).maybeExecuted === true),
    `only commands in flight at the stop failed: ${r.kinds}`,
  );
});

test('the whole cluster restarted while every node client sleeps through a long reconnect backoff: the nodes are tried again as they come back, commands issued meanwhile succeed', async () => {
  await using c = createCluster({
    nodes: cluster.seeds,
    unavailableTimeoutMs: 30_000,
    // Left to their backoff, the nodes' clients would not try again for a minute: past the budget
    // of every command issued while the nodes were down.
    reconnect: { baseDelayMs: 60_000, maxDelayMs: 60_000, jitter: 'none' },
  });
  await c.connect();
  const load = new IncrLoad(c, spreadKeys('rsb:', WORKERS));
  await load.start();
  await load.progress();
  await cluster.restartAll();
  await load.progress(20, 40_000);
  const r = await load.stop();
  console.log(`# restart with a 60 s backoff: ${r.acked} INCRs acknowledged; ${r.failed.length} errors; ${r.kinds}`);
  assert.equal(c.state, 'ready');
  assert.equal(r.duplicates, 0, 'no INCR ran twice');
  assert.equal(r.lost, 0, 'no acknowledged INCR was lost');
  assert.ok(
    r.failed.every((f) => (f.err as { maybeExecuted?: boolean }).maybeExecuted === true),
    `only commands in flight at the stop failed: ${r.kinds}`,
  );
});
