// The initial phase with a transient failure: nothing listens on the port yet. By default,
// connect() retries until reconnect.initialTimeoutMs and then rejects saying nothing accepts
// connections there; with onInitialFailure 'retry' and no deadline, a connect() started before the
// server exists resolves once it is started (a service that starts before its Redis).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ConnectionError } from '../../src/index';
import { RedisServer, freePort } from '../support/redis-server';
import { sleep } from '../support/wait';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };

describe('initial phase, nothing listening (ECONNREFUSED)', () => {
  test('connect() retries until initialTimeoutMs (1500) and then rejects with kind network, "nothing accepts connections"', async () => {
    const port = await freePort();
    const client = createClient({ host: '127.0.0.1', port, reconnect: { ...fast, initialTimeoutMs: 1500 } });
    const retries: string[] = [];
    client.on('reconnecting', (e) => retries.push(e.reason.kind));
    const queued = client.get('k').then(
      () => 'resolved',
      (e: unknown) => e,
    );
    try {
      const t0 = performance.now();
      const err = await client.connect().then(
        () => 'resolved',
        (e: unknown) => e,
      );
      const ms = performance.now() - t0;
      assert.ok(err instanceof ConnectionError, String(err));
      assert.equal(err.kind, 'network');
      assert.equal(err.code, 'ECONNECTION');
      assert.match(err.message, /nothing accepts connections/);
      assert.match(err.message, /ECONNREFUSED/);
      assert.equal(client.state, 'failed');
      assert.ok(retries.length >= 2, `it retried (${retries.length} retries)`);
      assert.ok(
        retries.every((k) => k === 'network'),
        retries.join(','),
      );
      const q = await queued;
      assert.equal((q as { code?: unknown }).code, 'EFAILED', `the queued command: ${String(q)}`);
      console.log(
        `# ECONNREFUSED, initialTimeoutMs 1500: connect() rejected after ${ms.toFixed(0)} ms and ${retries.length + 1} attempts: ${err.message}`,
      );
    } finally {
      client.destroy();
    }
  });

  test('the give-up error says how many attempts over how long, names reconnect.initialTimeoutMs and onInitialFailure, and keeps the last attempt as its cause', async () => {
    const port = await freePort();
    const client = createClient({ host: '127.0.0.1', port, reconnect: { ...fast, initialTimeoutMs: 800 } });
    let retries = 0;
    client.on('reconnecting', () => retries++);
    try {
      const err = (await client.connect().then(
        () => undefined,
        (e: unknown) => e,
      )) as ConnectionError & { cause?: unknown };
      assert.ok(err instanceof ConnectionError, String(err));
      assert.equal(err.kind, 'network');
      assert.equal(err.code, 'ECONNECTION');
      const m = /after (\d+) attempts over ([\d.]+) s/.exec(err.message);
      assert.ok(m, err.message);
      assert.equal(Number(m[1]), retries + 1, err.message);
      assert.ok(Number(m[2]) > 0 && Number(m[2]) < 5, err.message);
      assert.match(err.message, /reconnect\.initialTimeoutMs/);
      assert.match(err.message, /800 ms/);
      assert.match(err.message, /onInitialFailure: 'retry'/);
      assert.match(err.message, /nothing accepts connections.*ECONNREFUSED/);
      // The last attempt's own error, typed and classified, stays reachable.
      assert.ok(err.cause instanceof ConnectionError, String(err.cause));
      assert.equal(err.cause.kind, 'network');
      assert.match(err.cause.message, /ECONNREFUSED/);
      console.log(`# give-up message: ${err.message}`);
    } finally {
      client.destroy();
    }
  });

  test("onInitialFailure 'retry', initialTimeoutMs Infinity: a connect() started before the server exists resolves once it starts", async () => {
    const port = await freePort();
    const client = createClient({
      host: '127.0.0.1',
      port,
      reconnect: { ...fast, onInitialFailure: 'retry', initialTimeoutMs: Infinity },
    });
    const retries: string[] = [];
    client.on('reconnecting', (e) => retries.push(e.reason.kind));
    let server: RedisServer | undefined;
    try {
      let readyAt: number | undefined;
      const connected = client.connect().then(() => (readyAt = performance.now()));
      const early = client.set('svc:k', 'started-early');
      await sleep(1000);
      assert.equal(client.state, 'connecting', 'still trying');
      assert.ok(retries.length >= 3, `retries so far: ${retries.length}`);

      const spawnAt = performance.now();
      server = await RedisServer.start({ port });
      const serverReadyAt = performance.now();
      await connected;
      assert.equal(client.state, 'ready');
      assert.equal(await early, 'OK', 'the command issued before the server existed ran');
      assert.equal(await server.cli('GET', 'svc:k'), 'started-early');
      console.log(
        `# service before its Redis: connect() resolved ${((readyAt as number) - spawnAt).toFixed(0)} ms after redis-server was spawned ` +
          `(${((readyAt as number) - serverReadyAt).toFixed(0)} ms after its log said ready), after ${retries.length} retries`,
      );
    } finally {
      client.destroy();
      await server?.destroy();
    }
  });
});
