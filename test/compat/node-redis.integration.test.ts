// romaine/compat/node-redis against a real server: node-redis v5's argument forms and reply
// shapes, its client surface (connect returning the client, isOpen/isReady, events, duplicate,
// quit/close/destroy), multi().exec() plain replies, scanIterator batches, Buffer-mode pub/sub.
// The client is typed `any` where a library would call it from JavaScript.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, NodeRedisClient } from '../../src/compat/node-redis/index';
import { ClientClosedError, InvalidArgumentError, ReplyError } from '../../src/index';
import { RedisServer, waitFor } from '../support';

let server: RedisServer;
let client: any;
before(async () => {
  server = await RedisServer.start();
  client = createClient({ url: `redis://${server.host}:${server.port}` });
  await client.connect();
});
after(async () => {
  await client?.close();
  await server?.destroy();
});

const BIN = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x80]);

describe('strings and keys', () => {
  test("set() with v5's { expiration: { type, value } } and { condition }, v4's { EX } / { PX } / { NX } / { GET }", async () => {
    assert.equal(await client.set('s:1', 'a', { expiration: { type: 'EX', value: 100 } }), 'OK');
    assert.ok((await client.ttl('s:1')) > 90);
    assert.equal(await client.set('s:1', 'b', { condition: 'NX' }), null);
    assert.equal(await client.set('s:1', 'b', { condition: 'XX', expiration: 'KEEPTTL' }), 'OK');
    assert.ok((await client.ttl('s:1')) > 90);
    assert.equal(await client.set('s:2', 'a', { PX: 100_000 }), 'OK');
    assert.ok((await client.pTTL('s:2')) > 90_000);
    assert.equal(await client.set('s:2', 'c', { EX: 50, GET: true }), 'a');
    assert.equal(await client.set('s:3', 'a', { NX: true }), 'OK');
    await assert.rejects(client.set('s:4', 'a', { expiration: { type: 'EX' } }), InvalidArgumentError);
    await assert.rejects(client.set('s:4', 'a', { ex: 1 }), /unknown option 'ex'/);
    assert.equal(await client.exists('s:4'), 0);
  });

  test('array arguments, mGet/mSet, incrBy/pTTL/getEx, del([keys]) counts', async () => {
    assert.equal(await client.mSet({ 'm:a': '1', 'm:b': '2' }), 'OK');
    assert.equal(await client.mSet([['m:c', '3']]), 'OK');
    assert.deepEqual(await client.mGet(['m:a', 'm:b', 'm:c', 'm:none']), ['1', '2', '3', null]);
    assert.equal(await client.incrBy('m:a', 5), 6);
    assert.equal(await client.incrByFloat('m:a', 0.5), '6.5');
    assert.equal(await client.getEx('m:b', { type: 'PX', value: 80_000 }), '2');
    assert.ok((await client.pTTL('m:b')) > 70_000);
    assert.equal(await client.getEx('m:b', { PERSIST: true }), '2');
    assert.equal(await client.pTTL('m:b'), -1);
    assert.equal(await client.exists(['m:a', 'm:b', 'm:none']), 2);
    assert.equal(await client.del(['m:a', 'm:b', 'm:c']), 3);
    assert.equal(await client.expire('m:none', 10), 0);
    assert.equal(await client.GET('m:none'), null, 'the UPPERCASE alias');
  });

  test('hashes, sets, sorted sets: v5 shapes', async () => {
    assert.equal(await client.hSet('h', { a: '1', b: '2' }), 2);
    assert.equal(await client.hSet('h', 'c', '3'), 1);
    assert.deepEqual(await client.hGetAll('h'), { a: '1', b: '2', c: '3' });
    assert.deepEqual(await client.hGetAll('h:none'), {});
    assert.deepEqual(await client.hmGet('h', ['a', 'x']), ['1', null]);
    assert.equal(await client.hExists('h', 'a'), 1, 'v5: a number, not a boolean');
    assert.equal(await client.sAdd('set', ['x', 'y']), 2);
    assert.equal(await client.sIsMember('set', 'x'), 1);
    assert.equal(
      await client.zAdd('z', [
        { score: 1, value: 'one' },
        { score: 2.5, value: 'two' },
      ]),
      2,
    );
    assert.equal(await client.zScore('z', 'two'), 2.5);
    assert.equal(await client.zScore('z', 'none'), null);
    assert.deepEqual(await client.zRange('z', 0, -1), ['one', 'two']);
    assert.deepEqual(
      await client.zRange('z', '+inf', '-inf', { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: 1 } }),
      ['two'],
    );
    assert.deepEqual(await client.zRangeWithScores('z', 0, -1), [
      { value: 'one', score: 1 },
      { value: 'two', score: 2.5 },
    ]);
    assert.equal(await client.zIncrBy('z', 1, 'one'), 2);
  });

  test('scan and the scan iterators yield one array per page (v5)', async () => {
    for (let i = 0; i < 30; i++) await client.set(`it:${i}`, 'v');
    const batches: string[][] = [];
    for await (const keys of client.scanIterator({ MATCH: 'it:*', COUNT: 10 })) batches.push(keys);
    assert.ok(batches.length > 1, 'several pages');
    assert.ok(batches.every((b) => Array.isArray(b)));
    assert.equal(new Set(batches.flat()).size, 30);
    const page = await client.scan('0', { MATCH: 'it:*', COUNT: 100 });
    assert.equal(typeof page.cursor, 'string');
    assert.ok(Array.isArray(page.keys));
    await client.hSet('hs', { f1: 'v1', f2: 'v2' });
    const entries: unknown[] = [];
    for await (const batch of client.hScanIterator('hs')) entries.push(...batch);
    assert.deepEqual(
      entries.sort((a: any, b: any) => a.field.localeCompare(b.field)),
      [
        { field: 'f1', value: 'v1' },
        { field: 'f2', value: 'v2' },
      ],
    );
  });

  test('options the facade does not translate are refused before anything is sent', async () => {
    await assert.rejects(client.hSet('h2', new Date()), /sendCommand/);
    await assert.rejects(client.lPush('l', { a: 1 }), /sendCommand/);
    assert.equal(await client.exists(['h2', 'l']), 0);
  });
});

