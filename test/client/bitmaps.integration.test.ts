import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

for (const protocol of [3, 2] as const) {
  describe(`bitmaps over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client));

    test('setbit / getbit / bitcount / bitpos with byte and bit ranges', async () => {
      assert.equal(same(await c.setbit('b:a', 7, 1)), 0);
      assert.equal(same(await c.setbit('b:a', 7, 1)), 1);
      assert.equal(same(await c.setbit('b:a', 9, 1)), 0);
      assert.equal(same(await c.getbit('b:a', 7)), 1);
      assert.equal(same(await c.getbit('b:a', 1000)), 0);
      assert.equal(same(await c.bitcount('b:a')), 2);
      assert.equal(same(await c.bitcount('b:a', { start: 1, end: 1 })), 1);
      assert.equal(same(await c.bitcount('b:a', { start: 0, end: 7, mode: 'BIT' })), 1);
      assert.equal(same(await c.bitpos('b:a', 1)), 7);
      assert.equal(same(await c.bitpos('b:a', 1, { start: 1 })), 9);
      assert.equal(same(await c.bitpos('b:a', 1, { start: 8, end: 8, mode: 'BIT' })), -1);
      assert.equal(same(await c.bitpos('b:a', 0)), 0);
    });

    test('bitop', async () => {
      await c.set('b:x', '\x0f');
      await c.set('b:y', '\x3c');
      assert.equal(same(await c.bitop('AND', 'b:and', 'b:x', 'b:y')), 1);
      assert.equal(same(await c.get('b:and')), '\x0c');
      assert.equal(same(await c.bitop('OR', 'b:or', 'b:x', 'b:y')), 1);
      assert.equal(same(await c.get('b:or')), '\x3f');
      assert.equal(same(await c.bitop('NOT', 'b:not', 'b:x')), 1);
      assert.deepEqual(await c.buffers.get('b:not'), Buffer.from([0xf0]));
    });

    test('bitfield / bitfieldRo with overflow control', async () => {
      assert.deepEqual(
        same(
          await c.bitfield('b:f', [
            { SET: { encoding: 'u8', offset: 0, value: 200 } },
            { GET: { encoding: 'u8', offset: 0 } },
            { INCRBY: { encoding: 'u8', offset: 0, increment: 100 } },
            { OVERFLOW: 'SAT' },
            { INCRBY: { encoding: 'u8', offset: 0, increment: 250 } },
            { OVERFLOW: 'FAIL' },
            { INCRBY: { encoding: 'u8', offset: 0, increment: 1 } },
            { SET: { encoding: 'i8', offset: '#1', value: -5 } },
          ]),
        ),
        [0, 200, 44, 255, null, 0],
      );
      assert.deepEqual(
        same(
          await c.bitfieldRo('b:f', [
            { encoding: 'u8', offset: 0 },
            { encoding: 'i8', offset: '#1' },
          ]),
        ),
        [255, -5],
      );
    });
  });
}

resp.compare();
