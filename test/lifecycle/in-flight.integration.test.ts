// Commands written but unanswered when the connection dies. The real server holds its replies
// (CLIENT PAUSE ms ALL), the proxy then resets every connection: only commands that are safe to
// run twice may be sent again; the others reject with ConnectionLostError { maybeExecuted: true }.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createClient,
  ConnectionError,
  ConnectionLostError,
  type ClientOptions,
  type RedisClient,
} from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { FaultProxy } from '../support/fault-proxy';
import { sleep, waitFor } from '../support/wait';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };
const PAUSE_MS = 2000;

describe('in-flight safety when the connection is reset under held replies', () => {
  let server: RedisServer;
  let proxy: FaultProxy;
  let direct: RedisClient;
  before(async () => {
    server = await RedisServer.start();
    proxy = await FaultProxy.start({ host: server.host, port: server.port });
    direct = createClient({ host: server.host, port: server.port, reconnect: fast, healthCheck: false });
    await direct.connect();
  });
  after(async () => {
    direct?.destroy();
    await proxy?.close();
    await server?.destroy();
  });

  /** A client through the proxy, on keys prefixed with `p`. */
  async function proxied(options: ClientOptions = {}): Promise<RedisClient> {
    const client = createClient({
      host: '127.0.0.1',
      port: proxy.port,
      reconnect: fast,
      healthCheck: false,
      ...options,
    });
    await client.connect();
    return client;
  }

  /** Holds every reply, runs `issue`, waits until it is written, then resets every proxied connection. */
  async function underReset<T>(issue: () => T): Promise<T> {
    await server.pause(PAUSE_MS);
    const issued = issue();
    await sleep(100); // written to the socket, held by the paused server
    proxy.resetAll();
    return issued;
  }

  function assertLost(outcome: PromiseSettledResult<unknown>, what: string): void {
    assert.equal(outcome.status, 'rejected', `${what}: ${JSON.stringify(outcome)}`);
    const err: unknown = outcome.reason;
    assert.ok(err instanceof ConnectionLostError, `${what}: ${String(err)}`);
    assert.equal(err.maybeExecuted, true, what);
    assert.equal(err.code, 'ECONNLOST');
    assert.ok(err.cause instanceof ConnectionError, `${what}: cause ${String(err.cause)}`);
  }

  test("retryInFlight 'idempotent' (default): GET and plain SET are replayed; SET NX, INCR and DEL reject with maybeExecuted: true", async () => {
    await direct.set('if1:get', 'orig');
    await direct.set('if1:nx', 'orig');
    await direct.set('if1:incr', 10);
    await direct.set('if1:del', 'x');
    const client = await proxied();
    const kinds: string[] = [];
    client.on('reconnecting', (e) => kinds.push(e.reason.kind));
    try {
      const promises = await underReset(() => [
        client.get('if1:get'),
        client.set('if1:set', 'v'),
        client.set('if1:nx', 'new', { NX: true }),
        client.incr('if1:incr'),
        client.del('if1:del'),
      ]);
      const t0 = performance.now();
      const [get, set, nx, incr, del] = await Promise.allSettled(promises);
      assert.deepEqual(get, { status: 'fulfilled', value: 'orig' }, 'GET replayed after reconnecting');
      assert.deepEqual(set, { status: 'fulfilled', value: 'OK' }, 'plain SET replayed after reconnecting');
      assertLost(nx, 'SET NX');
      assertLost(incr, 'INCR');
      assertLost(del, 'DEL');
      assert.equal(kinds[0], 'network', kinds.join(','));
      assert.equal(await direct.get('if1:set'), 'v');
      console.log(
        `# in flight under reset: replays answered ${(performance.now() - t0).toFixed(0)} ms after the reset (server paused ${PAUSE_MS} ms); ` +
          `did the unreplayed ones run? INCR ${(await direct.get('if1:incr')) === '11'}, DEL ${(await direct.exists('if1:del')) === 0}, ` +
          `SET NX ${(await direct.get('if1:nx')) === 'new'}`,
      );
      assert.equal(client.state, 'ready');
    } finally {
      client.destroy();
    }
  });

  test("retryInFlight 'never': the GET in flight rejects too", async () => {
    await direct.set('if2:get', 'orig');
    const client = await proxied({ retryInFlight: 'never' });
    try {
      const [get, set] = await Promise.allSettled(
        await underReset(() => [client.get('if2:get'), client.set('if2:set', 'v')]),
      );
      assertLost(get, "GET with retryInFlight 'never'");
      assertLost(set, "SET with retryInFlight 'never'");
      await waitFor('ready again', () => client.state === 'ready');
      assert.equal(await client.get('if2:get'), 'orig', 'the client works again');
    } finally {
      client.destroy();
    }
  });

  test('a MULTI block in flight rejects as a whole; a read-only one is replayed as a whole', async () => {
    await direct.set('if3:n', 5);
    await direct.set('if3:r', 'read-me');
    const client = await proxied();
    try {
      const [writeBlock, readBlock] = await Promise.allSettled(
        await underReset(() => [client.multi().incr('if3:n').exec(), client.multi().get('if3:r').exec()]),
      );
      assertLost(writeBlock, 'MULTI INCR EXEC');
      assert.deepEqual(
        readBlock,
        { status: 'fulfilled', value: [[null, 'read-me']] },
        'MULTI GET EXEC replayed as one unit',
      );
      const n = await direct.get('if3:n');
      assert.ok(n === '5' || n === '6', `the block ran at most once (n = ${n})`);
      console.log(`# MULTI in flight: the INCR block ran on the server: ${n === '6'}`);
    } finally {
      client.destroy();
    }
  });
});
