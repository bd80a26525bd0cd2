import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

for (const protocol of [3, 2] as const) {
  describe(`hashes over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client));

    test('hset with an object, a Map, tuples or field/value pairs; hgetall gives an object', async () => {
      assert.equal(same(await c.hset('h:a', { name: 'Ada', year: 1815 })), 2);
      assert.equal(same(await c.hset('h:a', 'lang', 'none', 'name', 'Ada L.')), 1);
      assert.equal(same(await c.hset('h:a', [['city', 'London']])), 1);
      assert.equal(same(await c.hset('h:a', new Map([['x', '1']]))), 1);
      assert.deepStrictEqual(same(await c.hgetall('h:a')), {
        name: 'Ada L.',
        year: '1815',
        lang: 'none',
        city: 'London',
        x: '1',
      });
      assert.deepStrictEqual(same(await c.hgetall('h:none')), {});
    });

    test('a field named __proto__ is an own property, not the prototype', async () => {
      await c.hset('h:proto', { ['__proto__']: 'p', constructor: 'c' });
      await c.hset('h:proto', '__proto__', 'p');
      const all = same(await c.hgetall('h:proto'));
      assert.equal(Object.getPrototypeOf(all), Object.prototype);
      assert.ok(Object.prototype.hasOwnProperty.call(all, '__proto__'));
      assert.equal(all['__proto__'], 'p');
    });

    test('hget / hmget / hdel / hexists / hlen / hstrlen / hsetnx / hkeys / hvals', async () => {
      assert.equal(same(await c.hget('h:a', 'name')), 'Ada L.');
      assert.equal(same(await c.hget('h:a', 'nope')), null);
      assert.deepEqual(same(await c.hmget('h:a', 'name', 'nope', 'year')), ['Ada L.', null, '1815']);
      assert.equal(same(await c.hexists('h:a', 'x')), true);
      assert.equal(same(await c.hdel('h:a', 'x', 'nope')), 1);
      assert.equal(same(await c.hexists('h:a', 'x')), false);
      assert.equal(same(await c.hlen('h:a')), 4);
      assert.equal(same(await c.hstrlen('h:a', 'city')), 6);
      assert.equal(same(await c.hsetnx('h:a', 'city', 'Paris')), false);
      assert.equal(same(await c.hsetnx('h:a', 'born', 'yes')), true);
      assert.deepEqual(same((await c.hkeys('h:a')).sort()), ['born', 'city', 'lang', 'name', 'year']);
      assert.deepEqual(same((await c.hvals('h:a')).sort()), ['1815', 'Ada L.', 'London', 'none', 'yes']);
    });

    test('hincrby / hincrbyfloat return numbers', async () => {
      assert.equal(same(await c.hincrby('h:n', 'i', 5)), 5);
      assert.equal(same(await c.hincrby('h:n', 'i', -7)), -2);
      assert.equal(same(await c.hincrbyfloat('h:n', 'f', 2.5)), 2.5);
      assert.equal(same(await c.hincrbyfloat('h:n', 'f', 0.25)), 2.75);
    });

    test('hrandfield / hrandfieldCount / hrandfieldWithValues', async () => {
      await c.hset('h:r', { a: '1', b: '2', c: '3' });
      assert.ok(['a', 'b', 'c'].includes((await c.hrandfield('h:r'))!));
      assert.equal(same(await c.hrandfield('h:none')), null);
      assert.deepEqual(same((await c.hrandfieldCount('h:r', 10)).sort()), ['a', 'b', 'c']);
      assert.equal((await c.hrandfieldCount('h:r', -5)).length, 5);
      const withValues = await c.hrandfieldWithValues('h:r', 10);
      assert.deepEqual(same(withValues.sort()), [
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ]);
      assert.deepEqual(same(await c.hrandfieldWithValues('h:none', 3)), []);
    });

    test('hscan: one page of [field, value] tuples', async () => {
      const page = await c.hscan('h:r', 0, { COUNT: 100 });
      assert.equal(same(page.cursor), '0');
      assert.deepEqual(same(page.entries.sort()), [
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ]);
      assert.deepEqual(same((await c.hscan('h:r', '0', { MATCH: 'b*' })).entries), [['b', '2']]);
    });

    test('buffers view: hgetall is a Map of Buffers, hget a Buffer', async () => {
      await c.hset('h:bin', { bytes: Buffer.from([0xde, 0xad, 0xbe, 0xef]), text: 'plain' });
      const all = await c.buffers.hgetall('h:bin'); // a Map: binary field names are kept
      assert.deepStrictEqual(
        new Map([...all].map(([k, v]) => [k.toString(), v])),
        new Map([
          ['bytes', Buffer.from([0xde, 0xad, 0xbe, 0xef])],
          ['text', Buffer.from('plain')],
        ]),
      );
      assert.deepEqual(await c.buffers.hget('h:bin', 'bytes'), Buffer.from([0xde, 0xad, 0xbe, 0xef]));
      assert.deepEqual(await c.buffers.hmget('h:bin', 'text', 'nope'), [Buffer.from('plain'), null]);
      assert.equal(await c.buffers.hincrbyfloat('h:n', 'f', 1), 3.75);
    });

    test('pipeline: hset(...).hgetall(...).exec() gives typed results', async () => {
      const results = await c.pipeline().hset('h:p', { a: '1', b: '2' }).hgetall('h:p').hexists('h:p', 'a').exec();
      assert.deepStrictEqual(same(results), [
        [null, 2],
        [null, { a: '1', b: '2' }],
        [null, true],
      ]);
      const tx = await c.multi().hincrbyfloat('h:p', 'a', 0.5).hgetall('h:p').exec();
      assert.deepStrictEqual(same(tx), [
        [null, 1.5],
        [null, { a: '1.5', b: '2' }],
      ]);
    });
  });
}

resp.compare();
