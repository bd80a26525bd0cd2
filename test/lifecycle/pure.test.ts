import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TRANSITIONS, nextState, type State, type LifecycleEvent } from '../../src/lifecycle/states';
import { backoffDelay, type Jitter } from '../../src/lifecycle/backoff';
import { classifyFailure } from '../../src/lifecycle/classify';
import { defaultDecision, policyTable } from '../../src/lifecycle/policy';
import { isIdempotent, sortLeftovers } from '../../src/lifecycle/replay';
import { Command } from '../../src/connection/command';
import {
  AuthError,
  ConnectionError,
  ConnectionLostError,
  ProtectedModeError,
  ProtocolError,
  ReplyError,
} from '../../src/errors';
import { AttemptFailure } from '../../src/connection/connection';

const STATES: State[] = ['idle', 'connecting', 'ready', 'reconnecting', 'failed', 'closing', 'closed'];
const EVENTS: LifecycleEvent[] = [
  'connect',
  'handshake-done',
  'retry',
  'timer',
  'give-up',
  'socket-died',
  'close',
  'drained',
  'destroy',
];

describe('transition table', () => {
  test('every state can be destroyed into closed, and closed is terminal', () => {
    for (const s of STATES) if (s !== 'closed') assert.equal(nextState(s, 'destroy'), 'closed', s);
    for (const e of EVENTS) assert.equal(nextState('closed', e), undefined);
  });
  test('every state is reachable from idle', () => {
    const seen = new Set<State>(['idle']);
    const queue: State[] = ['idle'];
    while (queue.length > 0) {
      const s = queue.shift() as State;
      for (const to of Object.values(TRANSITIONS[s])) {
        if (!seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
    assert.deepEqual([...seen].sort(), [...STATES].sort());
  });
  test('ready is entered only through a completed handshake', () => {
    for (const s of STATES)
      for (const e of EVENTS) if (nextState(s, e) === 'ready' && s !== 'ready') assert.equal(e, 'handshake-done');
  });
  test('failed is entered only by giving up, and left only by connect, close or destroy', () => {
    for (const s of STATES) for (const e of EVENTS) if (nextState(s, e) === 'failed') assert.equal(e, 'give-up');
    assert.deepEqual(Object.keys(TRANSITIONS.failed).sort(), ['close', 'connect', 'destroy']);
  });
});

describe('backoff', () => {
  const jitters: Jitter[] = ['none', 'full', 'equal', 'decorrelated'];
  test('stays within [0, maxDelayMs] for every jitter, attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...jitters),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        fc.integer({ min: 0, max: 100_000 }),
        (jitter, attempt, base, extra, r, prev) => {
          const max = base + extra;
          const d = backoffDelay(attempt, prev, { baseDelayMs: base, maxDelayMs: max, jitter }, () => r);
          return d >= 0 && d <= max && Number.isFinite(d);
        },
      ),
    );
  });
  test("'none' doubles from the base up to the cap", () => {
    const o = { baseDelayMs: 100, maxDelayMs: 1000, jitter: 'none' as const };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 0, o)),
      [100, 200, 400, 800, 1000, 1000],
    );
  });
  test("'equal' keeps at least half of the exponential delay", () => {
    const o = { baseDelayMs: 100, maxDelayMs: 10_000, jitter: 'equal' as const };
    assert.equal(
      backoffDelay(3, 0, o, () => 0),
      200,
    );
    assert.equal(
      backoffDelay(3, 0, o, () => 0.999),
      399,
    );
  });
  test('huge attempt numbers do not overflow', () => {
    assert.equal(backoffDelay(1e9, 0, { baseDelayMs: 100, maxDelayMs: 5000, jitter: 'none' }), 5000);
  });
});

