// A poison command: one that makes the connection die each time it is sent. Without a bound a
// read-only command is re-sent on every new connection, the client reconnects forever and every
// command queued behind it waits with it. The rule (docs/resilience.md): a command in flight on
// two connection deaths in a row fails with ConnectionLostError { maybeExecuted: true }.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ConnectionLostError } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { FaultProxy } from '../support/fault-proxy';
import { settleWithin, waitFor } from '../support/wait';

/** Liveness guard, not a timing assertion: still pending after this means it loops. */
const SETTLE_DEADLINE_MS = 5000;

describe('poison commands', () => {
  let server: RedisServer;
  after(async () => {
    await server?.destroy();
  });

  test('a command that kills every connection it is sent on is sent at most twice, then fails; the client recovers', async () => {
    server = await RedisServer.start();
    const proxy = await FaultProxy.start(server);
    let sent = 0;
    // The proxy resets a connection as soon as the poison key passes through it towards the server.
    proxy.onConnection((c) => {
      c.client.on('data', (chunk: Buffer) => {
        if (!chunk.includes('poison:key')) return;
        sent++;
        c.client.resetAndDestroy();
      });
    });
    const client = createClient(proxy.url, { reconnect: { baseDelayMs: 10, maxDelayMs: 50 } });
    let reconnects = 0;
    client.on('reconnecting', () => reconnects++);
    try {
      await client.connect();
      const outcome = await settleWithin(client.get('poison:key'), SETTLE_DEADLINE_MS);
      console.log(`# poison GET: ${outcome.status}; sent ${sent} time(s), ${reconnects} reconnect(s)`);
      assert.equal(outcome.status, 'rejected', `the poison GET must settle, not loop (sent ${sent} times)`);
      const err = (outcome as { reason: unknown }).reason;
      assert.ok(err instanceof ConnectionLostError, String(err));
      assert.equal(err.maybeExecuted, true);
      assert.match(err.message, /two connections in a row/);
      assert.equal(sent, 2, 'sent once, re-sent once, never a third time');

      await waitFor('ready again', () => client.state === 'ready');
      await client.set('poison:other', 'v');
      assert.equal(await client.get('poison:other'), 'v', 'the client serves other commands');
      assert.equal(sent, 2);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});
