// ClusterClient against a real 3 + 3 cluster (one for the whole file; the tests that break it
// leave it healthy again): command families over keys of every slot, MOVED, ASK, the seed rules,
// and a primary killed under an INCR load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createCluster,
  ClusterClient,
  ClusterCrossSlotError,
  ClusterDisabledError,
  AuthError,
  ClientClosedError,
  ConnectionError,
  InvalidArgumentError,
  ProtectedModeError,
} from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, RedisServer, freePort, netnsSkipReason, settleWithin, startNetnsRedis } from '../support';

let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start();
});
after(() => cluster?.destroy());

const ownerKey = (c: ClusterClient, slot: number): string | undefined =>
  (c as unknown as { topo: { map?: { primaryFor(s: number): { key: string } | undefined } } }).topo.map?.primaryFor(
    slot,
  )?.key;

test('connect: one seed is enough; every command family works and keys spread over all primaries', async () => {
  await using c = createCluster({ nodes: [cluster.seeds[3]] });
  const changes: unknown[] = [];
  c.on('topologyChanged', (e) => changes.push(e));
  await c.connect();
  assert.equal(c.state, 'ready');
  assert.equal(c.primaries.length, 3);
  assert.ok(changes.length >= 1);

  const keys = Array.from({ length: 600 }, (_, i) => `key:${i}`);
  await Promise.all(keys.map((k, i) => c.set(k, String(i))));
  assert.deepEqual(
    await Promise.all(keys.map((k) => c.get(k))),
    keys.map((_, i) => String(i)),
  );
  const perNode = new Map<string, number>();
  for (const k of keys) perNode.set(ownerKey(c, keySlot(k))!, (perNode.get(ownerKey(c, keySlot(k))!) ?? 0) + 1);
  assert.equal(perNode.size, 3, 'keys landed on every primary');
  for (const s of cluster.servers.filter((x) => x.running)) {
    const role = await s.cli('ROLE');
    if (role.startsWith('master')) assert.ok(Number(await s.cli('DBSIZE')) > 100);
  }

  assert.equal(await c.incr('counter:a'), 1);
  assert.equal(await c.hset('h', { f: 'v', g: 'w' }), 2);
  assert.deepEqual(await c.hgetall('h'), { f: 'v', g: 'w' });
  assert.equal(await c.rpush('l', 'a', 'b'), 2);
  assert.deepEqual(await c.lrange('l', 0, -1), ['a', 'b']);
  assert.equal(await c.sadd('s', 'x'), 1);
  assert.equal(await c.zadd('z', { score: 1, value: 'm' }), 1);
  assert.match((await c.xadd('st', '*', { a: '1' }))!, /^\d+-\d+$/);
  assert.deepEqual(await c.mget('{u1}a', '{u1}b'), [null, null]);
  assert.equal(await c.mset({ '{u1}a': '1', '{u1}b': '2' }), 'OK');
  assert.deepEqual(await c.mget('{u1}a', '{u1}b'), ['1', '2']);
  assert.equal(await c.call('GET', '{u1}a'), '1');
  assert.deepEqual(await c.callBuffer('GET', '{u1}a'), Buffer.from('1'));
  assert.deepEqual(await c.buffers.get('{u1}b'), Buffer.from('2'));
  assert.equal(await c.ping(), 'PONG');
  // Blocking commands go through the node's own rules (a dedicated connection).
  assert.deepEqual(await c.blpop('l', 1), { key: 'l', element: 'a' });
});

test("cluster.call() has client.call()'s rules: bad names and connection-changing commands refused, blocking commands routed to a dedicated connection", async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  const js = c as unknown as { call(...a: unknown[]): Promise<unknown> };
  await assert.rejects(js.call(), InvalidArgumentError);
  await assert.rejects(js.call(['GET', 'k']), InvalidArgumentError);
  await assert.rejects(
    c.call('MULTI'),
    (err: unknown) => err instanceof InvalidArgumentError && /multi\(\)/.test(err.message),
  );
  await assert.rejects(c.call('CLIENT', 'REPLY', 'OFF'), InvalidArgumentError);
  // BLPOP through call() waits on a dedicated connection: a command beside it is not held up.
  const popped = c.call('BLPOP', '{bl}q', 5);
  assert.equal(await c.call('ECHO', 'beside'), 'beside');
  await c.call('RPUSH', '{bl}q', 'late');
  assert.deepEqual(await popped, ['{bl}q', 'late']);
});

