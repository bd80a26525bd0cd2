// Unit tests of the cluster router's wait line over time: a fake clock, a fake topology with one
// primary and a fake node whose answers each test chooses (no server, no sleeping); and of the
// topology's refusal to change once stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/client/client';
import { resolveClusterOptions } from '../../src/cluster/options';
import { Router, type Send } from '../../src/cluster/router';
import { slotMapFromSlots, type ClusterNode } from '../../src/cluster/slot-map';
import { Topology } from '../../src/cluster/topology';
import { ClusterUnavailableError, ReplyError } from '../../src/errors';
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

/** A router over one ready primary that owns every slot; `budgetMs`: each command's. */
function setup(clock: BusyClock, budgetMs = 60_000): Router {
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
  const opts = resolveClusterOptions({
    nodes: [{ host: owner.host, port: owner.port }],
    unavailableTimeoutMs: budgetMs,
  });
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

test('Router: commands still held when their budget ends reject with ClusterUnavailableError and leave nothing behind: the next command for the slot goes at once', async () => {
  const clock = new BusyClock();
  clock.early = 1;
  clock.lookupMs = 1;
  const router = setup(clock, 1000);
  const sent: string[] = [];
  const refused: Send = () => {
    sent.push('MSET');
    return Promise.reject(new ReplyError('TRYAGAIN Multiple keys request during rehashing of slot'));
  };
  const ok =
    (name: string): Send =>
    () => {
      sent.push(name);
      return Promise.resolve('OK');
    };
  const slot = { slot: 42 };
  const outcome = (p: Promise<unknown>): Promise<unknown> =>
    p.then(
      (v) => v,
      (e: unknown) => e,
    );
  const mset = outcome(router.route('MSET', slot, refused));
  await flush();
  const set = outcome(router.route('SET', slot, ok('SET')));
  await clock.run(1500);
  for (const [name, got] of [
    ['MSET', await mset],
    ['SET', await set],
  ] as const) {
    assert.ok(got instanceof ClusterUnavailableError, `${name}: ${String(got)}`);
  }
  assert.equal(sent.includes('SET'), false, 'the SET never passed the MSET');
  assert.equal(router.waiting, 0);
  // Nothing of them is left in the line (no count of a slot or node, no probe): a new command
  // for that slot is sent as it is issued.
  const next = router.route('SET', slot, ok('next SET'));
  assert.equal(sent.at(-1), 'next SET');
  assert.equal(await next, 'OK');
});

test('Topology: once stopped (the cluster closing), a MOVED changes no owner and makes no client for the node it names', () => {
  const topo = new Topology(resolveClusterOptions({ nodes: [{ host: owner.host, port: owner.port }] }), {
    changed: () => undefined,
    node: () => undefined,
    reconnecting: () => undefined,
  });
  topo.map = slotMapFromSlots([[0, 16383, [owner.host, owner.port, 'a']]], { reporter: owner });
  topo.stop();
  // A node new to the map: before the fix, a client for it was made and connected here, after
  // close() had taken the list of the clients it closes.
  topo.moved(42, { host: '127.0.0.1', port: 7999 });
  assert.equal(topo.clients.size, 0);
  assert.equal(topo.map.primaryFor(42)?.key, owner.key);
});
