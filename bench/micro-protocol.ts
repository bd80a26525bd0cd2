/**
 * Micro-benchmarks of the protocol layer, no sockets involved.
 *
 *   npx tsx bench/micro-protocol.ts [--quick] [--strategies]
 *
 * Decoder: replies are fed in 64 KB chunks, as a socket delivers them, so frames straddle
 * chunk boundaries the way they do in real life. Encoder: commands are written in batches of
 * 100 and taken as one tick's worth; the string chunks are then utf8-encoded once into a
 * scratch buffer, because that is work socket.write would do for us and a fair comparison must
 * count it. --strategies also races the encoder against a pooled-Buffer encoder (the
 * alternative this project measured and did not keep).
 */
import { Decoder } from '../src/protocol/decoder';
import { CommandEncoder } from '../src/protocol/encoder';
import type { Arg } from '../src/protocol/types';

const quick = process.argv.includes('--quick');
const strategies = process.argv.includes('--strategies');
const caseSeconds = quick ? 0.2 : 1;
const CHUNK = 64 * 1024;

interface Row {
  name: string;
  mbPerSecond: number;
  opsPerSecond: number;
  unit: string;
}
const rows: Row[] = [];

/**
 * Runs `round` (which returns [ops, bytes] done) for about caseSeconds after a short warm-up,
 * in five slices, and keeps the best slice: other processes on a shared machine only ever
 * make a slice slower, so the best one is the closest to what the code itself costs.
 */
function measure(name: string, unit: string, round: () => [number, number]): void {
  for (let end = performance.now() + caseSeconds * 200; performance.now() < end;) round();
  let best: Row = { name, unit, mbPerSecond: 0, opsPerSecond: 0 };
  for (let slice = 0; slice < 5; slice++) {
    let ops = 0;
    let bytes = 0;
    const start = performance.now();
    const end = start + caseSeconds * 200;
    while (performance.now() < end) {
      const [o, b] = round();
      ops += o;
      bytes += b;
    }
    const seconds = (performance.now() - start) / 1000;
    if (ops / seconds > best.opsPerSecond) {
      best = { name, unit, mbPerSecond: bytes / seconds / 1e6, opsPerSecond: ops / seconds };
    }
  }
  rows.push(best);
}

// --- decoder -------------------------------------------------------------------------------

/** About 4 MB of `frame` repeated, cut into 64 KB chunks. */
function stream(frame: string | Buffer, minBytes = 4 * 1024 * 1024): { chunks: Buffer[]; frames: number } {
  const one = Buffer.isBuffer(frame) ? frame : Buffer.from(frame);
  const frames = Math.max(1, Math.ceil(minBytes / one.length));
  const all = Buffer.concat(Array.from({ length: frames }, () => one));
  const chunks: Buffer[] = [];
  for (let i = 0; i < all.length; i += CHUNK) chunks.push(all.subarray(i, i + CHUNK));
  return { chunks, frames };
}

function decoderCase(name: string, frame: string | Buffer, returnBuffers = false): void {
  const { chunks, frames } = stream(frame);
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  let replies = 0;
  const decoder = new Decoder({
    onReply: () => {
      replies++;
    },
    onPush: () => {},
  });
  decoder.returnBuffers = returnBuffers;
  measure(`decode ${name}`, 'replies/s', () => {
    for (const chunk of chunks) decoder.feed(chunk);
    if (replies !== frames) throw new Error(`expected ${frames} replies, got ${replies}`);
    replies = 0;
    return [frames, bytes];
  });
}

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const value16 = 'v'.repeat(16);

decoderCase('+OK', '+OK\r\n');
decoderCase('integer :12345', ':12345\r\n');
decoderCase('bulk string 16 B', bulk(value16));
decoderCase('bulk string 16 B as Buffer', bulk(value16), true);
decoderCase('array of 100 bulk 16 B', `*100\r\n${bulk(value16).repeat(100)}`);
decoderCase('bulk string 100 KB', bulk('x'.repeat(100 * 1024)));
decoderCase('bulk string 100 KB as Buffer', bulk('x'.repeat(100 * 1024)), true);
decoderCase(
  'RESP3 map of 10 fields',
  `%10\r\n${Array.from({ length: 10 }, (_, i) => bulk(`field:${i}`) + bulk(value16)).join('')}`,
);

// --- encoder -------------------------------------------------------------------------------

interface Encoder {
  write(name: string, args: readonly Arg[]): void;
  take(): Array<string | Buffer>;
}

const scratch = Buffer.allocUnsafe(16 * 1024 * 1024);

/** Node's undocumented fast path behind buf.write(s, offset, 'utf8'); the pooled encoder deserves it. */
const utf8Write = (Buffer.prototype as unknown as { utf8Write: (this: Buffer, s: string, offset: number) => number })
  .utf8Write;

/** One tick's worth: `batch` commands written, taken, and encoded as socket.write would. */
function encodeRound(encoder: Encoder, args: readonly Arg[], batch: number): [number, number] {
  for (let i = 0; i < batch; i++) encoder.write('SET', args);
  let bytes = 0;
  // A string chunk is utf8-encoded once by socket.write; a Buffer is written as is.
  for (const chunk of encoder.take()) {
    bytes += typeof chunk === 'string' ? utf8Write.call(scratch, chunk, 0) : chunk.length;
  }
  return [batch, bytes];
}