test('a command whose keys are in different slots is refused before anything is sent', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  await assert.rejects(c.mget('a', 'b'), (e: unknown) => e instanceof ClusterCrossSlotError && e.code === 'ECROSSSLOT');
  await assert.rejects(c.call('MSET', 'a', '1', 'b', '2'), ClusterCrossSlotError);
});

test('plain JavaScript callers: URL seeds, the ioredis array shape, wrong options named', async () => {
  const url = `redis://127.0.0.1:${cluster.seeds[0].port}`;
  const createAny = createCluster as any;
  await using a = createAny({ nodes: [url] });
  assert.equal(await a.set('js:a', 'v'), 'OK');
  await using b = createAny([{ host: '127.0.0.1', port: cluster.seeds[1].port }], { commandTimeoutMs: 5000 });
  assert.equal(await b.get('js:a'), 'v');
  assert.throws(() => createAny({ nodes: [url], databse: 1 }), /databse/);
  assert.throws(() => createAny({ nodes: [url], database: 1 }), InvalidArgumentError);
  assert.throws(() => createAny({ host: '127.0.0.1', port: 7000 }), /nodes/);
  assert.throws(() => createAny({ nodes: [] }), /nodes/);
  assert.throws(() => createAny({ nodes: [url], maxRedirections: -1 }), /maxRedirections/);
});

test('MOVED after a manual slot move: the command reaches the new owner and the map follows', async () => {
  // No periodic refresh: on a slow machine one could learn the move before the MOVED does.
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  const slot = keySlot('moved:key');
  await c.set('moved:key', 'v1');
  const from = await cluster.primaryFor(slot);
  const to = (await cluster.nodes()).find((n) => n.role === 'primary' && n.server !== from && !n.failing)!.server!;
  await cluster.moveSlot(slot, to);
  assert.equal(ownerKey(c, slot), `127.0.0.1:${from.port}`, 'the client still believes the old owner');
  assert.equal(await c.get('moved:key'), 'v1');
  assert.equal(ownerKey(c, slot), `127.0.0.1:${to.port}`, 'MOVED updated the owner at once');
  assert.equal(await c.set('moved:key', 'v2'), 'OK');
  assert.equal(await to.cli('GET', 'moved:key'), 'v2');
});

test('ASK during a migration: ASKING + the command go to the target once, the map is untouched', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  const slot = keySlot('ask:key');
  await c.set('ask:key', 'there');
  await c.set('{ask:key}stays', 'here');
  const from = await cluster.primaryFor(slot);
  const to = (await cluster.nodes()).find((n) => n.role === 'primary' && n.server !== from && !n.failing)!.server!;
  await cluster.beginSlotMigration(slot, to);
  try {
    // Move one key only: the other is still on the source.
    const r = await from.cli('MIGRATE', to.host, String(to.port), 'ask:key', '0', '5000');
    assert.equal(r.trim(), 'OK');
    assert.match((await from.cli('GET', 'ask:key')).trim(), /^ASK /);
    assert.equal(await c.get('ask:key'), 'there');
    assert.equal(await c.get('{ask:key}stays'), 'here');
    assert.equal(ownerKey(c, slot), `127.0.0.1:${from.port}`, 'ASK does not change the map');
  } finally {
    await cluster.finishSlotMigration(slot, from, to);
    await cluster.waitHealthy();
  }
});

