import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type RedisClient } from '../../src/index';
import { RedisServer } from '../support/redis-server';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(async () => {
  await server?.destroy();
});
const seen = new Map<number, unknown[]>();

for (const protocol of [3, 2] as const) {
  describe(`HyperLogLog over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = <T>(value: T): T => {
      seen.get(protocol)!.push(value);
      return value;
    };
    before(async () => {
      seen.set(protocol, []);
      c = createClient({ port: server.port, protocol, database: protocol });
      await c.connect();
      assert.equal(c.server?.protocol, protocol);
      await c.flushdb();
    });
    after(async () => {
      await c?.close();
    });

    test('pfadd / pfcount / pfmerge', async () => {
      assert.equal(same(await c.pfadd('p:a', 'x', 'y', 'z')), true);
      assert.equal(same(await c.pfadd('p:a', 'x')), false);
      assert.equal(same(await c.pfadd('p:empty')), true);
      assert.equal(same(await c.pfcount('p:a')), 3);
      await c.pfadd('p:b', 'z', 'w');
      assert.equal(same(await c.pfcount('p:a', 'p:b')), 4);
      assert.equal(same(await c.pfmerge('p:m', 'p:a', 'p:b')), 'OK');
      assert.equal(same(await c.pfcount('p:m')), 4);
      assert.equal(same(await c.pfcount('p:none')), 0);
      const results = await c.pipeline().pfadd('p:p', 'a').pfcount('p:p').exec();
      assert.deepEqual(same(results), [
        [null, true],
        [null, 1],
      ]);
    });
  });
}

test('RESP2 and RESP3 gave identical typed values', () => {
  assert.ok(seen.get(3)!.length > 5);
  assert.deepStrictEqual(seen.get(2), seen.get(3));
});
