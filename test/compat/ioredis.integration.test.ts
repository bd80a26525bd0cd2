// romaine/compat/ioredis against a real redis-server: ioredis' constructor forms, status and
// events, argument forms, reply shapes, batches, scripts, pub/sub, scan streams, callbacks, and the
// options it refuses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { ClientClosedError, InvalidArgumentError, ReplyError } from '../../src/index';
import { Redis, type IoredisOptions } from '../../src/compat/ioredis/index';
import { RedisServer } from '../support/redis-server';
import { waitFor } from '../support/wait';

let server: RedisServer;
let redis: any;
before(async () => {
  server = await RedisServer.start();
  redis = new Redis(server.port, '127.0.0.1');
  await once(redis, 'ready');
});
after(async () => {
  await redis?.quit();
  await server?.destroy();
});

describe('constructor, status and events', () => {
  test("connects in the constructor: status 'connecting' then 'connect' and 'ready' events; quit() ends with 'close', 'end'", async () => {
    const r = new Redis(`redis://127.0.0.1:${server.port}/2`);
    const seen: string[] = [];
    for (const e of ['connect', 'ready', 'close', 'end']) r.on(e, () => seen.push(`${e}:${r.status}`));
    assert.equal(r.status, 'connecting');
    await once(r, 'ready');
    assert.equal(await r.call('CLIENT', 'INFO').then((s) => /db=2/.test(String(s))), true, 'db from the URL');
    assert.equal(await r.quit(), 'OK');
    assert.deepEqual(seen, ['connect:connect', 'ready:ready', 'close:close', 'end:end']);
    assert.equal(r.status, 'end');
    // ioredis connects again after quit().
    await r.connect();
    assert.equal(r.status, 'ready');
    assert.equal(await r.ping(), 'PONG');
    r.disconnect();
    await waitFor('end', () => r.status === 'end');
  });

  test("lazyConnect: status 'wait' until connect() or the first command", async () => {
    const r = new Redis({ port: server.port, lazyConnect: true, connectionName: 'lazy' });
    assert.equal(r.status, 'wait');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(r.status, 'wait', 'nothing happened without a command');
    assert.equal(await r.client('GETNAME'), 'lazy');
    assert.equal(r.status, 'ready');
    r.disconnect();
  });

  test("a server restart: 'close', 'reconnecting' (a delay), then 'connect', 'ready'", async () => {
    const s = await RedisServer.start();
    const r = new Redis({ port: s.port, romaine: { reconnect: { baseDelayMs: 20, maxDelayMs: 100 } } });
    try {
      await once(r, 'ready');
      const seen: string[] = [];
      let delay: unknown;
      for (const e of ['close', 'connect', 'ready']) r.on(e, () => seen.push(e));
      r.on('reconnecting', (ms: unknown) => {
        delay = ms;
        seen.push('reconnecting');
      });
      await s.stop();
      await waitFor('reconnecting', () => r.status === 'reconnecting', 10_000);
      await s.restart();
      await waitFor('ready', () => r.status === 'ready', 10_000);
      assert.equal(seen[0], 'close');
      assert.ok(seen.includes('reconnecting'));
      assert.deepEqual(seen.slice(-2), ['connect', 'ready']);
      assert.equal(typeof delay, 'number');
    } finally {
      r.disconnect();
      await s.destroy();
    }
  });

  test("a wrong password before the first success: 'error', then 'end' at once (romaine fails fast)", async () => {
    const s = await RedisServer.start({ args: ['--requirepass', 'right'] });
    try {
      const r = new Redis({ port: s.port, password: 'hunter2-not-it' });
      const errors: Error[] = [];
      r.on('error', (e: Error) => errors.push(e));
      await new Promise((resolve) => r.once('end', resolve));
      assert.equal(r.status, 'end');
      assert.equal((errors[0] as { code?: string }).code, 'EAUTH');
      assert.doesNotMatch(errors[0]?.message ?? '', /hunter2/, 'the password is not in the message');
    } finally {
      await s.destroy();
    }
  });

  test('options ioredis has and the facade cannot honour are refused with the reason', () => {
    assert.throws(() => new Redis({ keyPrefix: 'app:' } as IoredisOptions), /keyPrefix.*not supported/);
    assert.throws(() => new Redis({ sentinels: [] } as IoredisOptions), /Sentinel is not covered/);
    assert.throws(() => new Redis({ replyMapping: 'resp3' } as unknown as IoredisOptions), /legacy/);
    assert.throws(() => new Redis({ nosuchoption: 1 } as IoredisOptions), /unknown option 'nosuchoption'/);
    assert.throws(() => new Redis({ port: 'x' as never, lazyConnect: true }), InvalidArgumentError);
  });

  test('redis.options shows what was given with ioredis defaults, never the password', () => {
    const r = new Redis({ port: server.port, password: 's3cret', lazyConnect: true, maxRetriesPerRequest: null });
    assert.equal(r.options.maxRetriesPerRequest, null);
    assert.equal(r.options.keyPrefix, '');
    assert.equal(r.options.port, server.port);
    assert.doesNotMatch(JSON.stringify(r.options), /s3cret/);
    assert.equal(new Redis({ lazyConnect: true }).options.maxRetriesPerRequest, 20);
  });
});