test('seed rules: no seed reachable rejects after the initial deadline naming every seed', async () => {
  const [p1, p2] = [await freePort(), await freePort()];
  const c = createCluster({
    nodes: [
      { host: '127.0.0.1', port: p1 },
      { host: '127.0.0.1', port: p2 },
    ],
    reconnect: { initialTimeoutMs: 300 },
  });
  const t0 = Date.now();
  await assert.rejects(c.connect(), (e: unknown) => {
    assert.ok(e instanceof ConnectionError);
    assert.equal(e.kind, 'network');
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${p1} \\(.*\\); 127\\.0\\.0\\.1:${p2} \\(`));
    return true;
  });
  console.log(`# no seed reachable: connect() rejected after ${Date.now() - t0} ms (initialTimeoutMs 300)`);
  assert.equal(c.state, 'failed');
  c.destroy();
});

test('destroy() while connect() waits for unreachable seeds: connect() rejects at once with ClientClosedError', async () => {
  const c = createCluster({ nodes: [{ host: '127.0.0.1', port: await freePort() }] });
  const connecting = c.connect();
  await new Promise((r) => setTimeout(r, 50));
  c.destroy();
  const outcome = await settleWithin(connecting, 500);
  assert.equal(outcome.status, 'rejected', 'connect() settled at once');
  assert.ok(outcome.status === 'rejected' && outcome.reason instanceof ClientClosedError);
  assert.equal(c.state, 'closed');
});

test('seed rules: a seed without cluster support rejects at once, saying to use createClient', async () => {
  const plain = await RedisServer.start();
  try {
    const c = createCluster({ nodes: [{ host: plain.host, port: plain.port }] });
    const t0 = Date.now();
    await assert.rejects(c.connect(), (e: unknown) => {
      assert.ok(e instanceof ClusterDisabledError);
      assert.equal(e.code, 'ECLUSTERDISABLED');
      assert.match(
        e.message,
        new RegExp(`cluster support is disabled on 127\\.0\\.0\\.1:${plain.port}: use createClient`),
      );
      return true;
    });
    const ms = Date.now() - t0;
    console.log(`# seed without cluster support: connect() rejected in ${ms} ms`);
    c.destroy();
  } finally {
    await plain.destroy();
  }
});

test('seed rules: wrong credentials reject at once with the AuthError, never the password', async () => {
  const secured = await RedisServer.start({ args: ['--requirepass', 'right-pw'] });
  try {
    const c = createCluster({ nodes: [{ host: secured.host, port: secured.port }], password: 'wrong-pw-123' });
    await assert.rejects(c.connect(), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.doesNotMatch(e.message, /wrong-pw-123/);
      return true;
    });
    c.destroy();
  } finally {
    await secured.destroy();
  }
});

test('seed rules: a seed in protected mode rejects at once', { skip: netnsSkipReason() }, async () => {
  const r = await startNetnsRedis();
  try {
    const c = createCluster({ nodes: [{ host: r.host, port: r.port }] });
    const t0 = Date.now();
    await assert.rejects(c.connect(), ProtectedModeError);
    console.log(`# seed in protected mode: connect() rejected in ${Date.now() - t0} ms`);
    c.destroy();
  } finally {
    await r.destroy();
  }
});

test("pipeline across slots: split per node, results in the caller's order, errors in place", async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  await c.set('pl:str', 'x');
  const p = c.pipeline();
  const keys = Array.from({ length: 200 }, (_, i) => `pl:${i}`);
  for (const k of keys) p.set(k, k);
  p.incr('pl:str'); // WRONGTYPE-like: not an integer
  for (const k of keys) p.get(k);
  p.call('PING');
  const results = await p.exec();
  assert.equal(results.length, 2 * keys.length + 2);
  assert.ok(results.slice(0, keys.length).every(([e, v]) => e === null && v === 'OK'));
  const [incrErr] = results[keys.length];
  assert.ok(incrErr instanceof Error && /not an integer/.test(incrErr.message));
  assert.deepEqual(
    results.slice(keys.length + 1, 2 * keys.length + 1).map(([, v]) => v),
    keys,
  );
  assert.deepEqual(results[results.length - 1], [null, 'PONG']);
  assert.equal(new Set(keys.map((k) => ownerKey(c, keySlot(k)))).size, 3, 'the pipeline spanned every primary');
});

test('multi on one slot runs atomically; keys in different slots are refused before anything is sent', async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  const ok = await c.multi().set('{tx}a', '1').incr('{tx}a').get('{tx}a').exec();
  assert.deepEqual(ok, [
    [null, 'OK'],
    [null, 2],
    [null, '2'],
  ]);
  await assert.rejects(c.multi().set('{tx}b', '1').set('other', '1').exec(), ClusterCrossSlotError);
  assert.equal(await c.exists('{tx}b', '{tx}a'), 1, 'nothing of the refused block was sent');
});

