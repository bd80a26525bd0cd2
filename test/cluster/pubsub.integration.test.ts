// Pub/sub on a ClusterClient against a real 3 + 3 cluster (one for the file; the tests that break
// it leave it healthy again): SUBSCRIBE/PSUBSCRIBE on one node with messages published on every
// node, SSUBSCRIBE per slot owner, and the subscriptions surviving a slot migration, a manual
// failover and a SIGKILLed primary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, createCluster, ClientClosedError, type ClusterResubscribedEvent } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, type RedisServer } from '../support';
import { pollUntil } from '../support/wait';
import { runTs } from '../support/run-ts';
import { join } from 'node:path';

let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start();
});
after(() => cluster?.destroy());

/** Waits (generously: the machine is shared) until `check` holds. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  await pollUntil(what, async () => ((await check()) ? true : undefined), ms);
}

/** The running nodes on which `channel` has a (non-sharded) subscriber: PUBSUB NUMSUB is per node. */
async function subscribedAt(channel: string): Promise<RedisServer[]> {
  const out: RedisServer[] = [];
  for (const s of cluster.servers.filter((x) => x.running)) {
    const reply = await s.cli('PUBSUB', 'NUMSUB', channel);
    if (Number(reply.split('\n')[1]) > 0) out.push(s);
  }
  return out;
}

/** Channel names, one per primary's slots (hash tags picked so their slots differ). */
async function channelsOnEveryPrimary(prefix: string): Promise<string[]> {
  const owners = new Map<number, string>();
  for (let i = 0; owners.size < 3 && i < 1000; i++) {
    const name = `${prefix}{${i}}`;
    const owner = await cluster.primaryFor(keySlot(name));
    if (!owners.has(owner.port)) owners.set(owner.port, name);
  }
  return [...owners.values()];
}

test('subscribe/psubscribe on one node get messages published on every node; ssubscribe across slots in one call', async () => {
  await using sub = createCluster({ nodes: cluster.seeds });
  await using pub = createCluster({ nodes: cluster.seeds });
  const got: string[] = [];
  await sub.subscribe(['news', 'sport'], (message, channel) => got.push(`${channel}:${message}`));
  await sub.psubscribe('ev.*', (message, channel, pattern) => got.push(`${pattern}|${channel}:${message}`));
  const shard = await channelsOnEveryPrimary('sh');
  await sub.ssubscribe(shard, (message, channel) => got.push(`s ${channel}:${message}`));
  assert.equal(sub.subscriptionCount, 6);
  assert.equal((await subscribedAt('news')).length, 1, 'one connection holds the subscriptions');

  // PUBLISH on every node, the subscriber's and the others: a cluster broadcasts it.
  for (const s of cluster.servers) await s.cli('PUBLISH', 'news', `from-${s.port}`);
  await pub.publish('sport', 'goal');
  await pub.publish('ev.login', 'ada');
  for (const ch of shard) assert.equal(await pub.spublish(ch, 'hi'), 1);
  const expected = [
    ...cluster.servers.map((s) => `news:from-${s.port}`),
    'sport:goal',
    'ev.*|ev.login:ada',
    ...shard.map((ch) => `s ${ch}:hi`),
  ];
  await until('every message', () => got.length >= expected.length);
  assert.deepEqual([...got].sort(), [...expected].sort());

  await sub.unsubscribe('news');
  await sub.sunsubscribe(shard[0]);
  assert.equal(sub.subscriptionCount, 4);
  got.length = 0;
  await pub.publish('news', 'gone');
  assert.equal(await pub.spublish(shard[0], 'gone'), 0);
  await pub.publish('sport', 'still');
  await until('the message on a channel still subscribed', () => got.includes('sport:still'));
  assert.deepEqual(got, ['sport:still']);

  await sub.unsubscribe();
  await sub.punsubscribe();
  await sub.sunsubscribe();
  assert.equal(sub.subscriptionCount, 0);
  await until('no subscriber left on any node', async () => (await subscribedAt('sport')).length === 0);
});

