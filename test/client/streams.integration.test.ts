import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

for (const protocol of [3, 2] as const) {
  describe(`streams over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client));

    test('xadd with explicit ids, *, NOMKSTREAM and trimming; xlen / xdel / xtrim', async () => {
      assert.equal(same(await c.xadd('x:s', '1-1', { name: 'a', n: 1 })), '1-1');
      assert.equal(same(await c.xadd('x:s', '2-0', [['name', 'b']])), '2-0');
      assert.equal(same(await c.xadd('x:s', '3-0', new Map([['name', 'c']]))), '3-0');
      assert.match((await c.xadd('x:auto', '*', { f: 'v' }))!, /^\d+-\d+$/);
      assert.equal(same(await c.xadd('x:none', '*', { f: 'v' }, { NOMKSTREAM: true })), null);
      assert.equal(same(await c.xlen('x:s')), 3);
      await c.xadd('x:t', '1-0', { f: '1' });
      await c.xadd('x:t', '2-0', { f: '2' });
      assert.equal(same(await c.xadd('x:t', '3-0', { f: '3' }, { MAXLEN: 2 })), '3-0');
      assert.equal(same(await c.xlen('x:t')), 2);
      assert.equal(same(await c.xadd('x:t', '4-0', { f: '4' }, { MINID: '3-0' })), '4-0');
      assert.equal(same(await c.xadd('x:t', '5-0', { f: '5' }, { MAXLEN: 1000, APPROXIMATE: true, LIMIT: 10 })), '5-0');
      assert.equal(same(await c.xtrim('x:t', { MAXLEN: 1 })), 2);
      assert.equal(same(await c.xtrim('x:t', { MINID: '5-0', APPROXIMATE: true })), 0);
      assert.equal(same(await c.xdel('x:t', '5-0', '99-0')), 1);
    });

    test('xrange / xrevrange give [{id, fields}]', async () => {
      assert.deepStrictEqual(same(await c.xrange('x:s')), [
        { id: '1-1', fields: { name: 'a', n: '1' } },
        { id: '2-0', fields: { name: 'b' } },
        { id: '3-0', fields: { name: 'c' } },
      ]);
      assert.deepStrictEqual(same(await c.xrange('x:s', '(1-1', '+', { COUNT: 1 })), [
        { id: '2-0', fields: { name: 'b' } },
      ]);
      assert.deepStrictEqual(same(await c.xrevrange('x:s', '+', '-', { COUNT: 2 })), [
        { id: '3-0', fields: { name: 'c' } },
        { id: '2-0', fields: { name: 'b' } },
      ]);
      assert.deepStrictEqual(same(await c.xrange('x:none')), []);
    });

    test('xread: [{name, messages}] from several streams, null when nothing is new', async () => {
      await c.xadd('x:s2', '5-0', { k: 'v' });
      assert.deepStrictEqual(
        same(
          await c.xread([
            { key: 'x:s', id: '1-1' },
            { key: 'x:s2', id: '0' },
          ]),
        ),
        [
          {
            name: 'x:s',
            messages: [
              { id: '2-0', fields: { name: 'b' } },
              { id: '3-0', fields: { name: 'c' } },
            ],
          },
          { name: 'x:s2', messages: [{ id: '5-0', fields: { k: 'v' } }] },
        ],
      );
      assert.deepStrictEqual(same(await c.xread({ key: 'x:s', id: '0' }, { COUNT: 1 })), [
        { name: 'x:s', messages: [{ id: '1-1', fields: { name: 'a', n: '1' } }] },
      ]);
      assert.equal(same(await c.xread({ key: 'x:s', id: '$' })), null);
    });

    test('xread with BLOCK waits on a dedicated connection; others go on meanwhile', async () => {
      const started = Date.now();
      const blocked = c.xread({ key: 'x:live', id: '$' }, { BLOCK: 2000 });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(await c.ping(), 'PONG');
      assert.ok(Date.now() - started < 1000, 'PING was not held behind XREAD BLOCK');
      // '$' means "after the last entry when XREAD runs": add only once the server has it blocked
      // (its dedicated connection may still be opening on a loaded machine).
      while (!/blocked_clients:[1-9]/.test(await c.infoRaw('clients'))) await new Promise((r) => setTimeout(r, 10));
      await c.xadd('x:live', '7-0', { hello: 'world' });
      assert.deepStrictEqual(same(await blocked), [
        { name: 'x:live', messages: [{ id: '7-0', fields: { hello: 'world' } }] },
      ]);
      assert.equal(same(await c.xread({ key: 'x:live', id: '$' }, { BLOCK: 100 })), null);
    });

    test('consumer groups: xgroupCreate, xreadgroup, xack, xpending summary and range', async () => {
      assert.equal(same(await c.xgroupCreate('x:s', 'g', '0')), 'OK');
      await assert.rejects(c.xgroupCreate('x:s', 'g', '0'), { code: 'BUSYGROUP' });
      assert.equal(same(await c.xgroupCreate('x:new', 'g', '$', { MKSTREAM: true })), 'OK');
      assert.equal(same(await c.xgroupCreateconsumer('x:s', 'g', 'alice')), true);
      assert.equal(same(await c.xgroupCreateconsumer('x:s', 'g', 'alice')), false);
      assert.deepStrictEqual(same(await c.xreadgroup('g', 'alice', { key: 'x:s', id: '>' }, { COUNT: 2 })), [
        {
          name: 'x:s',
          messages: [
            { id: '1-1', fields: { name: 'a', n: '1' } },
            { id: '2-0', fields: { name: 'b' } },
          ],
        },
      ]);
      assert.deepStrictEqual(same(await c.xreadgroup('g', 'bob', { key: 'x:s', id: '>' })), [
        { name: 'x:s', messages: [{ id: '3-0', fields: { name: 'c' } }] },
      ]);
      assert.equal(same(await c.xreadgroup('g', 'bob', { key: 'x:s', id: '>' })), null);
      assert.deepStrictEqual(same(await c.xpending('x:s', 'g')), {
        count: 3,
        minId: '1-1',
        maxId: '3-0',
        consumers: [
          { name: 'alice', count: 2 },
          { name: 'bob', count: 1 },
        ],
      });
      assert.deepStrictEqual(same(await c.xpending('x:new', 'g')), {
        count: 0,
        minId: null,
        maxId: null,
        consumers: [],
      });
      const range = await c.xpendingRange('x:s', 'g', '-', '+', 10);
      assert.deepStrictEqual(same(range.map(({ id, consumer, deliveries }) => ({ id, consumer, deliveries }))), [
        { id: '1-1', consumer: 'alice', deliveries: 1 },
        { id: '2-0', consumer: 'alice', deliveries: 1 },
        { id: '3-0', consumer: 'bob', deliveries: 1 },
      ]);
      assert.equal(typeof range[0].idle, 'number');
      assert.deepStrictEqual(
        same((await c.xpendingRange('x:s', 'g', '-', '+', 10, { consumer: 'bob' })).map((e) => e.id)),
        ['3-0'],
      );
      assert.deepStrictEqual(same(await c.xpendingRange('x:s', 'g', '-', '+', 10, { IDLE: 3_600_000 })), []);
      // A consumer's own history (id 0) shows a deleted entry with fields: null.
      await c.xadd('x:s', '4-0', { name: 'd' });
      await c.xreadgroup('g', 'carol', { key: 'x:s', id: '>' }, { NOACK: true });
      assert.equal(same(await c.xack('x:s', 'g', '1-1', '99-0')), 1);
      await c.xdel('x:s', '2-0');
      assert.deepStrictEqual(same(await c.xreadgroup('g', 'alice', { key: 'x:s', id: '0' })), [
        { name: 'x:s', messages: [{ id: '2-0', fields: null }] },
      ]);
    });

    test('xclaim / xclaimJustid / xautoclaim / xautoclaimJustid', async () => {
      await c.xadd('x:c', '1-0', { a: '1' });
      await c.xadd('x:c', '2-0', { b: '2' });
      await c.xadd('x:c', '3-0', { c: '3' });
      await c.xgroupCreate('x:c', 'g', '0');
      await c.xreadgroup('g', 'alice', { key: 'x:c', id: '>' });
      assert.deepStrictEqual(same(await c.xclaim('x:c', 'g', 'bob', 0, '1-0')), [{ id: '1-0', fields: { a: '1' } }]);
      assert.deepStrictEqual(same(await c.xclaimJustid('x:c', 'g', 'bob', 0, ['2-0'], { RETRYCOUNT: 5 })), ['2-0']);
      assert.deepStrictEqual(same(await c.xclaim('x:c', 'g', 'bob', 3_600_000, ['3-0'])), []);
      await c.xdel('x:c', '3-0');
      assert.deepStrictEqual(same(await c.xautoclaim('x:c', 'g', 'carol', 0, '0', { COUNT: 10 })), {
        nextId: '0-0',
        messages: [
          { id: '1-0', fields: { a: '1' } },
          { id: '2-0', fields: { b: '2' } },
        ],
        deleted: ['3-0'],
      });
      assert.deepStrictEqual(same(await c.xautoclaimJustid('x:c', 'g', 'dave', 0, '0', { COUNT: 1 })), {
        nextId: '2-0',
        ids: ['1-0'],
        deleted: [],
      });
    });

    test('xinfoStream / xinfoGroups / xinfoConsumers give objects', async () => {
      const info = await c.xinfoStream('x:c');
      assert.deepStrictEqual(same({ ...info, radixTreeKeys: 0, radixTreeNodes: 0 }), {
        length: 2,
        radixTreeKeys: 0,
        radixTreeNodes: 0,
        lastGeneratedId: '3-0',
        maxDeletedEntryId: '3-0',
        entriesAdded: 3,
        recordedFirstEntryId: '1-0',
        groups: 1,
        firstEntry: { id: '1-0', fields: { a: '1' } },
        lastEntry: { id: '2-0', fields: { b: '2' } },
      });
      assert.equal(typeof info.radixTreeKeys, 'number');
      assert.deepStrictEqual(same(await c.xinfoGroups('x:c')), [
        { name: 'g', consumers: 4, pending: 2, lastDeliveredId: '3-0', entriesRead: 3, lag: 0 },
      ]);
      const consumers = await c.xinfoConsumers('x:c', 'g');
      assert.deepStrictEqual(same(consumers.map(({ name, pending }) => ({ name, pending }))), [
        { name: 'alice', pending: 0 },
        { name: 'bob', pending: 0 },
        { name: 'carol', pending: 1 },
        { name: 'dave', pending: 1 },
      ]);
      assert.equal(typeof consumers[0].idle, 'number');
      await c.xadd('x:empty', '1-0', { f: 'v' });
      await c.xdel('x:empty', '1-0');
      const empty = await c.xinfoStream('x:empty');
      assert.equal(same(empty.firstEntry), null);
      assert.equal(same(empty.lastEntry), null);
    });

    test('xgroupSetid / xgroupDelconsumer / xgroupDestroy', async () => {
      assert.equal(same(await c.xgroupSetid('x:c', 'g', '0', { ENTRIESREAD: 0 })), 'OK');
      assert.equal(same(await c.xgroupDelconsumer('x:c', 'g', 'dave')), 1);
      assert.equal(same(await c.xgroupDestroy('x:c', 'g')), true);
      assert.equal(same(await c.xgroupDestroy('x:c', 'g')), false);
    });

    test('buffers view and pipeline', async () => {
      assert.deepStrictEqual(await c.buffers.xrange('x:s', '3-0', '3-0'), [
        { id: Buffer.from('3-0'), fields: { name: Buffer.from('c') } },
      ]);
      assert.deepStrictEqual(await c.buffers.xread({ key: 'x:s', id: '3-0' }), [
        { name: Buffer.from('x:s'), messages: [{ id: Buffer.from('4-0'), fields: { name: Buffer.from('d') } }] },
      ]);
      const results = await c.pipeline().xadd('x:p', '1-0', { a: 'b' }).xrange('x:p').xlen('x:p').exec();
      assert.deepStrictEqual(same(results), [
        [null, '1-0'],
        [null, [{ id: '1-0', fields: { a: 'b' } }]],
        [null, 1],
      ]);
    });
  });
}

resp.compare();
