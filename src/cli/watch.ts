/**
 * `romaine watch <url>`: keeps a client connected and prints its life as it happens — state
 * changes, reconnect attempts with their delays and reasons, a latency line every second — until
 * Ctrl-C or --duration, then a summary. The client is a real romaine client sending 10 PINGs a
 * second, as an application would, so what it shows is what an application would live through.
 */
import { writeFileSync } from 'node:fs';
import { createClient } from '../client/client';
import { describeEndpoint } from '../transport/socket';
import type { Target } from './target';
import type { Style } from './terminal';
import { Timeline, type TimelineEvent } from './timeline';
import { describeEvent, describeSummary } from './timeline-text';
import { renderReport } from './watch-report';

const PING_EVERY_MS = 100;
const PING_TIMEOUT_MS = 2000;

export interface WatchOutput {
  json: boolean;
  report: string | undefined;
  durationS: number | undefined;
  style: Style;
  write: (text: string) => void;
  /** Aborts when nobody reads the output any more (a closed pipe): the watch ends, exit 0. */
  closed?: AbortSignal;
}

export async function runWatch(t: Target, out: WatchOutput, stopSignal?: AbortSignal): Promise<number> {
  const endpoint = describeEndpoint({ host: t.host, port: t.port, path: t.path, tls: t.tls });
  const timeline = new Timeline(t.display);
  const emit = (e: TimelineEvent | Record<string, unknown>): void =>
    out.write(`${t.scrub(JSON.stringify(withTime(timeline, e)))}\n`);
  timeline.onEvent((e) => {
    if (out.json) return emit(e);
    const line = describeEvent(e, timeline, out.style);
    if (line !== undefined) out.write(`${t.scrub(line)}\n`);
  });
  if (!out.json) {
    const until = out.durationS !== undefined ? `for ${out.durationS} s (or Ctrl-C)` : 'Ctrl-C to stop';
    out.write(`${out.style.bold('romaine watch')}  ${t.display}   ${out.style.dim(until)}\n`);
  }

  const client = createClient({
    ...t.clientOptions,
    clientName: 'romaine-watch',
    commandTimeoutMs: PING_TIMEOUT_MS,
    // A watch starts even while the server is down or misconfigured, and shows why it cannot connect.
    reconnect: { onInitialFailure: 'retry', baseDelayMs: 100, maxDelayMs: 2000 },
  });
  client.on('error', () => undefined);
  timeline.follow(client, endpoint);

  // A PING counts as "held" when an outage began while it was pending (or it was issued during one):
  // its time is the outage's, not a round trip.
  let breaks = 0;
  client.on('stateChange', (e) => {
    if (e.from === 'ready') breaks++;
  });
  let stopping = false;
  let window: number[] = [];
  let windowQueued: number[] = [];
  let windowFailed = 0;
  let waiting = 0;
  const ping = (): void => {
    const started = performance.now();
    const issuedDuringOutage = client.state !== 'ready';
    const breaksAtIssue = breaks;
    timeline.issued();
    waiting++;
    client.ping().then(
      () => {
        waiting--;
        const ms = performance.now() - started;
        const queued = issuedDuringOutage || breaks !== breaksAtIssue;
        timeline.succeeded(ms, queued);
        (queued ? windowQueued : window).push(ms);
      },
      (err: unknown) => {
        waiting--;
        if (stopping) return; // closed by us: not a failure of the server
        windowFailed++;
        timeline.failed('PING', err);
      },
    );
  };
  const second = (): void => {
    const samples = window;
    window = [];
    const waited = windowQueued;
    windowQueued = [];
    const failed = windowFailed;
    windowFailed = 0;
    const sorted = [...samples].sort((a, b) => a - b);
    const pick = (p: number): number | undefined =>
      sorted.length === 0
        ? undefined
        : round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
    timeline.push({
      type: 'latency',
      t: timeline.now(),
      ok: samples.length,
      failed,
      waiting,
      p50Ms: pick(50),
      p99Ms: pick(99),
      maxMs: sorted.length === 0 ? undefined : round(sorted[sorted.length - 1]),
      queued: waited.length,
      queuedMaxMs: waited.length === 0 ? undefined : round(Math.max(...waited)),
    });
  };

  client.connect().catch(() => undefined); // failures arrive as events; a watch never gives up
  const pinger = setInterval(ping, PING_EVERY_MS);
  const ticker = setInterval(second, 1000);
  const stop = untilStopped(out.durationS, stopSignal, out.closed);
  const why = await stop.reason;
  stop.dispose();
  clearInterval(pinger);
  clearInterval(ticker);
  // PINGs in flight on a ready connection get a moment for their replies.
  const grace = performance.now() + 300;
  while (waiting > 0 && client.state === 'ready' && performance.now() < grace)
    await new Promise((r) => setTimeout(r, 20));
  if (window.length > 0 || windowQueued.length > 0 || windowFailed > 0) second();
  stopping = true;
  timeline.push({ type: 'stop', t: timeline.now(), why });
  const endMs = timeline.now();
  client.destroy();
  const summary = timeline.summary(endMs);
  // Ended because nobody reads stdout any more (a closed pipe): the summary has no reader either.
  if (why === 'output closed') {
    if (out.report !== undefined) writeFileSync(out.report, t.scrub(renderReport(timeline, summary, endMs)));
    return 0;
  }
  if (out.json) emit({ type: 'summary', t: endMs, ...summary });
  else out.write(t.scrub(describeSummary(summary, out.style)));
  if (out.report !== undefined) {
    writeFileSync(out.report, t.scrub(renderReport(timeline, summary, endMs)));
    if (out.json) emit({ type: 'report', t: endMs, path: out.report });
    else out.write(`\nreport written to ${out.report}\n`);
  }
  return 0;
}

/** Resolves with why the watch ends: Ctrl-C (SIGINT), SIGTERM, --duration, a closed output, or the caller's signal. */
function untilStopped(
  durationS: number | undefined,
  signal: AbortSignal | undefined,
  outputClosed: AbortSignal | undefined,
): { reason: Promise<string>; dispose(): void } {
  const cleanups: (() => void)[] = [];
  const reason = new Promise<string>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const on = (): void => resolve(sig);
      process.once(sig, on);
      cleanups.push(() => process.off(sig, on));
    }
    if (signal !== undefined) {
      const on = (): void => resolve('aborted');
      signal.addEventListener('abort', on, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', on));
    }
    if (outputClosed !== undefined) {
      const on = (): void => resolve('output closed');
      if (outputClosed.aborted) on();
      outputClosed.addEventListener('abort', on, { once: true });
      cleanups.push(() => outputClosed.removeEventListener('abort', on));
    }
    if (durationS !== undefined) {
      const timer = setTimeout(() => resolve('duration'), durationS * 1000);
      cleanups.push(() => clearTimeout(timer));
    }
  });
  return { reason, dispose: () => cleanups.forEach((c) => c()) };
}

function withTime(timeline: Timeline, e: TimelineEvent | Record<string, unknown>): Record<string, unknown> {
  const t = typeof e.t === 'number' ? e.t : 0;
  return { time: new Date(timeline.startedAt.getTime() + t).toISOString(), ...e };
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