describe('eval, sendCommand, multi', () => {
  test("eval(script, { keys, arguments }) and ioredis' numkeys form; evalSha after scriptLoad", async () => {
    const script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
    assert.equal(await client.eval(script, { keys: ['ev'], arguments: ['4'] }), 4);
    assert.equal(await client.eval(script, 1, 'ev', 1), 5);
    const sha = await client.scriptLoad(script);
    assert.equal(await client.evalSha(sha, { keys: ['ev'], arguments: ['5'] }), 10);
    assert.equal(await client.eval('return #KEYS', {}), 0);
  });

  test('sendCommand(array) gives the raw reply', async () => {
    assert.equal(await client.sendCommand(['SET', 'sc', 'v']), 'OK');
    assert.deepEqual(await client.sendCommand(['PUBSUB', 'NUMSUB', 'nobody']), ['nobody', 0]);
    await assert.rejects(client.sendCommand('GET'), InvalidArgumentError);
  });

  test('multi().exec() gives plain replies; exec(true) is a pipeline; an error rejects exec()', async () => {
    const [set, incr, pttl, value] = await client
      .multi()
      .set('mx', '1', { EX: 100 })
      .incrBy('mx', 2)
      .pTTL('mx')
      .get('mx')
      .exec();
    assert.deepEqual([set, incr, value], ['OK', 3, '3']);
    assert.ok(pttl > 90_000);
    const [ok, n, ttl] = await client.multi().set('mp', '1', { EX: 100 }).incrBy('mp', 1).pTTL('mp').exec(true);
    assert.equal(ok, 'OK');
    assert.equal(n, 2);
    assert.ok(ttl > 90_000);
    assert.deepEqual(await client.multi().exists('mp').exists('none').exec(), [1, 0]);
    assert.deepEqual(await client.multi().hSet('mh', { a: '1' }).hGetAll('mh').execAsPipeline(), [1, { a: '1' }]);
    await client.set('str', 'x');
    await assert.rejects(client.multi().incr('str').exec(), ReplyError);
    await assert.rejects(client.multi().set('k', 'v', { nope: 1 }).exec(), /unknown option 'nope'/);
  });
});

