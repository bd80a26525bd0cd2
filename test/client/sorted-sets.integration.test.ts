import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

const members = (...pairs: [string, number][]) => pairs.map(([value, score]) => ({ value, score }));

for (const protocol of [3, 2] as const) {
  describe(`sorted sets over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client));

    test('zadd with {score, value} members and NX/XX/GT/LT/CH; zaddIncr', async () => {
      assert.equal(same(await c.zadd('z:a', { score: 1, value: 'one' })), 1);
      assert.equal(
        same(
          await c.zadd('z:a', [
            { score: 2, value: 'two' },
            { score: 3, value: 'three' },
          ]),
        ),
        2,
      );
      assert.equal(same(await c.zadd('z:a', { score: 10, value: 'one' }, { NX: true })), 0);
      assert.equal(same(await c.zadd('z:a', { score: 0.5, value: 'one' }, { GT: true, CH: true })), 0);
      assert.equal(same(await c.zadd('z:a', { score: 1.5, value: 'one' }, { GT: true, CH: true })), 1);
      assert.equal(same(await c.zadd('z:a', { score: 9, value: 'new' }, { XX: true, CH: true })), 0);
      assert.equal(same(await c.zadd('z:a', { score: 1, value: 'one' }, { LT: true, CH: true })), 1);
      assert.equal(same(await c.zaddIncr('z:a', { score: 2.5, value: 'one' })), 3.5);
      assert.equal(same(await c.zaddIncr('z:a', { score: 1, value: 'absent' }, { XX: true })), null);
      assert.equal(same(await c.zaddIncr('z:a', { score: -1, value: 'one' }, { GT: true })), null);
    });

    test('zscore / zmscore / zincrby / zcard / zcount / zrank / zrevrank return numbers', async () => {
      assert.equal(same(await c.zscore('z:a', 'one')), 3.5);
      assert.equal(same(await c.zscore('z:a', 'nope')), null);
      assert.deepEqual(same(await c.zmscore('z:a', 'two', 'nope', 'three')), [2, null, 3]);
      assert.equal(same(await c.zincrby('z:a', 0.25, 'two')), 2.25);
      assert.equal(same(await c.zcard('z:a')), 3);
      assert.equal(same(await c.zcount('z:a', 2, 3)), 2);
      assert.equal(same(await c.zcount('z:a', '(2.25', '+inf')), 2);
      assert.equal(same(await c.zrank('z:a', 'two')), 0);
      assert.equal(same(await c.zrevrank('z:a', 'two')), 2);
      assert.equal(same(await c.zrank('z:a', 'nope')), null);
      await c.zadd('z:inf', { score: Infinity, value: 'top' });
      await c.zadd('z:inf', { score: -Infinity, value: 'bottom' });
      assert.equal(same(await c.zscore('z:inf', 'top')), Infinity);
      assert.deepEqual(
        same(await c.zrangeWithScores('z:inf', 0, -1)),
        members(['bottom', -Infinity], ['top', Infinity]),
      );
    });

    test('zrange by rank, BYSCORE, BYLEX, REV, LIMIT; zrangeWithScores; zrangestore', async () => {
      await c.zadd('z:r', members(['a', 1], ['b', 2], ['c', 3], ['d', 4]));
      assert.deepEqual(same(await c.zrange('z:r', 0, -1)), ['a', 'b', 'c', 'd']);
      assert.deepEqual(same(await c.zrange('z:r', 0, 1, { REV: true })), ['d', 'c']);
      assert.deepEqual(same(await c.zrange('z:r', '(1', 3, { BY: 'SCORE' })), ['b', 'c']);
      assert.deepEqual(
        same(await c.zrange('z:r', '+inf', '-inf', { BY: 'SCORE', REV: true, LIMIT: { offset: 1, count: 2 } })),
        ['c', 'b'],
      );
      assert.deepEqual(same(await c.zrangeWithScores('z:r', 0, 1)), members(['a', 1], ['b', 2]));
      assert.deepEqual(same(await c.zrangeWithScores('z:none', 0, -1)), []);
      await c.zadd('z:lex', members(['a', 0], ['b', 0], ['c', 0]));
      assert.deepEqual(same(await c.zrange('z:lex', '[b', '+', { BY: 'LEX' })), ['b', 'c']);
      assert.equal(same(await c.zlexcount('z:lex', '-', '(c')), 2);
      assert.equal(same(await c.zrangestore('z:dst', 'z:r', 2, 4, { BY: 'SCORE' })), 3);
      assert.deepEqual(same(await c.zrange('z:dst', 0, -1)), ['b', 'c', 'd']);
    });

    test('zpopmin / zpopmax with and without count; zrandmember forms', async () => {
      await c.zadd('z:p', members(['a', 1], ['b', 2], ['c', 3], ['d', 4]));
      assert.deepEqual(same(await c.zpopmin('z:p')), members(['a', 1]));
      assert.deepEqual(same(await c.zpopmax('z:p', 2)), members(['d', 4], ['c', 3]));
      assert.deepEqual(same(await c.zpopmin('z:p', 1)), members(['b', 2]));
      assert.deepEqual(same(await c.zpopmin('z:p')), []);
      assert.deepEqual(same(await c.zpopmax('z:p', 3)), []);
      await c.zadd('z:q', members(['x', 1], ['y', 2]));
      assert.ok(['x', 'y'].includes((await c.zrandmember('z:q'))!));
      assert.equal(same(await c.zrandmember('z:none')), null);
      assert.deepEqual(same((await c.zrandmemberCount('z:q', 5)).sort()), ['x', 'y']);
      const withScores = await c.zrandmemberWithScores('z:q', 5);
      assert.deepEqual(same(withScores.sort((p, q) => p.score - q.score)), members(['x', 1], ['y', 2]));
    });

    test('zunion / zinter / zdiff, WithScores, STORE forms, zintercard', async () => {
      await c.zadd('z:u1', members(['a', 1], ['b', 2]));
      await c.zadd('z:u2', members(['b', 3], ['c', 4]));
      assert.deepEqual(same(await c.zunion(['z:u1', 'z:u2'])), ['a', 'c', 'b']);
      assert.deepEqual(same(await c.zunionWithScores(['z:u1', 'z:u2'])), members(['a', 1], ['c', 4], ['b', 5]));
      assert.deepEqual(
        same(await c.zunionWithScores(['z:u1', 'z:u2'], { WEIGHTS: [2, 1], AGGREGATE: 'MAX' })),
        members(['a', 2], ['b', 4], ['c', 4]),
      );
      assert.deepEqual(same(await c.zinter(['z:u1', 'z:u2'])), ['b']);
      assert.deepEqual(same(await c.zinterWithScores(['z:u1', 'z:u2'], { AGGREGATE: 'MIN' })), members(['b', 2]));
      assert.deepEqual(same(await c.zdiff(['z:u1', 'z:u2'])), ['a']);
      assert.deepEqual(same(await c.zdiffWithScores(['z:u1', 'z:u2'])), members(['a', 1]));
      assert.equal(same(await c.zunionstore('z:us', ['z:u1', 'z:u2'])), 3);
      assert.equal(same(await c.zinterstore('z:is', ['z:u1', 'z:u2'], { WEIGHTS: [1, 10] })), 1);
      assert.equal(same(await c.zscore('z:is', 'b')), 32);
      assert.equal(same(await c.zdiffstore('z:ds', ['z:u2', 'z:u1'])), 1);
      assert.equal(same(await c.zintercard(['z:u1', 'z:u2'])), 1);
      assert.equal(same(await c.zintercard(['z:us', 'z:u2'], { LIMIT: 1 })), 1);
    });

    test('zrem / zremrangebyscore / zremrangebyrank / zremrangebylex', async () => {
      await c.zadd('z:x', members(['a', 1], ['b', 2], ['c', 3], ['d', 4], ['e', 5]));
      assert.equal(same(await c.zrem('z:x', 'a', 'nope')), 1);
      assert.equal(same(await c.zremrangebyscore('z:x', '(4', '+inf')), 1);
      assert.equal(same(await c.zremrangebyrank('z:x', 0, 0)), 1);
      await c.zadd('z:l', members(['a', 0], ['b', 0], ['c', 0]));
      assert.equal(same(await c.zremrangebylex('z:l', '[a', '[b')), 2);
      assert.deepEqual(same(await c.zrange('z:x', 0, -1)), ['c', 'd']);
    });

    test('zmpop and the blocking bzpopmin / bzpopmax / bzmpop', async () => {
      await c.zadd('z:m', members(['a', 1], ['b', 2], ['c', 3], ['d', 4], ['e', 5]));
      assert.deepEqual(same(await c.zmpop(['z:none', 'z:m'], 'MIN', { COUNT: 2 })), {
        key: 'z:m',
        members: members(['a', 1], ['b', 2]),
      });
      assert.deepEqual(same(await c.zmpop('z:m', 'MAX')), { key: 'z:m', members: members(['e', 5]) });
      assert.equal(same(await c.zmpop('z:none', 'MAX')), null);
      assert.deepEqual(same(await c.bzpopmin(['z:none', 'z:m'], 1)), { key: 'z:m', value: 'c', score: 3 });
      assert.deepEqual(same(await c.bzpopmax('z:m', 1)), { key: 'z:m', value: 'd', score: 4 });
      assert.equal(same(await c.bzpopmax('z:m', 0.1)), null);
      await c.zadd('z:m', members(['f', 6], ['g', 7]));
      assert.deepEqual(same(await c.bzmpop(1, ['z:m'], 'MAX', { COUNT: 5 })), {
        key: 'z:m',
        members: members(['g', 7], ['f', 6]),
      });
      assert.equal(same(await c.bzmpop(0.1, 'z:m', 'MIN')), null);
    });

    test('zscan: one page of {value, score}', async () => {
      const page = await c.zscan('z:r', 0, { COUNT: 100 });
      assert.equal(same(page.cursor), '0');
      assert.deepEqual(same(page.members), members(['a', 1], ['b', 2], ['c', 3], ['d', 4]));
    });

    test('buffers view and pipeline', async () => {
      assert.deepEqual(await c.buffers.zrangeWithScores('z:r', 0, 0), [{ value: Buffer.from('a'), score: 1 }]);
      assert.equal(await c.buffers.zscore('z:r', 'b'), 2);
      assert.deepEqual(await c.buffers.bzpopmin('z:r', 1), {
        key: Buffer.from('z:r'),
        value: Buffer.from('a'),
        score: 1,
      });
      const results = await c
        .pipeline()
        .zadd('z:pl', { score: 1.5, value: 'm' })
        .zscore('z:pl', 'm')
        .zrangeWithScores('z:pl', 0, -1)
        .zpopmax('z:pl')
        .exec();
      assert.deepEqual(same(results), [
        [null, 1],
        [null, 1.5],
        [null, members(['m', 1.5])],
        [null, members(['m', 1.5])],
      ]);
    });
  });
}

resp.compare();
