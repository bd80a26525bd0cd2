import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

for (const protocol of [3, 2] as const) {
  describe(`strings over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client));

    test('get / set with options / getex / getdel / getset', async () => {
      assert.equal(same(await c.get('s:missing')), null);
      assert.equal(await c.set('s:a', 'one'), 'OK');
      assert.equal(same(await c.set('s:a', 'two', { NX: true })), null);
      assert.equal(same(await c.set('s:a', 'two', { XX: true, GET: true })), 'one');
      assert.equal(await c.set('s:b', 'x', { EX: 100 }), 'OK');
      assert.ok((await c.ttl('s:b')) > 90);
      assert.equal(same(await c.getex('s:b', { PERSIST: true })), 'x');
      assert.equal(await c.ttl('s:b'), -1);
      assert.equal(await c.getex('s:b', { PX: 50_000 }), 'x');
      assert.ok((await c.pttl('s:b')) > 40_000);
      assert.equal(same(await c.getdel('s:b')), 'x');
      assert.equal(await c.exists('s:b'), 0);
      assert.equal(same(await c.getset('s:a', 'three')), 'two');
      assert.equal(await c.get('s:a'), 'three');
    });

    test('mget / mset / msetnx / setnx / setex / psetex', async () => {
      assert.equal(await c.mset({ 's:m1': 'a', 's:m2': 2 }), 'OK');
      assert.equal(await c.mset([['s:m3', 'c']]), 'OK');
      assert.equal(await c.mset(new Map([['s:m4', 'd']])), 'OK');
      assert.deepEqual(same(await c.mget('s:m1', 's:m2', 's:nope', 's:m3', 's:m4')), ['a', '2', null, 'c', 'd']);
      assert.equal(same(await c.msetnx({ 's:m1': 'z', 's:m9': 'z' })), false);
      assert.equal(await c.exists('s:m9'), 0);
      assert.equal(same(await c.msetnx({ 's:m8': 'z', 's:m9': 'z' })), true);
      assert.equal(same(await c.setnx('s:m1', 'q')), false);
      assert.equal(same(await c.setnx('s:n1', 'q')), true);
      assert.equal(await c.setex('s:ex', 100, 'v'), 'OK');
      assert.equal(await c.psetex('s:pex', 100_000, 'v'), 'OK');
      assert.ok((await c.ttl('s:ex')) > 0);
      assert.ok((await c.pttl('s:pex')) > 0);
    });

    test('append / strlen / getrange / setrange', async () => {
      assert.equal(same(await c.append('s:ap', 'Hello')), 5);
      assert.equal(same(await c.append('s:ap', ' World')), 11);
      assert.equal(same(await c.strlen('s:ap')), 11);
      assert.equal(same(await c.strlen('s:none')), 0);
      assert.equal(same(await c.getrange('s:ap', 0, 4)), 'Hello');
      assert.equal(same(await c.getrange('s:ap', -5, -1)), 'World');
      assert.equal(same(await c.setrange('s:ap', 6, 'Redis')), 11);
      assert.equal(await c.get('s:ap'), 'Hello Redis');
    });

    test('incr / incrby / incrbyfloat / decr / decrby return numbers', async () => {
      assert.equal(same(await c.incr('s:n')), 1);
      assert.equal(same(await c.incrby('s:n', 10)), 11);
      assert.equal(same(await c.decr('s:n')), 10);
      assert.equal(same(await c.decrby('s:n', 4)), 6);
      assert.equal(same(await c.incrbyfloat('s:n', 0.5)), 6.5);
      assert.equal(same(await c.incrbyfloat('s:n', -1.25)), 5.25);
    });

    test('lcs / lcsLen / lcsIdx', async () => {
      await c.mset({ 's:l1': 'ohmytext', 's:l2': 'mynewtext' });
      assert.equal(same(await c.lcs('s:l1', 's:l2')), 'mytext');
      assert.equal(same(await c.lcsLen('s:l1', 's:l2')), 6);
      assert.deepEqual(same(await c.lcsIdx('s:l1', 's:l2')), {
        matches: [
          { a: [4, 7], b: [5, 8] },
          { a: [2, 3], b: [0, 1] },
        ],
        len: 6,
      });
      assert.deepEqual(same(await c.lcsIdx('s:l1', 's:l2', { MINMATCHLEN: 4, WITHMATCHLEN: true })), {
        matches: [{ a: [4, 7], b: [5, 8], length: 4 }],
        len: 6,
      });
    });

    test('buffers view: bulk strings come back as Buffers', async () => {
      await c.set('s:bin', Buffer.from([0xff, 0x00, 0x80]));
      assert.deepEqual(await c.buffers.get('s:bin'), Buffer.from([0xff, 0x00, 0x80]));
      assert.deepEqual(await c.buffers.mget('s:bin', 's:nope'), [Buffer.from([0xff, 0x00, 0x80]), null]);
      assert.equal(await c.buffers.incrbyfloat('s:n', 1), 6.25);
      assert.equal(await c.buffers.strlen('s:bin'), 3);
    });

    test('pipeline and transaction apply the same transforms', async () => {
      const results = await c
        .pipeline()
        .set('s:p', '1')
        .incrbyfloat('s:p', 1.5)
        .msetnx({ 's:p': 'x' })
        .get('s:p')
        .exec();
      assert.deepEqual(same(results), [
        [null, 'OK'],
        [null, 2.5],
        [null, false],
        [null, '2.5'],
      ]);
      const tx = await c.multi().incrbyfloat('s:p', 1).setnx('s:p2', 'a').exec();
      assert.deepEqual(same(tx), [
        [null, 3.5],
        [null, true],
      ]);
    });
  });
}

resp.compare();