describe('the client surface', () => {
  test('connect() resolves with the client; isOpen/isReady; events; quit/close/destroy/disconnect', async () => {
    const c = createClient({ socket: { host: server.host, port: server.port }, name: 'facade' });
    const events: string[] = [];
    for (const e of ['connect', 'ready', 'end', 'reconnecting'] as const) c.on(e, () => events.push(e));
    assert.equal(c.isOpen, false);
    assert.equal(c.isReady, false);
    const connecting = c.connect();
    assert.equal(c.isOpen, true, 'open as soon as connect() was called');
    assert.equal(await connecting, c);
    assert.equal(c.isReady, true);
    assert.equal(await (c as any).clientGetName(), 'facade');
    assert.equal(await c.quit(), 'OK');
    assert.equal(c.isOpen, false);
    assert.deepEqual(events, ['connect', 'ready', 'end']);
    await assert.rejects((c as any).get('k'), ClientClosedError);

    const d = createClient({ url: `redis://${server.host}:${server.port}` });
    await d.connect();
    d.destroy();
    assert.equal(d.isOpen, false);
    const e = createClient({ url: `redis://${server.host}:${server.port}` });
    await e.connect();
    await e.disconnect();
    assert.equal(e.isReady, false);
  });

  test('reconnecting and ready again after a server restart', async () => {
    const own = await RedisServer.start();
    const c = createClient({ url: `redis://${own.host}:${own.port}` });
    const events: string[] = [];
    c.on('reconnecting', () => events.push('reconnecting'));
    c.on('ready', () => events.push('ready'));
    c.on('error', () => events.push('error'));
    try {
      await c.connect();
      await (c as any).set('k', 'v');
      await own.restart();
      assert.equal(await (c as any).ping(), 'PONG');
      await waitFor('ready again', () => events.filter((e) => e === 'ready').length === 2);
      assert.ok(events.includes('reconnecting'));
    } finally {
      c.destroy();
      await own.destroy();
    }
  });

  test('duplicate() is a new unconnected client with the same options (and overrides)', async () => {
    const d = client.duplicate({ database: 3 });
    assert.ok(d instanceof NodeRedisClient);
    assert.equal(d.isOpen, false);
    await d.connect();
    await d.set('dup', 'in-3');
    assert.equal(await client.get('dup'), null);
    assert.equal(d.options.url, client.options.url);
    await d.close();
  });

  test('options: socket, name, database, disableOfflineQueue, reconnectStrategy false; unknown and uncovered options refused', async () => {
    const c: any = createClient({
      socket: { host: server.host, port: server.port, connectTimeout: 2000, reconnectStrategy: false },
      database: 2,
      disableOfflineQueue: true,
    });
    assert.equal(c.romaine.options.reconnect, false);
    assert.equal(c.romaine.options.offlineQueue.enabled, false);
    await c.connect();
    await c.set('db2', 'x');
    assert.equal(await client.get('db2'), null);
    await c.close();
    assert.throws(() => createClient({ legacyMode: true } as any), /legacyMode/);
    assert.throws(() => createClient({ nope: 1 } as any), /unknown option 'nope'/);
  });
});

describe('pub/sub', () => {
  test('subscribe/pSubscribe/sSubscribe with Buffer mode (true) get Buffers; unsubscribe with the listener stops them', async () => {
    const sub = client.duplicate();
    await sub.connect();
    const got: Array<[string, unknown, unknown]> = [];
    const onSub = (m: unknown, c: unknown) => got.push(['sub', m, c]);
    const onP = (m: unknown, c: unknown) => got.push(['psub', m, c]);
    const onS = (m: unknown, c: unknown) => got.push(['ssub', m, c]);
    try {
      await sub.subscribe(['ps:a'], onSub, true);
      await sub.pSubscribe('ps:p*', onP, true);
      await sub.sSubscribe('ps:s', onS, true);
      await sub.subscribe('ps:text', (m: unknown) => got.push(['text', m, null]));
      assert.deepEqual(await client.pubSubNumSub(['ps:a', 'ps:text']), { 'ps:a': 1, 'ps:text': 1 });
      await client.publish('ps:a', BIN);
      await client.publish('ps:px', BIN);
      await client.sPublish('ps:s', BIN);
      await client.publish('ps:text', 'hello');
      await waitFor('four messages', () => got.length === 4);
      const byKind = Object.fromEntries(got.map(([k, m]) => [k, m]));
      assert.deepEqual(byKind, { sub: BIN, psub: BIN, ssub: BIN, text: 'hello' });
      await sub.unsubscribe('ps:a', onSub, true);
      await sub.pUnsubscribe('ps:p*', onP, true);
      await sub.sUnsubscribe('ps:s', onS, true);
      assert.equal(await client.publish('ps:a', 'x'), 0);
    } finally {
      await sub.close();
    }
  });
});
