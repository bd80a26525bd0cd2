import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  AbortError,
  AuthError,
  ClientClosedError,
  ClientFailedError,
  CommandTimeoutError,
  ConnectionError,
  ConnectionLostError,
  OfflineQueueFullError,
  ProtectedModeError,
  ReplyError,
} from '../../src/errors';
import { AttemptFailure } from '../../src/connection/connection';
import { CommandGroup, Command } from '../../src/connection/command';
import { LISTEN_FIRST_MS } from '../../src/lifecycle/lifecycle';
import { flush, harness } from './fakes';

const denied = () =>
  new AttemptFailure(
    new ReplyError('DENIED Redis is running in protected mode because protected mode is enabled'),
    'handshake',
    120,
    'redis://fake:6379',
  );
const wrongpass = () =>
  new AttemptFailure(
    new ReplyError('WRONGPASS invalid username-password pair or user is disabled.'),
    'handshake',
    60,
    'redis://fake:6379',
  );
const refused = () =>
  new AttemptFailure(
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    'connect',
    0,
    'redis://fake:6379',
  );
const silentReset = () =>
  new AttemptFailure(
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    'handshake',
    0,
    'redis://fake:6379',
  );
const loading = () =>
  new AttemptFailure(
    new ReplyError('LOADING Redis is loading the dataset in memory'),
    'handshake',
    40,
    'redis://fake:6379',
  );
const tlsBad = () =>
  new AttemptFailure(
    Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    'connect',
    0,
    'redis://fake:6379',
  );
const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