describe('argument forms and reply shapes', () => {
  test("set(k, v, 'EX', 60), 'PX', 'NX', 'GET'", async () => {
    assert.equal(await redis.set('s:ex', 'v', 'EX', 60), 'OK');
    const ttl = await redis.ttl('s:ex');
    assert.ok(ttl > 0 && ttl <= 60);
    assert.equal(await redis.set('s:px', 'v', 'PX', 5000), 'OK');
    assert.ok((await redis.pttl('s:px')) > 1000);
    assert.equal(await redis.set('s:ex', 'w', 'NX'), null);
    assert.equal(await redis.set('s:ex', 'w', 'XX', 'GET'), 'v');
  });

  test('arrays are flattened; hset/mset take objects and Maps; hgetall is an object', async () => {
    assert.equal(await redis.del(['a:1', 'a:2'], 'a:3'), 0);
    await redis.mset({ 'a:1': 1, 'a:2': 'two' });
    assert.deepEqual(await redis.mget(['a:1', 'a:2']), ['1', 'two']);
    await redis.hset('h:1', new Map([['x', 1]]));
    await redis.hset('h:1', { y: 'z', __proto__: 'p' });
    await redis.hmset('h:1', 'w', 2);
    const h = await redis.hgetall('h:1');
    assert.deepEqual({ ...h }, { x: '1', y: 'z', w: '2' });
    assert.deepEqual(await redis.hgetall('h:none'), {});
  });

  test('zrange WITHSCORES is flat, scores are strings; info is a string; integers are numbers', async () => {
    await redis.zadd('z:1', 1.5, 'a', 2, 'b');
    assert.deepEqual(await redis.zrange('z:1', 0, -1, 'WITHSCORES'), ['a', '1.5', 'b', '2']);
    assert.equal(await redis.zscore('z:1', 'a'), '1.5');
    assert.match(await redis.info('server'), /redis_version:/);
    assert.equal(await redis.incr('n:1'), 1);
    await redis.set('n:big', '9007199254740993');
    assert.equal(typeof (await redis.incr('n:big')), 'number', 'past 2^53 ioredis gives a (rounded) number');
  });

  test('xxxBuffer methods and callBuffer return Buffers; call() takes any command', async () => {
    await redis.set('b:1', Buffer.from([0xff, 0x00]));
    assert.deepEqual(await redis.getBuffer('b:1'), Buffer.from([0xff, 0x00]));
    assert.deepEqual(await redis.callBuffer('GET', 'b:1'), Buffer.from([0xff, 0x00]));
    assert.equal(await redis.call('SET', ['b:2', 'x']), 'OK');
    const hb = await redis.hgetallBuffer('h:1');
    assert.ok(Buffer.isBuffer(hb.x));
  });

  test('errors: ReplyError with the server text; an object value is refused, not sent as [object Object]', async () => {
    await redis.set('e:str', 'x');
    await assert.rejects(redis.lpush('e:str', 'y'), (err: Error) => {
      assert.ok(err instanceof ReplyError);
      assert.match(err.message, /^WRONGTYPE/);
      return true;
    });
    await assert.rejects(redis.set('e:obj', { a: 1 }), /not a valid argument/);
    assert.equal(await redis.exists('e:obj'), 0);
  });

  test('node-style callbacks', async () => {
    await redis.set('cb:1', 'v');
    const value = await new Promise((resolve, reject) =>
      redis.get('cb:1', (err: Error | null, v: unknown) => (err ? reject(err) : resolve(v))),
    );
    assert.equal(value, 'v');
  });
});

