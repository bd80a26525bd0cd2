// Credentials against a real redis-server with requirepass: a password rotation in the runtime
// phase (keep retrying with kind 'auth', asking the credentials provider again each time, recover
// without user action), and the initial phase (wrong or missing password: connect() rejects at
// once, one attempt, and a command queued behind the handshake gets the real error, not NOAUTH).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createClient,
  AuthError,
  ClientFailedError,
  ConnectionError,
  ReplyError,
  type RedisClient,
} from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { FaultProxy } from '../support/fault-proxy';
import { waitFor } from '../support/wait';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };
const A = 'pw-alpha-3f9c1e77';
const B = 'pw-bravo-8d27b4aa';

describe('authentication (real server with requirepass)', () => {
  test('runtime phase: password rotation -> auth failures are retried, the provider is asked again, recovery without user action', async () => {
    const server = await RedisServer.start({ args: ['--requirepass', A] });
    let current = A;
    let providerCalls = 0;
    const client = createClient({
      host: server.host,
      port: server.port,
      credentials: () => {
        providerCalls++;
        return { password: current };
      },
      reconnect: fast,
    });
    // An operator's connection, authenticated before the rotation (it stays authenticated).
    const admin = createClient({ host: server.host, port: server.port, password: A, reconnect: fast });
    const reasons: ConnectionError[] = [];
    client.on('reconnecting', (e) => reasons.push(e.reason));
    const states: string[] = [];
    client.on('stateChange', (e) => states.push(`${e.from}->${e.to}`));
    try {
      await client.connect();
      await admin.connect();
      assert.equal(providerCalls, 1);
      const id = client.server?.id;
      assert.equal(typeof id, 'number');

      // Rotate: new connections need B from now on; then drop the client's connection.
      assert.equal(await admin.call('CONFIG', 'SET', 'requirepass', B), 'OK');
      assert.equal(await admin.call('CLIENT', 'KILL', 'ID', id as number), 1);

      const auth = () => reasons.filter((r) => r.kind === 'auth');
      await waitFor('three auth failures', () => auth().length >= 3);
      const during = client.set('rotation:k', 'v');
      await waitFor('five auth failures', () => auth().length >= 5);
      assert.equal(client.state, 'reconnecting', 'auth failures in the runtime phase never fail the client');
      assert.ok(!states.includes('reconnecting->failed'), states.join(' | '));
      for (const r of auth()) {
        assert.ok(r instanceof AuthError, `${r.name}: ${r.message}`);
        assert.equal(r.code, 'EAUTH');
        assert.match(r.message, /WRONGPASS/);
        assert.ok(!r.message.includes(A) && !r.message.includes(B), `a password leaked into: ${r.message}`);
      }
      assert.ok(providerCalls >= 1 + auth().length, `provider asked on every attempt (${providerCalls} calls)`);

      // The deployment finishes the rotation: the provider now returns B.
      let readyAt: number | undefined;
      let reconnected: boolean | undefined;
      client.once('ready', (e) => {
        readyAt = performance.now();
        reconnected = e.reconnected;
      });
      const switchedAt = performance.now();
      current = B;
      await waitFor('ready with the new password', () => readyAt !== undefined);
      assert.equal(reconnected, true);
      assert.equal(await during, 'OK', 'the command issued during the rotation ran');
      assert.equal(await client.get('rotation:k'), 'v');
      assert.equal(states[states.length - 1], 'reconnecting->ready');
      console.log(
        `# password rotation: ${auth().length} auth failures retried; ready ${((readyAt as number) - switchedAt).toFixed(0)} ms after the provider switched to the new password`,
      );
    } finally {
      client.destroy();
      admin.destroy();
      await server.destroy();
    }
  });

  describe('initial phase (through a proxy that counts connection attempts)', () => {
    let server: RedisServer;
    let proxy: FaultProxy;
    before(async () => {
      server = await RedisServer.start({ args: ['--requirepass', A] });
      proxy = await FaultProxy.start({ host: server.host, port: server.port });
    });
    after(async () => {
      await proxy?.close();
      await server?.destroy();
    });

    for (const how of ['password', 'credentials'] as const) {
      test(`wrong password (${how}): connect() rejects at once with AuthError WRONGPASS, one attempt; a queued command gets ClientFailedError`, async () => {
        const wrong = 'not-the-password-51c0';
        const client: RedisClient =
          how === 'password'
            ? createClient({ host: '127.0.0.1', port: proxy.port, password: wrong, reconnect: fast })
            : createClient({
                host: '127.0.0.1',
                port: proxy.port,
                credentials: () => ({ password: wrong }),
                reconnect: fast,
              });
        const retries: string[] = [];
        client.on('reconnecting', (e) => retries.push(e.reason.kind));
        const accepted = proxy.accepted;
        try {
          const t0 = performance.now();
          const connecting = client.connect();
          // Issued before connect() settles: it waits for the handshake and must never be written
          // behind a failing AUTH (where it would get NOAUTH instead of the real error).
          const queued = client.get('k').then(
            () => 'resolved',
            (e: unknown) => e,
          );
          const err = await connecting.then(
            () => 'resolved',
            (e: unknown) => e,
          );
          const ms = performance.now() - t0;
          assert.ok(err instanceof AuthError, String(err));
          assert.equal(err.code, 'EAUTH');
          assert.equal(err.kind, 'auth');
          assert.match(err.message, /WRONGPASS/);
          assert.ok(!err.message.includes(wrong), `the password leaked into: ${err.message}`);
          assert.equal(client.state, 'failed');
          assert.deepEqual(retries, [], 'no retry');
          assert.equal(proxy.accepted - accepted, 1, 'exactly one connection attempt');

          const q = await queued;
          assert.ok(q instanceof ClientFailedError, `queued command: ${String(q)}`);
          assert.equal(q.code, 'EFAILED');
          assert.ok(q.cause instanceof AuthError, `cause: ${String(q.cause)}`);
          assert.ok(!(q instanceof ReplyError));
          assert.doesNotMatch(q.message, /NOAUTH/);
          assert.ok(!q.message.includes(wrong));
          console.log(`# wrong password (${how}): connect() rejected after ${ms.toFixed(1)} ms, 1 attempt`);
        } finally {
          client.destroy();
        }
      });
    }

    test('no password for a server that requires one: AuthError mentioning NOAUTH, at once, one attempt', async () => {
      const client = createClient({ host: '127.0.0.1', port: proxy.port, reconnect: fast });
      const retries: string[] = [];
      client.on('reconnecting', (e) => retries.push(e.reason.kind));
      const accepted = proxy.accepted;
      try {
        const connecting = client.connect();
        const queued = client.set('k', 'v').then(
          () => 'resolved',
          (e: unknown) => e,
        );
        const err = await connecting.then(
          () => 'resolved',
          (e: unknown) => e,
        );
        assert.ok(err instanceof AuthError, String(err));
        assert.equal(err.code, 'EAUTH');
        assert.match(err.message, /NOAUTH/);
        assert.match(err.message, /none was given/, 'the hint says a password is missing');
        assert.equal(client.state, 'failed');
        assert.deepEqual(retries, []);
        assert.equal(proxy.accepted - accepted, 1);
        const q = await queued;
        assert.ok(q instanceof ClientFailedError, `queued command: ${String(q)}`);
        assert.ok(q.cause instanceof AuthError);
        assert.ok(!(q instanceof ReplyError), 'not a NOAUTH reply of its own: it was never written');
        assert.equal(await server.cli('EXISTS', 'k'), '0', 'the queued SET never ran');
      } finally {
        client.destroy();
      }
    });
  });
});
