// Minimal raw RESP over a plain socket, for the utilities' self-tests and for
// tests that must see exactly what is on the wire (no client in between).
import * as net from 'node:net';
import * as tls from 'node:tls';

/** Encode one command as a RESP array of bulk strings. */
export function resp(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

export interface RawResult {
  /** Every byte received, as latin1 text (RESP here is ASCII). */
  data: string;
  /** Number of 'data' events (how the bytes were chunked). */
  chunks: number;
  /** Socket error code (ECONNRESET, EPIPE, ECONNREFUSED, ...), if any. */
  error?: string;
  /** How the exchange ended. */
  ended: 'matched' | 'closed' | 'timeout';
  /** Whether the peer closed (FIN or error) before we stopped. */
  closed: boolean;
}

export interface RawOptions {
  /** Bytes to write after connect (nothing: just listen). */
  send?: string | Buffer;
  /** Write only after this many ms (to let a refusing server speak first). */
  writeDelayMs?: number;
  /** Stop once the received text matches (default: the first complete line). */
  until?: RegExp;
  /** Give up after this long (default 2000 ms); `ended` is then 'timeout'. */
  timeoutMs?: number;
  /** Connect with TLS using these options instead of plain TCP. */
  tls?: tls.ConnectionOptions;
  /** Connect to a unix socket instead. */
  path?: string;
}

/** Connect, optionally write, and collect what comes back until `until`, close or timeout. */
export function rawExchange(target: { host?: string; port?: number }, opts: RawOptions = {}): Promise<RawResult> {
  const until = opts.until ?? /\r\n/;
  return new Promise((resolve) => {
    let data = '';
    let chunks = 0;
    let error: string | undefined;
    let done = false;
    const sock: net.Socket = opts.path
      ? net.connect({ path: opts.path })
      : opts.tls
        ? tls.connect({ host: target.host ?? '127.0.0.1', port: target.port, ...opts.tls })
        : net.connect({ host: target.host ?? '127.0.0.1', port: target.port! });
    const finish = (ended: RawResult['ended']) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ data, chunks, error, ended, closed: ended === 'closed' });
    };
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs ?? 2000);
    sock.once(opts.tls ? 'secureConnect' : 'connect', () => {
      if (opts.send === undefined) return;
      const send = opts.send;
      if (opts.writeDelayMs) setTimeout(() => !done && sock.write(send), opts.writeDelayMs);
      else sock.write(send);
    });
    sock.on('data', (d: Buffer) => {
      chunks++;
      data += d.toString('latin1');
      if (until.test(data)) finish('matched');
    });
    sock.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    sock.on('close', () => finish('closed'));
  });
}

/** Send one command and return the first reply line (or throw with what happened). */
export async function rawCommand(target: { host?: string; port?: number }, ...args: string[]): Promise<string> {
  const r = await rawExchange(target, { send: resp(...args) });
  if (r.ended !== 'matched')
    throw new Error(`no reply to ${args[0]}: ${r.ended} ${r.error ?? ''} ${JSON.stringify(r.data)}`);
  return r.data.split('\r\n')[0];
}
