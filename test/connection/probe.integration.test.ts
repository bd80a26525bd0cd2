// The health check's probe (connection/probe.ts) against real servers: it goes through the client's
// own open path (TLS, credentials), finds the silent connection by its id, tells a busy server
// from an unreachable one, and always closes what it opened.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type ClientOptions, type RedisClient } from '../../src/index';
import type { ProbeFinding } from '../../src/connection/probe';
import { RedisServer } from '../support/redis-server';
import { tlsFixtures } from '../support/tls';
import { sleep } from '../support/wait';
import { BUSY_SCRIPT } from '../support/busy-script';

/** Runs the client's probe about its current connection (a private step of the health check). */
function probe(client: RedisClient): Promise<ProbeFinding> {
  const c = client as any;
  return c.probeServer(c.lifecycle.connection) as Promise<ProbeFinding>;
}

async function clientCount(server: RedisServer): Promise<number> {
  const list = await server.cli('CLIENT', 'LIST');
  return list.split('\n').filter((l) => l.startsWith('id=')).length;
}

/** Waits until the server lists `count` clients (redis-cli's own connection excluded). */
async function settlesAt(server: RedisServer, count: number): Promise<void> {
  let seen = -1;
  for (let i = 0; i < 100; i++) {
    seen = (await clientCount(server)) - 1;
    if (seen === count) return;
    await sleep(50);
  }
  assert.fail(`the server still lists ${seen} clients, expected ${count}: the probe left a connection open`);
}

for (const transport of ['tcp', 'tls'] as const) {
  describe(`probe over ${transport}, with a password`, () => {
    let server: RedisServer;
    let options: ClientOptions;
    before(async () => {
      server = await RedisServer.start({
        tls: transport === 'tls' ? 'only' : undefined,
        args: ['--requirepass', 'pr0be-secret'],
      });
      options = {
        host: '127.0.0.1',
        port: server.port,
        password: 'pr0be-secret',
        healthCheck: { intervalMs: 60_000, timeoutMs: 60_000, probeTimeoutMs: 700 },
        ...(transport === 'tls' ? { tls: { ca: tlsFixtures().ca.pem } } : {}),
      };
    });
    after(async () => {
      await server?.destroy();
    });

    test('an idle server: the probe authenticates, finds our connection with nothing in progress, and closes', async () => {
      const client = createClient(options);
      try {
        await client.connect();
        const before = await clientCount(server);
        const finding = await probe(client);
        assert.equal(finding.kind, 'client', JSON.stringify(finding));
        assert.ok(finding.kind === 'client' && finding.info !== undefined && !finding.info.blocked);
        await settlesAt(server, before - 1);
        assert.equal(client.listenerCount('reconnecting'), 0);
      } finally {
        client.destroy();
      }
    });

    test('a server busy with a script: unresponsive (alive), and nothing is left open', async () => {
      const client = createClient(options);
      const other = createClient(options);
      try {
        await client.connect();
        await other.connect();
        const before = await clientCount(server);
        const script = other.eval(BUSY_SCRIPT, [], [1500]);
        await new Promise((r) => setTimeout(r, 100));
        const finding = await probe(client);
        console.log(`# ${transport}: probe during a script -> ${JSON.stringify(finding)}`);
        assert.ok(finding.kind === 'unresponsive' || finding.kind === 'busy', JSON.stringify(finding));
        assert.equal(await script, 'done');
        await settlesAt(server, before - 1);
      } finally {
        client.destroy();
        other.destroy();
      }
    });
  });
}

describe('probe of a server that is gone', () => {
  test('refused: unreachable', async () => {
    const server = await RedisServer.start();
    const client = createClient({ host: '127.0.0.1', port: server.port, reconnect: { baseDelayMs: 1000 } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const conn = (client as any).lifecycle.connection;
      await server.kill();
      const finding: ProbeFinding = await (client as any).probeServer(conn);
      assert.equal(finding.kind, 'unreachable', JSON.stringify(finding));
    } finally {
      client.destroy();
      await server.destroy();
    }
  });
});