describe('failure classification', () => {
  const ctx = { endpoint: 'redis://10.0.0.2:6379', sentPassword: true };
  test('DENIED is protected mode whatever the text, and the message gives the three fixes', () => {
    for (const text of [
      'DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user.',
      'DENIED Redis is running in protected mode because protected mode is enabled, no bind address was specified, no authentication password is requested to clients.',
    ]) {
      const e = classifyFailure(new ReplyError(text), ctx);
      assert.ok(e instanceof ProtectedModeError);
      assert.equal(e.kind, 'protected-mode');
      assert.equal(e.code, 'EPROTECTEDMODE');
      assert.match(e.message, /set a password/);
      assert.match(e.message, /bind/);
      assert.match(e.message, /protected-mode no/);
    }
  });
  test('auth failures by code, and the two legacy ERR texts', () => {
    for (const text of [
      'WRONGPASS invalid username-password pair or user is disabled.',
      'NOAUTH Authentication required.',
      "NOPERM this user has no permissions to run the 'select' command",
      'ERR invalid password',
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    ]) {
      const e = classifyFailure(new ReplyError(text), ctx);
      assert.ok(e instanceof AuthError, text);
      assert.equal(e.kind, 'auth');
    }
  });
  test('a password never appears in the message', () => {
    const e = classifyFailure(
      new AttemptFailure(new ReplyError('WRONGPASS invalid username-password pair'), 'handshake', 10, 'redis://u@h:1'),
      ctx,
    );
    assert.doesNotMatch(e.message, /hunter2/);
  });
  test('LOADING, protocol garbage, other handshake refusals, TLS and network errors', () => {
    assert.equal(
      classifyFailure(new ReplyError('LOADING Redis is loading the dataset in memory'), ctx).kind,
      'loading',
    );
    assert.equal(classifyFailure(new ProtocolError('bad type byte'), ctx).kind, 'protocol');
    assert.equal(classifyFailure(new ReplyError('ERR DB index is out of range'), ctx).kind, 'handshake');
    assert.equal(
      classifyFailure(Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), ctx).kind,
      'tls',
    );
    assert.equal(
      classifyFailure(Object.assign(new Error('x'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), ctx).kind,
      'tls',
    );
    const refused = classifyFailure(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), ctx);
    assert.equal(refused.kind, 'network');
    assert.match(refused.message, /is the server running/);
    const passthrough = new ConnectionError('health', 'silent');
    assert.equal(classifyFailure(passthrough, ctx), passthrough);
  });
  test('the default policy is the table of DESIGN.md', () => {
    assert.deepEqual(policyTable(), {
      network: { initial: 'retry', runtime: 'retry' },
      'protected-mode': { initial: 'fail', runtime: 'retry' },
      auth: { initial: 'fail', runtime: 'retry' },
      tls: { initial: 'fail', runtime: 'retry' },
      loading: { initial: 'retry', runtime: 'retry' },
      protocol: { initial: 'fail', runtime: 'retry' },
      health: { initial: 'retry', runtime: 'retry' },
      handshake: { initial: 'fail', runtime: 'retry' },
      readonly: { initial: 'retry', runtime: 'retry' },
    });
    assert.equal(defaultDecision('auth', 'initial', 'retry'), 'retry');
  });
});

