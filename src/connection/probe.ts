import { ConnectionError, ReplyError } from '../errors';
import { AttemptFailure } from './connection';

/** What a probe connection found out about the server (judged by lifecycle/health.ts judgeProbe). */
export type ProbeFinding =
  /** No TCP (or TLS) connection within the timeout, or refused, or reset. */
  | { kind: 'unreachable'; detail: string }
  /** Connected, but the server answered nothing within the timeout. */
  | { kind: 'unresponsive' }
  /** The server answered -BUSY (a script or function past busy-reply-threshold). */
  | { kind: 'busy'; detail: string }
  /** The server listed our connection (`info` undefined: it does not know it). */
  | { kind: 'client'; id: number; info: ClientInfo | undefined }
  /** The server answered, but could not say anything about our connection. */
  | { kind: 'answered' }
  /** The probe failed otherwise (credentials refused, TLS, -LOADING, ...). */
  | { kind: 'failed'; detail: string };

/** The fields of a CLIENT LIST line that tell whether the server is still working for a client. */
export interface ClientInfo {
  /** Blocked in a command (BLPOP, WAIT, a command held by CLIENT PAUSE): flag 'b'. */
  blocked: boolean;
  /** The last (or current) command. */
  cmd: string;
}

/** The part of a connection the probe uses. */
export interface ProbeConnection {
  internalCall(name: string, args: readonly (string | number)[]): Promise<unknown>;
  destroy(cause: Error): void;
}

/**
 * Opens a second connection to the server through the same path as a real attempt (transport, TLS,
 * credentials, handshake; no restore) and asks about the connection `id`. Everything it opens is
 * destroyed before it resolves, or as soon as it opens if that comes late; it never rejects.
 *
 * `open(ms)` must settle within about `ms` (its own connect and handshake deadline).
 */
export async function probeServer(
  open: (timeoutMs: number) => Promise<ProbeConnection>,
  id: number | undefined,
  timeoutMs: number,
  now: () => number = () => performance.now(),
): Promise<ProbeFinding> {
  const started = now();
  let conn: ProbeConnection;
  try {
    conn = await withTimeout(open(timeoutMs), timeoutMs + 1000, (late) =>
      late.destroy(new ConnectionError('health', 'the probe connection opened too late')),
    );
  } catch (err) {
    return openFailure(err, timeoutMs);
  }
  try {
    if (id === undefined) return { kind: 'answered' };
    const left = Math.max(1, timeoutMs - (now() - started));
    const reply = await withTimeout(conn.internalCall('CLIENT', ['LIST', 'ID', id]), left);
    return { kind: 'client', id, info: parseClientLine(reply) };
  } catch (err) {
    if (err instanceof ProbeTimeout) return { kind: 'unresponsive' };
    if (err instanceof ReplyError && err.code === 'BUSY') return { kind: 'busy', detail: err.message };
    // A server that cannot list one client (before Redis 5) still answered.
    if (err instanceof ReplyError) return { kind: 'answered' };
    return { kind: 'failed', detail: describe(err) };
  } finally {
    conn.destroy(new ConnectionError('health', 'the probe is done'));
  }
}

/** Sorts out why the probe connection could not be opened. */
function openFailure(err: unknown, timeoutMs: number): ProbeFinding {
  if (err instanceof ProbeTimeout) return { kind: 'failed', detail: 'opening the probe connection did not settle' };
  if (!(err instanceof AttemptFailure)) return { kind: 'failed', detail: describe(err) };
  const cause = err.cause;
  if (err.stage === 'connect') {
    // The transport's only ConnectionError of kind 'tls' says TCP connected and TLS did not finish
    // in time: a TLS server does its handshake on its one thread, so a busy one stays silent.
    if (cause instanceof ConnectionError && cause.kind === 'tls') return { kind: 'unresponsive' };
    if (cause instanceof ConnectionError && cause.kind !== 'network') return { kind: 'failed', detail: cause.message };
    if (cause instanceof ConnectionError) {
      // The transport's own errors: timed out, or closed while connecting.
      const why = cause.message.includes('timed out') ? 'no connection' : 'the connection closed at once';
      return { kind: 'unreachable', detail: `${why} within ${timeoutMs} ms (healthCheck.probeTimeoutMs)` };
    }
    if (isSocketError(cause)) return { kind: 'unreachable', detail: describe(cause) };
    return { kind: 'failed', detail: describe(cause) };
  }
  if (err.timedOut) return { kind: 'unresponsive' };
  if (cause instanceof ReplyError && cause.code === 'BUSY') return { kind: 'busy', detail: cause.message };
  if (isSocketError(cause)) return { kind: 'unreachable', detail: describe(cause) };
  return { kind: 'failed', detail: describe(cause) };
}

function isSocketError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && !(err instanceof ReplyError) && code !== 'ECONNECTION';
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** One line of CLIENT LIST (`id=7 addr=... flags=N ... cmd=eval ...`), or undefined when empty. */
export function parseClientLine(reply: unknown): ClientInfo | undefined {
  const text = Buffer.isBuffer(reply) ? reply.toString('latin1') : typeof reply === 'string' ? reply : '';
  const line = text.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return undefined;
  const fields = new Map<string, string>();
  for (const part of line.trim().split(' ')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  if (!fields.has('id')) return undefined;
  return { blocked: (fields.get('flags') ?? '').includes('b'), cmd: fields.get('cmd') ?? 'unknown' };
}

class ProbeTimeout extends Error {}

/** `p`, or a ProbeTimeout after `ms`; a value that comes after the timeout goes to `late`. */
function withTimeout<T>(p: Promise<T>, ms: number, late?: (value: T) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      reject(new ProbeTimeout());
    }, ms);
    p.then(
      (value) => {
        clearTimeout(timer);
        if (expired) late?.(value);
        else resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (!expired) reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