describe('pipeline, multi, defineCommand', () => {
  test('pipeline: [err, value] pairs, hgetall shaped, errors in place; the array form', async () => {
    await redis.set('p:str', 'x');
    const results = await redis.pipeline().set('p:1', 1).incr('p:1').lpush('p:str', 'y').hgetall('h:1').exec();
    assert.deepEqual(results[0], [null, 'OK']);
    assert.deepEqual(results[1], [null, 2]);
    assert.ok(results[2][0] instanceof ReplyError);
    assert.equal(results[3][1].y, 'z');
    assert.deepEqual(
      await redis
        .pipeline([
          ['incr', 'p:1'],
          ['get', 'p:1'],
        ])
        .exec(),
      [
        [null, 3],
        [null, '3'],
      ],
    );
    const p = redis.pipeline().get('p:1').getBuffer('p:1');
    assert.equal(p.length, 2);
    const [[, s], [, b]] = await p.exec();
    assert.equal(s, '3');
    assert.ok(Buffer.isBuffer(b));
  });

  test('multi: results, null when a WATCHed key changed (on a duplicate), EXECABORT rejects', async () => {
    assert.deepEqual(await redis.multi().set('m:1', 1).incr('m:1').exec(), [
      [null, 'OK'],
      [null, 2],
    ]);
    const own = redis.duplicate();
    try {
      await own.watch('m:1');
      await redis.set('m:1', 'changed');
      assert.equal(await own.multi().set('m:1', 'mine').exec(), null);
      assert.equal(await redis.get('m:1'), 'changed');
    } finally {
      own.disconnect();
    }
    await assert.rejects(redis.multi().set('m:1').exec(), /EXECABORT/);
    assert.throws(() => redis.multi({ pipeline: false }), /not supported/);
  });

  test('defineCommand: numberOfKeys or numkeys first, Buffer variant, in batches, after SCRIPT FLUSH', async () => {
    redis.defineCommand('pair', { numberOfKeys: 1, lua: 'return {KEYS[1], ARGV[1]}' });
    redis.defineCommand('count', { lua: 'return #KEYS' });
    assert.deepEqual(await redis.pair('k', 'a'), ['k', 'a']);
    assert.deepEqual(await redis.pair(['k', 'b']), ['k', 'b']);
    assert.equal(await redis.count(2, 'x', 'y'), 2);
    const [k] = await redis.pairBuffer('k', 'c');
    assert.ok(Buffer.isBuffer(k));
    await redis.script('FLUSH');
    assert.deepEqual(await redis.pair('k', 'd'), ['k', 'd'], 'NOSCRIPT answered with EVAL');
    assert.deepEqual(await redis.multi().pair('k', 'e').count(1, 'z').exec(), [
      [null, ['k', 'e']],
      [null, 1],
    ]);
    assert.deepEqual(await redis.pipeline().pair('k', 'f').exec(), [[null, ['k', 'f']]]);
  });
});

/** INFO commandstats' calls of each command (lower-case name -> calls). */
async function commandCalls(): Promise<Record<string, number>> {
  const info = String(await server.cli('INFO', 'commandstats'));
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([a-z_|]+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** How many more calls each of these commands got between two INFO commandstats. */
function delta(before: Record<string, number>, after: Record<string, number>, names: string[]): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, (after[n] ?? 0) - (before[n] ?? 0)]));
}

