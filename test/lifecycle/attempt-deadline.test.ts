// Every step of a connection attempt (socket, TLS, handshake, restore) lives under one deadline:
// a server that goes silent in the middle of an attempt can never leave the client stuck.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionError } from '../../src/errors';
import { OPEN_GRACE_MS } from '../../src/lifecycle/lifecycle';
import { harness } from './fakes';

describe('attempt deadline (attemptTimeoutMs)', () => {
  test('a restore that is never answered fails the attempt (naming the step) and the next attempt follows', async () => {
    let restores = 0;
    const h = harness({
      attemptTimeoutMs: 1000,
      // The first restore (the first connection) and the third answer; the second hangs.
      restore: () => (++restores === 2 ? new Promise<void>(() => undefined) : Promise.resolve()),
    });
    await h.lifecycle.connect();
    h.last().die(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await h.clock.advance(100); // the backoff before the second attempt
    assert.equal(h.connections.length, 2);
    assert.equal(h.lifecycle.state, 'reconnecting');
    await h.clock.advance(999);
    assert.equal(h.connections[1].destroyedWith, undefined, 'not before the deadline');
    await h.clock.advance(1);
    const why: unknown = h.connections[1].destroyedWith;
    assert.ok(why instanceof ConnectionError && why.kind === 'network', String(why));
    assert.match(why.message, /completed the handshake but did not answer the restore .* 1000 ms \(connectTimeoutMs\)/);
    assert.equal(h.lifecycle.lastError, why);
    await h.clock.advance(1000);
    assert.equal(h.lifecycle.state, 'ready');
    assert.equal(h.connections.length, 3);
    assert.equal(h.clock.pending, 0, 'no deadline timer left behind');
  });

  test('an open that never settles fails after the deadline (plus the grace left to the transport)', async () => {
    let opens = 0;
    const h = harness({ attemptTimeoutMs: 1000 });
    const open = h.config.open.bind(h.config);
    h.config.open = (info, hooks) => (++opens === 1 ? new Promise(() => undefined) : open(info, hooks));
    const connected = h.lifecycle.connect();
    await h.clock.advance(1000 + OPEN_GRACE_MS - 1);
    assert.equal(h.lifecycle.lastError, undefined);
    await h.clock.advance(1);
    assert.match(
      String((h.lifecycle.lastError as ConnectionError | undefined)?.message),
      /\(socket, TLS, handshake\) did not finish within 1000 ms/,
    );
    await h.clock.advance(1000);
    await connected;
    assert.equal(h.lifecycle.state, 'ready');
  });

  test('an attempt that finishes in time leaves no deadline timer behind; close() clears a pending one', async () => {
    const h = harness({ attemptTimeoutMs: 1000 });
    await h.lifecycle.connect();
    assert.equal(h.clock.pending, 0);
    const h2 = harness({ attemptTimeoutMs: 1000 });
    h2.config.open = () => new Promise(() => undefined);
    h2.lifecycle.connect().catch(() => undefined);
    assert.equal(h2.clock.pending, 1);
    await h2.lifecycle.close();
    assert.equal(h2.clock.pending, 0);
  });
});