describe('initial phase (never ready)', () => {
  test('connect() resolves when the first attempt succeeds; one stateChange per move', async () => {
    const h = harness();
    await h.lifecycle.connect();
    assert.equal(h.lifecycle.state, 'ready');
    assert.deepEqual(h.states(), ['idle->connecting', 'connecting->ready']);
    assert.deepEqual(h.events.find((e) => e.type === 'ready')?.payload, { reconnected: false });
  });

  for (const [name, make, cls, kind] of [
    ['protected mode (-DENIED)', denied, ProtectedModeError, 'protected-mode'],
    ['bad credentials (WRONGPASS)', wrongpass, AuthError, 'auth'],
    ['TLS verification', tlsBad, ConnectionError, 'tls'],
  ] as const) {
    test(`${name} rejects connect() at once and the client is failed, with no retry`, async () => {
      const h = harness({}, [make()]);
      await assert.rejects(h.lifecycle.connect(), (err: ConnectionError) => err instanceof cls && err.kind === kind);
      assert.equal(h.lifecycle.state, 'failed');
      assert.equal(h.attempts.length, 1);
      await h.clock.advance(60_000);
      assert.equal(h.attempts.length, 1, 'no attempt after failing');
      assert.equal(h.events.filter((e) => e.type === 'reconnecting').length, 0);
      assert.deepEqual(h.states(), ['idle->connecting', 'connecting->failed']);
    });
  }

  test('transient network errors retry with backoff until initialTimeoutMs, then reject', async () => {
    const h = harness({}, Array.from({ length: 100 }, refused));
    const p = h.lifecycle.connect();
    const box: { error?: unknown } = {};
    p.catch((e: unknown) => (box.error = e));
    await h.clock.advance(9_000);
    assert.equal(box.error, undefined, 'still trying before the deadline');
    assert.equal(h.lifecycle.state, 'connecting');
    await h.clock.advance(2_000);
    const error = box.error as unknown as Error | undefined;
    assert.ok(error instanceof ConnectionError && error.kind === 'network', String(error));
    assert.equal(h.lifecycle.state, 'failed');
    const delays = h.events.filter((e) => e.type === 'reconnecting').map((e) => e.payload.delayMs);
    assert.deepEqual(delays.slice(0, 6), [100, 200, 400, 800, 1600, 2000], 'exponential, capped at maxDelayMs');
  });

  test('the last attempt is made at the initialTimeoutMs deadline, not a backoff before it', async () => {
    // Attempts at 0, 100, 300, 700, 1500, 3100, 5100, 7100, 9100 (backoff 100 doubling, capped at
    // 2000); the next backoff would end at 11100, past the 10000 deadline: the attempt goes at 10000.
    const h = harness({}, [...Array.from({ length: 9 }, refused), 'ok']);
    const p = h.lifecycle.connect();
    const box: { error?: unknown; ready?: boolean } = {};
    p.then(
      () => (box.ready = true),
      (e: unknown) => (box.error = e),
    );
    await h.clock.advance(9_999);
    assert.equal(h.attempts.length, 9);
    assert.equal(box.error, undefined, 'no give-up a backoff before the deadline');
    await h.clock.advance(1);
    assert.equal(h.attempts.length, 10);
    assert.equal(box.ready, true, 'the server that came up before the deadline was found');
    const delays = h.events.filter((e) => e.type === 'reconnecting').map((e) => e.payload.delayMs);
    assert.equal(delays[delays.length - 1], 900);
  });

  test('LOADING waits and retries, then the client becomes ready', async () => {
    const h = harness({}, [loading(), loading(), 'ok']);
    const p = h.lifecycle.connect();
    await h.clock.advance(1000);
    await p;
    assert.equal(h.lifecycle.state, 'ready');
    const reasons = h.events.filter((e) => e.type === 'reconnecting').map((e) => e.payload.reason.kind);
    assert.deepEqual(reasons, ['loading', 'loading']);
  });

  test("onInitialFailure: 'retry' retries configuration errors too", async () => {
    const h = harness({}, [denied(), wrongpass(), 'ok']);
    (h.config.reconnect as any).onInitialFailure = 'retry';
    const p = h.lifecycle.connect();
    await h.clock.advance(1000);
    await p;
    assert.equal(h.lifecycle.state, 'ready');
    assert.equal(h.attempts.length, 3);
  });

  test('a handshake that died of a silent reset makes the next attempt listen before writing', async () => {
    const h = harness({}, [silentReset(), denied()]);
    const p = h.lifecycle.connect();
    p.catch(() => undefined);
    await h.clock.advance(500);
    assert.equal(h.attempts[0].listenFirstMs, 0);
    assert.equal(h.attempts[1].listenFirstMs, LISTEN_FIRST_MS);
    await assert.rejects(p, ProtectedModeError);
  });

  test('the decide hook can override the default per failure', async () => {
    const seen: string[] = [];
    const h = harness({}, [denied(), 'ok']);
    (h.config.reconnect as any).decide = (info: any) => {
      seen.push(`${info.kind}/${info.phase}/${info.attempt}`);
      return 'retry';
    };
    const p = h.lifecycle.connect();
    await h.clock.advance(1000);
    await p;
    assert.deepEqual(seen, ['protected-mode/initial/1']);
  });

  test('reconnect: false fails on the first transient error', async () => {
    const h = harness({ reconnect: false }, [refused()]);
    await assert.rejects(h.lifecycle.connect(), ConnectionError);
    assert.equal(h.lifecycle.state, 'failed');
  });

  test('connect() again after failed starts over', async () => {
    const h = harness({}, [denied(), 'ok']);
    await assert.rejects(h.lifecycle.connect());
    await h.lifecycle.connect();
    assert.equal(h.lifecycle.state, 'ready');
  });
});