describe('replay safety (which unanswered commands may be sent twice)', () => {
  const cases: Array<[string, (string | number)[], boolean]> = [
    ['GET', ['k'], true],
    ['HGETALL', ['h'], true],
    ['EVAL_RO', ['return 1', 0], true],
    ['PING', [], true],
    ['CLIENT', ['LIST'], true],
    ['CLIENT', ['KILL', 'ID', 3], false],
    ['SET', ['k', 'v'], true],
    ['SET', ['k', 'v', 'XX'], true],
    ['SET', ['k', 'v', 'PXAT', 1700000000000], true],
    ['SET', ['lock', 'me', 'NX'], false],
    ['SET', ['k', 'v', 'EX', 10], false],
    ['SET', ['k', 'v', 'GET'], false],
    ['MSET', ['a', 1, 'b', 2], true],
    ['DEL', ['k'], false],
    ['SADD', ['s', 'm'], false],
    ['INCR', ['n'], false],
    ['PUBLISH', ['ch', 'm'], false],
    ['EXPIRE', ['k', 10], false],
    ['SCRIPT', ['LOAD', 'return 1'], true],
    ['SCRIPT', ['FLUSH'], false],
    ['MULTI', [], false],
    ['EXEC', [], false],
    ['WATCH', ['k'], false],
    ['BLPOP', ['q', 0], false],
  ];
  for (const [name, args, safe] of cases) {
    test(`${name} ${args.join(' ')} -> ${safe ? 'replayed' : 'rejected with maybeExecuted'}`, () => {
      assert.equal(isIdempotent(name, args), safe);
      assert.equal(isIdempotent(name.toLowerCase(), args), safe, 'case does not matter');
    });
  }
});

describe("what becomes of a dead connection's commands (sortLeftovers)", () => {
  const make = (name: string, ...args: string[]) => {
    const o: { error?: any } = {};
    const cmd = new Command(
      name,
      args,
      undefined,
      () => undefined,
      (e) => (o.error = e),
    );
    cmd.stage = 'written';
    return { cmd, o };
  };
  test('written reads go again in order, unsafe writes fail maybeExecuted, unwritten go again after them', () => {
    const get = make('GET', 'k');
    const incr = make('INCR', 'n');
    const set = make('SET', 'k', 'v');
    const later = make('DEL', 'x');
    later.cmd.stage = 'queued';
    const cause = new Error('reset');
    const again = sortLeftovers(
      { written: [get.cmd, incr.cmd, set.cmd], unwritten: [later.cmd] },
      true,
      'idempotent',
      cause,
    );
    assert.deepEqual(
      again.map((c) => c.name),
      ['GET', 'SET', 'DEL'],
    );
    assert.ok(
      incr.o.error instanceof ConnectionLostError && incr.o.error.maybeExecuted && incr.o.error.cause === cause,
    );
    assert.equal(get.cmd.stage, 'queued');
  });
  test('without an offline queue nothing goes again, and unwritten commands say they never ran', () => {
    const get = make('GET', 'k');
    const later = make('GET', 'y');
    later.cmd.stage = 'queued';
    assert.deepEqual(
      sortLeftovers({ written: [get.cmd], unwritten: [later.cmd] }, false, 'always', new Error('x')),
      [],
    );
    assert.equal(get.o.error.maybeExecuted, true);
    assert.equal(later.o.error.maybeExecuted, false);
  });
  test('a command in flight on two connection deaths in a row fails instead of going a third time', () => {
    const get = make('GET', 'poison');
    const first = sortLeftovers({ written: [get.cmd], unwritten: [] }, true, 'always', new Error('first'));
    assert.deepEqual(first, [get.cmd], 'the first death: sent again');
    get.cmd.stage = 'written';
    const cause = new Error('second');
    assert.deepEqual(sortLeftovers({ written: [get.cmd], unwritten: [] }, true, 'always', cause), []);
    assert.ok(get.o.error instanceof ConnectionLostError, String(get.o.error));
    assert.equal(get.o.error.maybeExecuted, true);
    assert.equal(get.o.error.cause, cause);
    assert.match(get.o.error.message, /two connections in a row/);
  });
  test('a command that was re-sent but still unwritten when the next connection died is not counted', () => {
    const get = make('GET', 'k');
    sortLeftovers({ written: [get.cmd], unwritten: [] }, true, 'idempotent', new Error('first'));
    // Never written on the second connection: it goes again, and still may be re-sent once.
    assert.deepEqual(sortLeftovers({ written: [], unwritten: [get.cmd] }, true, 'idempotent', new Error('x')), [
      get.cmd,
    ]);
    assert.equal(get.o.error, undefined);
  });
});
