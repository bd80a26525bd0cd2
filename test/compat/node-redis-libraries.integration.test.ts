// The libraries written for node-redis, run through romaine/compat/node-redis against a real
// redis-server: @socket.io/redis-adapter (classic and sharded), @keyv/redis, rate-limiter-flexible
// in node-redis mode (across a server restart). connect-redis runs from a plain JavaScript program:
// connect-redis.integration.test.ts.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { createClient, type NodeRedisClient } from '../../src/compat/node-redis/index';
import { RedisServer, sleep, waitFor } from '../support';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(async () => {
  await server?.destroy();
});

const url = () => `redis://${server.host}:${server.port}`;

/** A socket.io server on a free loopback port, its adapter on two facade clients (pub, sub). */
async function ioServer(
  sharded: boolean,
): Promise<{ io: Server; http: HttpServer; port: number; clients: NodeRedisClient[] }> {
  const pub = createClient({ url: url() });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const http = createServer();
  const io = new Server(http, {
    adapter: (sharded ? createShardedAdapter(pub as any, sub as any) : createAdapter(pub as any, sub as any)) as any,
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { io, http, port: (http.address() as AddressInfo).port, clients: [pub, sub] };
}

for (const sharded of [false, true]) {
  describe(`@socket.io/redis-adapter${sharded ? ' (sharded, SSUBSCRIBE)' : ''}`, () => {
    test('two socket.io servers on one Redis: a broadcast from one reaches a client of the other, and fetchSockets() sees across', async () => {
      const a = await ioServer(sharded);
      const b = await ioServer(sharded);
      let socket: Socket | undefined;
      try {
        a.io.on('connection', (s) => void s.join('room-1'));
        socket = ioClient(`http://127.0.0.1:${a.port}`, { transports: ['websocket'], reconnection: false });
        await new Promise<void>((resolve, reject) => {
          socket?.on('connect', resolve);
          socket?.on('connect_error', reject);
        });
        const got: unknown[] = [];
        socket.on('news', (payload: unknown) => got.push(payload));
        const payload = { text: 'hello', bytes: Buffer.from([0xff, 0x00, 0x80]), n: 42 };
        // The adapter's subscriptions are confirmed asynchronously: emit until one arrives.
        await waitFor(
          'a broadcast from server B',
          () => {
            if (got.length === 0) b.io.emit('news', payload);
            return got.length > 0;
          },
          20_000,
        );
        const first = got[0] as { text: string; bytes: Buffer | ArrayBuffer; n: number };
        assert.equal(first.text, 'hello');
        assert.equal(first.n, 42);
        assert.deepEqual(
          Buffer.from(first.bytes as ArrayBuffer),
          payload.bytes,
          'binary survived msgpack through pub/sub',
        );
        if (!sharded) {
          const sockets = await b.io.fetchSockets();
          assert.equal(sockets.length, 1, 'server B found the socket connected to server A');
        }
        const before = got.length;
        b.io.to('room-1').emit('news', { text: 'room' });
        b.io.to('room-2').emit('news', { text: 'nobody' });
        await waitFor('the room broadcast', () => got.length > before, 10_000);
        await sleep(200);
        assert.deepEqual(
          got
            .slice(before)
            .map((g) => (g as { text: string }).text)
            .filter((t) => t !== 'hello'),
          ['room'],
        );
      } finally {
        socket?.disconnect();
        for (const s of [a, b]) {
          await s.io.close();
          for (const c of s.clients) if (c.isOpen) await c.close();
        }
      }
    });
  });
}

describe('@keyv/redis', () => {
  test('get/set/getMany/has/hasMany/delete/clear through Keyv, and a TTL that expires', async () => {
    const client = createClient({ url: url(), database: 5 });
    const store = new KeyvRedis(client as any);
    const keyv = new Keyv({ store, namespace: 'kv' });
    const errors: unknown[] = [];
    keyv.on('error', (e: unknown) => errors.push(e));
    try {
      assert.equal(await keyv.set('a', { n: 1 }), true);
      await keyv.set('b', 'two');
      await keyv.set('short', 'gone soon', 300);
      assert.deepEqual(await keyv.get('a'), { n: 1 });
      assert.deepEqual(await keyv.get(['a', 'b', 'none']), [{ n: 1 }, 'two', undefined]);
      assert.equal(await keyv.has('a'), true);
      assert.deepEqual(await keyv.has(['a', 'none', 'b']), [true, false, true]);
      const [shortKey] = (await client.keys('*short')) as string[];
      assert.ok((await client.pTTL(shortKey)) > 0, `the TTL is on the key (${shortKey})`);
      const deadline = Date.now() + 10_000;
      while ((await keyv.get('short')) !== undefined) {
        assert.ok(Date.now() < deadline, 'the 300 ms TTL never expired');
        await sleep(50);
      }
      assert.equal(await keyv.delete('a'), true);
      assert.equal(await keyv.delete('a'), false);
      await keyv.clear();
      assert.equal(await keyv.get('b'), undefined);
      assert.deepEqual(errors, []);
    } finally {
      await keyv.disconnect();
    }
    assert.equal(client.isOpen, false);
  });
});

describe('rate-limiter-flexible (useRedisPackage: true)', () => {
  test('consume until blocked, reward, block, delete; still limiting after a server restart', async () => {
    const own = await RedisServer.start();
    const client = createClient({ url: `redis://${own.host}:${own.port}` });
    await client.connect();
    const limiter = new RateLimiterRedis({
      storeClient: client,
      useRedisPackage: true,
      keyPrefix: 'rl',
      points: 3,
      duration: 60,
    });
    try {
      for (let i = 1; i <= 3; i++) assert.equal((await limiter.consume('ip')).remainingPoints, 3 - i);
      const refused = await limiter.consume('ip').then(
        () => assert.fail('the 4th point was allowed'),
        (r: unknown) => r,
      );
      assert.ok(refused instanceof RateLimiterRes);
      assert.ok(refused.msBeforeNext > 0 && refused.msBeforeNext <= 60_000, `msBeforeNext ${refused.msBeforeNext}`);
      const got = await limiter.get('ip');
      assert.equal(got?.consumedPoints, 4);
      await limiter.reward('ip', 2);
      assert.equal((await limiter.get('ip'))?.consumedPoints, 2);
      await limiter.block('blocked', 30);
      const blocked = await limiter.get('blocked');
      assert.ok(
        blocked !== null && blocked.msBeforeNext > 25_000,
        'block() set a TTL (the multi().set(k, v, { EX }) form)',
      );
      assert.equal(await limiter.delete('blocked'), true);

      // The server restarts (without persistence): the limiter keeps working through the same client.
      await own.restart();
      assert.equal((await limiter.consume('ip')).remainingPoints, 2);
      await limiter.consume('ip', 2);
      await assert.rejects(limiter.consume('ip'), (r: unknown) => r instanceof RateLimiterRes);
    } finally {
      await client.close();
      await own.destroy();
    }
  });
});