describe('runtime phase (was ready once)', () => {
  test('the DESIGN.md timeline: protected mode after a restart is retried until the server is fixed', async () => {
    const h = harness({}, ['ok', refused(), denied(), denied(), denied(), 'ok']);
    await h.lifecycle.connect();
    h.last().die(reset());
    assert.equal(h.lifecycle.state, 'reconnecting');
    await h.clock.advance(10_000);
    assert.equal(h.lifecycle.state, 'ready');
    const reasons = h.events.filter((e) => e.type === 'reconnecting').map((e) => e.payload.reason.kind);
    assert.deepEqual(reasons, ['network', 'network', 'protected-mode', 'protected-mode', 'protected-mode']);
    assert.deepEqual(
      h.events.filter((e) => e.type === 'ready').map((e) => e.payload.reconnected),
      [false, true],
    );
    assert.deepEqual(h.states(), [
      'idle->connecting',
      'connecting->ready',
      'ready->reconnecting',
      'reconnecting->ready',
    ]);
  });

  test('auth failures at runtime are retried (a password rotation in progress)', async () => {
    const h = harness({}, ['ok', wrongpass(), wrongpass(), 'ok']);
    await h.lifecycle.connect();
    h.last().die(reset());
    await h.clock.advance(5000);
    assert.equal(h.lifecycle.state, 'ready');
  });

  test('the first reconnect after a stable connection is immediate; a flapping one backs off', async () => {
    const h = harness({}, ['ok', 'ok', 'ok']);
    await h.lifecycle.connect();
    await h.clock.advance(6000); // stable (resetAfterMs 5000)
    h.last().die(reset());
    await h.clock.advance(0);
    assert.equal(h.lifecycle.state, 'ready');
    h.last().die(reset()); // flapping: died at once
    await h.clock.advance(0);
    assert.equal(h.lifecycle.state, 'reconnecting');
    const delays = h.events.filter((e) => e.type === 'reconnecting').map((e) => e.payload.delayMs);
    assert.deepEqual(delays, [0, 100]);
  });

  test('maxAttempts reached: failed, and queued commands reject with ClientFailedError', async () => {
    const h = harness({}, ['ok', refused(), refused(), refused()]);
    (h.config.reconnect as any).maxAttempts = 3;
    await h.lifecycle.connect();
    h.last().die(reset());
    const { outcome } = h.run('GET', 'k');
    await h.clock.advance(10_000);
    assert.equal(h.lifecycle.state, 'failed');
    assert.equal(h.attempts.length, 4);
    assert.ok(outcome.error instanceof ClientFailedError);
    assert.ok(outcome.error.cause instanceof ConnectionError);
    const late = h.run('GET', 'k');
    assert.ok(late.outcome.error instanceof ClientFailedError, 'rejected at once when failed');
  });
});

describe('READONLY (a failover demoted the primary)', () => {
  const readonly = () => new ReplyError("READONLY You can't write against a read only replica.");

  test('a write refused with READONLY did not run: it waits and goes to the primary found next, never maybe-executed', async () => {
    const h = harness({}, ['ok', 'replica', 'replica', 'ok']);
    await h.lifecycle.connect();
    const first = h.last();
    const w = h.run('INCR', 'k');
    const read = h.run('GET', 'k');
    first.reply(readonly());
    assert.equal(w.outcome.settled, false, 'not settled with READONLY');
    const later = h.run('SET', 'later', '1');
    assert.deepEqual(
      first.sent.map((c) => c.name),
      ['INCR', 'GET'],
      'nothing more is sent to the demoted primary',
    );
    first.reply('5'); // the read in flight gets its answer there
    assert.equal(read.outcome.value, '5');
    assert.ok(first.closed, 'the demoted primary is left once its commands in flight were answered');
    await h.clock.advance(5000);
    assert.equal(h.lifecycle.state, 'ready');
    const reasons = h.events.filter((e) => e.type === 'reconnecting').map((e) => e.payload.reason.kind);
    assert.deepEqual(reasons, ['readonly', 'readonly', 'readonly']);
    assert.equal(h.last().server.role, 'master');
    assert.deepEqual(
      h.last().sent.map((c) => c.name),
      ['INCR', 'SET'],
      'the refused write goes first, then what was issued after it',
    );
    h.last().reply(6);
    h.last().reply('OK');
    assert.equal(w.outcome.value, 6);
    assert.equal(later.outcome.value, 'OK');
  });

  test('the commands a demoted primary refuses one after the other go again in their order', async () => {
    const h = harness({}, ['ok', 'ok']);
    await h.lifecycle.connect();
    const first = h.last();
    const a = h.run('INCR', 'a');
    const b = h.run('INCR', 'b');
    first.reply(readonly());
    first.reply(readonly());
    await h.clock.advance(1000);
    assert.deepEqual(
      h.last().sent.map((c) => c.args[0]),
      ['a', 'b'],
    );
    h.last().reply(1);
    h.last().reply(1);
    assert.equal(a.outcome.value, 1);
    assert.equal(b.outcome.value, 1);
  });

  test('a client connected to a replica on purpose keeps its connection, and the write its READONLY', async () => {
    const h = harness({}, ['replica']);
    await h.lifecycle.connect();
    const w = h.run('SET', 'k', 'v');
    h.last().reply(readonly());
    assert.ok(w.outcome.error instanceof ReplyError && w.outcome.error.code === 'READONLY');
    assert.equal(h.last().destroyedWith, undefined);
    assert.equal(h.last().ended, false);
    assert.equal(h.lifecycle.state, 'ready');
  });

  test('retire(): new commands wait, commands in flight get their replies on the old connection, then the next one takes over', async () => {
    const h = harness({}, ['ok', 'ok']);
    await h.lifecycle.connect();
    const first = h.last();
    const inflight = h.run('INCR', 'x');
    assert.equal(h.lifecycle.retire(new ConnectionError('readonly', 'a failover is under way')), true);
    assert.equal(h.lifecycle.state, 'reconnecting');
    const waiting = h.run('INCR', 'y');
    assert.equal(first.sent.length, 1);
    await h.clock.advance(0);
    assert.equal(h.lifecycle.state, 'ready');
    assert.equal(h.last().sent.length, 0, 'held until the old connection is done');
    first.reply(1);
    assert.equal(inflight.outcome.value, 1);
    assert.deepEqual(
      h.last().sent.map((c) => c.args[0]),
      ['y'],
    );
    h.last().reply(1);
    assert.equal(waiting.outcome.value, 1);
  });

  test('retryNow() cuts a backoff short', async () => {
    const h = harness({}, ['ok', refused(), refused(), 'ok']);
    await h.lifecycle.connect();
    h.last().die(reset());
    await h.clock.advance(0);
    await h.clock.advance(0);
    const before = h.attempts.length;
    h.lifecycle.retryNow();
    await flush();
    assert.equal(h.attempts.length, before + 1);
  });
});

