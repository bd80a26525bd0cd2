// romaine/compat/node-redis' createCluster() against a real Redis Cluster (3 primaries, 1 replica
// each, requirepass on every node): node-redis v5's options (rootNodes, defaults.password,
// useReplicas), camelCase commands and replies, sendCommand in both forms, multi on one slot,
// sSubscribe in Buffer mode, masters/nodeClient; then @socket.io/redis-adapter's sharded adapter
// and connect-redis 9's store over it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { RedisStore } from 'connect-redis';
import { InvalidArgumentError } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { createCluster, type NodeRedisCluster } from '../../src/compat/node-redis/index';
import { RedisCluster, pollUntil, waitFor } from '../support';
import { waitReplicated } from '../../src/testing/replication';

const PASSWORD = 'nr-cluster-pw';
let cluster: RedisCluster;
let client: NodeRedisCluster;
const rootNodes = () => [{ url: `redis://127.0.0.1:${cluster.seeds[0].port}` }];
before(async () => {
  cluster = await RedisCluster.start({ primaries: 3, replicas: 1, password: PASSWORD });
  client = await createCluster({ rootNodes: rootNodes(), defaults: { password: PASSWORD } }).connect();
});
after(async () => {
  await client?.close();
  await cluster?.destroy();
});

describe('createCluster: node-redis v5 shapes over romaine', () => {
  test('connect() resolves with the cluster; isOpen/isReady; events; close()', async () => {
    const c = createCluster({ rootNodes: [{ socket: cluster.seeds[1] }], defaults: { password: PASSWORD } });
    const seen: string[] = [];
    for (const e of ['connect', 'ready', 'end'] as const) c.on(e, () => seen.push(e));
    assert.equal(c.isOpen, false);
    assert.equal(await c.connect(), c);
    assert.equal(c.isReady, true);
    assert.equal(await c.ping(), 'PONG');
    await c.close();
    assert.equal(c.isOpen, false);
    assert.deepEqual(seen, ['connect', 'ready', 'end']);
  });

  test('a wrong password fails connect() at once; options it cannot honour are refused by name', async () => {
    await assert.rejects(
      createCluster({ rootNodes: rootNodes(), defaults: { password: 'wrong' } }).connect(),
      (err: Error) => /WRONGPASS|invalid|auth/i.test(`${err.message} ${String(err.cause)}`),
    );
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ rootNodes: [] }, /'rootNodes'/],
      [{ rootNodes: rootNodes(), defaults: { database: 1 } }, /'defaults.database'/],
      [{ rootNodes: rootNodes(), defaults: { legacyMode: true } }, /'legacyMode'/],
      [{ rootNodes: rootNodes(), modules: {} }, /unknown option 'modules'/],
      [{ rootNodes: [{ socket: {} }] }, /rootNodes\[0\]/],
    ];
    for (const [options, message] of refused) {
      assert.throws(
        () => createCluster(options as never),
        (err: Error) => err instanceof InvalidArgumentError && message.test(err.message),
        JSON.stringify(options),
      );
    }
  });

  test('camelCase commands across slots with v5 argument forms and replies; sendCommand in both forms', async () => {
    assert.equal(await client.set('nr:a', 'x', { expiration: { type: 'EX', value: 60 } }), 'OK');
    const ttl = await client.ttl('nr:a');
    assert.ok(ttl > 0 && ttl <= 60);
    assert.equal(await client.incrBy('nr:b', 5), 5);
    await client.hSet('{nr}h', { f: '1', g: '2' });
    assert.deepEqual({ ...(await client.hGetAll('{nr}h')) }, { f: '1', g: '2' });
    assert.deepEqual(await client.mGet(['{nr}h:1', '{nr}h:2']), [null, null]);
    assert.equal(await client.sendCommand(['GET', 'nr:a']), 'x');
    assert.equal(await client.sendCommand('nr:a', true, ['GET', 'nr:a']), 'x');
    assert.equal(await (client as any).GET('nr:a'), 'x');
    assert.deepEqual(await client.multi().set('{m}1', '1').incr('{m}1').get('{m}1').exec(), ['OK', 2, '2']);
  });

  test('masters / replicas / nodeClient(): commands and scans on each node', async () => {
    assert.equal(client.masters.length, 3);
    assert.equal(client.replicas.length, 3);
    let sum = 0;
    for (const m of client.masters) {
      const node = await client.nodeClient(m);
      assert.equal(((await node.sendCommand(['ROLE'])) as unknown[])[0], 'master');
      sum += await node.dbSize();
      const keys: string[] = [];
      for await (const page of node.scanIterator({ MATCH: 'nr:*' })) keys.push(...page);
      for (const k of keys) assert.equal((await cluster.primaryFor(keySlot(k))).port, m.port, `${k} lives on its node`);
    }
    assert.equal(sum, await client.dbSize());
    await assert.rejects((await client.nodeClient(client.masters[0])).close(), /cluster owns/);
  });

  test('useReplicas: reads go to replicas', async () => {
    const c = await createCluster({
      rootNodes: rootNodes(),
      defaults: { password: PASSWORD },
      useReplicas: true,
    }).connect();
    try {
      await c.set('{ur}k', 'v');
      const primary = await cluster.primaryFor(keySlot('{ur}k'));
      const [replica] = await cluster.replicasOf(primary);
      await waitReplicated(primary, [replica]);
      const calls = async () =>
        Number(/^cmdstat_get:calls=(\d+)/m.exec(String(await replica.cli('INFO', 'commandstats')))?.[1] ?? 0);
      const before = await calls();
      // Until the replica's connection is ready, preferReplica reads from the primary.
      await pollUntil(
        'a GET to run on the replica',
        async () => {
          assert.equal(await c.get('{ur}k'), 'v');
          return (await calls()) > before || undefined;
        },
        10_000,
      );
    } finally {
      await c.close();
    }
  });

  test('sSubscribe in Buffer mode: the exact bytes, at the slot owner; subscribe too', async () => {
    const sub = client.duplicate();
    await sub.connect();
    try {
      const payload = Buffer.from([0xff, 0xfe, 0x01]);
      const got: unknown[] = [];
      await sub.sSubscribe('{sc}ch', (m: Buffer, ch: string) => got.push(['s', ch, [...m]]), true);
      await sub.subscribe('plain-ch', (m: string, ch: string) => got.push(['p', ch, m]));
      assert.equal(await client.sPublish('{sc}ch', payload), 1);
      await client.publish('plain-ch', 'hi');
      await waitFor('two messages', () => got.length === 2);
      assert.deepEqual(
        got.sort((a, b) => String(a).localeCompare(String(b))),
        [
          ['p', 'plain-ch', 'hi'],
          ['s', '{sc}ch', [...payload]],
        ],
      );
    } finally {
      await sub.close();
    }
  });
});

