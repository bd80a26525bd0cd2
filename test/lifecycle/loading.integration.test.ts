// A real redis-server restarted while it loads a big RDB: it accepts connections but answers
// -LOADING for about 2 s. The client must wait (reconnecting events of kind 'loading'), become
// ready only once the dataset is loaded, and never hand a -LOADING error to a user command.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { sleep, waitFor } from '../support/wait';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };

describe('LOADING (real server restarted on a big RDB)', () => {
  test('runtime phase: reconnects, waits out LOADING, ready after loading; no user command sees -LOADING', async () => {
    const server = await RedisServer.start();
    const client = createClient({ host: server.host, port: server.port, reconnect: fast });
    const kinds: string[] = [];
    client.on('reconnecting', (e) => kinds.push(e.reason.kind));
    let readyAt: number | undefined;
    const ticker: Array<Promise<string | null>> = [];
    let ticking = true;
    try {
      await client.connect();
      assert.equal(await client.set('loading:k', 'survives'), 'OK'); // saved with the dataset
      client.on('ready', () => (readyAt ??= performance.now()));

      // Someone keeps reading all along: every read must get a value, never -LOADING.
      const tick = async () => {
        while (ticking) {
          const get = client.get('loading:k');
          get.catch(() => undefined); // judged below
          ticker.push(get);
          await sleep(25);
        }
      };
      const ticking$ = tick();

      const restartAt = performance.now();
      await server.restartLoading(2000);
      const listeningAt = performance.now();
      assert.match(await server.cli('PING'), /LOADING/, 'the server really is loading');
      await waitFor('ready after loading', () => readyAt !== undefined, 30_000);
      ticking = false;
      await ticking$;

      assert.ok(kinds.includes('loading'), `reconnecting kinds: ${kinds.join(', ')}`);
      assert.equal(await server.cli('PING'), 'PONG', 'ready only once the server serves');
      assert.equal((await client.get('big:0'))?.length, 1024, 'the dataset is loaded');

      const settled = await Promise.allSettled(ticker);
      const rejected = settled.filter((s) => s.status === 'rejected');
      assert.deepEqual(
        rejected.map((s) => String(s.reason)),
        [],
        'no read failed (in particular, none with -LOADING)',
      );
      for (const s of settled) assert.deepEqual(s, { status: 'fulfilled', value: 'survives' });
      const loadingRetries = kinds.filter((k) => k === 'loading').length;
      console.log(
        `# LOADING (runtime): ready ${((readyAt as number) - listeningAt).toFixed(0)} ms after the server accepted connections again ` +
          `(${((readyAt as number) - restartAt).toFixed(0)} ms after the restart began, dataset save included); ` +
          `${loadingRetries} attempts answered -LOADING; ${settled.length} reads during it, all answered`,
      );
    } finally {
      ticking = false;
      client.destroy();
      await server.destroy();
    }
  });

  test('initial phase: connect() to a loading server waits and resolves once it has loaded', async () => {
    const server = await RedisServer.start();
    let client: ReturnType<typeof createClient> | undefined;
    try {
      await server.restartLoading(2000);
      const listeningAt = performance.now();
      client = createClient({ host: server.host, port: server.port, reconnect: fast });
      const kinds: string[] = [];
      client.on('reconnecting', (e) => kinds.push(e.reason.kind));
      const early = client.get('big:1');
      await client.connect();
      const readyMs = performance.now() - listeningAt;
      assert.ok(kinds.includes('loading'), `reconnecting kinds: ${kinds.join(', ')}`);
      assert.equal((await early)?.length, 1024, 'a command queued during LOADING got the loaded value');
      console.log(
        `# LOADING (initial): connect() resolved ${readyMs.toFixed(0)} ms after the server accepted connections (${kinds.length} retries)`,
      );
    } finally {
      client?.destroy();
      await server.destroy();
    }
  });
});