describe('commands across failures', () => {
  test('commands issued while reconnecting wait and go in order after recovery', async () => {
    const h = harness({}, ['ok', refused(), 'ok']);
    await h.lifecycle.connect();
    h.last().die(reset());
    const a = h.run('SET', 'a', '1');
    const b = h.run('INCR', 'a');
    assert.equal(h.lifecycle.offlineQueueLength, 2);
    await h.clock.advance(1000);
    assert.deepEqual(
      h.last().sent.map((c) => c.name),
      ['SET', 'INCR'],
    );
    h.last().reply('OK');
    h.last().reply(2);
    assert.equal(a.outcome.value, 'OK');
    assert.equal(b.outcome.value, 2);
  });

  test('commands issued while idle connect the client and are sent when ready', async () => {
    const h = harness();
    const a = h.run('GET', 'k');
    await flush();
    assert.equal(h.lifecycle.state, 'ready');
    h.last().reply('v');
    assert.equal(a.outcome.value, 'v');
  });

  test('offline queue off: rejected at once with OfflineQueueFullError', async () => {
    const h = harness({ offlineQueue: { enabled: false, maxLength: 0 } }, ['ok', refused()]);
    await h.lifecycle.connect();
    h.last().die(reset());
    const a = h.run('GET', 'k');
    assert.ok(a.outcome.error instanceof OfflineQueueFullError);
  });

  test('offline queue full: the command over the limit is rejected, the others kept', async () => {
    const h = harness({ offlineQueue: { enabled: true, maxLength: 2 } }, ['ok', refused(), 'ok']);
    await h.lifecycle.connect();
    h.last().die(reset());
    const a = h.run('GET', '1');
    const b = h.run('GET', '2');
    const c = h.run('GET', '3');
    assert.ok(c.outcome.error instanceof OfflineQueueFullError);
    assert.equal(a.outcome.settled || b.outcome.settled, false);
  });

  test('in flight when the socket died: reads are replayed, a non-idempotent write is rejected with maybeExecuted', async () => {
    const h = harness({}, ['ok', 'ok']);
    await h.lifecycle.connect();
    const get = h.run('GET', 'k');
    const incr = h.run('INCR', 'n');
    const set = h.run('SET', 'k', 'v');
    const setnx = h.run('SET', 'lock', 'me', 'NX');
    const first = h.last();
    first.die(reset());
    assert.ok(incr.outcome.error instanceof ConnectionLostError);
    assert.equal(incr.outcome.error.maybeExecuted, true);
    assert.ok(setnx.outcome.error instanceof ConnectionLostError);
    await h.clock.advance(1000);
    assert.notEqual(h.last(), first);
    assert.deepEqual(
      h.last().sent.map((c) => `${c.name} ${c.args.join(' ')}`),
      ['GET k', 'SET k v'],
    );
    h.last().reply('v');
    h.last().reply('OK');
    assert.equal(get.outcome.value, 'v');
    assert.equal(set.outcome.value, 'OK');
  });

  test("retryInFlight 'never' rejects even reads; 'always' replays even INCR", async () => {
    const never = harness({ retryInFlight: 'never' }, ['ok', 'ok']);
    await never.lifecycle.connect();
    const g = never.run('GET', 'k');
    never.last().die(reset());
    assert.ok(g.outcome.error instanceof ConnectionLostError);

    const always = harness({ retryInFlight: 'always' }, ['ok', 'ok']);
    await always.lifecycle.connect();
    const i = always.run('INCR', 'n');
    always.last().die(reset());
    await always.clock.advance(1000);
    assert.deepEqual(
      always.last().sent.map((c) => c.name),
      ['INCR'],
    );
    always.last().reply(1);
    assert.equal(i.outcome.value, 1);
  });

  test('a MULTI block is replayed only as a whole, and only when every command in it may be', async () => {
    for (const [inner, replayed] of [
      ['GET', true],
      ['INCR', false],
    ] as const) {
      const h = harness({}, ['ok', 'ok']);
      await h.lifecycle.connect();
      const group = new CommandGroup();
      const outcomes: any[] = [];
      for (const [name, args] of [
        ['MULTI', []],
        [inner, ['k']],
        ['EXEC', []],
      ] as const) {
        const o: any = {};
        outcomes.push(o);
        const cmd = new Command(
          name,
          args,
          undefined,
          (v) => (o.value = v),
          (e) => (o.error = e),
        );
        cmd.group = group;
        group.commands.push(cmd);
        h.lifecycle.submit(cmd);
      }
      h.last().die(reset());
      await h.clock.advance(1000);
      if (replayed)
        assert.deepEqual(
          h.last().sent.map((c) => c.name),
          ['MULTI', 'GET', 'EXEC'],
        );
      else {
        assert.equal(h.last().sent.length, 0);
        for (const o of outcomes) assert.ok(o.error instanceof ConnectionLostError && o.error.maybeExecuted);
      }
    }
  });

  test('a queued command times out unsent (maybeExecuted false) and is never sent later', async () => {
    const h = harness({ commandTimeoutMs: 500 }, ['ok', refused(), refused(), refused(), 'ok']);
    await h.lifecycle.connect();
    h.last().die(reset());
    const a = h.run('GET', 'k');
    await h.clock.advance(600);
    assert.ok(a.outcome.error instanceof CommandTimeoutError);
    assert.equal(a.outcome.error.maybeExecuted, false);
    await h.clock.advance(5000);
    assert.equal(h.lifecycle.state, 'ready');
    assert.deepEqual(
      h.last().sent.map((c) => c.name),
      [],
    );
  });

  test('a written command that times out is rejected alone: the connection stays, the commands behind it get their replies', async () => {
    const h = harness({}, ['ok', 'ok']);
    await h.lifecycle.connect();
    const first = h.last();
    const slow: { value?: unknown; error?: any } = {};
    const evalCmd = new Command(
      'EVAL',
      ['busy', '0'],
      undefined,
      (v) => (slow.value = v),
      (e) => (slow.error = e),
    );
    evalCmd.timeoutMs = 500;
    h.lifecycle.submit(evalCmd);
    const behind = [h.run('INCR', 'n'), h.run('INCR', 'n')];
    await h.clock.advance(600);
    assert.ok(slow.error instanceof CommandTimeoutError);
    assert.equal(slow.error.maybeExecuted, true);
    assert.equal(first.destroyedWith, undefined, 'a slow command is not a dead connection');
    // The late reply is read and dropped: the FIFO stays aligned.
    first.reply('late');
    first.reply(1);
    first.reply(2);
    assert.equal(slow.value, undefined);
    assert.deepEqual(
      behind.map((b) => b.outcome.value),
      [1, 2],
    );
    assert.equal(h.connections.length, 1);
  });

  test('an aborted command settles with AbortError; written ones say they may have run', async () => {
    const h = harness();
    await h.lifecycle.connect();
    const ac = new AbortController();
    const { cmd, outcome } = (() => {
      const o: any = {};
      const c = new Command(
        'GET',
        ['k'],
        undefined,
        (v) => (o.value = v),
        (e) => (o.error = e),
      );
      c.signal = ac.signal;
      h.lifecycle.submit(c);
      return { cmd: c, outcome: o };
    })();
    ac.abort();
    assert.ok(outcome.error instanceof AbortError);
    assert.equal(outcome.error.maybeExecuted, true);
    h.last().reply('late');
    assert.equal(outcome.value, undefined, 'the late reply is consumed, not delivered');
    assert.equal(cmd.settled, true);
  });

  test('close() lets in-flight commands finish, then closes; later commands are refused', async () => {
    const h = harness();
    await h.lifecycle.connect();
    const a = h.run('GET', 'k');
    const closing = h.lifecycle.close();
    assert.equal(h.lifecycle.state, 'closing');
    const b = h.run('GET', 'k');
    assert.ok(b.outcome.error instanceof ClientClosedError);
    h.last().reply('v');
    await closing;
    assert.equal(a.outcome.value, 'v');
    assert.equal(h.lifecycle.state, 'closed');
  });

  test('destroy() settles everything at once with ClientClosedError', async () => {
    const h = harness({}, ['ok', refused()]);
    await h.lifecycle.connect();
    const a = h.run('GET', 'k');
    h.lifecycle.destroy();
    assert.ok(a.outcome.error instanceof ClientClosedError);
    assert.equal(a.outcome.error.maybeExecuted, true);
    assert.equal(h.lifecycle.state, 'closed');
    const b = h.run('GET', 'k');
    assert.ok(b.outcome.error instanceof ClientClosedError);
  });

  test('close() while reconnecting rejects queued commands and stops retrying', async () => {
    const h = harness({}, ['ok', ...Array.from({ length: 20 }, refused)]);
    await h.lifecycle.connect();
    h.last().die(reset());
    const a = h.run('GET', 'k');
    await h.lifecycle.close();
    assert.ok(a.outcome.error instanceof ClientClosedError);
    const before = h.attempts.length;
    await h.clock.advance(30_000);
    assert.equal(h.attempts.length, before);
    assert.equal(h.clock.pending, 0, 'no timer left behind');
  });
});

