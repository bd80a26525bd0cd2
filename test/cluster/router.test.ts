// Unit tests of the cluster router's wait line over time: a fake clock, a fake topology with one
// primary and a fake node whose answers each test chooses (no server, no sleeping).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/client/client';
import { resolveClusterOptions } from '../../src/cluster/options';
import { Router, type Send } from '../../src/cluster/router';
import type { ClusterNode } from '../../src/cluster/slot-map';
import type { Topology } from '../../src/cluster/topology';
import { ReplyError } from '../../src/errors';
import type { Clock, TimerHandle } from '../../src/lifecycle/clock';
import type { State } from '../../src/lifecycle/states';
import { flush } from '../lifecycle/fakes';

/**
 * Time that moves only when the test says so, with the habits real time has on a busy machine:
 * a timer may run up to `early` ms before its time (Node counts a timer from the event loop's
 * time, read at the start of the loop's turn, not from the moment setTimeout was called), though
 * never within 1 ms of being set (Node's shortest delay); and each lookup of a slot's owner takes
 * `lookupMs` (walking a long line takes time).
 */
class BusyClock implements Clock {
  time = 1000;
  early = 0;
  lookupMs = 0;
  private seq = 0;
  private readonly timers = new Map<number, { runAt: number; fn: () => void }>();
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { runAt: Math.max(this.time + ms - this.early, this.time + 1), fn });
    return id as unknown as TimerHandle;
  }
  clearTimeout(h: TimerHandle): void {
    this.timers.delete(h as unknown as number);
  }
  /** Moves time forward by `ms`, running the timers due (early by up to `early` ms), promises settling in between. */
  async run(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await flush();
      let next: [number, { runAt: number; fn: () => void }] | undefined;
      for (const e of this.timers)
        if (e[1].runAt <= end && (next === undefined || e[1].runAt < next[1].runAt)) next = e;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].runAt);
      next[1].fn();
    }
    this.time = end;
    await flush();
  }
}

const owner: ClusterNode = { host: '127.0.0.1', port: 7000, key: '127.0.0.1:7000', role: 'primary', health: 'online' };

/** A router over one ready primary that owns every slot. */
function setup(clock: BusyClock): Router {
  const node = { state: 'ready', lastError: undefined } as unknown as RedisClient;
  const map = {
    primaryFor: () => {
      clock.time += clock.lookupMs;
      return owner;
    },
    shards: [{ primary: owner, replicas: [] }],
  };
  const topo = {
    map,
    clients: new Map([[owner.key, node]]),
    clientFor: () => node,
    requestRefresh: () => undefined,
    awaited: () => undefined,
    moved: () => undefined,
    wasRetired: () => false,
    changedSignal: new Promise<void>(() => undefined), // the topology never changes here
  } as unknown as Topology;
  const host = { state: 'ready' as State, connect: () => Promise.resolve() };
  const opts = resolveClusterOptions({ nodes: [{ host: owner.host, port: owner.port }], unavailableTimeoutMs: 60_000 });
  return new Router(host, topo, opts, undefined, clock);
}

test('Router: a command refused with TRYAGAIN is tried again after its pause, and the later ones for its slot follow it, also when its timer runs early and walking the line takes time', async () => {
  const clock = new BusyClock();
  clock.early = 1;
  clock.lookupMs = 1;
  const router = setup(clock);
  const sent: string[] = [];
  let refusals = 1;
  const mset: Send = () => {
    sent.push('MSET');
    return refusals-- > 0
      ? Promise.reject(new ReplyError('TRYAGAIN Multiple keys request during rehashing of slot'))
      : Promise.resolve('OK');
  };
  const set =
    (key: string): Send =>
    () => {
      sent.push(`SET ${key}`);
      return Promise.resolve('OK');
    };
  const outcomes: string[] = [];
  const slot = { slot: 42 };
  const first = router.route('MSET', slot, mset).then((v) => outcomes.push(`MSET ${String(v)}`));
  await flush(); // refused once: it waits out its pause in the line
  assert.equal(router.waiting, 1);
  const later = [
    router.route('SET', slot, set('a')).then((v) => outcomes.push(`SET a ${String(v)}`)),
    router.route('SET', slot, set('b')).then((v) => outcomes.push(`SET b ${String(v)}`)),
  ];
  assert.equal(router.waiting, 3, 'the SETs stand behind the MSET');
  // One second is 50 of the MSET's pauses, and far from every command's 60 s budget.
  await clock.run(1000);
  assert.deepEqual(sent, ['MSET', 'MSET', 'SET a', 'SET b']);
  assert.deepEqual(outcomes, ['MSET OK', 'SET a OK', 'SET b OK']);
  assert.equal(router.waiting, 0);
  await Promise.all([first, ...later]);
});
