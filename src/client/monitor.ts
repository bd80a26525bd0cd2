/**
 * `client.monitor()`: MONITOR on a connection of its own, as an async iterator. MONITOR turns a
 * connection into a feed of every command the server runs, so it never shares the client's
 * connection: the monitor is a duplicate() client whose replies that look like feed lines are
 * claimed before they are matched to commands. Its lifecycle is the ordinary one: after a
 * reconnect MONITOR is sent again (the commands run in between are not seen). The iteration ends,
 * and the connection closes, when the loop breaks, `close()` is called, or the parent client closes.
 */
import type { RedisClient } from './client';
import { internals } from './internals';

/** One command the server ran, as MONITOR reports it. */
export interface MonitorEvent {
  /** Unix time in seconds, with microseconds. */
  timestamp: number;
  /** The database it ran in. */
  db: number;
  /** Who sent it: 'ip:port', 'unix:/path', or 'lua' for a command run by a script. */
  source: string;
  /** The command name and its arguments, as the server printed them (decoded as UTF-8). */
  args: string[];
}

export interface MonitorOptions {
  /**
   * How many events wait for the loop at most (default 10,000). A slow loop on a busy server
   * would otherwise grow without bound; past it the oldest are dropped and counted in `dropped`.
   */
  maxBuffered?: number;
}

/** "1700000000.123456 [0 127.0.0.1:5555] "SET" "k" "v"" */
const LINE = /^(\d+\.\d+) \[(\d+) ([^\]]*)\] ?/;

/** The arguments of a feed line: double-quoted, with the escapes Redis' sdscatrepr writes. */
export function parseMonitorArgs(text: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') {
      i++;
      continue;
    }
    const bytes: number[] = [];
    i++;
    while (i < text.length && text[i] !== '"') {
      let ch = text[i];
      if (ch === '\\' && i + 1 < text.length) {
        const next = text[++i];
        if (next === 'x' && i + 2 < text.length) {
          bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
          i += 3;
          continue;
        }
        ch = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b' }[next] ?? next;
      }
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      i++;
    }
    args.push(Buffer.from(bytes).toString('utf8'));
    i++;
  }
  return args;
}

/** A feed line as an event, or undefined when the reply is not one. */
export function parseMonitorLine(line: unknown): MonitorEvent | undefined {
  if (typeof line !== 'string') return undefined;
  const m = LINE.exec(line);
  if (m === null) return undefined;
  return { timestamp: Number(m[1]), db: Number(m[2]), source: m[3], args: parseMonitorArgs(line.slice(m[0].length)) };
}

/** The iterator `client.monitor()` returns. */
export class Monitor implements AsyncIterableIterator<MonitorEvent> {
  /** Events dropped because the loop fell more than `maxBuffered` behind. */
  dropped = 0;
  private readonly conn: RedisClient;
  private readonly maxBuffered: number;
  private readonly buffered: MonitorEvent[] = [];
  private waiting: { resolve: (r: IteratorResult<MonitorEvent>) => void; reject: (e: Error) => void } | undefined;
  private ended = false;
  private failure: Error | undefined;
  /** This connection's own address: its health-check PINGs are not the server's traffic. */
  private self: string | undefined;

  /** @internal (client.monitor() makes it) */
  constructor(
    parent: RedisClient,
    opts: MonitorOptions,
    private readonly onEnd: () => void,
  ) {
    this.maxBuffered = opts.maxBuffered ?? 10_000;
    this.conn = parent.duplicate();
    internals(this.conn).claimReplies((reply) => this.claim(reply));
    this.conn.on('ready', ({ reconnected }) => {
      if (reconnected) void this.start();
    });
    void this.start();
  }

  /** Connects (the first time) and sends MONITOR, once per connection. */
  private async start(): Promise<void> {
    try {
      await this.conn.connect();
      this.self = (await this.conn.clientInfo()).addr;
      await internals(this.conn).sendCommand('MONITOR', []);
    } catch (err) {
      // Before the first connection: the configuration error connect() reported. Later, a
      // connection lost before MONITOR went through: the next 'ready' sends it again.
      if (this.conn.state === 'failed' || this.conn.state === 'closed' || this.conn.state === 'idle')
        this.fail(err as Error);
    }
  }

  private claim(reply: unknown): boolean {
    const event = parseMonitorLine(reply);
    if (event === undefined) return false;
    if (this.ended || event.source === this.self) return true;
    if (this.waiting !== undefined) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve({ value: event, done: false });
      return true;
    }
    if (this.buffered.length >= this.maxBuffered) {
      this.buffered.shift();
      this.dropped++;
    }
    this.buffered.push(event);
    return true;
  }

  private fail(err: Error): void {
    if (this.ended) return;
    this.failure = err;
    this.finish();
    this.conn.destroy();
  }

  private finish(): void {
    this.ended = true;
    this.onEnd();
    const w = this.waiting;
    this.waiting = undefined;
    if (w === undefined) return;
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) w.reject(failure);
    else w.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<MonitorEvent>> {
    const event = this.buffered.shift();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    if (this.ended) {
      const failure = this.failure;
      this.failure = undefined;
      return failure === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(failure);
    }
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Ends the iteration (a `break` out of `for await` calls it) and closes the connection. */
  async return(): Promise<IteratorResult<MonitorEvent>> {
    await this.close();
    return { value: undefined, done: true };
  }

  /** Ends the iteration and closes the monitor's connection. */
  async close(): Promise<void> {
    if (!this.ended) this.finish();
    this.buffered.length = 0;
    await this.conn.close();
  }

  /** Ends the iteration and drops the connection at once. */
  destroy(): void {
    if (!this.ended) this.finish();
    this.buffered.length = 0;
    this.conn.destroy();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