test('a sharded subscription follows its slot to another primary (the server sunsubscribes it), once; MOVED on SSUBSCRIBE is followed', async () => {
  // No periodic refresh: only the server's sunsubscribe (and MOVED) can tell these clients.
  await using sub = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await using late = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await late.connect();
  await using pub = createCluster({ nodes: cluster.seeds });
  const channel = 'moving{m1}';
  const slot = keySlot(channel);
  const got: string[] = [];
  const moves: ClusterResubscribedEvent[] = [];
  sub.on('resubscribed', (e) => moves.push(e));
  await sub.ssubscribe(channel, (message) => got.push(message));
  assert.equal(await pub.spublish(channel, 'before'), 1);

  const from = await cluster.primaryFor(slot);
  const to = (await cluster.nodes()).find((n) => n.role === 'primary' && n.server !== from)!.server!;
  await cluster.moveSlot(slot, to);
  await until('the subscription restored at the new owner', () =>
    moves.some((e) => e.shardChannels.includes(channel) && e.node === `${to.host}:${to.port}`),
  );
  assert.equal(moves.at(-1)!.reconnected, true);
  await until('spublish reaches the subscriber again', async () => (await pub.spublish(channel, 'after')) === 1);
  await until('messages after the move', () => got.includes('after'));
  assert.deepEqual(
    got.filter((m) => m === 'before'),
    ['before'],
  );
  // Each SPUBLISH that counted one receiver delivered exactly one message.
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(new Set(got).size, 2);
  assert.equal(got.filter((m) => m === 'after').length, got.length - 1);
  assert.equal(Number((await to.cli('PUBSUB', 'SHARDNUMSUB', channel)).split('\n')[1]), 1);

  // `late` still believes the old owner serves the slot: its SSUBSCRIBE meets MOVED and follows it.
  const lateGot: string[] = [];
  await late.ssubscribe(channel, (message) => lateGot.push(message));
  assert.equal(Number((await to.cli('PUBSUB', 'SHARDNUMSUB', channel)).split('\n')[1]), 2);
  assert.equal(await pub.spublish(channel, 'both'), 2);
  await until('both subscribers got it', () => lateGot.includes('both') && got.includes('both'));
});

test('a RedisClient on a cluster node forgets a shard channel the server unsubscribed (its slot moved away)', async () => {
  const channel = 'single{s3}';
  const slot = keySlot(channel);
  const owner = await cluster.primaryFor(slot);
  await using client = createClient({ host: owner.host, port: owner.port });
  await client.ssubscribe([channel, 'single{s3}b'], () => undefined);
  assert.equal(client.subscriptionCount, 2);
  const to = (await cluster.nodes()).find((n) => n.role === 'primary' && n.server !== owner)!.server!;
  await cluster.moveSlot(slot, to);
  await until('the client forgot both channels', () => client.subscriptionCount === 0);
  assert.equal(await client.ping(), 'PONG', 'the connection goes on');
});

test('Buffer messages ({ buffers: true }): bytes as published, beside string listeners, across a slot move', async () => {
  await using sub = createCluster({ nodes: cluster.seeds });
  await using pub = createCluster({ nodes: cluster.seeds });
  const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80]); // not UTF-8
  const got: Array<[string, Buffer | string]> = [];
  const asBuffer = (message: Buffer, channel: string) => got.push([`buf ${channel}`, message]);
  await sub.subscribe('bin', asBuffer, { buffers: true });
  await sub.subscribe('bin', (message: string) => got.push(['text bin', message]));
  await sub.psubscribe(
    'bin.*',
    (message: Buffer, channel, pattern) => got.push([`buf ${pattern} ${channel}`, message]),
    {
      buffers: true,
    },
  );
  const shard = 'sbin{b4}';
  await sub.ssubscribe(shard, (message: Buffer, channel) => got.push([`buf ${channel}`, message]), { buffers: true });
  await assert.rejects(
    (sub as unknown as { subscribe(...a: unknown[]): Promise<void> }).subscribe('x', () => undefined, true),
    /\{ buffers: true \}/,
  );

  await pub.publish('bin', bytes);
  await pub.publish('bin.x', bytes);
  assert.equal(await pub.spublish(shard, bytes), 1);
  await until('four messages', () => got.length >= 4);
  const byName = new Map(got);
  assert.deepEqual(byName.get('buf bin'), bytes);
  assert.equal(byName.get('text bin'), bytes.toString());
  assert.deepEqual(byName.get('buf bin.* bin.x'), bytes);
  assert.deepEqual(byName.get(`buf ${shard}`), bytes);

  // The Buffer shard subscription follows its slot.
  const slot = keySlot(shard);
  const from = await cluster.primaryFor(slot);
  const to = (await cluster.nodes()).find((n) => n.role === 'primary' && n.server !== from)!.server!;
  await cluster.moveSlot(slot, to);
  got.length = 0;
  await until('spublish reaches it at the new owner', async () => (await pub.spublish(shard, bytes)) === 1);
  await until('the message arrived', () => got.length > 0);
  assert.deepEqual(got[0], [`buf ${shard}`, bytes]);

  // Removing the Buffer listener keeps the string one.
  await sub.unsubscribe('bin', asBuffer);
  got.length = 0;
  await pub.publish('bin', 'plain');
  await until('the string listener got it', () => got.length > 0);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(got, [['text bin', 'plain']]);
});

