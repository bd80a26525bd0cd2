import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

for (const protocol of [3, 2] as const) {
  describe(`lists over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client));

    test('push / pop with and without count / lrange / llen / lindex', async () => {
      assert.equal(same(await c.rpush('l:a', 'b', 'c', 'd')), 3);
      assert.equal(same(await c.lpush('l:a', 'a')), 4);
      assert.equal(same(await c.lpushx('l:none', 'x')), 0);
      assert.equal(same(await c.rpushx('l:a', 'e')), 5);
      assert.deepEqual(same(await c.lrange('l:a', 0, -1)), ['a', 'b', 'c', 'd', 'e']);
      assert.equal(same(await c.llen('l:a')), 5);
      assert.equal(same(await c.lindex('l:a', -1)), 'e');
      assert.equal(same(await c.lindex('l:a', 99)), null);
      assert.equal(same(await c.lpop('l:a')), 'a');
      assert.equal(same(await c.rpop('l:a')), 'e');
      assert.deepEqual(same(await c.lpopCount('l:a', 2)), ['b', 'c']);
      assert.deepEqual(same(await c.rpopCount('l:a', 5)), ['d']);
      assert.equal(same(await c.lpop('l:a')), null);
      assert.equal(same(await c.lpopCount('l:a', 2)), null);
      assert.equal(same(await c.rpopCount('l:a', 2)), null);
    });

    test('lset / linsert / lrem / ltrim / lpos / lposCount', async () => {
      await c.rpush('l:b', 'a', 'b', 'c', 'b', 'd', 'b');
      assert.equal(same(await c.lset('l:b', 0, 'A')), 'OK');
      assert.equal(same(await c.linsert('l:b', 'BEFORE', 'c', 'x')), 7);
      assert.equal(same(await c.linsert('l:b', 'AFTER', 'nope', 'y')), -1);
      assert.equal(same(await c.lpos('l:b', 'b')), 1);
      assert.equal(same(await c.lpos('l:b', 'b', { RANK: -1 })), 6);
      assert.equal(same(await c.lpos('l:b', 'zzz')), null);
      assert.deepEqual(same(await c.lposCount('l:b', 'b', 0)), [1, 4, 6]);
      assert.deepEqual(same(await c.lposCount('l:b', 'b', 2, { RANK: 2 })), [4, 6]);
      assert.deepEqual(same(await c.lposCount('l:b', 'b', 0, { MAXLEN: 3 })), [1]);
      assert.equal(same(await c.lrem('l:b', -2, 'b')), 2);
      assert.deepEqual(same(await c.lrange('l:b', 0, -1)), ['A', 'b', 'x', 'c', 'd']);
      assert.equal(same(await c.ltrim('l:b', 1, 2)), 'OK');
      assert.deepEqual(same(await c.lrange('l:b', 0, -1)), ['b', 'x']);
    });

    test('lmove / lmpop', async () => {
      await c.rpush('l:src', '1', '2', '3');
      assert.equal(same(await c.lmove('l:src', 'l:dst', 'LEFT', 'RIGHT')), '1');
      assert.equal(same(await c.lmove('l:none', 'l:dst', 'LEFT', 'RIGHT')), null);
      assert.deepEqual(same(await c.lmpop(['l:none', 'l:src'], 'RIGHT', { COUNT: 5 })), {
        key: 'l:src',
        elements: ['3', '2'],
      });
      assert.deepEqual(same(await c.lmpop('l:dst', 'LEFT')), { key: 'l:dst', elements: ['1'] });
      assert.equal(same(await c.lmpop(['l:none', 'l:src'], 'LEFT')), null);
    });

    test('blocking pops return at once when there is data, null on timeout', async () => {
      await c.rpush('l:q', 'a', 'b', 'c', 'd', 'e');
      assert.deepEqual(same(await c.blpop(['l:empty', 'l:q'], 1)), { key: 'l:q', element: 'a' });
      assert.deepEqual(same(await c.brpop('l:q', 1)), { key: 'l:q', element: 'e' });
      assert.equal(same(await c.blmove('l:q', 'l:q2', 'LEFT', 'LEFT', 1)), 'b');
      assert.equal(same(await c.brpoplpush('l:q', 'l:q2', 1)), 'd');
      assert.deepEqual(same(await c.blmpop(1, ['l:empty', 'l:q2'], 'LEFT', { COUNT: 10 })), {
        key: 'l:q2',
        elements: ['d', 'b'],
      });
      assert.equal(same(await c.blpop('l:empty', 0.1)), null);
      assert.equal(same(await c.brpop(['l:empty'], 0.1)), null);
      assert.equal(same(await c.blmove('l:empty', 'l:x', 'RIGHT', 'LEFT', 0.1)), null);
      assert.equal(same(await c.blmpop(0.1, 'l:empty', 'RIGHT')), null);
    });

    test('a blocking BLPOP (1 s) does not stall other commands on the same client', async () => {
      await c.set('l:k', 'v');
      const started = Date.now();
      const blocked = c.blpop('l:never', 1);
      const gets: number[] = [];
      for (let i = 0; i < 5; i++) {
        assert.equal(await c.get('l:k'), 'v');
        gets.push(Date.now() - started);
      }
      assert.ok(gets[4] < 500, `GETs took ${gets.join(', ')} ms while BLPOP was blocked`);
      assert.equal(await blocked, null);
      assert.ok(Date.now() - started >= 900, 'BLPOP waited for its timeout');
    });

    test('a blocking pop is woken by a push from the same client', async () => {
      const popped = c.brpop('l:wake', 5);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(await c.lpush('l:wake', 'hello'), 1);
      assert.deepEqual(same(await popped), { key: 'l:wake', element: 'hello' });
    });

    test('buffers view and pipeline', async () => {
      await c.rpush('l:bin', Buffer.from([1, 2, 3]), 'x');
      assert.deepEqual(await c.buffers.lrange('l:bin', 0, -1), [Buffer.from([1, 2, 3]), Buffer.from('x')]);
      assert.deepEqual(await c.buffers.lmpop('l:bin', 'LEFT'), {
        key: Buffer.from('l:bin'),
        elements: [Buffer.from([1, 2, 3])],
      });
      const results = await c.pipeline().rpush('l:p', 'a', 'b').lpopCount('l:p', 5).lpop('l:p').exec();
      assert.deepEqual(same(results), [
        [null, 2],
        [null, ['a', 'b']],
        [null, null],
      ]);
    });
  });
}

resp.compare();
