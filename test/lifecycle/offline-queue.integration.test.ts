// The offline queue during a real outage (redis-server stopped, then started on the same port):
// off -> a command rejects at once; bounded -> the command past the bound rejects, the rest run
// after recovery in order; commandTimeoutMs -> a queued command rejects with maybeExecuted: false
// and is never sent afterwards.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  createClient,
  CommandTimeoutError,
  OfflineQueueFullError,
  type ClientOptions,
  type RedisClient,
} from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { waitFor, settleWithin } from '../support/wait';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };

/** A connected client on a server that has just been stopped: the client is reconnecting. */
async function outage(options: ClientOptions): Promise<{ server: RedisServer; client: RedisClient }> {
  const server = await RedisServer.start();
  const client = createClient({ host: server.host, port: server.port, reconnect: fast, ...options });
  await client.connect();
  await server.stop();
  await waitFor('the client to notice the outage', () => client.state === 'reconnecting');
  return { server, client };
}

async function recover(server: RedisServer, client: RedisClient): Promise<void> {
  await server.restart();
  await waitFor('ready again', () => client.state === 'ready');
}

describe('offline queue during a real outage', () => {
  test('offlineQueue: false -> a command during the outage rejects at once with OfflineQueueFullError', async () => {
    const { server, client } = await outage({ offlineQueue: false });
    try {
      const t0 = performance.now();
      const outcome = await settleWithin(client.get('oq:k'), 0);
      const ms = performance.now() - t0;
      assert.equal(outcome.status, 'rejected', 'rejected without waiting for any timer');
      const err = (outcome as { reason: unknown }).reason;
      assert.ok(err instanceof OfflineQueueFullError, String(err));
      assert.equal(err.code, 'EQUEUEFULL');
      assert.match(err.message, /offline queue is off/);
      assert.equal(client.state, 'reconnecting');
      console.log(`# offlineQueue false: rejected in ${ms.toFixed(2)} ms`);
      await recover(server, client);
      assert.equal(await client.set('oq:k', 'v'), 'OK', 'and works again once ready');
    } finally {
      client.destroy();
      await server.destroy();
    }
  });

  test('offlineQueue maxLength 3 -> the 4th command rejects, the first 3 run after recovery, in order', async () => {
    const { server, client } = await outage({ offlineQueue: { maxLength: 3 } });
    try {
      const first = [client.rpush('oq:list', 'a'), client.rpush('oq:list', 'b'), client.rpush('oq:list', 'c')];
      const fourth = await settleWithin(client.rpush('oq:list', 'd'), 0);
      assert.equal(fourth.status, 'rejected');
      const err = (fourth as { reason: unknown }).reason;
      assert.ok(err instanceof OfflineQueueFullError, String(err));
      assert.match(err.message, /full \(3 commands/);
      assert.equal(client.offlineQueueLength, 3);

      await recover(server, client);
      assert.deepEqual(await Promise.all(first), [1, 2, 3], 'run in the order issued');
      assert.deepEqual(await client.lrange('oq:list', 0, -1), ['a', 'b', 'c'], 'd never ran');
    } finally {
      client.destroy();
      await server.destroy();
    }
  });

  test('commandTimeoutMs 300 -> a queued command rejects with CommandTimeoutError (maybeExecuted false) and never runs later', async () => {
    const { server, client } = await outage({ commandTimeoutMs: 300 });
    try {
      const t0 = performance.now();
      const err = await client.set('oq:timeout', 'should-not-exist').then(
        () => 'resolved',
        (e: unknown) => e,
      );
      const ms = performance.now() - t0;
      assert.ok(err instanceof CommandTimeoutError, String(err));
      assert.equal(err.code, 'ETIMEDOUT');
      assert.equal(err.maybeExecuted, false);
      assert.match(err.message, /never sent/);
      assert.equal(client.state, 'reconnecting', 'the outage was still going on');
      console.log(`# commandTimeoutMs 300: the queued SET rejected after ${ms.toFixed(0)} ms`);

      await recover(server, client);
      assert.equal(await client.ping(), 'PONG'); // anything queued before it has been written by now
      assert.equal(await server.cli('EXISTS', 'oq:timeout'), '0', 'the timed-out SET was not sent after recovery');
      assert.equal(client.offlineQueueLength, 0);
    } finally {
      client.destroy();
      await server.destroy();
    }
  });
});
