// The story romaine was born from, against a real protected-mode server: a redis-server in a
// network namespace of our own, reached over a veth pair, so that we are a non-loopback client and
// Redis answers `-DENIED` and closes. Needs root and `ip netns`; elsewhere it says it was skipped.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ProtectedModeError, ConnectionError, type RedisClient } from '../../src/index';
import { netnsSkipReason, startNetnsRedis, type NetnsRedis } from '../support/netns';
import { sleep } from '../support/wait';

const skip = netnsSkipReason();
const fast = { baseDelayMs: 50, maxDelayMs: 300, jitter: 'none' as const };

describe('protected mode (real server in a network namespace)', { skip }, () => {
  let ns: NetnsRedis;
  before(async () => {
    ns = await startNetnsRedis({ protectedMode: true });
  });
  after(async () => {
    await ns?.destroy();
  });

  test('initial phase: connect() fails fast with ProtectedModeError and the client is failed', async () => {
    const client = createClient({ host: ns.host, port: ns.port, reconnect: fast });
    const attempts: string[] = [];
    client.on('reconnecting', (e) => attempts.push(e.reason.kind));
    const t0 = performance.now();
    await assert.rejects(client.connect(), (err: unknown) => {
      assert.ok(err instanceof ProtectedModeError, String(err));
      assert.equal(err.kind, 'protected-mode');
      assert.equal(err.code, 'EPROTECTEDMODE');
      assert.match(err.message, /set a password/);
      return true;
    });
    const ms = performance.now() - t0;
    assert.equal(client.state, 'failed');
    // At most one retry: the first handshake may die of a reset that ate the DENIED line; the next
    // attempt listens before writing and hears it.
    assert.ok(attempts.length <= 1, `attempts before failing: ${attempts.join(',')}`);
    console.log(`# protected mode: connect() rejected after ${ms.toFixed(0)} ms, ${attempts.length + 1} attempt(s)`);
    await assert.rejects(client.get('k'), { code: 'EFAILED' });
    client.destroy();
  });

  test('the DENIED line is never lost: 10 fresh clients all see protected mode', async () => {
    const kinds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const client = createClient({ host: ns.host, port: ns.port, reconnect: fast });
      try {
        await client.connect();
        kinds.push('ready?!');
      } catch (err) {
        kinds.push((err as ConnectionError).kind);
      } finally {
        client.destroy();
      }
    }
    assert.deepEqual(kinds, Array(10).fill('protected-mode'));
  });

  test('runtime phase: the DESIGN.md timeline recovers with no user action', async () => {
    await ns.server.restart({ args: ['--protected-mode', 'no'] });
    const client: RedisClient = createClient({ host: ns.host, port: ns.port, reconnect: fast, healthCheck: false });
    const timeline: string[] = [];
    client.on('stateChange', (e) =>
      timeline.push(
        `${e.from}->${e.to}${e.reason ? ` (${e.reason instanceof ConnectionError ? e.reason.kind : e.reason.code})` : ''}`,
      ),
    );
    const reasons = new Set<string>();
    client.on('reconnecting', (e) => reasons.add(e.reason.kind));
    try {
      // T1: connected, all fine.
      await client.connect();
      await client.set('counter', 0);
      assert.equal(await client.incr('counter'), 1);

      // T2: the server restarts with a default config (protected mode on).
      await ns.server.restart({ args: ['--protected-mode', 'yes'] });
      // T3: the client keeps retrying and says why.
      const deadline = Date.now() + 10_000;
      while (!reasons.has('protected-mode') && Date.now() < deadline) await sleep(20);
      assert.ok(reasons.has('protected-mode'), `reasons seen: ${[...reasons].join(', ')}`);
      assert.equal(client.state, 'reconnecting');
      // Commands issued during the outage wait in the offline queue.
      const during = client.set('during-outage', 'kept');
      await sleep(500);
      assert.equal(client.state, 'reconnecting', 'still retrying, never failed');

      // T4: the operator fixes the config and restarts the server.
      const fixedAt = performance.now();
      const readyAgain = new Promise<void>((resolve) => client.once('ready', () => resolve()));
      await ns.server.restart({ args: ['--protected-mode', 'no'] });
      await readyAgain;
      const recoverMs = performance.now() - fixedAt;
      // T5: everything works again, and the command issued during the outage ran once.
      assert.equal(await during, 'OK');
      assert.equal(await client.get('during-outage'), 'kept');
      assert.equal(client.state, 'ready');
      console.log(
        `# protected-mode timeline: ready ${recoverMs.toFixed(0)} ms after the fixed server was started (restart included)`,
      );
      assert.ok(timeline.includes('ready->reconnecting (network)'), timeline.join(' | '));
      assert.equal(timeline[timeline.length - 1], 'reconnecting->ready');
    } finally {
      client.destroy();
    }
  });
});
