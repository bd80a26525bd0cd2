// Client-side caching against real servers: invalidations from other clients' writes, a flush,
// a reconnect (the cache is emptied before any read is served again), the read-vs-invalidation
// race forced with the fault proxy, the client's own writes, LRU/bytes/TTL bounds, BCAST prefixes,
// and what a hit costs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, createClient, type RedisClient } from '../../src/index';
import { FaultProxy, RedisServer, sleep, waitFor } from '../support';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };
let server: RedisServer;
let writer: RedisClient;

before(async () => {
  server = await RedisServer.start();
  writer = createClient({ host: server.host, port: server.port });
});
after(async () => {
  writer?.destroy();
  await server?.destroy();
});

function cached(options: Parameters<typeof createClient>[0] = {}): RedisClient {
  return createClient({ host: server.host, port: server.port, cache: {}, reconnect: fast, ...(options as object) });
}

/** How many times the server ran GET so far. */
async function serverGets(client: RedisClient): Promise<number> {
  const stats = String(await client.call('INFO', 'commandstats'));
  return Number(/cmdstat_get:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

describe('client-side caching', () => {
  test('a hit does not touch the network; a second client writes and the first sees the new value', async () => {
    const client = cached();
    try {
      await writer.set('c1:k', 'v1');
      await writer.hset('c1:h', { a: '1', b: '2' });
      await writer.sadd('c1:s', 'x', 'y');
      assert.equal(await client.get('c1:k'), 'v1'); // miss: fetched and tracked
      const before = await serverGets(writer);
      for (let i = 0; i < 1000; i++) assert.equal(await client.get('c1:k'), 'v1');
      assert.equal(await serverGets(writer), before, 'no GET reached the server');
      assert.deepEqual(await client.hgetall('c1:h'), { a: '1', b: '2' });
      assert.deepEqual(await client.hgetall('c1:h'), { a: '1', b: '2' });
      assert.deepEqual((await client.smembers('c1:s')).sort(), ['x', 'y']);
      let stats = client.cache.stats();
      assert.equal(stats.hits, 1001);
      assert.equal(stats.misses, 3);
      assert.equal(stats.entries, 3);

      await writer.set('c1:k', 'v2');
      await writer.hset('c1:h', 'a', 'changed');
      await waitFor('the invalidations', () => client.cache.stats().invalidations === 2);
      assert.equal(await client.get('c1:k'), 'v2');
      assert.deepEqual(await client.hgetall('c1:h'), { a: 'changed', b: '2' });
      stats = client.cache.stats();
      assert.equal(stats.misses, 5);
      assert.equal(await client.get('c1:k'), 'v2');
      assert.equal(client.cache.stats().hits, stats.hits + 1);
    } finally {
      await client.close();
    }
  });

  test('FLUSHALL (an invalidation with no keys) empties the whole cache', async () => {
    const client = cached();
    try {
      for (let i = 0; i < 5; i++) await writer.set(`c2:${i}`, String(i));
      for (let i = 0; i < 5; i++) await client.get(`c2:${i}`);
      assert.equal(client.cache.stats().entries, 5);
      await writer.call('FLUSHALL');
      await waitFor('the flush to reach the cache', () => client.cache.stats().entries === 0);
      assert.equal(await client.get('c2:0'), null);
    } finally {
      await client.close();
    }
  });

  test('a reconnect empties the cache before any read is served again', async () => {
    const client = cached();
    const entriesWhenLost: number[] = [];
    client.on('stateChange', (e) => {
      if (e.from === 'ready') entriesWhenLost.push(client.cache.stats().entries);
    });
    try {
      await writer.set('c3:k', 'before');
      assert.equal(await client.get('c3:k'), 'before');
      assert.equal(await client.get('c3:k'), 'before');
      assert.equal(client.cache.stats().hits, 1);
      const id = client.server?.id;
      assert.ok(id !== undefined);
      // The connection goes, and the key changes while no invalidation can reach us.
      await writer.call('CLIENT', 'KILL', 'ID', String(id));
      await writer.set('c3:k', 'after');
      await waitFor('the client to notice', () => entriesWhenLost.length === 1);
      assert.deepEqual(entriesWhenLost, [0], 'emptied as the connection was lost');
      assert.equal(await client.get('c3:k'), 'after');
      await client.connect();
      assert.equal(await client.get('c3:k'), 'after');
      // Tracking is on again on the new connection: the next change is seen too.
      await writer.set('c3:k', 'again');
      await waitFor('the invalidation on the new connection', () => client.cache.stats().invalidations >= 1);
      assert.equal(await client.get('c3:k'), 'again');
    } finally {
      await client.close();
    }
  });

  test('the race: a read whose reply and an invalidation arrive together never leaves a stale entry (fault proxy delay)', async () => {
    // Replies to the caching client are held 60 ms by the proxy. The writer (direct) changes the key
    // at varying moments after the server answered the read, so the invalidation arrives right
    // behind the old value: sometimes in the same chunk, sometimes in the next. A cache that
    // stored the reply later than when it was decoded (in a callback) keeps the old value here.
    const proxy = await FaultProxy.start(server);
    const client = createClient({ host: '127.0.0.1', port: proxy.port, cache: {}, reconnect: fast });
    // A read-only command through the same connection: its reply comes after every push the server
    // queued for us before it (it is not a cached read, and not a write the cache would wait for).
    const sync = () => client.call('EXISTS', 'c4:sync');
    try {
      await client.connect();
      proxy.delay(60, 'down');
      for (let i = 0; i < 12; i++) {
        const key = `c4:k${i}`;
        await writer.set(key, 'old');
        const read = client.get(key); // miss: a placeholder, then GET
        await sleep(i * 3); // the server answers at once; the reply waits in the proxy
        await writer.set(key, 'new'); // if the server had answered the GET: an invalidation, right behind it
        const value = await read;
        assert.ok(value === 'old' || value === 'new', `round ${i}: read ${value}`);
        await sync();
        assert.equal(await client.get(key), 'new', `round ${i}: a stale value was kept (the read gave ${value})`);
      }
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  test('the race the other way: an invalidation that overtakes a read on the wire drops the placeholder', async () => {
    // The caching client's requests are held 60 ms on their way up, so the writer's change is
    // made (and its invalidation sent) while the read is still travelling.
    const proxy = await FaultProxy.start(server);
    const client = createClient({ host: '127.0.0.1', port: proxy.port, cache: {}, reconnect: fast });
    try {
      await client.connect();
      await writer.hset('c5:h', { f1: 'a', f2: 'b' });
      assert.equal(await client.hget('c5:h', 'f1'), 'a'); // tracks c5:h
      proxy.delay(60, 'up');
      const read = client.hget('c5:h', 'f2'); // placeholder for (c5:h, f2)
      await sleep(10);
      await writer.hset('c5:h', 'f2', 'b2'); // invalidation for c5:h goes out now
      assert.equal(await read, 'b2', 'the read ran after the write');
      const { invalidations } = client.cache.stats();
      assert.ok(invalidations >= 1, 'the invalidation arrived');
      proxy.delay(0, 'up');
      await sleep(20);
      assert.equal(await client.hget('c5:h', 'f2'), 'b2');
      assert.equal(await client.hget('c5:h', 'f1'), 'a');
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  test('own writes: a read after a write sees it, even when the invalidation comes in a later chunk', async () => {
    const proxy = await FaultProxy.start(server);
    const client = createClient({ host: '127.0.0.1', port: proxy.port, cache: {}, reconnect: fast });
    try {
      await client.set('c6:k', 'v1');
      assert.equal(await client.get('c6:k'), 'v1');
      assert.equal(await client.get('c6:k'), 'v1'); // a hit
      // Not awaited: the read is issued behind the write and must not be answered from the cache.
      const write = client.set('c6:k', 'v2');
      assert.equal(await client.get('c6:k'), 'v2');
      await write;
      // One byte per chunk: the write's reply and the invalidation behind it arrive separately.
      proxy.splitBytes(true);
      await client.set('c6:k', 'v3');
      assert.equal(await client.get('c6:k'), 'v3');
      proxy.splitBytes(false);
      assert.equal(await client.get('c6:k'), 'v3');
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  test('bounds: maxEntries evicts the least recently used, maxBytes and ttlMs are honoured', async () => {
    const lru = cached({ cache: { maxEntries: 3 } });
    const small = cached({ cache: { maxBytes: 1000 } });
    const ttl = cached({ cache: { ttlMs: 60 } });
    try {
      for (let i = 0; i < 5; i++) await writer.set(`c7:${i}`, 'x'.repeat(100));
      for (const i of [0, 1, 2]) await lru.get(`c7:${i}`);
      await lru.get('c7:0'); // 0 is now the most recently used
      await lru.get('c7:3'); // evicts 1
      let stats = lru.cache.stats();
      assert.equal(stats.entries, 3);
      assert.equal(stats.evictions, 1);
      await lru.get('c7:0');
      assert.equal(lru.cache.stats().hits, stats.hits + 1, 'c7:0 stayed');
      await lru.get('c7:1');
      assert.equal(lru.cache.stats().misses, stats.misses + 1, 'c7:1 was evicted');

      for (let i = 0; i < 5; i++) await small.get(`c7:${i}`);
      stats = small.cache.stats();
      assert.ok(stats.bytes <= 1000, `bytes ${stats.bytes}`);
      assert.ok(stats.entries < 5 && stats.evictions > 0, JSON.stringify(stats));

      await ttl.get('c7:0');
      await ttl.get('c7:0');
      assert.equal(ttl.cache.stats().hits, 1);
      await sleep(80);
      await ttl.get('c7:0');
      assert.equal(ttl.cache.stats().misses, 2, 'expired: read again');
    } finally {
      await Promise.all([lru.close(), small.close(), ttl.close()]);
    }
  });

  test('BCAST with prefixes: only keys under the prefixes are cached; changes to them are told', async () => {
    const client = cached({ cache: { mode: 'bcast', prefixes: ['c8:user:'] } });
    try {
      await writer.set('c8:user:1', 'ada');
      await writer.set('c8:other', 'x');
      await client.get('c8:user:1');
      await client.get('c8:other');
      assert.equal(client.cache.stats().entries, 1);
      await client.get('c8:user:1');
      await client.get('c8:other');
      assert.equal(client.cache.stats().hits, 1);
      const info = (await client.call('CLIENT', 'TRACKINGINFO')) as Record<string, unknown>;
      assert.deepEqual(info.flags, ['on', 'bcast']);
      await writer.set('c8:user:1', 'grace');
      await waitFor('the broadcast invalidation', () => client.cache.stats().entries === 0);
      assert.equal(await client.get('c8:user:1'), 'grace');
    } finally {
      await client.close();
    }
  });

  test('results are copies, the buffers view and call() bypass the cache, and RESP2 is refused up front', async () => {
    const client = cached();
    try {
      await writer.rpush('c9:l', 'a', 'b');
      const first = await client.lrange('c9:l', 0, -1);
      first.push('mine');
      assert.deepEqual(await client.lrange('c9:l', 0, -1), ['a', 'b']);
      assert.deepEqual(await client.lrange('c9:l', 0, -1), ['a', 'b']);
      assert.equal(client.cache.stats().hits, 2);
      await writer.set('c9:k', 'v');
      assert.deepEqual(await client.buffers.get('c9:k'), Buffer.from('v'));
      assert.equal(await client.call('GET', 'c9:k'), 'v');
      assert.equal(client.cache.stats().misses, 1);
      assert.equal(createClient().cache.enabled, false);
      assert.throws(() => createClient({ protocol: 2, cache: {} }), InvalidArgumentError);
      assert.throws(() => createClient({ cache: { maxEntries: 0 } }), InvalidArgumentError);
      assert.throws(() => createClient({ cache: { prefixes: ['a'] } }), /only applies with cache.mode 'bcast'/);
    } finally {
      await client.close();
    }
  });

  test('what a hit costs: ns per cached GET against a network GET (printed, not asserted)', async () => {
    const client = cached();
    const plain = createClient({ host: server.host, port: server.port });
    try {
      await writer.set('c10:k', 'value');
      await client.get('c10:k');
      await plain.get('c10:k');
      const time = async (n: number, fn: () => Promise<unknown>): Promise<number> => {
        for (let i = 0; i < Math.min(n, 2000); i++) await fn(); // warm up
        const t = process.hrtime.bigint();
        for (let i = 0; i < n; i++) await fn();
        return Number(process.hrtime.bigint() - t) / n;
      };
      const hit = await time(200_000, () => client.get('c10:k'));
      const network = await time(20_000, () => plain.get('c10:k'));
      assert.equal(client.cache.stats().misses, 1, 'every timed read was a hit');
      console.log(
        `# cache: ${hit.toFixed(0)} ns per cached GET (awaited, one at a time), ${network.toFixed(0)} ns per network GET ` +
          `(loopback, same loop): ${(network / hit).toFixed(0)}x`,
      );
    } finally {
      await Promise.all([client.close(), plain.close()]);
    }
  });
});