test('a sharded subscription survives a manual failover of its owner; no message twice', async () => {
  await using sub = createCluster({ nodes: cluster.seeds });
  await using pub = createCluster({ nodes: cluster.seeds });
  const channel = 'fo{f2}';
  const got: string[] = [];
  await sub.ssubscribe(channel, (message) => got.push(message));
  const { newPrimary } = await cluster.failover(keySlot(channel));
  let n = 0;
  await until('spublish reaches the subscriber after the failover', async () => {
    try {
      return (await pub.spublish(channel, `m${++n}`)) === 1;
    } catch {
      return false;
    }
  });
  await until('the message arrived', () => got.length > 0);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(got.length, new Set(got).size, `no duplicate: ${got.join(',')}`);
  assert.equal(Number((await newPrimary.cli('PUBSUB', 'SHARDNUMSUB', channel)).split('\n')[1]), 1);
});

test("the node holding the subscriptions is SIGKILLed: they move, 'resubscribed' says so, messages flow again", async () => {
  await using sub = createCluster({ nodes: cluster.seeds });
  await using pub = createCluster({ nodes: cluster.seeds });
  const got: string[] = [];
  const events: ClusterResubscribedEvent[] = [];
  sub.on('resubscribed', (e) => events.push(e));
  await sub.subscribe('alerts', (m) => got.push(`alerts:${m}`));
  await sub.psubscribe('jobs.*', (m, ch) => got.push(`${ch}:${m}`));
  const [home] = await subscribedAt('alerts');
  assert.ok(home !== undefined);
  // A shard channel served by the same node: it moves to the replica that takes over.
  let shardChannel = '';
  for (let i = 0; shardChannel === ''; i++) {
    if ((await cluster.primaryFor(keySlot(`k{${i}}`))) === home) shardChannel = `k{${i}}`;
  }
  await sub.ssubscribe(shardChannel, (m, ch) => got.push(`s ${ch}:${m}`));

  const { killed } = await cluster.killPrimary(home);
  try {
    await until('the channels restored on another node', () =>
      events.some((e) => e.reconnected && e.channels.includes('alerts') && e.patterns.includes('jobs.*')),
    );
    await until('the shard channel restored at the new owner', () =>
      events.some((e) => e.reconnected && e.shardChannels.includes(shardChannel)),
    );
    const moved = events.find((e) => e.channels.includes('alerts'))!;
    assert.notEqual(moved.node, `${home.host}:${home.port}`);
    await until('messages flow again', async () => {
      await pub.publish('alerts', 'a');
      await pub.publish('jobs.build', 'b');
      await pub.spublish(shardChannel, 'c').catch(() => 0);
      return got.includes('alerts:a') && got.includes('jobs.build:b') && got.includes(`s ${shardChannel}:c`);
    });
    assert.equal((await subscribedAt('alerts')).length, 1);
  } finally {
    await cluster.restartNode(killed);
  }
});

test('close() settles every subscription promise and ends the pub/sub connections', async () => {
  const sub = createCluster({ nodes: cluster.seeds });
  await sub.subscribe('c1', () => undefined);
  const pending = Promise.allSettled([sub.subscribe('c2', () => undefined), sub.ssubscribe('s{1}', () => undefined)]);
  await sub.close();
  await pending; // settled, one way or the other
  await assert.rejects(
    sub.subscribe('c3', () => undefined),
    ClientClosedError,
  );
  await until('no subscriber left', async () => (await subscribedAt('c1')).length === 0);
  const never = createCluster({ nodes: cluster.seeds });
  const p = assert.rejects(
    never.subscribe('c4', () => undefined),
    ClientClosedError,
  );
  never.destroy();
  await p;
});

test('plain JavaScript, as an ioredis Cluster / socket.io adapter user writes it', async () => {
  const node = cluster.servers.find((s) => s.running)!;
  const run = await runTs(join(__dirname, 'programs', 'pubsub-user.cjs'), {
    cwd: join(__dirname, '..', '..'),
    redisUrl: `redis://${node.host}:${node.port}`,
  });
  assert.equal(run.code, 0, run.output);
  const out = JSON.parse(run.output.trim().split('\n').at(-1)!);
  assert.deepEqual(out, {
    got: ['room:* room:7 42', 'socket.io#/# broadcast', 'user:{1} hello', 'user:{2} hello', 'user:{3} hello'],
    errors: ['EINVALIDARG', 'EINVALIDARG', 'EINVALIDARG'],
    shardReceivers: 3,
    count: 5,
    after: 0,
  });
});
