// Binary everywhere: pub/sub messages as Buffers when asked ({ buffers: true }), on RESP3 (push
// frames) and RESP2 (a subscriber connection of its own), through a server restart; the buffers
// view's SCAN iterators and HGETALL keeping bytes that are not UTF-8.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, createClient, type RedisClient } from '../../src/index';
import { RedisServer, waitFor } from '../support';

/** Bytes that do not survive a round trip through a UTF-8 string. */
const BIN = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x80, 0xfe, 0x0a]);
const fast = { baseDelayMs: 20, maxDelayMs: 200 };

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(async () => {
  await server?.destroy();
});

for (const protocol of [3, 2] as const) {
  describe(`binary pub/sub on RESP${protocol}`, () => {
    test('subscribe, psubscribe and ssubscribe with { buffers: true } get the published bytes; string listeners on the same channel get text', async () => {
      const sub = createClient({ host: server.host, port: server.port, protocol, reconnect: fast });
      const pub = createClient({ host: server.host, port: server.port, protocol });
      const got: Array<[string, Buffer | string, string, string?]> = [];
      try {
        await sub.subscribe('b:ch', (m: Buffer, c: string) => got.push(['sub', m, c]), { buffers: true });
        await sub.subscribe('b:ch', (m: string, c: string) => got.push(['text', m, c]));
        await sub.psubscribe('b:p.*', (m: Buffer, c: string, p: string) => got.push(['psub', m, c, p]), {
          buffers: true,
        });
        await sub.ssubscribe('b:shard', (m: Buffer, c: string) => got.push(['ssub', m, c]), { buffers: true });
        assert.equal(await pub.publish('b:ch', BIN), 1);
        assert.equal(await pub.publish('b:p.x', BIN), 1);
        assert.equal(await pub.spublish('b:shard', BIN), 1);
        await waitFor('four deliveries', () => got.length === 4);
        const sorted = [...got].sort((a, b) => a[0].localeCompare(b[0]));
        assert.deepEqual(sorted, [
          ['psub', BIN, 'b:p.x', 'b:p.*'],
          ['ssub', BIN, 'b:shard'],
          ['sub', BIN, 'b:ch'],
          ['text', BIN.toString(), 'b:ch'],
        ]);
        for (const g of got) assert.equal(Buffer.isBuffer(g[1]), g[0] !== 'text', `${g[0]} got the wrong type`);
        // The client still answers ordinary commands with strings.
        await sub.set('b:k', 'v');
        assert.equal(await sub.get('b:k'), 'v');
      } finally {
        sub.destroy();
        pub.destroy();
      }
    });

    test('Buffer messages keep coming after a server restart (the new connection decodes them as Buffers too)', async () => {
      const own = await RedisServer.start();
      const sub = createClient({ host: own.host, port: own.port, protocol, reconnect: fast });
      const pub = createClient({ host: own.host, port: own.port, protocol, reconnect: fast });
      const got: Buffer[] = [];
      try {
        await sub.subscribe('b:r', (m: Buffer) => got.push(m), { buffers: true });
        await pub.publish('b:r', BIN);
        await waitFor('the first message', () => got.length === 1);
        const resubscribed = new Promise((resolve) => sub.once('resubscribed', resolve));
        await own.restart();
        await resubscribed;
        assert.equal(await pub.publish('b:r', BIN), 1);
        await waitFor('a message after the restart', () => got.length >= 2);
        for (const m of got) assert.deepEqual(m, BIN);
      } finally {
        sub.destroy();
        pub.destroy();
        await own.destroy();
      }
    });
  });
}

describe('binary pub/sub: options', () => {
  test("node-redis' `true` and unknown keys are refused with a hint", async () => {
    const c = createClient({ host: server.host, port: server.port });
    try {
      await assert.rejects(
        // @ts-expect-error node-redis' boolean form is not romaine's
        c.subscribe('x', () => {}, true),
        (e: unknown) => e instanceof InvalidArgumentError && /\{ buffers: true \}/.test(e.message),
      );
      await assert.rejects(
        // @ts-expect-error an unknown key
        c.subscribe('x', () => {}, { buffer: true }),
        (e: unknown) => e instanceof InvalidArgumentError && /unknown: buffer/.test(e.message),
      );
      assert.equal(c.subscriptionCount, 0);
    } finally {
      c.destroy();
    }
  });
});

for (const protocol of [3, 2] as const) {
  describe(`the buffers view on RESP${protocol}`, () => {
    let c: RedisClient;
    before(() => {
      c = createClient({ host: server.host, port: server.port, protocol, database: protocol });
    });
    after(() => c.destroy());

    test('buffers.hgetall is a Map<Buffer, Buffer> that keeps binary field names', async () => {
      const field = Buffer.concat([Buffer.from('f:'), BIN]);
      await c.del('bh');
      await c.hset('bh', [
        [field, BIN],
        ['plain', 'text'],
      ]);
      const all = await c.buffers.hgetall('bh');
      assert.ok(all instanceof Map);
      const entries = [...all].sort((a, b) => Buffer.compare(a[0], b[0]));
      assert.deepEqual(entries, [
        [field, BIN],
        [Buffer.from('plain'), Buffer.from('text')],
      ]);
      assert.deepEqual(await c.buffers.hgetall('bh:none'), new Map());
      // The string view is unchanged: an object.
      assert.deepEqual((await c.hgetall('bh')).plain, 'text');
    });

    test('buffers.scanIterator, hscanIterator and sscanIterator yield the bytes of binary keys, fields and members', async () => {
      const prefix = Buffer.from('bscan:');
      const keys = [0, 1, 2].map((i) => Buffer.concat([prefix, BIN, Buffer.from([i])]));
      for (const k of keys) await c.set(k, 'v');
      const seen: Buffer[] = [];
      for await (const k of c.buffers.scanIterator({ MATCH: 'bscan:*', COUNT: 2 })) seen.push(k);
      assert.ok(seen.every((k) => Buffer.isBuffer(k)));
      assert.deepEqual(
        [...new Set(seen.map((k) => k.toString('hex')))].sort(),
        keys.map((k) => k.toString('hex')).sort(),
      );

      await c.hset('bscan-h', [[BIN, BIN]]);
      const fields: Array<[Buffer, Buffer]> = [];
      for await (const e of c.buffers.hscanIterator('bscan-h')) fields.push(e);
      assert.deepEqual(fields, [[BIN, BIN]]);

      await c.sadd('bscan-s', BIN);
      const members: Buffer[] = [];
      for await (const m of c.buffers.sscanIterator('bscan-s')) members.push(m);
      assert.deepEqual(members, [BIN]);
    });
  });
}

for (const protocol of [3, 2] as const) {
  test(`RESP${protocol}: an unsubscribe issued right before close() resolves (nothing is subscribed on a closed client)`, async () => {
    const c = createClient({ host: server.host, port: server.port, protocol });
    await c.subscribe('bye', () => {});
    await c.ssubscribe('bye-shard', () => {});
    const unsubscribed = [c.unsubscribe('bye'), c.sunsubscribe('bye-shard')];
    const closed = c.close();
    await Promise.all(unsubscribed);
    await closed;
    assert.equal(c.subscriptionCount, 0);
  });
}
