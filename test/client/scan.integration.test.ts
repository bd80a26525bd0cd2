import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type RedisClient } from '../../src/index';
import { hscanIterator, scanIterator, sscanIterator, zscanIterator } from '../../src/client/scan';
import { RedisServer } from '../support/redis-server';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(async () => {
  await server?.destroy();
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const N = 300;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

for (const protocol of [3, 2] as const) {
  describe(`scan iterators over RESP${protocol}`, () => {
    let c: RedisClient;
    before(async () => {
      c = createClient({ port: server.port, protocol, database: protocol });
      await c.connect();
      await c.flushdb();
      // Big enough that every collection is a real hashtable scanned over many pages.
      const p = c.pipeline();
      for (const i of range(N)) p.set(`key:${i}`, i);
      p.hset('hash', Object.fromEntries(range(N).map((i) => [`f${i}`, `v${i}`])));
      p.sadd('set', ...range(N).map((i) => `m${i}`));
      p.zadd(
        'zset',
        range(N).map((i) => ({ score: i / 2, value: `z${i}` })),
      );
      p.rpush('list', 'x');
      await p.exec();
    });
    after(async () => {
      await c?.close();
    });

    test('scanIterator loops the cursor until 0 and yields every key', async () => {
      const keys = await collect(scanIterator(c, { COUNT: 10 }));
      assert.equal(new Set(keys).size, N + 4);
      const matched = await collect(scanIterator(c, { MATCH: 'key:1*', COUNT: 50 }));
      assert.deepEqual(
        [...new Set(matched)].sort(),
        range(N)
          .map((i) => `key:${i}`)
          .filter((k) => k.startsWith('key:1'))
          .sort(),
      );
      assert.deepEqual(await collect(scanIterator(c, { TYPE: 'zset', COUNT: 1000 })), ['zset']);
      assert.deepEqual(await collect(scanIterator(c, { MATCH: 'nothing:*' })), []);
    });

    test('hscanIterator yields [field, value]', async () => {
      const entries = await collect(hscanIterator(c, 'hash', { COUNT: 10 }));
      const map = new Map(entries);
      assert.equal(map.size, N);
      assert.equal(map.get('f7'), 'v7');
      const f29 = await collect(hscanIterator(c, 'hash', { MATCH: 'f29?' }));
      assert.deepEqual(
        f29.sort(),
        range(10).map((i) => [`f29${i}`, `v29${i}`]),
      );
      assert.deepEqual(await collect(hscanIterator(c, 'missing')), []);
    });

    test('sscanIterator yields members', async () => {
      const members = await collect(sscanIterator(c, 'set', { COUNT: 10 }));
      assert.equal(new Set(members).size, N);
      assert.deepEqual(
        (await collect(sscanIterator(c, 'set', { MATCH: 'm1?' }))).sort(),
        range(10)
          .map((i) => `m1${i}`)
          .sort(),
      );
    });

    test('zscanIterator yields {value, score} with numeric scores', async () => {
      const members = await collect(zscanIterator(c, 'zset', { COUNT: 10 }));
      const byValue = new Map(members.map((m) => [m.value, m.score]));
      assert.equal(byValue.size, N);
      assert.equal(byValue.get('z3'), 1.5);
      assert.deepEqual(await collect(zscanIterator(c, 'zset', { MATCH: 'z299' })), [{ value: 'z299', score: 149.5 }]);
    });

    test('an iterator can stop early (break) without draining', async () => {
      let seen = 0;
      for await (const key of scanIterator(c, { COUNT: 5 })) {
        assert.equal(typeof key, 'string');
        if (++seen === 3) break;
      }
      assert.equal(seen, 3);
    });
  });
}
