// A blocking command in flight on a connection the lifecycle leaves for a new server (retire()):
// released on the old server (the `unblock` hook: CLIENT UNBLOCK ... TIMEOUT there), its timeout
// answer taken back, and sent to the next connection with what is left of its wait
// (lifecycle/retirements.ts). Against fakes and a fake clock; the real thing is in
// test/sentinel/blocking.integration.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionError } from '../../src/errors';
import type { Command } from '../../src/connection/command';
import type { ConnectionLike } from '../../src/lifecycle/lifecycle';
import { harness } from './fakes';

/** A harness whose unblock hook records the connections it was asked to release. */
function setup(opts: { withWait?: (cmd: Command, ms: number) => string[] | undefined } = {}) {
  const released: ConnectionLike[] = [];
  const h = harness(
    {
      unblock: {
        open: (conn) => {
          released.push(conn);
          return Promise.resolve();
        },
        // BLPOP key seconds: the wait is the last argument.
        withWait: opts.withWait ?? ((cmd, ms) => [...cmd.args.slice(0, -1), (ms / 1000).toFixed(3)] as string[]),
      },
    },
    ['ok', 'ok'],
  );
  return { h, released };
}

/** BLPOP q <seconds>, marked blocking as the client marks it. */
function blpop(h: ReturnType<typeof setup>['h'], seconds: number) {
  const r = h.run('BLPOP', 'q', String(seconds));
  r.cmd.blockingMs = seconds === 0 ? Infinity : seconds * 1000;
  return r;
}

const retire = (h: ReturnType<typeof setup>['h']) =>
  h.lifecycle.retire(new ConnectionError('readonly', 'a failover is under way'));

test('a BLPOP blocked on a retired connection is released there and sent again with what is left of its wait', async () => {
  const { h, released } = setup();
  await h.lifecycle.connect();
  const old = h.last();
  old.server.id = 42;
  const b = blpop(h, 5);
  await h.clock.advance(1000);
  assert.equal(retire(h), true);
  assert.deepEqual(released, [old], 'asked to unblock the old connection');
  await h.clock.advance(200); // the new connection is ready; the old one still owes the BLPOP
  const next = h.last();
  assert.notEqual(next, old);
  assert.equal(next.sent.length, 0);
  old.reply(null); // CLIENT UNBLOCK ... TIMEOUT: answered like a timeout
  assert.equal(b.outcome.settled, false, 'the timeout answer of a released command is not its outcome');
  assert.deepEqual(
    next.sent.map((c) => [c.name, ...c.args]),
    [['BLPOP', 'q', '3.800']],
  );
  assert.equal(next.sent[0].blockingMs, 3800);
  next.reply(['q', 'x']);
  assert.deepEqual(b.outcome.value, ['q', 'x']);
});

test('an element popped on the old server before the unblock arrived is the outcome; nothing is sent again', async () => {
  const { h } = setup();
  await h.lifecycle.connect();
  const old = h.last();
  old.server.id = 42;
  const b = blpop(h, 5);
  retire(h);
  await h.clock.advance(10);
  old.reply(['q', 'popped-there']);
  assert.deepEqual(b.outcome.value, ['q', 'popped-there']);
  assert.equal(h.last().sent.length, 0);
});

test('a null once its own wait is spent is the true timeout: it settles', async () => {
  const { h } = setup();
  await h.lifecycle.connect();
  const old = h.last();
  old.server.id = 42;
  const b = blpop(h, 1);
  await h.clock.advance(900);
  retire(h);
  await h.clock.advance(100);
  old.reply(null);
  assert.equal(b.outcome.settled, true);
  assert.equal(b.outcome.value, null);
  assert.equal(h.last().sent.length, 0);
});

test('a BLPOP that waits forever (timeout 0) is sent again as it was', async () => {
  const { h } = setup();
  await h.lifecycle.connect();
  const old = h.last();
  old.server.id = 42;
  const b = blpop(h, 0);
  retire(h);
  await h.clock.advance(10);
  old.reply(null);
  assert.deepEqual(
    h.last().sent.map((c) => c.args),
    [['q', '0']],
  );
  h.last().reply(['q', 'y']);
  assert.deepEqual(b.outcome.value, ['q', 'y']);
});

test('not released: a connection without a client id (no HELLO), or a command that cannot be sent again (WAIT)', async () => {
  {
    const { h, released } = setup();
    await h.lifecycle.connect();
    const old = h.last(); // no server.id
    const b = blpop(h, 5);
    retire(h);
    await h.clock.advance(10);
    assert.deepEqual(released, []);
    old.reply(null);
    assert.equal(b.outcome.value, null, 'a null there is that command’s own answer');
  }
  {
    const { h, released } = setup({ withWait: () => undefined });
    await h.lifecycle.connect();
    h.last().server.id = 7;
    blpop(h, 5);
    retire(h);
    await h.clock.advance(10);
    assert.deepEqual(released, []);
  }
});
