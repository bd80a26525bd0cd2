// TLS against a real redis-server built with TLS (Debian's 7.0 is): the right CA -> ready; every
// other case -> connect() rejects at once with kind 'tls' and a one-line message naming the real
// cause and its fix (client certificate required, unknown CA, self-signed, host-name mismatch,
// expired, no common TLS version, a TLS client on the plain port, a plain client on the TLS port),
// OpenSSL's own text kept in `cause`.
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

  test(
    'a plain redis:// client on the TLS port -> recognised on the first attempt: kind tls, "this port speaks TLS: use rediss://"',
    { skip },
    async () => {
      // Default initialTimeoutMs (10 s): the old code retried the silent reset as a network error until then.
      const client = createClient(`redis://127.0.0.1:${server.tlsPort}`, { reconnect: fast });
      const retries: string[] = [];
      client.on('reconnecting', (e) => retries.push(e.reason.kind));
      const t0 = performance.now();
      try {
        const err = await client.connect().then(
          () => undefined,
          (e: unknown) => e,
        );
        const ms = performance.now() - t0;
        console.log(
          `# plain client -> TLS port: rejected after ${ms.toFixed(0)} ms, ${retries.length + 1} attempt(s): ${String(err)}`,
        );
        assert.ok(err instanceof ConnectionError, String(err));
        assert.equal(err.kind, 'tls', err.message);
        assert.match(err.message, /this port speaks TLS/);
        assert.match(err.message, /use rediss:\/\//);
        assert.deepEqual(retries, [], 'no retry: it is a configuration error');
        assert.equal(client.state, 'failed');
      } finally {
        client.destroy();
      }
    },
  );
});

/** connect() to `url` and its error, checked for the things every TLS message must have. */
async function tlsFailure(url: string, options: ClientOptions): Promise<ConnectionError> {
  const client = createClient(url, { reconnect: fast, ...options });
  const retries: string[] = [];
  client.on('reconnecting', (e) => retries.push(e.reason.kind));
  try {
    const err = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConnectionError, String(err));
    assert.equal(err.kind, 'tls', err.message);
    assert.equal(client.state, 'failed');
    assert.deepEqual(retries, [], `no retry for ${err.message}`);
    // One line, no OpenSSL internals (those stay in cause).
    assert.doesNotMatch(err.message, /\n|rec_layer|\.c:\d+|SSL routines/, err.message);
    assert.doesNotMatch(err.message, /does not seem to speak TLS|use redis:\/\//, err.message);
    assert.ok(err.cause instanceof Error, 'the TLS error is the cause');
    console.log(`# ${url}: ${err.message}`);
    return err;
  } finally {
    client.destroy();
  }
}

describe('TLS failures say their real cause', async () => {
  const skip = await tlsSupported();
  const t = skip === false ? tlsFixtures() : undefined;

  test(
    'a server that requires a client certificate (tls-auth-clients) -> "requires a client certificate", tls.cert / tls.key',
    { skip },
    async () => {
      const s = await RedisServer.start({ tls: 'only', tlsAuthClients: true });
      try {
        const err = await tlsFailure(s.url, { tls: { ca: t!.ca.pem } });
        assert.match(err.message, /requires a client certificate/);
        assert.match(err.message, /tls\.cert and tls\.key/);
        assert.match((err.cause as Error).message, /certificate required/);
        // With one, it works.
        const client = createClient(s.url, { tls: { ca: t!.ca.pem, cert: t!.client.pem, key: t!.client.keyPem } });
        try {
          assert.equal(await client.ping(), 'PONG');
        } finally {
          client.destroy();
        }
      } finally {
        await s.destroy();
      }
    },
  );

  test('an unknown CA -> "not signed by a CA this client trusts", tls.ca', { skip }, async () => {
    const s = await RedisServer.start({ tls: 'only' });
    try {
      const err = await tlsFailure(s.url, { tls: { ca: t!.otherCa.pem } });
      assert.match(err.message, /not signed by a CA this client trusts/);
      assert.match(err.message, /tls\.ca/);
    } finally {
      await s.destroy();
    }
  });

  test('a self-signed certificate -> "self-signed"', { skip }, async () => {
    const s = await RedisServer.start({ tls: 'only', tlsCert: t!.selfSigned });
    try {
      const err = await tlsFailure(s.url, { tls: { ca: t!.ca.pem } });
      assert.match(err.message, /self-signed/);
      assert.match(err.message, /give that certificate itself in tls\.ca/);
    } finally {
      await s.destroy();
    }
  });

  test('a certificate for another host -> "not for 127.0.0.1", tls.servername', { skip }, async () => {
    const s = await RedisServer.start({ tls: 'only', tlsCert: t!.wrongHost });
    try {
      const err = await tlsFailure(s.url, { tls: { ca: t!.ca.pem } });
      assert.match(err.message, /certificate is not for 127\.0\.0\.1/);
      assert.match(err.message, /tls\.servername/);
    } finally {
      await s.destroy();
    }
  });

  test('an expired certificate -> "has expired"', { skip }, async () => {
    const s = await RedisServer.start({ tls: 'only', tlsCert: t!.expired });
    try {
      const err = await tlsFailure(s.url, { tls: { ca: t!.ca.pem } });
      assert.match(err.message, /has expired/);
      assert.match(err.message, /renew the server\u2019s certificate/);
    } finally {
      await s.destroy();
    }
  });

  test('no TLS version in common -> "share no TLS version", tls.minVersion', { skip }, async () => {
    const s = await RedisServer.start({ tls: 'only' });
    try {
      const err = await tlsFailure(s.url, { tls: { ca: t!.ca.pem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' } });
      assert.match(err.message, /share no TLS version/);
      assert.match(err.message, /tls\.minVersion/);
    } finally {
      await s.destroy();
    }
  });
});
