/**
 * How the command line looks on a terminal: colour only when a person is looking (a TTY, no
 * NO_COLOR, no TERM=dumb), columns aligned by visible width, long explanations wrapped.
 */

export interface Style {
  readonly color: boolean;
  ok(text: string): string;
  fail(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** Colour for `stream` unless NO_COLOR is set (https://no-color.org) or it is not a terminal. FORCE_COLOR=1 forces it. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function makeStyle(color: boolean): Style {
  const sgr =
    (open: number, close: number) =>
    (text: string): string =>
      color ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    color,
    ok: sgr(32, 39),
    fail: sgr(31, 39),
    warn: sgr(33, 39),
    dim: sgr(2, 22),
    bold: sgr(1, 22),
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** The width a string takes on screen (ANSI sequences take none). */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - visibleWidth(text))) + text;
}

/** Wraps plain text at word boundaries so that no line (with `indent`) passes `width`. */
export function wrap(text: string, width: number, indent: string): string[] {
  const room = Math.max(20, width - indent.length);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= room) line += ` ${word}`;
    else {
      lines.push(indent + line);
      line = word;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/** Terminal width for wrapping: the TTY's, else 100 columns. */
export function screenWidth(stream: { columns?: number }): number {
  return Math.min(Math.max(stream.columns ?? 100, 60), 120);
}

/** '0.42 ms', '12.3 ms', '1.25 s' — milliseconds as a person reads them. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** '12 s', '3 min', '5 h 2 min', '4 days' — a duration in seconds, roughly. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) {
    const h = Math.floor(seconds / 3600);
    const m = Math.round((seconds % 3600) / 60);
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  return `${Math.round(seconds / 86400)} days`;
}

/** '1.5 MiB' from bytes. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** The p-th percentile (0..100) of `values` by nearest rank; NaN for none. Sorts a copy. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
