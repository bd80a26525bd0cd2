/**
 * A timeline as text, one line per event (`watch`, `demo`), and its summary (`watch`).
 */
import { formatMs, padEnd, type Style } from './terminal';
import type { Reason, Timeline, TimelineEvent, TimelineSummary } from './timeline';

function stamp(t: number): string {
  return `[${(t / 1000).toFixed(2).padStart(7)}s]`;
}

function because(reason: Reason | undefined): string {
  if (reason === undefined) return '';
  return `${reason.kind ?? reason.code}: ${shortMessage(reason.message)}`;
}

/**
 * A connection error's message for one line of a timeline: its first sentence, with the server's
 * quoted answer reduced to its code ("... refused authentication (WRONGPASS)"). The full message is
 * in --json and in the HTML report.
 */
export function shortMessage(message: string): string {
  let said: string | undefined;
  let text = message.replace(/\s*\(server said: ([A-Z]+)[^)]*\)/, (_, code: string) => {
    said = code;
    return '';
  });
  let depth = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === '.' && depth === 0 && text[i + 1] === ' ') {
      text = text.slice(0, i);
      break;
    }
  }
  text = text.replace(/\.$/, '');
  if (said !== undefined) text += ` (${said})`;
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/** One line of the text timeline, or undefined for events shown elsewhere. */
export function describeEvent(e: TimelineEvent, timeline: Timeline, style: Style): string | undefined {
  const at = style.dim(stamp(e.t));
  const label = (text: string): string => padEnd(text, 11);
  switch (e.type) {
    case 'state': {
      const arrow = `${e.from} → ${e.to}`;
      let text: string;
      if (e.to === 'ready') {
        const outage = timeline.outages(e.t).find((o) => o.endMs === e.t && !o.ongoing);
        const back =
          outage !== undefined
            ? `back after ${formatMs(outage.durationMs)}, ${outage.attempts} attempt${outage.attempts === 1 ? '' : 's'}`
            : '';
        text = `${style.ok(arrow)}${back ? `   ${back}` : ''}`;
      } else if (e.to === 'reconnecting' || e.to === 'failed') {
        text = `${style.fail(arrow)}   ${because(e.reason)}`;
      } else {
        text = arrow + (e.reason ? `   ${because(e.reason)}` : '');
      }
      return `${at} ${label('state')}${text}`;
    }
    case 'reconnecting':
      return `${at} ${label('reconnect')}${style.warn(`attempt ${e.attempt} in ${e.delayMs} ms`)}   ${because(e.reason)}`;
    case 'ready':
      return e.server !== undefined && !e.reconnected
        ? `${at} ${label('server')}Redis ${e.server.version || '(version not given)'}, RESP${e.server.protocol}`
        : undefined;
    case 'latency': {
      const counts =
        `${e.ok} PING${e.ok === 1 ? '' : 's'}` +
        (e.queued > 0 ? `, ${e.queued} held through the outage (up to ${formatMs(e.queuedMaxMs ?? NaN)})` : '') +
        (e.failed > 0 ? `, ${e.failed} failed` : '') +
        (e.waiting > 0 ? `, ${e.waiting} waiting` : '');
      const body =
        e.p50Ms === undefined
          ? style.warn('no replies')
          : `p50 ${formatMs(e.p50Ms)}  p99 ${formatMs(e.p99Ms ?? NaN)}  max ${formatMs(e.maxMs ?? NaN)}`;
      return `${at} ${style.dim(label('latency'))}${body}   ${style.dim(counts)}`;
    }
    case 'command-failed':
      return `${at} ${label('failed')}${style.fail(`${e.command} ${e.code}`)}: ${e.message}`;
    case 'stop':
      return `${at} ${label('stop')}${e.why === 'duration' ? 'duration reached' : e.why}`;
    default:
      return undefined;
  }
}

export function describeSummary(s: TimelineSummary, style: Style): string {
  const lines = ['', style.bold('summary')];
  const row = (name: string, text: string): void => void lines.push(`  ${padEnd(name, 11)}${text}`);
  const tries = (n: number): string => `${n} failed attempt${n === 1 ? '' : 's'}`;
  const init = s.initialFailures;
  const first =
    s.firstReadyMs === undefined
      ? ''
      : s.firstReadyMs > 1000 || init.attempts > 0
        ? `, first ready after ${formatMs(s.firstReadyMs)} (${tries(init.attempts)})`
        : '';
  row('ready', `${formatMs(s.readyMs)} of ${formatMs(s.durationMs)} (${s.readyPct} %)${first}`);
  if (s.firstReadyMs === undefined) {
    const last = init.lastReason === undefined ? '' : `; last: ${because(init.lastReason)}`;
    row('connect', `${style.fail('never connected')}: ${tries(init.attempts)}${last}`);
  }
  row('outages', s.outages.length === 0 ? style.ok('none') : `${s.outages.length}, recovered from ${s.recoveries}`);
  for (const o of s.outages) {
    const span = `${(o.startMs / 1000).toFixed(2)} s → ${o.ongoing ? 'still down' : `${(o.endMs / 1000).toFixed(2)} s`}`;
    lines.push(
      `  ${' '.repeat(11)}${style.fail('✗')} ${span}  ${formatMs(o.durationMs)}  ${because(o.cause)}; ${o.attempts} attempt${o.attempts === 1 ? '' : 's'}${o.kinds.length > 1 ? ` (${o.kinds.join(', ')})` : ''}`,
    );
  }
  const c = s.commands;
  const failures = Object.entries(c.failuresByCode)
    .map(([code, n]) => `${code} × ${n}`)
    .join(', ');
  row(
    'commands',
    `${c.sent} PINGs: ${c.ok} ok, ${c.failed === 0 ? style.ok('0 failed') : style.fail(`${c.failed} failed (${failures})`)}`,
  );
  const l = s.latency;
  row(
    'latency',
    l.p50Ms === undefined
      ? '—'
      : `p50 ${formatMs(l.p50Ms)}, p99 ${formatMs(l.p99Ms ?? NaN)}, max ${formatMs(l.maxMs ?? NaN)} (PINGs sent while ready)`,
  );
  if (s.queued.count > 0) {
    row(
      '',
      `${s.queued.count} PINGs issued during outages waited for the connection, up to ${formatMs(s.queued.maxWaitMs ?? NaN)}, and got their replies`,
    );
  }
  return `${lines.join('\n')}\n`;
}
