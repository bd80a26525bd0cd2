/**
 * A client's life as a list of timed events, and what can be read from it: how long it was ready,
 * each outage with its length, cause and attempts, the commands that failed, latency. `watch`
 * records one (and prints it, or renders it as HTML); `demo` uses one for its outage table.
 * Times are milliseconds since the recording started.
 */
import type { RedisClient } from '../client/client';
import { ConnectionError, type RomaineError } from '../errors';
import type { State } from '../lifecycle/states';
import { percentile } from './terminal';

export interface Reason {
  kind?: string;
  code: string;
  message: string;
}

export type TimelineEvent =
  | { type: 'start'; t: number; time: string; target: string }
  | { type: 'state'; t: number; from: State; to: State; reason?: Reason }
  | { type: 'reconnecting'; t: number; attempt: number; delayMs: number; reason: Reason }
  | { type: 'ready'; t: number; reconnected: boolean; server?: { version: string; protocol: number } }
  | {
      type: 'latency';
      t: number;
      /** PINGs answered in the second that ends at t. */
      ok: number;
      failed: number;
      /** PINGs still waiting for their reply at t. */
      waiting: number;
      p50Ms?: number;
      p99Ms?: number;
      maxMs?: number;
      /** PINGs answered in this second that had been issued while the client was not ready: they
       *  waited in the offline queue, and their time says how long the outage held them. */
      queued: number;
      queuedMaxMs?: number;
    }
  | { type: 'command-failed'; t: number; command: string; code: string; message: string }
  | { type: 'stop'; t: number; why: string };

export interface Outage {
  startMs: number;
  /** When the client was ready again; the end of the recording for an outage still going on. */
  endMs: number;
  durationMs: number;
  ongoing: boolean;
  /** What ended the ready connection. */
  cause: Reason | undefined;
  attempts: number;
  /** Every distinct failure kind seen while trying (network, auth, protected-mode...). */
  kinds: string[];
}

export interface StateSpan {
  state: State;
  startMs: number;
  endMs: number;
}

export interface TimelineSummary {
  durationMs: number;
  readyMs: number;
  readyPct: number;
  /** Time from the start to the first ready; undefined when it never was. */
  firstReadyMs: number | undefined;
  /** Failed attempts before the first ready (all of them, if it never was), and the last reason. */
  initialFailures: { attempts: number; lastReason: Reason | undefined };
  recoveries: number;
  outages: Outage[];
  commands: { sent: number; ok: number; failed: number; failuresByCode: Record<string, number> };
  /** Round trips of the PINGs issued while ready. */
  latency: { p50Ms: number | undefined; p99Ms: number | undefined; maxMs: number | undefined };
  /** PINGs issued while not ready, answered after the client was back: how long they waited. */
  queued: { count: number; maxWaitMs: number | undefined };
}

export function reasonOf(err: RomaineError | undefined, endpoint?: string): Reason | undefined {
  if (err === undefined) return undefined;
  let message = err.message;
  // The endpoint is the same in every message of one recording: say it once, in the header.
  if (endpoint !== undefined && message.startsWith(`${endpoint}: `)) message = message.slice(endpoint.length + 2);
  else if (endpoint !== undefined && message.startsWith(`${endpoint} `))
    message = `the server${message.slice(endpoint.length)}`;
  const reason: Reason = { code: err.code, message };
  if (err instanceof ConnectionError) reason.kind = err.kind;
  return reason;
}

export class Timeline {
  readonly events: TimelineEvent[] = [];
  readonly t0 = performance.now();
  readonly startedAt = new Date();
  private readonly latencies: number[] = [];
  private readonly waits: number[] = [];
  private sent = 0;
  private okCount = 0;
  private listeners: ((e: TimelineEvent) => void)[] = [];

  constructor(readonly target: string) {
    this.push({ type: 'start', t: 0, time: this.startedAt.toISOString(), target });
  }

  now(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }

  /** Calls `listener` for every event recorded so far (the 'start' event at least), then for each new one. */
  onEvent(listener: (e: TimelineEvent) => void): void {
    for (const e of this.events) listener(e);
    this.listeners.push(listener);
  }

  push(e: TimelineEvent): void {
    this.events.push(e);
    for (const l of this.listeners) l(e);
  }

  /** Records the client's stateChange, reconnecting and ready events from now on. */
  follow(client: RedisClient, endpoint: string): void {
    client.on('stateChange', (e) =>
      this.push({ type: 'state', t: this.now(), from: e.from, to: e.to, reason: reasonOf(e.reason, endpoint) }),
    );
    client.on('reconnecting', (e) =>
      this.push({
        type: 'reconnecting',
        t: this.now(),
        attempt: e.attempt,
        delayMs: Math.round(e.delayMs),
        reason: reasonOf(e.reason, endpoint) as Reason,
      }),
    );
    client.on('ready', (e) => {
      const s = client.server;
      this.push({
        type: 'ready',
        t: this.now(),
        reconnected: e.reconnected,
        server: s && { version: s.version, protocol: s.protocol },
      });
    });
  }

