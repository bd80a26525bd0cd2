import { Command } from '../../src/connection/command';
import { ReplyError } from '../../src/errors';
import type { ConnectionHooks, Leftovers } from '../../src/connection/connection';
import type { Clock, TimerHandle } from '../../src/lifecycle/clock';
import { Lifecycle, type AttemptInfo, type ConnectionLike, type LifecycleConfig } from '../../src/lifecycle/lifecycle';
import type { Arg } from '../../src/protocol/types';

/** A clock whose time moves only when the test says so. */
export class FakeClock implements Clock {
  time = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + ms, fn });
    return id as unknown as TimerHandle;
  }
  clearTimeout(h: TimerHandle): void {
    this.timers.delete(h as unknown as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  /** Moves time forward, running due timers in order, letting promises settle in between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await flush();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers)
        if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
    await flush();
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A connection that records what it was sent and answers when told. */
export class FakeConnection implements ConnectionLike {
  readonly endpoint = 'redis://fake:6379';
  lastReadAt: number;
  lastWriteAt: number;
  sent: Command[] = [];
  inflight: Command[] = [];
  pings = 0;
  server: { role?: string; id?: number } = { role: 'master' };
  destroyedWith: Error | undefined;
  ended = false;
  constructor(
    private readonly clock: FakeClock,
    readonly hooks: ConnectionHooks,
  ) {
    this.lastReadAt = this.lastWriteAt = clock.now();
  }
  get pendingReplies(): number {
    return this.inflight.length;
  }
  get oldestInflight(): Command | undefined {
    return this.inflight[0];
  }
  send(cmd: Command): void {
    cmd.stage = 'written';
    cmd.writtenAt = this.clock.now();
    this.lastWriteAt = this.clock.now();
    this.sent.push(cmd);
    this.inflight.push(cmd);
  }
  ping(): void {
    this.pings++;
    void this.internalCall('PING', []).catch(() => undefined);
  }
  internalCall(name: string, args: readonly Arg[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const cmd = new Command(name, args, undefined, resolve, reject);
      cmd.internal = true;
      this.send(cmd);
    });
  }
  /**
   * Answers the oldest command (a READONLY reply is offered to onReadOnly first, and the reply to a
   * blocking command to onBlockedReply, as Connection does).
   */
  reply(value: unknown = 'OK'): void {
    this.lastReadAt = this.clock.now();
    const cmd = this.inflight.shift();
    const takenBack =
      cmd !== undefined &&
      ((value instanceof ReplyError && value.code === 'READONLY' && this.hooks.onReadOnly?.(cmd, value) === true) ||
        (cmd.blockingMs > 0 && this.hooks.onBlockedReply?.(cmd, value) === true));
    if (!takenBack) cmd?.reply(value);
    if (this.ended && this.inflight.length === 0) this.endResolve?.();
  }
  private endResolve: (() => void) | undefined;
  /** Whether onClose was called (graceful end or death). */
  closed = false;
  end(): Promise<void> {
    this.ended = true;
    if (this.inflight.length === 0) {
      this.closeGracefully();
      return Promise.resolve();
    }
    return new Promise((r) => {
      this.endResolve = () => {
        this.closeGracefully();
        r();
      };
    });
  }
  /** Like a socket closed after end(): onClose with nothing left over. */
  private closeGracefully(): void {
    if (this.closed) return;
    this.closed = true;
    this.hooks.onClose(new Error('the connection was closed'), { written: [], unwritten: [] });
  }
  /** The socket dies: everything unanswered is handed back as written. */
  die(cause: Error): void {
    if (this.destroyedWith !== undefined || this.closed) return;
    this.closed = true;
    this.destroyedWith = cause;
    const leftovers: Leftovers = { written: this.inflight.filter((c) => !c.settled && !c.internal), unwritten: [] };
    for (const c of this.inflight) if (c.internal) c.fail(cause);
    this.inflight = [];
    this.endResolve?.();
    this.hooks.onClose(cause, leftovers);
  }
  destroy(cause: Error): void {
    this.die(cause);
  }
}

export type Outcome = 'ok' | 'replica' | Error | (() => Error);

/** A lifecycle wired to fakes: `outcomes` decides each attempt in turn ('ok' or the error it fails with). */
export function harness(overrides: Partial<LifecycleConfig> = {}, outcomes: Outcome[] = []) {
  const clock = new FakeClock();
  const events: Array<{ type: string; payload: any }> = [];
  const attempts: AttemptInfo[] = [];
  const connections: FakeConnection[] = [];
  const config: LifecycleConfig = {
    clock,
    random: () => 0.5,
    endpoint: 'redis://fake:6379',
    sentPassword: false,
    open: (info, hooks) => {
      attempts.push(info);
      const outcome = outcomes.shift() ?? 'ok';
      if (outcome === 'ok' || outcome === 'replica') {
        const conn = new FakeConnection(clock, hooks);
        if (outcome === 'replica') conn.server = { role: 'replica' };
        connections.push(conn);
        return Promise.resolve(conn);
      }
      return Promise.reject(typeof outcome === 'function' ? outcome() : outcome);
    },
    reconnect: {
      baseDelayMs: 100,
      maxDelayMs: 2000,
      jitter: 'none',
      maxAttempts: Infinity,
      initialTimeoutMs: 10_000,
      onInitialFailure: 'fail-fast',
      resetAfterMs: 5000,
      decide: undefined,
    },
    offlineQueue: { enabled: true, maxLength: 1000 },
    retryInFlight: 'idempotent',
    healthCheck: false,
    commandTimeoutMs: 0,
    events: {
      stateChange: (p) => events.push({ type: 'stateChange', payload: p }),
      reconnecting: (p) => events.push({ type: 'reconnecting', payload: p }),
      ready: (p) => events.push({ type: 'ready', payload: p }),
      error: (e) => events.push({ type: 'error', payload: e }),
    },
    ...overrides,
  };
  const lifecycle = new Lifecycle(config);
  const states = () => events.filter((e) => e.type === 'stateChange').map((e) => `${e.payload.from}->${e.payload.to}`);
  const last = () => connections[connections.length - 1];
  /** Submits a command and returns a handle to its outcome. */
  const run = (name: string, ...args: Arg[]) => {
    const outcome: { value?: unknown; error?: any; settled: boolean } = { settled: false };
    const cmd = new Command(
      name,
      args,
      undefined,
      (v) => Object.assign(outcome, { value: v, settled: true }),
      (e) => Object.assign(outcome, { error: e, settled: true }),
    );
    lifecycle.submit(cmd);
    return { cmd, outcome };
  };
  return { clock, events, attempts, connections, lifecycle, states, last, run, outcomes, config };
}