test('multi after its slot moved: the block is aborted by MOVED, then runs once, whole, on the new owner', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  const slot = keySlot('{txm}');
  const from = await cluster.primaryFor(slot);
  const to = (await cluster.nodes()).find((n) => n.role === 'primary' && n.server !== from && !n.failing)!.server!;
  await cluster.moveSlot(slot, to);
  assert.equal(ownerKey(c, slot), `127.0.0.1:${from.port}`, 'the client still believes the old owner');
  const r = await c.multi().incr('{txm}n').incr('{txm}n').exec();
  assert.deepEqual(r, [
    [null, 1],
    [null, 2],
  ]);
  assert.equal(await to.cli('GET', '{txm}n'), '2', 'the block ran once');
  assert.equal(ownerKey(c, slot), `127.0.0.1:${to.port}`);
});

/** A node's `INFO commandstats` for one command: calls run, and calls refused (a MOVED counts there). */
async function stats(s: RedisServer, cmd: string): Promise<{ calls: number; rejected: number }> {
  const line = (await s.cli('INFO', 'commandstats')).split('\n').find((l) => l.startsWith(`cmdstat_${cmd}:`));
  const field = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(line ?? '')?.[1] ?? 0);
  return { calls: field('calls'), rejected: field('rejected_calls') };
}

test('multi after its slot moved, keyless commands between the keyed ones: the old owner answers QUEUED and MOVED in turn, nothing runs there, the block runs once at the new owner with every reply in place', async () => {
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();
  const slot = keySlot('{txq}');
  const from = await cluster.primaryFor(slot);
  const to = (await cluster.nodes()).find((n) => n.role === 'primary' && n.server !== from && !n.failing)!.server!;
  await cluster.moveSlot(slot, to);
  assert.equal(ownerKey(c, slot), `127.0.0.1:${from.port}`, 'the client still believes the old owner');
  for (const s of [from, to]) await s.cli('CONFIG', 'RESETSTAT');
  // At `from`: MULTI +OK, PING +QUEUED, INCR -MOVED, ECHO +QUEUED, INCR -MOVED, EXEC -EXECABORT.
  const r = await c.multi().ping().incr('{txq}n').echo('between').incr('{txq}n').exec();
  assert.deepEqual(r, [
    [null, 'PONG'],
    [null, 1],
    [null, 'between'],
    [null, 2],
  ]);
  assert.deepEqual(await stats(from, 'incr'), { calls: 0, rejected: 2 }, 'the old owner refused both INCRs');
  assert.deepEqual(await stats(from, 'echo'), { calls: 0, rejected: 0 }, 'the queued ECHO never ran there');
  const exec = await stats(from, 'exec');
  assert.equal(exec.calls + exec.rejected, 1, 'one EXEC there (EXECABORT)');
  assert.deepEqual(await stats(to, 'incr'), { calls: 2, rejected: 0 });
  assert.deepEqual(await stats(to, 'echo'), { calls: 1, rejected: 0 }, 'the block ran once, whole, at the new owner');
  assert.equal(await to.cli('GET', '{txq}n'), '2');
});