describe('libraries through createCluster', { timeout: 120_000 }, () => {
  /** A socket.io server with the sharded adapter on a facade cluster (pub) and its duplicate (sub). */
  async function ioServer(): Promise<{ io: Server; http: HttpServer; port: number; clients: NodeRedisCluster[] }> {
    const pub = createCluster({ rootNodes: rootNodes(), defaults: { password: PASSWORD } });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    const http = createServer();
    const io = new Server(http, { adapter: createShardedAdapter(pub as any, sub as any) as any });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return { io, http, port: (http.address() as AddressInfo).port, clients: [pub, sub] };
  }

  test('@socket.io/redis-adapter sharded: a broadcast crosses servers, fetchSockets() and serverCount() see both', async () => {
    const a = await ioServer();
    const b = await ioServer();
    let socket: Socket | undefined;
    try {
      a.io.on('connection', (s) => void s.join('room-1'));
      socket = ioClient(`http://127.0.0.1:${a.port}`, { transports: ['websocket'], reconnection: false });
      await new Promise<void>((resolve, reject) => {
        socket?.on('connect', resolve);
        socket?.on('connect_error', reject);
      });
      const got: unknown[] = [];
      socket.on('news', (p: unknown) => got.push(p));
      const payload = { text: 'hello', bytes: Buffer.from([0xff, 0x00, 0x80]) };
      await waitFor(
        'a broadcast from server b to reach the client of server a',
        () => {
          if (got.length === 0) b.io.to('room-1').emit('news', payload);
          return got.length > 0;
        },
        15_000,
      );
      const [first] = got as { text: string; bytes: Buffer }[];
      assert.equal(first.text, 'hello');
      assert.deepEqual([...Buffer.from(first.bytes)], [0xff, 0x00, 0x80], 'binary (msgpack) payload intact');
      const sockets = await b.io.in('room-1').fetchSockets();
      assert.deepEqual(
        sockets.map((s) => s.id),
        [socket.id],
      );
      // PUBSUB SHARDNUMSUB summed over cluster.masters (node.client.sendCommand).
      assert.equal(await (b.io.of('/').adapter as any).serverCount(), 2);
    } finally {
      socket?.disconnect();
      for (const s of [a, b]) {
        await s.io.close();
        for (const c of s.clients) await c.close().catch(() => undefined);
      }
    }
  });

  test('connect-redis 9: set with the TTL, get, touch, length/ids across the masters, destroy, clear', async () => {
    const store = new RedisStore({ client, prefix: '{sess}:', ttl: 60 });
    const session = { cookie: { originalMaxAge: 30_000, expires: new Date(Date.now() + 30_000) }, user: 'ann' };
    await store.set('s1', session as any);
    await store.set('s2', { ...session, user: 'bob' } as any);
    const got = await store.get('s1');
    assert.equal(got.user, 'ann');
    const ttl = await client.ttl('{sess}:s1');
    assert.ok(ttl > 25 && ttl <= 30, `the cookie's max age is the key's TTL, got ${ttl}`);
    await store.touch('s1', { ...session, cookie: { originalMaxAge: 50_000 } } as any);
    assert.ok((await client.ttl('{sess}:s1')) > 40);
    assert.equal(await store.length(), 2);
    assert.deepEqual((await store.ids()).sort(), ['s1', 's2']);
    await store.destroy('s1');
    assert.equal((await store.get('s1')) ?? null, null, 'gone');
    await store.clear();
    assert.equal(await store.length(), 0);
  });
});
