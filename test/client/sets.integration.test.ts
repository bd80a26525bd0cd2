import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

const sorted = (xs: string[]): string[] => [...xs].sort();

for (const protocol of [3, 2] as const) {
  describe(`sets over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client));

    test('sadd / srem / smembers / sismember / smismember / scard', async () => {
      assert.equal(same(await c.sadd('t:a', 'x', 'y', 'z', 'x')), 3);
      assert.equal(same(await c.srem('t:a', 'z', 'nope')), 1);
      assert.deepEqual(same(sorted(await c.smembers('t:a'))), ['x', 'y']);
      assert.deepEqual(same(await c.smembers('t:none')), []);
      assert.equal(same(await c.sismember('t:a', 'x')), true);
      assert.equal(same(await c.sismember('t:a', 'z')), false);
      assert.deepEqual(same(await c.smismember('t:a', 'x', 'z', 'y')), [true, false, true]);
      assert.equal(same(await c.scard('t:a')), 2);
    });

    test('spop / spopCount / srandmember / srandmemberCount', async () => {
      await c.sadd('t:r', 'a', 'b', 'c');
      assert.ok(['a', 'b', 'c'].includes((await c.srandmember('t:r'))!));
      assert.equal(same(await c.srandmember('t:none')), null);
      assert.deepEqual(same(sorted(await c.srandmemberCount('t:r', 10))), ['a', 'b', 'c']);
      assert.equal((await c.srandmemberCount('t:r', -7)).length, 7);
      const popped = await c.spop('t:r');
      assert.ok(['a', 'b', 'c'].includes(popped!));
      assert.equal((await c.spopCount('t:r', 5)).length, 2);
      assert.equal(same(await c.spop('t:r')), null);
      assert.deepEqual(same(await c.spopCount('t:r', 2)), []);
    });

    test('sinter / sunion / sdiff and their STORE forms / sintercard / smove', async () => {
      await c.sadd('t:1', 'a', 'b', 'c', 'd');
      await c.sadd('t:2', 'c', 'd', 'e');
      assert.deepEqual(same(sorted(await c.sinter('t:1', 't:2'))), ['c', 'd']);
      assert.deepEqual(same(sorted(await c.sunion('t:1', 't:2'))), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(same(sorted(await c.sdiff('t:1', 't:2'))), ['a', 'b']);
      assert.equal(same(await c.sinterstore('t:i', 't:1', 't:2')), 2);
      assert.equal(same(await c.sunionstore('t:u', 't:1', 't:2')), 5);
      assert.equal(same(await c.sdiffstore('t:d', 't:1', 't:2')), 2);
      assert.equal(same(await c.sintercard(['t:1', 't:2'])), 2);
      assert.equal(same(await c.sintercard(['t:1', 't:2'], { LIMIT: 1 })), 1);
      assert.equal(same(await c.sintercard('t:1')), 4);
      assert.equal(same(await c.smove('t:1', 't:2', 'a')), true);
      assert.equal(same(await c.smove('t:1', 't:2', 'a')), false);
      assert.equal(same(await c.sismember('t:2', 'a')), true);
    });

    test('sscan: one page', async () => {
      const page = await c.sscan('t:u', 0, { COUNT: 100 });
      assert.equal(same(page.cursor), '0');
      assert.deepEqual(same(sorted(page.members)), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(same((await c.sscan('t:u', '0', { MATCH: '[ab]', COUNT: 100 })).members.sort()), ['a', 'b']);
    });

    test('buffers view and pipeline', async () => {
      await c.sadd('t:bin', Buffer.from([0, 255]));
      assert.deepEqual(await c.buffers.smembers('t:bin'), [Buffer.from([0, 255])]);
      assert.deepEqual(await c.buffers.smismember('t:bin', Buffer.from([0, 255]), 'x'), [true, false]);
      const results = await c.pipeline().sadd('t:p', 'a').sismember('t:p', 'a').smismember('t:p', 'a', 'b').exec();
      assert.deepEqual(same(results), [
        [null, 1],
        [null, true],
        [null, [true, false]],
      ]);
    });
  });
}

resp.compare();
