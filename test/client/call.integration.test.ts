// client.call() against a real server, with default options: blocking commands run where the
// typed methods run them (a dedicated connection, with the health check allowing for the wait),
// and SELECT / WATCH sent raw, in a pipeline or in a transaction leave the client's idea of the
// connection (database restored after a reconnect, WATCH voided by one) consistent with the server.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ConnectionLostError, type RedisClient } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { settleWithin, sleep, waitFor } from '../support/wait';

let server: RedisServer;
let admin: RedisClient;
before(async () => {
  server = await RedisServer.start();
  admin = createClient({ port: server.port });
  await admin.connect();
});
after(async () => {
  admin?.destroy();
  await server?.destroy();
});

/** Longer than the default health check (intervalMs 2000 + timeoutMs 3000 allows a silent 3 s). */
const LATE_MS = 3500;
/** Liveness guard, not a timing assertion. */
const SETTLE_DEADLINE_MS = 15_000;

/** A client with default options, counting its reconnects. */
function countingClient(): { client: RedisClient; reconnects: () => number } {
  const client = createClient({ port: server.port });
  let n = 0;
  client.on('reconnecting', () => n++);
  return { client, reconnects: () => n };
}

/** Drops the client's own (main) connection from the server side. */
async function killMainConnection(client: RedisClient): Promise<void> {
  const id = await client.clientId();
  await admin.call('CLIENT', 'KILL', 'ID', id);
  await waitFor('reconnected', () => client.state === 'ready' && client.server?.id !== id);
}

describe('blocking commands through call()', { concurrency: true }, () => {
  test("call('BLPOP', k, 5) with a push arriving late: the pushed element, 0 reconnects, other commands not held up", async () => {
    const { client, reconnects } = countingClient();
    try {
      await client.connect();
      const blpop = client.call('BLPOP', 'call:blpop', 5);
      let blpopDone = false;
      void blpop.then(
        () => (blpopDone = true),
        () => (blpopDone = true),
      );
      // The main connection is not the one blocked: an ordinary command answers meanwhile.
      assert.equal(await client.call('ECHO', 'meanwhile'), 'meanwhile');
      assert.equal(blpopDone, false, 'ECHO answered while BLPOP was still blocked');
      await sleep(LATE_MS);
      await admin.rpush('call:blpop', 'late');
      const outcome = await settleWithin(blpop, SETTLE_DEADLINE_MS);
      console.log(
        `# call('BLPOP', k, 5), push after ${LATE_MS} ms: ${JSON.stringify(outcome)}; ${reconnects()} reconnect(s)`,
      );
      assert.deepEqual(outcome, { status: 'fulfilled', value: ['call:blpop', 'late'] });
      assert.equal(reconnects(), 0);
    } finally {
      client.destroy();
    }
  });

  test("call('XREAD', 'BLOCK', 5000, 'STREAMS', k, '$') with an entry arriving late: that entry, 0 reconnects", async () => {
    const { client, reconnects } = countingClient();
    try {
      await client.connect();
      await admin.xadd('call:xread', '*', { seed: '1' });
      const xread = client.call('xread', 'BLOCK', 5000, 'STREAMS', 'call:xread', '$');
      await sleep(LATE_MS);
      const id = await admin.xadd('call:xread', '*', { late: 'yes' });
      const outcome = await settleWithin(xread, SETTLE_DEADLINE_MS);
      console.log(
        `# call('XREAD', 'BLOCK', 5000, ...), entry after ${LATE_MS} ms: ${outcome.status}; ${reconnects()} reconnect(s)`,
      );
      assert.equal(outcome.status, 'fulfilled', JSON.stringify(outcome));
      const text = JSON.stringify((outcome as { value: unknown }).value);
      assert.ok(text.includes(String(id)) && text.includes('late'), text);
      assert.equal(reconnects(), 0);
    } finally {
      client.destroy();
    }
  });

  test("call('BLPOP', k, 4) timing out on the server: null, 0 reconnects", async () => {
    const { client, reconnects } = countingClient();
    try {
      await client.connect();
      const outcome = await settleWithin(client.call('BLPOP', 'call:never', 4), SETTLE_DEADLINE_MS);
      console.log(
        `# call('BLPOP', k, 4) with nothing pushed: ${JSON.stringify(outcome)}; ${reconnects()} reconnect(s)`,
      );
      assert.deepEqual(outcome, { status: 'fulfilled', value: null });
      assert.equal(reconnects(), 0);
    } finally {
      client.destroy();
    }
  });

  test("call('WAIT', 0, 100) stays on the caller's connection (it counts that connection's writes)", async () => {
    const { client } = countingClient();
    try {
      await client.connect();
      await client.call('SET', 'call:wait', '1');
      assert.equal(await client.call('WAIT', 0, 100), 0);
      // Nothing was moved to a dedicated connection: the server saw one client of ours.
      const list = String(await admin.call('CLIENT', 'LIST'));
      assert.equal(list.split('\n').filter((l) => l.includes('cmd=wait')).length, 1);
    } finally {
      client.destroy();
    }
  });
});

