// A script run keeps its place among the client's commands: runScript(s) followed, in the same
// tick, by a command that reads what the script wrote must see the write, also the first time the
// script runs on a connection (where EVALSHA would answer NOSCRIPT and a fallback EVAL would run
// after the read), after this client's own SCRIPT FLUSH, after a server restart, and when issued
// while the client reconnects. A NOSCRIPT that cannot be avoided (the cache was flushed behind the
// client's back) never reorders silently: EVAL only when nothing was sent after the EVALSHA,
// otherwise the run fails with NOSCRIPT, saying the script did not run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, defineScript, ReplyError, type RedisClient } from '../../src/index';
import { RedisServer, waitFor } from '../support';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(() => server?.destroy());

const incr = defineScript("return redis.call('INCR', KEYS[1])", { numberOfKeys: 1 });

/** runScript and a GET of the same key, issued in the same tick. */
const runThenGet = (c: RedisClient, key: string): Promise<[unknown, string | null]> =>
  Promise.all([c.runScript(incr, [key]), c.get(key)]);

test('a script run on its first use runs before the command issued after it', async () => {
  await using c = createClient({ port: server.port });
  await c.connect();
  await c.scriptFlush();
  assert.deepEqual(await runThenGet(c, 'so:first'), [1, '1']);
  assert.deepEqual(await runThenGet(c, 'so:first'), [2, '2'], 'cached: EVALSHA alone');
});

test("after the client's own SCRIPT FLUSH (awaited or in the same tick) the script is loaded again first", async () => {
  await using c = createClient({ port: server.port });
  await c.connect();
  assert.deepEqual(await runThenGet(c, 'so:flush'), [1, '1']);
  await c.scriptFlush();
  assert.deepEqual(await runThenGet(c, 'so:flush'), [2, '2']);
  const [flushed, ran, read] = await Promise.all([
    c.call('SCRIPT', 'FLUSH'),
    c.runScript(incr, ['so:flush']),
    c.get('so:flush'),
  ]);
  assert.deepEqual([flushed, ran, read], ['OK', 3, '3']);
});

test('after a server restart, and when issued while the client reconnects, the script runs in its place', async () => {
  const s = await RedisServer.start();
  await using c = createClient({ port: s.port, reconnect: { baseDelayMs: 20, maxDelayMs: 100 } });
  try {
    await c.connect();
    assert.deepEqual(await runThenGet(c, 'so:restart'), [1, '1']);
    await s.restart(); // an empty server: no data, no script cache
    await waitFor('the client to be ready again', () => c.state === 'ready');
    assert.deepEqual(await runThenGet(c, 'so:restart'), [1, '1']);
    // Issued while reconnecting: both wait in the offline queue and go, in order, to the new server.
    await s.stop();
    await waitFor('the client to notice', () => c.state !== 'ready');
    const pending = runThenGet(c, 'so:restart');
    await s.restart();
    assert.deepEqual(await pending, [1, '1']);
  } finally {
    c.destroy();
    await s.destroy();
  }
});

test('a NOSCRIPT after a flush behind the client’s back: EVAL when nothing was sent after it, else the run fails saying it did not run', async () => {
  await using c = createClient({ port: server.port });
  await using other = createClient({ port: server.port });
  await c.connect();
  assert.deepEqual(await runThenGet(c, 'so:behind'), [1, '1']);
  // Nothing sent after the EVALSHA: EVAL right after it keeps the order.
  await other.scriptFlush();
  assert.equal(await c.runScript(incr, ['so:behind']), 2);
  // A GET went after the EVALSHA: an EVAL now would run after it. The run fails, not run at all.
  await other.scriptFlush();
  const [ran, read] = await Promise.allSettled([c.runScript(incr, ['so:behind']), c.get('so:behind')]);
  assert.equal(ran.status, 'rejected');
  const err = ran.reason as ReplyError;
  assert.ok(err instanceof ReplyError, String(err));
  assert.equal(err.code, 'NOSCRIPT');
  assert.match(err.message, /did not run/);
  assert.match(err.message, /run it again/);
  assert.deepEqual(read, { status: 'fulfilled', value: '2' });
  assert.equal(await c.get('so:behind'), '2', 'the script did not run');
  // Its next run loads it first.
  assert.deepEqual(await runThenGet(c, 'so:behind'), [3, '3']);
});

test('in a pipeline, a NOSCRIPT with commands sent after it fails in its place instead of running last', async () => {
  await using c = createClient({ port: server.port });
  await using other = createClient({ port: server.port });
  await c.connect();
  assert.deepEqual(await c.pipeline().runScript(incr, ['so:pipe']).get('so:pipe').exec(), [
    [null, 1],
    [null, '1'],
  ]);
  await other.scriptFlush();
  const [ran, read] = await c.pipeline().runScript(incr, ['so:pipe']).get('so:pipe').exec();
  assert.ok(ran[0] instanceof ReplyError && ran[0].code === 'NOSCRIPT', String(ran[0]));
  assert.match(ran[0].message, /did not run/);
  assert.deepEqual(read, [null, '1']);
  assert.equal(await c.get('so:pipe'), '1', 'the script did not run');
});
