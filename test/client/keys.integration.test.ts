import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

for (const protocol of [3, 2] as const) {
  describe(`keys and expiry over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client));

    test('del / unlink / exists / touch / type', async () => {
      await c.mset({ 'k:a': '1', 'k:b': '2', 'k:c': '3' });
      await c.rpush('k:list', 'x');
      assert.equal(same(await c.exists('k:a', 'k:a', 'k:none')), 2);
      assert.equal(same(await c.touch('k:a', 'k:none')), 1);
      assert.equal(same(await c.type('k:a')), 'string');
      assert.equal(same(await c.type('k:list')), 'list');
      assert.equal(same(await c.type('k:none')), 'none');
      assert.equal(same(await c.del('k:a', 'k:none')), 1);
      assert.equal(same(await c.unlink('k:b', 'k:c')), 2);
    });

    test('expire family with conditions, ttl, persist, expiretime', async () => {
      await c.set('k:e', 'v');
      assert.equal(same(await c.ttl('k:e')), -1);
      assert.equal(same(await c.ttl('k:none')), -2);
      assert.equal(same(await c.expire('k:e', 100)), true);
      assert.equal(same(await c.expire('k:e', 50, 'GT')), false);
      assert.equal(same(await c.expire('k:e', 200, 'GT')), true);
      assert.equal(same(await c.expire('k:e', 10, 'NX')), false);
      assert.equal(same(await c.expire('k:none', 10)), false);
      assert.ok((await c.pttl('k:e')) > 150_000);
      assert.equal(same(await c.pexpire('k:e', 300_000)), true);
      const at = Math.floor(Date.now() / 1000) + 1000;
      assert.equal(same(await c.expireat('k:e', at)), true);
      assert.equal(await c.expiretime('k:e'), at);
      assert.equal(same(await c.pexpireat('k:e', at * 1000)), true);
      assert.equal(await c.pexpiretime('k:e'), at * 1000);
      assert.equal(same(await c.persist('k:e')), true);
      assert.equal(same(await c.persist('k:e')), false);
      assert.equal(same(await c.expiretime('k:e')), -1);
      assert.equal(same(await c.expiretime('k:none')), -2);
    });

    test('rename / renamenx / copy / move / randomkey / keys', async () => {
      await c.set('k:r1', 'v1');
      await c.set('k:r2', 'v2');
      assert.equal(same(await c.rename('k:r1', 'k:r3')), 'OK');
      assert.equal(same(await c.renamenx('k:r3', 'k:r2')), false);
      assert.equal(same(await c.renamenx('k:r3', 'k:r4')), true);
      assert.equal(same(await c.copy('k:r4', 'k:r2')), false);
      assert.equal(same(await c.copy('k:r4', 'k:r2', { REPLACE: true })), true);
      assert.equal(await c.get('k:r2'), 'v1');
      const otherDb = 10 + protocol;
      assert.equal(same(await c.copy('k:r4', 'k:r5', { DB: otherDb })), true);
      assert.deepEqual(same((await c.keys('k:r*')).sort()), ['k:r2', 'k:r4']);
      assert.equal(same(await c.move('k:r4', otherDb)), true);
      assert.equal(same(await c.move('k:r2', otherDb)), true);
      await c.set('k:r2', 'again');
      assert.equal(same(await c.move('k:r2', otherDb)), false);
      assert.equal(typeof (await c.randomkey()), 'string');
      await assert.rejects(c.rename('k:none', 'k:x'), { name: 'ReplyError', code: 'ERR' });
    });

    test('dump / restore (through the buffers view) / object encoding', async () => {
      await c.del('k:d', 'k:d2');
      await c.rpush('k:d', 'a', 'b');
      const dumped = await c.buffers.dump('k:d');
      assert.ok(Buffer.isBuffer(dumped));
      const plain = await c.dump('k:d');
      assert.ok(Buffer.isBuffer(plain) && plain.equals(dumped), 'dump is binary even outside the buffers view');
      assert.equal(same(await c.restore('k:d2', 0, dumped)), 'OK');
      assert.deepEqual(same(await c.lrange('k:d2', 0, -1)), ['a', 'b']);
      await assert.rejects(c.restore('k:d2', 0, dumped), { code: 'BUSYKEY' });
      assert.equal(await c.restore('k:d2', 0, dumped, { REPLACE: true }), 'OK');
      assert.equal(same(await c.buffers.dump('k:none')), null);
      await c.hset('k:h', { f: 'v' });
      assert.equal(same(await c.objectEncoding('k:h')), 'listpack');
      assert.equal(same(await c.objectEncoding('k:none')), null);
      await c.set('k:int', 12);
      assert.equal(same(await c.objectEncoding('k:int')), 'int');
      assert.equal(typeof (await c.objectIdletime('k:int')), 'number');
      assert.equal(typeof (await c.objectRefcount('k:int')), 'number');
    });

    test('sort / sortRo / sortStore', async () => {
      await c.del('k:s', 'k:sorted');
      await c.rpush('k:s', '3', '1', '2');
      await c.mset({ 'k:w_1': '30', 'k:w_2': '10', 'k:w_3': '20', 'k:o_1': 'one', 'k:o_3': 'three' });
      assert.deepEqual(same(await c.sort('k:s')), ['1', '2', '3']);
      assert.deepEqual(same(await c.sort('k:s', { ORDER: 'DESC', LIMIT: { offset: 0, count: 2 } })), ['3', '2']);
      assert.deepEqual(same(await c.sort('k:s', { BY: 'k:w_*' })), ['2', '3', '1']);
      assert.deepEqual(same(await c.sort('k:s', { GET: ['#', 'k:o_*'] })), ['1', 'one', '2', null, '3', 'three']);
      assert.deepEqual(same(await c.sortRo('k:s', { ALPHA: true, ORDER: 'DESC' })), ['3', '2', '1']);
      assert.equal(same(await c.sortStore('k:s', 'k:sorted')), 3);
      assert.deepEqual(await c.lrange('k:sorted', 0, -1), ['1', '2', '3']);
    });

    test('scan: one page', async () => {
      const page = await c.scan(0, { MATCH: 'k:w_*', COUNT: 1000 });
      assert.equal(same(page.cursor), '0');
      assert.deepEqual(same(page.keys.sort()), ['k:w_1', 'k:w_2', 'k:w_3']);
      const typed = await c.scan('0', { TYPE: 'list', COUNT: 1000 });
      assert.deepEqual(same(typed.keys.sort()), ['k:d', 'k:d2', 'k:list', 'k:s', 'k:sorted']);
    });
  });
}

resp.compare();
