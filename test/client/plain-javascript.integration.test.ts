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
