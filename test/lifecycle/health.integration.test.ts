// A half-open connection: the FaultProxy in 'blackhole' mode keeps both TCP connections open,
// reads everything and forwards nothing, with no FIN and no RST, and dropNewConnections() drops
// the SYNs of new connects, as across a real black hole (the health check's probe cannot connect
// either). Only the health check can notice.
// With the DEFAULT health check (intervalMs 2000, timeoutMs 3000) the client must detect it, idle
// or busy, replace the connection, and be ready again once the network passes traffic again.
// Reads in flight are replayed; an INCR in flight rejects with maybeExecuted: true.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ConnectionError, ConnectionLostError, type RedisClient } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { FaultProxy } from '../support/fault-proxy';
import { sleep, waitFor, settleWithin } from '../support/wait';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };
/** How long we wait for recovery once the network is back before calling it a hang (not a timing assertion). */
const RECOVERY_DEADLINE_MS = 15_000;

interface Watch {
  healthAt: number | undefined;
  healthReason: ConnectionError | undefined;
  readyAt: number | undefined;
  kinds: string[];
}

function watch(client: RedisClient): Watch {
  const w: Watch = { healthAt: undefined, healthReason: undefined, readyAt: undefined, kinds: [] };
  client.on('reconnecting', (e) => {
    w.kinds.push(e.reason.kind);
    if (e.reason.kind === 'health' && w.healthAt === undefined) {
      w.healthAt = performance.now();
      w.healthReason = e.reason;
    }
  });
  client.on('ready', (e) => {
    if (e.reconnected) w.readyAt ??= performance.now();
  });
  return w;
}

describe('half-open connection (proxy black hole), default health check', () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start();
  });
  after(async () => {
    await server?.destroy();
  });

  test('idle client: detected (kind health), ready again when traffic passes', async () => {
    const proxy = await FaultProxy.start({ host: server.host, port: server.port });
    const client = createClient({ host: '127.0.0.1', port: proxy.port, reconnect: fast });
    const w = watch(client);
    try {
      await client.connect();
      assert.equal(await client.ping(), 'PONG');
      const holeAt = performance.now();
      proxy.setMode('blackhole');
      await proxy.dropNewConnections(true);
      await waitFor('the health check to notice the black hole', () => w.healthAt !== undefined, 20_000);
      const detectMs = (w.healthAt as number) - holeAt;
      console.log(
        `# black hole, idle client: detected after ${detectMs.toFixed(0)} ms (default healthCheck: intervalMs 2000, timeoutMs 3000)`,
      );
      assert.match(String(w.healthReason?.message), /presumed dead/);
      assert.deepEqual(w.kinds.slice(0, 1), ['health'], 'the first reason is the health check');

      await sleep(300); // the client retries while the network is still black-holed
      const passAt = performance.now();
      await proxy.dropNewConnections(false);
      proxy.setMode('pass');
      await waitFor(
        'ready again after the black hole ended',
        () => w.readyAt !== undefined,
        RECOVERY_DEADLINE_MS,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; state ${client.state}, reconnecting kinds ${w.kinds.join(',')}`);
      });
      console.log(
        `# black hole, idle client: ready ${((w.readyAt as number) - passAt).toFixed(0)} ms after traffic passed again`,
      );
      assert.equal(await client.ping(), 'PONG');
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  test('busy client (GET every 50 ms): detected although it keeps writing; every GET answered after recovery', async () => {
    const proxy = await FaultProxy.start({ host: server.host, port: server.port });
    const client = createClient({ host: '127.0.0.1', port: proxy.port, reconnect: fast });
    const w = watch(client);
    const gets: Array<Promise<string | null>> = [];
    let ticking = true;
    try {
      await client.connect();
      await client.set('health:busy', 'b');
      const tick = async () => {
        while (ticking) {
          const get = client.get('health:busy');
          get.catch(() => undefined); // judged below; a hang must not turn into unhandled rejections
          gets.push(get);
          await sleep(50);
        }
      };
      const ticking$ = tick();
      await sleep(200);
      const holeAt = performance.now();
      proxy.setMode('blackhole');
      await proxy.dropNewConnections(true);
      await waitFor('the health check to notice the black hole', () => w.healthAt !== undefined, 20_000);
      const detectMs = (w.healthAt as number) - holeAt;
      console.log(`# black hole, busy client (GET every 50 ms): detected after ${detectMs.toFixed(0)} ms`);

      await sleep(300);
      const passAt = performance.now();
      await proxy.dropNewConnections(false);
      proxy.setMode('pass');
      const recovered = await waitFor('ready again', () => w.readyAt !== undefined, RECOVERY_DEADLINE_MS).then(
        () => true,
        () => false,
      );
      ticking = false;
      await ticking$;
      assert.ok(
        recovered,
        `not ready ${RECOVERY_DEADLINE_MS} ms after traffic passed again; state ${client.state}, reconnecting kinds ${w.kinds.join(',')}`,
      );
      console.log(
        `# black hole, busy client: ready ${((w.readyAt as number) - passAt).toFixed(0)} ms after traffic passed again`,
      );
      const settled = await Promise.allSettled(gets);
      const failed = settled.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
      assert.deepEqual(failed, [], 'reads are replayed or queued, never failed');
      for (const s of settled) assert.deepEqual(s, { status: 'fulfilled', value: 'b' });
      console.log(`# black hole, busy client: ${settled.length} GETs, all answered`);
    } finally {
      ticking = false;
      client.destroy();
      await proxy.close();
    }
  });

  test('in flight during the black hole: the GET is replayed and succeeds, the INCR rejects with maybeExecuted: true', async () => {
    const proxy = await FaultProxy.start({ host: server.host, port: server.port });
    const client = createClient({ host: '127.0.0.1', port: proxy.port, reconnect: fast });
    const w = watch(client);
    try {
      await client.connect();
      await client.set('health:k', 'v');
      await client.set('health:n', 10);
      proxy.setMode('blackhole');
      await proxy.dropNewConnections(true);
      const holeAt = performance.now();
      const get = client.get('health:k');
      const incr = client.incr('health:n');
      const incrOutcome = incr.then(
        (v) => v,
        (e: unknown) => e,
      );
      await waitFor('the health check to notice the black hole', () => w.healthAt !== undefined, 20_000);
      console.log(
        `# black hole, GET+INCR in flight: detected after ${((w.healthAt as number) - holeAt).toFixed(0)} ms`,
      );
      const err = await incrOutcome;
      assert.ok(err instanceof ConnectionLostError, `INCR: ${String(err)}`);
      assert.equal(err.maybeExecuted, true);
      assert.equal(err.code, 'ECONNLOST');
      assert.ok(err.cause instanceof ConnectionError && err.cause.kind === 'health', String(err.cause));

      await proxy.dropNewConnections(false);
      proxy.setMode('pass');
      const outcome = await settleWithin(get, RECOVERY_DEADLINE_MS);
      assert.deepEqual(
        outcome,
        { status: 'fulfilled', value: 'v' },
        `state ${client.state}, reconnecting kinds ${w.kinds.join(',')}`,
      );
      assert.notEqual(w.readyAt, undefined);
      // The INCR never reached the server here (the proxy dropped it), but the client could not know.
      console.log(
        `# black hole: the INCR in flight did run on the server: ${(await server.cli('GET', 'health:n')) === '11'}`,
      );
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});
