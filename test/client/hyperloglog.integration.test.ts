import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

for (const protocol of [3, 2] as const) {
  describe(`HyperLogLog over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client));

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

resp.compare(5);
