// The pool engine with fake resources (no server): membership, waiting order, deadlines, verdicts,
// min and idle, close() and destroy().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientClosedError, PoolTimeoutError } from '../../src/errors';
import { ResourcePool, type ResourceFactory } from '../../src/pool/resource-pool';
import { settleWithin, sleep } from '../support/wait';

interface Fake {
  id: number;
  state: 'open' | 'closed' | 'destroyed';
  broken?: boolean;
}

function factory(verdict: (r: Fake, error: unknown) => 'reuse' | 'close' | 'destroy' = () => 'reuse') {
  let next = 1;
  const made: Fake[] = [];
  const closing: Array<() => void> = [];
  let holdCloses = false;
  const f: ResourceFactory<Fake> = {
    create: () => {
      const r: Fake = { id: next++, state: 'open' };
      made.push(r);
      return r;
    },
    usable: (r) => r.broken !== true,
    recycle: verdict,
    close: (r) =>
      new Promise<void>((resolve) => {
        const done = () => {
          r.state = 'closed';
          resolve();
        };
        if (holdCloses) closing.push(done);
        else done();
      }),
    destroy: (r) => {
      r.state = 'destroyed';
    },
  };
  return {
    f,
    made,
    hold: () => (holdCloses = true),
    finishCloses: () => closing.splice(0).forEach((d) => d()),
  };
}

const opts = { min: 0, max: 2, acquireTimeoutMs: Infinity, idleTimeoutMs: Infinity };

test('waiters are served in arrival order, each by a returned resource', async () => {
  const { f } = factory();
  const pool = new ResourcePool(f, opts);
  const a = await pool.acquire();
  const b = await pool.acquire();
  const order: string[] = [];
  const w1 = pool.acquire().then((r) => order.push(`w1:${r.id}`));
  const w2 = pool.acquire().then((r) => order.push(`w2:${r.id}`));
  assert.deepEqual(pool.stats(), { size: 2, idle: 0, busy: 2, waiting: 2 });
  pool.release(b);
  pool.release(a);
  await Promise.all([w1, w2]);
  assert.deepEqual(order, [`w1:${b.id}`, `w2:${a.id}`]);
  pool.release(a);
  pool.release(a); // twice: ignored
  assert.deepEqual(pool.stats(), { size: 2, idle: 1, busy: 1, waiting: 0 });
  pool.destroy();
});

test('a waiter past its deadline gets PoolTimeoutError and leaves the queue; the next one is served', async () => {
  const { f } = factory();
  const pool = new ResourcePool(f, { ...opts, max: 1, acquireTimeoutMs: 30 });
  const held = await pool.acquire();
  const late = pool.acquire();
  await assert.rejects(late, PoolTimeoutError);
  assert.equal(pool.stats().waiting, 0);
  const next = pool.acquire();
  pool.release(held);
  assert.equal(await next, held);
  pool.destroy();
});

test('verdicts: close and destroy take the resource out and a waiter gets a new one; unusable idle ones are replaced', async () => {
  const verdicts: Array<'reuse' | 'close' | 'destroy'> = ['close', 'destroy'];
  const { f, made } = factory(() => verdicts.shift() ?? 'reuse');
  const pool = new ResourcePool(f, { ...opts, max: 1 });
  const first = await pool.acquire();
  const waiting = pool.acquire();
  pool.release(first, new Error('x'));
  const second = await waiting;
  assert.equal(first.state, 'closed');
  assert.notEqual(second, first);
  pool.release(second);
  assert.equal(second.state, 'destroyed');
  const third = await pool.acquire();
  pool.release(third); // reuse
  third.broken = true;
  const fourth = await pool.acquire();
  assert.notEqual(fourth, third);
  assert.equal(third.state, 'destroyed');
  assert.equal(made.length, 4);
  pool.destroy();
});

test('use() releases however the callback ends, passing the error to the verdict', async () => {
  const seen: unknown[] = [];
  const { f } = factory((_r, error) => {
    seen.push(error);
    return 'reuse';
  });
  const pool = new ResourcePool(f, opts);
  assert.equal(await pool.use((r) => Promise.resolve(r.id)), 1);
  await assert.rejects(
    pool.use(() => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(seen[0], undefined);
  assert.match(String(seen[1]), /boom/);
  assert.equal(pool.stats().busy, 0);
  pool.destroy();
});

test('min resources are made at once and kept; idle ones above min close after idleTimeoutMs', async () => {
  const { f, made } = factory();
  const pool = new ResourcePool(f, { ...opts, min: 1, max: 3, idleTimeoutMs: 30 });
  assert.deepEqual(pool.stats(), { size: 1, idle: 1, busy: 0, waiting: 0 });
  const [a, b, c] = [await pool.acquire(), await pool.acquire(), await pool.acquire()];
  for (const r of [a, b, c]) pool.release(r);
  assert.equal(pool.stats().idle, 3);
  await sleep(80);
  assert.equal(pool.stats().idle, 1, 'back to min');
  assert.equal(made.filter((r) => r.state === 'closed').length, 2);
  pool.destroy();
});

test('close() refuses new callers, serves the waiting ones, and resolves when every resource came back and closed', async () => {
  const { f, made, hold, finishCloses } = factory();
  const pool = new ResourcePool(f, { ...opts, max: 1 });
  const held = await pool.acquire();
  const waiting = pool.acquire();
  hold();
  const closing = pool.close();
  await assert.rejects(pool.acquire(), ClientClosedError);
  pool.release(held);
  const served = await waiting;
  assert.equal(served, held);
  assert.equal((await settleWithin(closing, 20)).status, 'pending', 'still one in use');
  pool.release(served);
  assert.equal((await settleWithin(closing, 20)).status, 'pending', 'waiting for the graceful close');
  finishCloses();
  await closing;
  assert.equal(made[0].state, 'closed');
  assert.equal(pool.close(), closing, 'idempotent');
  pool.destroy();
});

test('destroy() rejects waiters and drops busy resources at once; a pending close() resolves', async () => {
  const { f } = factory();
  const pool = new ResourcePool(f, { ...opts, max: 1 });
  const held = await pool.acquire();
  const closing = pool.close();
  const refused = pool.acquire();
  pool.destroy();
  await assert.rejects(refused, ClientClosedError);
  await closing;
  assert.equal(held.state, 'destroyed');
  pool.release(held); // after destroy: ignored
  pool.destroy();
});
