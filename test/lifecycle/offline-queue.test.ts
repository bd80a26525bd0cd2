// The offline queue's bound must be cheap exactly when it bites: during an outage, with the queue
// full, every extra command is rejected without looking at the commands already queued.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptFailure } from '../../src/connection/connection';
import { Command } from '../../src/connection/command';
import { Fifo } from '../../src/connection/fifo';
import { OfflineQueueFullError } from '../../src/errors';
import { offlineRefusal } from '../../src/lifecycle/offline-queue';
import { harness } from './fakes';

const refused = () =>
  new AttemptFailure(
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    'connect',
    0,
    'redis://fake:6379',
  );
const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

/** Counts how many queued elements Fifo walks (drain copies, iteration) while `fn` runs. */
function countWalks(fn: () => void): number {
  const proto = Fifo.prototype as unknown as { drain(): unknown[] };
  const original = proto.drain; // eslint-disable-line @typescript-eslint/unbound-method -- restored below, called with its this
  let walked = 0;
  proto.drain = function (this: Fifo<unknown>) {
    walked += this.length;
    return original.call(this);
  };
  try {
    fn();
  } finally {
    proto.drain = original;
  }
  return walked;
}

describe('offline queue bound', () => {
  test('a full queue rejects each extra command without walking the queue', async () => {
    const max = 5000;
    const h = harness({ offlineQueue: { enabled: true, maxLength: max } }, [
      'ok',
      ...Array.from({ length: 50 }, refused),
    ]);
    await h.lifecycle.connect();
    h.last().die(reset());
    for (let i = 0; i < max; i++) h.run('GET', `k${i}`);
    const extra: ReturnType<typeof h.run>[] = [];
    const walked = countWalks(() => {
      for (let i = 0; i < 1000; i++) extra.push(h.run('GET', `x${i}`));
    });
    for (const e of extra) assert.ok(e.outcome.error instanceof OfflineQueueFullError);
    console.log(`# 1000 rejections at ${max} queued walked ${walked} queued commands`);
    assert.equal(walked, 0, 'no rejection walks the queue');
    assert.equal(h.lifecycle.offlineQueueLength, max);
  });

  test('slots of commands aborted while queued are given again, and the bound still holds', async () => {
    const max = 1000;
    const h2 = harness({ offlineQueue: { enabled: true, maxLength: max } }, [
      'ok',
      ...Array.from({ length: 50 }, refused),
    ]);
    await h2.lifecycle.connect();
    h2.last().die(reset());
    const ac = new AbortController();
    for (let i = 0; i < max; i++) {
      if (i % 2 === 0) {
        const c = new Command(
          'GET',
          [`k${i}`],
          undefined,
          () => undefined,
          () => undefined,
        );
        c.signal = ac.signal;
        h2.lifecycle.submit(c);
      } else h2.run('GET', `k${i}`);
    }
    ac.abort();
    let admitted = 0;
    let rejected = 0;
    const walked = countWalks(() => {
      for (let i = 0; i < max; i++) {
        const r = h2.run('GET', `y${i}`);
        if (r.outcome.error instanceof OfflineQueueFullError) rejected++;
        else admitted++;
      }
    });
    assert.equal(admitted, max / 2, 'every slot freed by an abort is given again');
    assert.equal(rejected, max / 2, 'and not one more');
    assert.ok(walked <= 2 * max, `compaction is amortised (walked ${walked})`);
    assert.equal(h2.lifecycle.offlineQueueLength, max);
  });
});

describe('offlineRefusal (who may wait for a connection)', () => {
  test('a queue that is off or full refuses with OfflineQueueFullError naming the state and the option', () => {
    const off = offlineRefusal('GET', 'reconnecting', { enabled: false, maxLength: 10 }, 0);
    assert.ok(off instanceof OfflineQueueFullError);
    assert.match(off.message, /GET was not sent: the client is reconnecting .*offlineQueue: false/);
    const full = offlineRefusal('SET', 'connecting', { enabled: true, maxLength: 2 }, 2);
    assert.ok(full instanceof OfflineQueueFullError);
    assert.match(full.message, /the client is connecting .*full \(2 commands, offlineQueue\.maxLength\)/);
  });

  test('a queue with room accepts', () => {
    assert.equal(offlineRefusal('GET', 'connecting', { enabled: true, maxLength: 2 }, 1), undefined);
  });
});
