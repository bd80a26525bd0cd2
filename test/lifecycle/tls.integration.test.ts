// TLS against a real redis-server built with TLS (Debian's 7.0 is): the right CA -> ready; an
// unknown CA or a self-signed certificate -> connect() rejects at once with kind 'tls'; a TLS
// client on the plain port -> kind 'tls' saying the server does not seem to speak TLS; a plain
// client on the TLS port -> rejects (kind and message printed, not asserted).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ConnectionError, type ClientOptions } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { tlsFixtures } from '../support/tls';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };

async function tlsSupported(): Promise<string | false> {
  try {
    const s = await RedisServer.start({ tls: 'only' });
    await s.destroy();
    return false;
  } catch (err) {
    return `redis-server cannot serve TLS here: ${String(err).split('\n')[0]}`;
  }
}

/** connect() with `options`: its outcome, how long it took, and how many retries were announced. */
async function attempt(
  options: ClientOptions,
): Promise<{ err: unknown; ms: number; retries: string[]; state: string }> {
  const client = createClient({ host: '127.0.0.1', reconnect: fast, ...options });
  const retries: string[] = [];
  client.on('reconnecting', (e) => retries.push(e.reason.kind));
  const t0 = performance.now();
  try {
    await client.connect();
    return { err: undefined, ms: performance.now() - t0, retries, state: client.state };
  } catch (err) {
    return { err, ms: performance.now() - t0, retries, state: client.state };
  } finally {
    client.destroy();
  }
}

describe('TLS (real server)', async () => {
  const skip = await tlsSupported();
  let server: RedisServer;
  before(async () => {
    if (skip === false) server = await RedisServer.start({ tls: true });
  });
  after(async () => {
    await server?.destroy();
  });

  test('rediss with the right CA -> ready', { skip }, async () => {
    const client = createClient({
      host: '127.0.0.1',
      port: server.tlsPort,
      tls: { ca: tlsFixtures().ca.pem },
      reconnect: fast,
    });
    try {
      await client.connect();
      assert.equal(await client.ping(), 'PONG');
      assert.equal(await client.set('tls:k', 'v'), 'OK');
      assert.equal(client.state, 'ready');
    } finally {
      client.destroy();
    }
  });

  test('an unknown CA -> connect() rejects at once with kind tls, no retry', { skip }, async () => {
    const t = tlsFixtures();
    for (const [label, tls] of [
      ['the system CAs only', true],
      ['another CA', { ca: t.otherCa.pem }],
    ] as const) {
      const r = await attempt({ port: server.tlsPort, tls });
      assert.ok(r.err instanceof ConnectionError, `${label}: ${String(r.err)}`);
      assert.equal(r.err.kind, 'tls', `${label}: ${r.err.message}`);
      assert.match(r.err.message, /certificate was not accepted/);
      assert.equal(r.state, 'failed');
      assert.deepEqual(r.retries, [], `${label}: no retry`);
      console.log(`# TLS, ${label}: rejected after ${r.ms.toFixed(1)} ms: ${r.err.message}`);
    }
  });

  test('a self-signed server certificate -> connect() rejects at once with kind tls', { skip }, async () => {
    const t = tlsFixtures();
    const selfSigned = await RedisServer.start({ tls: 'only', tlsCert: t.selfSigned });
    try {
      const r = await attempt({ port: selfSigned.port, tls: { ca: t.ca.pem } });
      assert.ok(r.err instanceof ConnectionError, String(r.err));
      assert.equal(r.err.kind, 'tls', r.err.message);
      assert.match(r.err.message, /SELF_SIGNED/);
      assert.equal(r.state, 'failed');
      assert.deepEqual(r.retries, []);
      console.log(`# TLS, self-signed server cert: rejected after ${r.ms.toFixed(1)} ms: ${r.err.message}`);
    } finally {
      await selfSigned.destroy();
    }
  });

  test('a TLS client on the plain port -> kind tls, "does not seem to speak TLS"', { skip }, async () => {
    // Bounded so that a hang shows as a wrong kind instead of a slow test.
    const r = await attempt({
      port: server.port,
      tls: { ca: tlsFixtures().ca.pem },
      connectTimeoutMs: 2000,
      reconnect: { ...fast, initialTimeoutMs: 3000 },
    });
    const e = r.err as ConnectionError;
    console.log(
      `# TLS client -> plain port: rejected after ${r.ms.toFixed(0)} ms, ${r.retries.length + 1} attempt(s), kind ${e?.kind}: ${e?.message}`,
    );
    assert.ok(r.err instanceof ConnectionError, String(r.err));
    assert.equal(r.err.kind, 'tls', r.err.message);
    assert.match(r.err.message, /does not seem to speak TLS/);
    assert.equal(r.state, 'failed');
  });

  test('a plain client on the TLS port -> rejects (what comes out is printed)', { skip }, async () => {
    const r = await attempt({ port: server.tlsPort, reconnect: { ...fast, initialTimeoutMs: 2000 } });
    const e = r.err as ConnectionError;
    console.log(
      `# plain client -> TLS port: rejected after ${r.ms.toFixed(0)} ms, ${r.retries.length + 1} attempt(s) ` +
        `(retry kinds: ${[...new Set(r.retries)].join(',') || 'none'}), ${e?.name} kind ${e?.kind}: ${e?.message}`,
    );
    assert.ok(r.err instanceof ConnectionError, String(r.err));
    assert.equal(r.state, 'failed');
  });
});