describe('health check', () => {
  test('an idle connection is PINGed; no reply within timeoutMs replaces it', async () => {
    const h = harness({ healthCheck: { intervalMs: 1000, timeoutMs: 500 } }, ['ok', 'ok']);
    await h.lifecycle.connect();
    const first = h.last();
    await h.clock.advance(1000);
    assert.equal(first.pings, 1);
    await h.clock.advance(499);
    assert.ok(first.destroyedWith === undefined);
    await h.clock.advance(2);
    const dead: unknown = first.destroyedWith;
    assert.ok(dead instanceof ConnectionError && dead.kind === 'health');
    await h.clock.advance(200);
    assert.equal(h.lifecycle.state, 'ready');
    assert.notEqual(h.last(), first);
  });

  test('writes do not reset the detector: a busy client on a dead peer is caught', async () => {
    const h = harness({ healthCheck: { intervalMs: 1000, timeoutMs: 500 } }, ['ok', 'ok']);
    await h.lifecycle.connect();
    const first = h.last();
    for (let t = 0; t < 10; t++) {
      h.run('GET', 'k');
      await h.clock.advance(100);
    }
    assert.ok(first.destroyedWith instanceof ConnectionError && first.destroyedWith.kind === 'health');
  });

  test('a connection that answers stays', async () => {
    const h = harness({ healthCheck: { intervalMs: 1000, timeoutMs: 500 } });
    await h.lifecycle.connect();
    const conn = h.last();
    for (let i = 0; i < 10; i++) {
      await h.clock.advance(1000);
      while (conn.inflight.length > 0) conn.reply('PONG');
    }
    assert.equal(conn.destroyedWith, undefined);
    assert.ok(conn.pings >= 5);
  });

  test('a blocking command is given its block time before the detector counts silence', async () => {
    const h = harness({ healthCheck: { intervalMs: 1000, timeoutMs: 500 } });
    await h.lifecycle.connect();
    const conn = h.last();
    const cmd = new Command(
      'BLPOP',
      ['q', 5],
      undefined,
      () => undefined,
      () => undefined,
    );
    cmd.blockingMs = 5000;
    h.lifecycle.submit(cmd);
    await h.clock.advance(5000);
    assert.ok(conn.destroyedWith === undefined);
    await h.clock.advance(600);
    const dead: unknown = conn.destroyedWith;
    assert.ok(dead instanceof ConnectionError);
  });
});