test('a primary SIGKILLed under an INCR load: every promise settles, 0 duplicates, 0 lost acknowledgements', async () => {
  await using c = createCluster({ nodes: cluster.seeds, unavailableTimeoutMs: 20_000 });
  await c.connect();
  const workers = 20;
  const keys = Array.from({ length: workers }, (_, i) => `ctr:${i}`);
  await Promise.all(keys.map((k) => c.del(k)));
  const acked = new Array<number>(workers).fill(0);
  const failed: { key: number; err: unknown }[] = [];
  let lastOk = Date.now();
  let longestStall = 0;
  // keys[0] is on the primary that gets killed: the longest gap between its acknowledgements.
  let victimLastOk = Date.now();
  let victimStall = 0;
  let stop = false;
  const loops = keys.map(async (k, i) => {
    while (!stop) {
      try {
        await c.incr(k);
        acked[i]++;
        const now = Date.now();
        if (i === 0) victimStall = Math.max(victimStall, now - victimLastOk);
        if (i === 0) victimLastOk = now;
        longestStall = Math.max(longestStall, now - lastOk);
        lastOk = now;
      } catch (err) {
        failed.push({ key: i, err });
      }
    }
  });
  await new Promise((r) => setTimeout(r, 500));
  const victim = await cluster.primaryFor(keySlot(keys[0]));
  // replicated: only what the client did is counted (async replication may drop the last acknowledged writes of a SIGKILLed primary).
  const { recoveredMs, killed } = await cluster.killPrimary(victim, { replicated: true });
  await new Promise((r) => setTimeout(r, 1000));
  stop = true;
  await Promise.all(loops);
  const maybe = failed.filter((f) => (f.err as { maybeExecuted?: boolean }).maybeExecuted === true);
  let duplicates = 0;
  let lost = 0;
  for (let i = 0; i < workers; i++) {
    const value = Number(await c.get(keys[i]));
    const mayHaveRun = maybe.filter((f) => f.key === i).length;
    // Each acknowledged INCR ran once; a maybe-executed one ran 0 or 1 times.
    if (value > acked[i] + mayHaveRun) duplicates += value - acked[i] - mayHaveRun;
    if (value < acked[i]) lost += acked[i] - value;
  }
  console.log(
    `# primary killed: cluster recovered in ${recoveredMs} ms; ${acked.reduce((a, b) => a + b, 0)} INCRs acknowledged; ` +
      `${failed.length} errors reached the application (${maybe.length} maybeExecuted); longest stall of all writes ${longestStall} ms; ` +
      `longest stall of writes to the killed primary's slots ${victimStall} ms; ` +
      `kinds: ${[...new Set(failed.map((f) => (f.err as Error).name + ':' + (f.err as Error).message.slice(0, 80)))].join(' | ')}`,
  );
  assert.equal(duplicates, 0, 'no INCR ran twice');
  assert.equal(lost, 0, 'no acknowledged INCR was lost');
  assert.ok(
    failed.every((f) => (f.err as { maybeExecuted?: boolean }).maybeExecuted === true),
    'only in-flight commands failed',
  );
  // The killed node is still down (Redis 7.0 lists it as a failed master with no slots): the
  // cluster client is ready again without it, and it is no primary of the client's map.
  const until = Date.now() + 15_000;
  while (c.state !== 'ready' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  assert.equal(c.state, 'ready', 'ready again while the killed primary is down');
  assert.ok(!c.primaries.includes(`${killed.host}:${killed.port}`), `${c.primaries.join(',')}`);
  await cluster.restartNode(killed);
});

test("connect() and the first commands on every node: the state goes connecting -> ready once, never 'reconnecting'", async () => {
  await using c = createCluster({ nodes: cluster.seeds });
  const states: string[] = [];
  c.on('stateChange', ({ to }) => states.push(to));
  await c.connect();
  // Keys on every primary: each node's connection opens now (the nodes' first connections).
  await Promise.all(Array.from({ length: 30 }, (_, i) => c.set(`first:${i}`, 'v')));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(states, ['connecting', 'ready'], 'a node opening its first connection is no outage');
});