describe('scripts in pipelines: EVALSHA, loaded when needed', () => {
  const counted = ['eval', 'evalsha', 'script|load'];

  test('a pipeline of defined commands loads the script once, then sends EVALSHA; still right after SCRIPT FLUSH; loads again on a new connection', async () => {
    const r = redis.duplicate();
    const other = redis.duplicate();
    try {
      // A script no other test defined (its SHA1 is new to the server).
      r.defineCommand('addTo', {
        numberOfKeys: 1,
        lua: `return redis.call('INCRBY', KEYS[1], ARGV[1]) -- ${Date.now()}`,
      });
      await r.del('evs:n');

      let before = await commandCalls();
      assert.deepEqual(await r.pipeline().addTo('evs:n', 1).addTo('evs:n', 2).get('evs:n').exec(), [
        [null, 1],
        [null, 3],
        [null, '3'],
      ]);
      let after = await commandCalls();
      assert.deepEqual(delta(before, after, counted), { eval: 0, evalsha: 2, 'script|load': 1 }, 'first pipeline');

      before = after;
      assert.deepEqual(await r.pipeline().addTo('evs:n', 10).addTo('evs:n', 20).exec(), [
        [null, 13],
        [null, 33],
      ]);
      after = await commandCalls();
      assert.deepEqual(delta(before, after, counted), { eval: 0, evalsha: 2, 'script|load': 0 }, 'already loaded');

      // Flushed behind the facade's back (another connection): the EVALSHAs answer NOSCRIPT. The
      // first has a GET sent behind it (an EVAL now would run after it): it fails in its place, not
      // run. The last has nothing behind it: EVAL runs it in its place.
      assert.equal(await other.script('FLUSH'), 'OK');
      const flushed = await r.pipeline().addTo('evs:n', 100).get('evs:n').addTo('evs:n', 1000).exec();
      const err = flushed[0][0] as ReplyError;
      assert.ok(err instanceof ReplyError && /^NOSCRIPT .*did not run/.test(err.message), String(err));
      assert.deepEqual(flushed.slice(1), [
        [null, '33'],
        [null, 1033],
      ]);
      assert.equal(await r.get('evs:n'), '1033', 'the first did not run, the last ran once');
      // Run again: loaded first, each in its place.
      assert.deepEqual(await r.pipeline().addTo('evs:n', 100).get('evs:n').exec(), [
        [null, 1133],
        [null, '1133'],
      ]);

      // A new connection (the server may have restarted): the facade loads the script again first.
      r.disconnect(true);
      await once(r, 'ready');
      before = await commandCalls();
      assert.deepEqual(await r.pipeline().addTo('evs:n', 1).exec(), [[null, 1134]]);
      after = await commandCalls();
      assert.deepEqual(delta(before, after, counted), { eval: 0, evalsha: 1, 'script|load': 1 }, 'reconnected');
    } finally {
      r.disconnect();
      other.disconnect();
    }
  });

  test('a defined command keeps its place: a GET issued in the same tick sees its write, on first use and after SCRIPT FLUSH', async () => {
    const r = redis.duplicate();
    try {
      r.defineCommand('bump', { numberOfKeys: 1, lua: `return redis.call('INCR', KEYS[1]) -- ${Date.now()}` });
      await r.del('evs:o');
      assert.deepEqual(await Promise.all([r.bump('evs:o'), r.get('evs:o')]), [1, '1']);
      await r.script('FLUSH');
      assert.deepEqual(await Promise.all([r.bump('evs:o'), r.get('evs:o')]), [2, '2']);
    } finally {
      r.disconnect();
    }
  });

  test('a direct call marks the script loaded; a transaction sends EVAL (a NOSCRIPT would split it); errors stay in place', async () => {
    const r = redis.duplicate();
    try {
      r.defineCommand('echoArg', { numberOfKeys: 0, lua: `return ARGV[1] -- ${Date.now()}` });
      r.defineCommand('boom', { numberOfKeys: 0, lua: `return redis.error_reply('BOOM no') -- ${Date.now()}` });
      // Connected first: a run issued before the connection is ready counts for none (it loads again later).
      await r.ping();
      assert.equal(await r.echoArg('a'), 'a');
      let before = await commandCalls();
      const results = await r.pipeline().echoArg('b').boom().echoArg('c').exec();
      assert.deepEqual(results[0], [null, 'b']);
      assert.ok(results[1][0] instanceof ReplyError && /BOOM no/.test(results[1][0].message));
      assert.deepEqual(results[2], [null, 'c']);
      let after = await commandCalls();
      assert.deepEqual(delta(before, after, counted), { eval: 0, evalsha: 3, 'script|load': 1 }, 'boom loaded');

      before = after;
      assert.deepEqual(await r.multi().echoArg('d').exec(), [[null, 'd']]);
      after = await commandCalls();
      assert.deepEqual(delta(before, after, counted), { eval: 1, evalsha: 0, 'script|load': 0 }, 'in a transaction');
    } finally {
      r.disconnect();
    }
  });
});