function encoderCase(name: string, args: readonly Arg[], batch: number): void {
  const encoder = new CommandEncoder();
  measure(`encode ${name}`, 'commands/s', () => encodeRound(encoder, args, batch));
}

const key16 = 'key:0123456789ab';
const value64 = 'v'.repeat(64);
const buffer100k = Buffer.alloc(100 * 1024, 1);

encoderCase('SET 16 B key, 64 B value (batches of 100)', [key16, value64], 100);
encoderCase('SET 16 B key, 64 B value (one per tick)', [key16, value64], 1);
encoderCase('SET with a 100 KB Buffer value', [key16, buffer100k], 10);

/**
 * The alternative that lost: each command written straight into a preallocated 64 KB Buffer
 * (header bytes by hand, one utf8Write per string, no byteLength call), handed out as slices.
 * Strings and Buffers only, enough for the race.
 */
class PooledBufferEncoder implements Encoder {
  private pool = Buffer.allocUnsafe(CHUNK);
  private start = 0;
  private offset = 0;
  private chunks: Buffer[] = [];

  write(name: string, args: readonly Arg[]): void {
    this.reserve(16);
    this.pool[this.offset++] = 42; // '*'
    this.decimal(args.length + 1);
    this.string(name);
    for (const arg of args) {
      if (typeof arg === 'string') this.string(arg);
      else if (Buffer.isBuffer(arg)) this.buffer(arg);
      else throw new Error('the race only needs strings and Buffers');
    }
  }

  take(): Buffer[] {
    this.cut();
    const chunks = this.chunks;
    this.chunks = [];
    return chunks;
  }

  private string(s: string): void {
    this.reserve(s.length * 3 + 32);
    const pool = this.pool;
    pool[this.offset++] = 36; // '$'
    // Guess the length prefix from the character count; move the body if utf8 made it longer.
    const guess = digits(s.length);
    const body = this.offset + guess + 2;
    const written = utf8Write.call(pool, s, body);
    const actual = digits(written);
    if (actual !== guess) pool.copyWithin(body + actual - guess, body, body + written);
    this.decimal(written);
    this.offset += written;
    pool[this.offset++] = 13;
    pool[this.offset++] = 10;
  }

  private buffer(b: Buffer): void {
    this.reserve(32);
    this.pool[this.offset++] = 36;
    this.decimal(b.length);
    this.cut();
    this.chunks.push(b);
    this.reserve(2);
    this.pool[this.offset++] = 13;
    this.pool[this.offset++] = 10;
  }

  /** Writes n and CRLF at offset. */
  private decimal(n: number): void {
    const end = this.offset + digits(n);
    for (let i = end - 1; i >= this.offset; i--) {
      this.pool[i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    this.offset = end;
    this.pool[this.offset++] = 13;
    this.pool[this.offset++] = 10;
  }

  private cut(): void {
    if (this.offset > this.start) this.chunks.push(this.pool.subarray(this.start, this.offset));
    this.start = this.offset;
  }

  private reserve(n: number): void {
    if (this.offset + n <= this.pool.length) return;
    this.cut();
    this.pool = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.start = this.offset = 0;
  }
}

function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : String(n).length;
}

/**
 * The race behind the choice of strategy. Slices of the two alternate (ABBA...) so that load
 * from other processes hits both alike; the median of the per-pair ratios is what counts.
 */
function race(batch: number): string {
  const contenders: Encoder[] = [new CommandEncoder(), new PooledBufferEncoder()];
  const rates: number[][] = [[], []];
  const sliceMs = quick ? 10 : 50;
  for (let pair = 0; pair < 20; pair++) {
    for (const which of pair % 2 === 0 ? [0, 1] : [1, 0]) {
      let commands = 0;
      const start = performance.now();
      while (performance.now() - start < sliceMs)
        commands += encodeRound(contenders[which], [key16, value64], batch)[0];
      rates[which].push(commands / ((performance.now() - start) / 1000));
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const ratio = median(rates[0].map((rate, i) => rate / rates[1][i]));
  return (
    `${String(batch).padStart(5)}  ${fmt(median(rates[0])).padStart(12)}  ${fmt(median(rates[1])).padStart(12)}  ` +
    `${ratio.toFixed(2).padStart(6)}`
  );
}

// --- report --------------------------------------------------------------------------------

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const width = Math.max(...rows.map((r) => r.name.length));
console.log(`romaine protocol micro-benchmarks (node ${process.version}${quick ? ', --quick' : ''})`);
console.log(`${'case'.padEnd(width)}  ${'MB/s'.padStart(8)}  ${'ops/s'.padStart(13)}`);
for (const row of rows) {
  console.log(
    `${row.name.padEnd(width)}  ${fmt(row.mbPerSecond).padStart(8)}  ${fmt(row.opsPerSecond).padStart(13)} ${row.unit}`,
  );
}

if (strategies) {
  console.log('\nencoder strategy race, SET 16 B key + 64 B value, commands/s (median of 20 alternating slices)');
  console.log('batch        string  pooled Buffer  string/pooled');
  for (const batch of [1, 10, 100, 1000]) console.log(race(batch));
}
