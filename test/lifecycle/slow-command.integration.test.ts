// A slow command is not a dead connection (issue 9, item 3). A server busy with a long script or a
// command over commandTimeoutMs must cost that command alone, never the connection and the
// commands queued behind it; and a half-open link must still be found as fast as before.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, CommandTimeoutError, type RedisClient } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { FaultProxy } from '../support/fault-proxy';
import { waitFor } from '../support/wait';
import { BUSY_SCRIPT } from '../support/busy-script';

function countReconnects(client: RedisClient): { reconnects: number; kinds: string[] } {
  const seen = { reconnects: 0, kinds: [] as string[] };
  client.on('reconnecting', (e) => {
    seen.reconnects++;
    seen.kinds.push(`${e.reason.kind}: ${e.reason.message}`);
  });
  return seen;
}

describe('a slow command is not a dead connection', () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start();
  });
  after(async () => {
    await server?.destroy();
  });

  test('a 4 s Lua script with default options: 0 reconnects, and every command issued beside it waits and succeeds', async () => {
    const client = createClient(server.url);
    const seen = countReconnects(client);
    try {
      await client.connect();
      await client.del('slow:n');
      const started = performance.now();
      const script = client.eval(BUSY_SCRIPT, [], [4000]);
      const beside: Array<Promise<unknown>> = [];
      for (let i = 0; i < 10; i++) beside.push(client.incr('slow:n'));
      beside.push(client.get('slow:n'));
      const outcomes = await Promise.allSettled([script, ...beside]);
      console.log(`# 4 s script: all settled after ${(performance.now() - started).toFixed(0)} ms`);
      const errors = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
      assert.deepEqual(errors, [], 'no command failed');
      assert.equal((outcomes[0] as PromiseFulfilledResult<unknown>).value, 'done');
      assert.deepEqual(
        outcomes.slice(1, 11).map((o) => (o as PromiseFulfilledResult<unknown>).value),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(seen.reconnects, 0, `reconnected: ${seen.kinds.join('; ')}`);
      assert.equal(await client.get('slow:n'), '10');
    } finally {
      client.destroy();
    }
  });

  test('commandTimeoutMs 300 and a 600 ms script: the script alone times out, the 10 INCRs behind it succeed, replies stay aligned', async () => {
    const client = createClient(server.url, { commandTimeoutMs: 300 });
    const seen = countReconnects(client);
    try {
      await client.connect();
      await client.del('slow:m');
      const script = client.eval(BUSY_SCRIPT, [], [600]);
      const incrs: Array<Promise<unknown>> = [];
      for (let i = 0; i < 10; i++) incrs.push(client.incr('slow:m'));
      const [s, ...rest] = await Promise.allSettled([script, ...incrs]);
      assert.equal(s.status, 'rejected');
      const err = s.reason as CommandTimeoutError;
      assert.ok(err instanceof CommandTimeoutError, String(err));
      assert.equal(err.maybeExecuted, true);
      // The INCRs waited behind the script longer than 300 ms too: each times out on its own
      // deadline (it was sent, so maybeExecuted) or succeeds; none may fail as a lost connection.
      for (const r of rest) {
        if (r.status === 'rejected') assert.ok(r.reason instanceof CommandTimeoutError, String(r.reason));
      }
      // Past the script (redis-cli waits for it), the late replies were consumed and dropped: the
      // next commands on the same connection get their own.
      assert.equal(await server.cli('GET', 'slow:m'), '10', 'all 10 INCRs ran once');
      assert.equal(await client.get('slow:m'), '10');
      assert.equal(await client.ping(), 'PONG');
      assert.equal(seen.reconnects, 0, `reconnected: ${seen.kinds.join('; ')}`);
    } finally {
      client.destroy();
    }
  });

  test('commands issued after a command timed out, while the server still runs it, succeed on the same connection', async () => {
    const client = createClient(server.url, { commandTimeoutMs: 600 });
    const seen = countReconnects(client);
    try {
      await client.connect();
      await client.del('slow:l');
      const script = client.eval(BUSY_SCRIPT, [], [1000]);
      await assert.rejects(script, CommandTimeoutError);
      // The script still runs (until 1000 ms); these wait behind it, well within their own 600 ms.
      const incrs: Array<Promise<unknown>> = [];
      for (let i = 0; i < 10; i++) incrs.push(client.incr('slow:l'));
      const results = await Promise.allSettled(incrs);
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason))),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(seen.reconnects, 0, `reconnected: ${seen.kinds.join('; ')}`);
    } finally {
      client.destroy();
    }
  });
});

describe('a dead link is still found fast (default health check, probe confirms)', () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start();
  });
  after(async () => {
    await server?.destroy();
  });

  async function detect(fault: (p: FaultProxy) => Promise<void>, what: string): Promise<void> {
    const proxy = await FaultProxy.start({ host: server.host, port: server.port });
    const client = createClient({
      host: '127.0.0.1',
      port: proxy.port,
      reconnect: { baseDelayMs: 20, maxDelayMs: 200 },
    });
    let healthAt: number | undefined;
    let message = '';
    client.on('reconnecting', (e) => {
      if (healthAt === undefined && e.reason.kind === 'health') {
        healthAt = performance.now();
        message = e.reason.message;
      }
    });
    try {
      await client.connect();
      const get = client.get('k');
      await get;
      const at = performance.now();
      await fault(proxy);
      await waitFor(`the health check to notice (${what})`, () => healthAt !== undefined, 20_000);
      console.log(
        `# ${what}: detected after ${((healthAt as number) - at).toFixed(0)} ms (intervalMs 2000 + timeoutMs 3000 + probeTimeoutMs 1000 = 6000 at most): ${message}`,
      );
      assert.match(message, /presumed dead/);
    } finally {
      client.destroy();
      await proxy.close();
    }
  }

  test('black hole (the open connection silent, new connects dropped): detected, the probe could not connect', async () => {
    await detect(async (p) => {
      p.setMode('blackhole');
      await p.dropNewConnections(true);
    }, 'black hole');
  });

  test('killed peer whose RST was lost (the open connection silent, new connects refused): detected at once by the probe', async () => {
    await detect(async (p) => {
      p.setMode('blackhole');
      await p.refuse(true);
    }, 'killed peer, RST lost');
  });
});