describe('pub/sub, scan streams, closing', () => {
  test("subscribe/psubscribe: 'message', 'messageBuffer', 'pmessage'; counts like ioredis", async () => {
    const sub = redis.duplicate();
    try {
      const messages: unknown[] = [];
      sub.on('message', (channel: string, message: string) => messages.push(['message', channel, message]));
      sub.on('messageBuffer', (channel: Buffer, message: Buffer) =>
        messages.push(['buffer', Buffer.isBuffer(message)]),
      );
      sub.on('pmessage', (pattern: string, channel: string, message: string) =>
        messages.push(['pmessage', pattern, channel, message]),
      );
      assert.equal(await sub.subscribe('news', 'sport'), 2);
      assert.equal(await sub.psubscribe('n*'), 3);
      await redis.publish('news', 'hello');
      await waitFor('three deliveries', () => messages.length === 3);
      assert.deepEqual(messages, [
        ['message', 'news', 'hello'],
        ['buffer', true],
        ['pmessage', 'n*', 'news', 'hello'],
      ]);
      assert.equal(await sub.unsubscribe('news'), 2);
      assert.equal(await sub.unsubscribe(), 1);
    } finally {
      sub.disconnect();
    }
  });

  test("messageBuffer, pmessageBuffer, smessageBuffer: the exact bytes of a payload that is not UTF-8; 'message' still a string", async () => {
    const sub = redis.duplicate();
    try {
      const payload = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
      const seen: Record<string, unknown[]> = {};
      for (const e of ['message', 'messageBuffer', 'pmessage', 'pmessageBuffer', 'smessage', 'smessageBuffer']) {
        sub.on(e, (...args: unknown[]) => (seen[e] ??= []).push(args));
      }
      assert.equal(await sub.subscribe('bin'), 1);
      assert.equal(await sub.psubscribe('bi*'), 2);
      assert.equal(await sub.ssubscribe('sbin'), 1);
      assert.equal(await redis.publish('bin', payload), 2);
      assert.equal(await redis.spublish('sbin', payload), 1);
      await waitFor('six deliveries', () => Object.keys(seen).length === 6);

      const [[bChannel, bMessage]] = seen.messageBuffer as [Buffer, Buffer][];
      assert.ok(Buffer.isBuffer(bChannel) && Buffer.isBuffer(bMessage));
      assert.equal(bChannel.toString(), 'bin');
      assert.deepEqual([...bMessage], [...payload], 'messageBuffer: the bytes as published');
      const [[pPattern, pChannel, pMessage]] = seen.pmessageBuffer as [Buffer, Buffer, Buffer][];
      assert.deepEqual([pPattern.toString(), pChannel.toString()], ['bi*', 'bin']);
      assert.deepEqual([...pMessage], [...payload], 'pmessageBuffer: the bytes as published');
      const [[, sMessage]] = seen.smessageBuffer as [Buffer, Buffer][];
      assert.deepEqual([...sMessage], [...payload], 'smessageBuffer: the bytes as published');

      // The string events decode the same bytes as UTF-8, as ioredis does (invalid bytes become U+FFFD).
      assert.deepEqual(seen.message, [['bin', payload.toString()]]);
      assert.deepEqual(seen.pmessage, [['bi*', 'bin', payload.toString()]]);
      assert.deepEqual(seen.smessage, [['sbin', payload.toString()]]);
      assert.equal(typeof (seen.message[0] as unknown[])[1], 'string');
    } finally {
      sub.disconnect();
    }
  });

  test('scanStream: arrays of keys per page, with match and count', async () => {
    await redis.mset({ 'scan:1': 1, 'scan:2': 2, 'scan:3': 3, other: 0 });
    const keys: string[] = [];
    for await (const page of redis.scanStream({ match: 'scan:*', count: 2 })) {
      assert.ok(Array.isArray(page));
      keys.push(...(page as string[]));
    }
    assert.deepEqual(keys.sort(), ['scan:1', 'scan:2', 'scan:3']);
    const fields: string[] = [];
    for await (const page of redis.hscanStream('h:1')) fields.push(...(page as string[]));
    assert.ok(fields.includes('x'));
  });

  test("disconnect() rejects a pending blocking command with ioredis' 'Connection is closed.' (a ClientClosedError)", async () => {
    const r = redis.duplicate();
    await once(r, 'ready');
    const waiting = r.blpop('never:list', 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    r.disconnect();
    await assert.rejects(waiting, (err: Error) => {
      assert.ok(err instanceof ClientClosedError);
      assert.equal(err.message, 'Connection is closed.');
      return true;
    });
  });
});
