import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, InvalidArgumentError } from '../../src/index';
import { RedisServer } from '../support/redis-server';

// What a JavaScript caller (or a library written for ioredis or node-redis) passes: no compile-time
// check, so the client is typed `any`. Each wrong call must be refused before anything runs on the
// server, instead of doing something else than what the caller asked.
let server: RedisServer;
let client: any;
before(async () => {
  server = await RedisServer.start();
  client = createClient({ port: server.port });
  await client.connect();
});
after(async () => {
  await client?.close();
  await server?.destroy();
});

test("set(k, v, 'EX', 60) is refused with the romaine form, and sets nothing without a TTL", async () => {
  await assert.rejects(client.set('plain:ex', 'v', 'EX', 60), (err: Error) => {
    assert.ok(err instanceof InvalidArgumentError);
    assert.match(err.message, /did you mean set\(key, value, \{ EX: 60 \}\)\?/);
    return true;
  });
  await assert.rejects(client.set('plain:ex', 'v', { ex: 60 }), /did you mean set\(key, value, \{ EX: 60 \}\)/);
  await assert.rejects(client.set('plain:ex', 'v', { condition: 'NX' }), /\{ NX: true \}/);
  assert.equal(await client.exists('plain:ex'), 0);
  assert.equal(await client.set('plain:ex', 'v', { EX: 60 }), 'OK');
  assert.ok((await client.ttl('plain:ex')) > 0);
});

test('a cleanup loop with scanIterator({ match }) deletes nothing: the lower-case spelling is refused', async () => {
  await client.mset({ 'session:1': 'a', 'session:2': 'b', 'keep:1': 'c' });
  const cleanup = async (opts: unknown): Promise<void> => {
    for await (const key of client.scanIterator(opts)) await client.del(key);
  };
  await assert.rejects(cleanup({ match: 'session:*' }), /did you mean scanIterator\(\{ MATCH: 'session:\*' \}\)/);
  assert.equal(await client.exists('session:1', 'session:2', 'keep:1'), 3);
  await cleanup({ MATCH: 'session:*' });
  assert.equal(await client.exists('session:1', 'session:2', 'keep:1'), 1);
});

test("zrange(k, 0, -1, 'WITHSCORES') points at zrangeWithScores instead of dropping the scores", async () => {
  await client.zadd('plain:z', { score: 1, value: 'a' });
  await assert.rejects(client.zrange('plain:z', 0, -1, 'WITHSCORES'), /did you mean zrangeWithScores/);
  assert.deepEqual(await client.zrangeWithScores('plain:z', 0, -1), [{ value: 'a', score: 1 }]);
});

test('multi([[...]]) (the ioredis array form) throws instead of running an empty transaction', async () => {
  assert.throws(() => client.multi([['set', 'plain:m', '1']]), /client\.multi\(\)\.set\(\.\.\.\)\.exec\(\)/);
  assert.equal(await client.exists('plain:m'), 0);
});

test('hset with an object whose value is undefined names the field, and writes no field', async () => {
  await assert.rejects(
    client.hset('plain:h', { name: 'ada', age: undefined }),
    /^InvalidArgumentError: hset\(\): field 'age': undefined is not a valid argument/,
  );
  assert.equal(await client.exists('plain:h'), 0);
});

// The methods written by hand (outside the command table) refuse extra arguments too: an ioredis
// habit such as publish(ch, msg, callback) or connect(callback) must not be silently dropped.
test('hand-written methods refuse extra arguments with a typed error, before anything is sent', async () => {
  const listener = (): void => {};
  const rejectsExtra = async (name: string, call: () => unknown, hint?: RegExp): Promise<void> => {
    let outcome: unknown;
    try {
      outcome = await call();
    } catch (err) {
      outcome = err;
    }
    assert.ok(outcome instanceof InvalidArgumentError, `${name}: ${String(outcome)}`);
    assert.match(outcome.message, new RegExp(`^${name}\\(\\) takes `), name);
    if (hint !== undefined) assert.match(outcome.message, hint, name);
  };
  await rejectsExtra('publish', () => client.publish('plain:ch', 'm', () => {}));
  await rejectsExtra('spublish', () => client.spublish('plain:ch', 'm', 'extra'));
  await rejectsExtra('connect', () => client.connect(() => {}), /returns a promise/);
  await rejectsExtra('unwatch', () => client.unwatch('plain:k'));
  await rejectsExtra('subscribe', () => client.subscribe('plain:ch', listener, {}, 'extra'));
  await rejectsExtra('psubscribe', () => client.psubscribe('plain:*', listener, {}, 'extra'));
  await rejectsExtra('ssubscribe', () => client.ssubscribe('plain:ch', listener, {}, 'extra'));
  await rejectsExtra('unsubscribe', () => client.unsubscribe('plain:ch', listener, 'extra'));
  await rejectsExtra('punsubscribe', () => client.punsubscribe('plain:*', listener, 'extra'));
  await rejectsExtra('sunsubscribe', () => client.sunsubscribe('plain:ch', listener, 'extra'));
  await rejectsExtra('scanIterator', () => client.scanIterator({ MATCH: '*' }, 100));
  await rejectsExtra('hscanIterator', () => client.hscanIterator('plain:h', {}, 100));
  await rejectsExtra('sscanIterator', () => client.sscanIterator('plain:s', {}, 100));
  await rejectsExtra('zscanIterator', () => client.zscanIterator('plain:z', {}, 100));
  await rejectsExtra('monitor', () => client.monitor({}, () => {}));
  await rejectsExtra('duplicate', () => client.duplicate({}, () => {}));
  await rejectsExtra('isolated', () => client.isolated(() => Promise.resolve(1), 'extra'));
  await rejectsExtra('runScript', () => client.runScript({}, [], [], 'extra'));
  await rejectsExtra('close', () => client.duplicate().close(true), /destroy\(\)/);
  await rejectsExtra('destroy', () => client.duplicate().destroy(new Error('x')));
  // Nothing of the above reached the server; the client still works.
  assert.equal(await client.ping(), 'PONG');
  assert.equal(await client.publish('plain:ch', 'm'), 0);
});

test('client.buffers iterators refuse extra arguments too', () => {
  assert.throws(
    () => client.buffers.scanIterator({}, 100),
    /^InvalidArgumentError: scanIterator\(\) takes at most 1 argument/,
  );
  assert.throws(() => client.buffers.hscanIterator('k', {}, 1), /hscanIterator\(\) takes at most 2 arguments/);
  assert.throws(() => client.buffers.sscanIterator('k', {}, 1), /sscanIterator\(\) takes at most 2 arguments/);
});