  /** A command was issued; call settled() with its outcome. */
  issued(): void {
    this.sent++;
  }

  /** `queued`: the command was issued while the client was not ready (it waited for a connection). */
  succeeded(latencyMs: number, queued = false): void {
    this.okCount++;
    (queued ? this.waits : this.latencies).push(latencyMs);
  }

  failed(command: string, err: unknown): void {
    const code = (err as { code?: unknown } | null)?.code;
    const c = typeof code === 'string' ? code : 'ERROR';
    this.push({
      type: 'command-failed',
      t: this.now(),
      command,
      code: c,
      message: err instanceof Error ? err.message : String(err),
    });
  }

  /** The states the client went through, as contiguous spans up to `endMs`. */
  spans(endMs = this.now()): StateSpan[] {
    const spans: StateSpan[] = [];
    let state: State | undefined;
    let since = 0;
    for (const e of this.events) {
      if (e.type !== 'state') continue;
      if (state === undefined && e.t > 0) spans.push({ state: e.from, startMs: 0, endMs: e.t });
      else if (state !== undefined) spans.push({ state, startMs: since, endMs: e.t });
      state = e.to;
      since = e.t;
    }
    if (state !== undefined) spans.push({ state, startMs: since, endMs: Math.max(since, endMs) });
    return spans.filter((s) => s.endMs > s.startMs);
  }

  outages(endMs = this.now()): Outage[] {
    const out: Outage[] = [];
    let open: Outage | undefined;
    for (const e of this.events) {
      if (e.type === 'state' && e.from === 'ready' && e.to !== 'closing' && e.to !== 'closed') {
        open = { startMs: e.t, endMs, durationMs: 0, ongoing: true, cause: e.reason, attempts: 0, kinds: [] };
        if (e.reason?.kind !== undefined) open.kinds.push(e.reason.kind);
        out.push(open);
      } else if (e.type === 'reconnecting' && open !== undefined) {
        open.attempts++;
        if (e.reason.kind !== undefined && !open.kinds.includes(e.reason.kind)) open.kinds.push(e.reason.kind);
      } else if (e.type === 'state' && e.to === 'ready' && open !== undefined) {
        open.endMs = e.t;
        open.ongoing = false;
        open = undefined;
      } else if (e.type === 'state' && (e.to === 'closing' || e.to === 'closed') && open !== undefined) {
        open.endMs = e.t;
        open = undefined;
      }
    }
    for (const o of out) o.durationMs = Math.round((o.endMs - o.startMs) * 10) / 10;
    return out;
  }

  summary(endMs = this.now()): TimelineSummary {
    const spans = this.spans(endMs);
    const readyMs = spans.filter((s) => s.state === 'ready').reduce((sum, s) => sum + (s.endMs - s.startMs), 0);
    const firstReady = this.events.find((e) => e.type === 'state' && e.to === 'ready');
    const early = this.events.filter(
      (e): e is Extract<TimelineEvent, { type: 'reconnecting' }> =>
        e.type === 'reconnecting' && (firstReady === undefined || e.t < firstReady.t),
    );
    const round = (v: number): number | undefined => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : undefined);
    const failures: Record<string, number> = {};
    for (const e of this.events) if (e.type === 'command-failed') failures[e.code] = (failures[e.code] ?? 0) + 1;
    return {
      durationMs: endMs,
      readyMs: Math.round(readyMs * 10) / 10,
      readyPct: endMs > 0 ? Math.round((1000 * readyMs) / endMs) / 10 : 0,
      firstReadyMs: firstReady?.t,
      initialFailures: { attempts: early.length, lastReason: early.at(-1)?.reason },
      recoveries: this.events.filter((e) => e.type === 'ready' && e.reconnected).length,
      outages: this.outages(endMs),
      commands: {
        sent: this.sent,
        ok: this.okCount,
        failed: Object.values(failures).reduce((a, b) => a + b, 0),
        failuresByCode: failures,
      },
      latency: {
        p50Ms: round(percentile(this.latencies, 50)),
        p99Ms: round(percentile(this.latencies, 99)),
        maxMs: round(this.latencies.length > 0 ? Math.max(...this.latencies) : NaN),
      },
      queued: { count: this.waits.length, maxWaitMs: round(this.waits.length > 0 ? Math.max(...this.waits) : NaN) },
    };
  }
}