describe('SELECT, WATCH and UNWATCH through call(), pipelines and transactions', () => {
  test('SELECT in a pipeline is remembered: after a reconnect the client is still on that database', async () => {
    const { client } = countingClient();
    try {
      await client.connect();
      await admin.call('SELECT', 0);
      await client.pipeline().call('SELECT', 5).set('call:db', 'five').exec();
      assert.equal(client.selectedDatabase, 5);
      await killMainConnection(client);
      assert.equal(await client.get('call:db'), 'five', 'reads database 5 after the reconnect');
      assert.equal(client.selectedDatabase, 5);
    } finally {
      client.destroy();
    }
  });

  test('typed select() in a pipeline and SELECT in a transaction are remembered too', async () => {
    const { client } = countingClient();
    try {
      await client.connect();
      await client.pipeline().select(6).exec();
      assert.equal(client.selectedDatabase, 6);
      await client.multi().select(7).set('call:db7', 'seven').exec();
      assert.equal(client.selectedDatabase, 7);
      await killMainConnection(client);
      assert.equal(await client.get('call:db7'), 'seven');
      // A SELECT the server refused changes nothing.
      const results = await client.pipeline().call('SELECT', 99999).exec();
      assert.ok(results[0][0] instanceof Error);
      assert.equal(client.selectedDatabase, 7);
    } finally {
      client.destroy();
    }
  });

  test("call('WATCH', k) keeps the WATCH protection: EXEC after the connection was replaced is refused", async () => {
    const { client } = countingClient();
    try {
      await client.connect();
      await client.isolated(async (conn) => {
        await conn.call('WATCH', 'call:watched');
        await killMainConnection(conn);
        const outcome = await settleWithin(conn.multi().set('call:watched', 'unprotected').exec(), SETTLE_DEADLINE_MS);
        assert.equal(outcome.status, 'rejected', `EXEC ran without the WATCH: ${JSON.stringify(outcome)}`);
        assert.ok((outcome as { reason: unknown }).reason instanceof ConnectionLostError);
      });
      assert.equal(await admin.get('call:watched'), null, 'the transaction did not run');
    } finally {
      client.destroy();
    }
  });

  test("call('UNWATCH') forgets the WATCH: a transaction after a reconnect runs", async () => {
    const { client } = countingClient();
    try {
      await client.connect();
      await client.isolated(async (conn) => {
        await conn.watch('call:unwatched');
        await conn.call('unwatch');
        await killMainConnection(conn);
        assert.deepEqual(await conn.multi().set('call:unwatched', 'ran').exec(), [[null, 'OK']]);
      });
      assert.equal(await admin.get('call:unwatched'), 'ran');
    } finally {
      client.destroy();
    }
  });
});
