/**
 * Command encoder: a command becomes a RESP array of bulk strings.
 *
 * Strategy: the text of every command issued in one tick is appended to one JS string, which
 * socket.write encodes to utf8 once. The alternative, writing each command straight into a
 * reusable preallocated Buffer (header bytes by hand, one utf8Write per argument, no
 * byteLength), was raced on SET with a 16-byte key and a 64-byte value, counting the utf8
 * encoding socket.write does for a string. In alternating slices on a quiet machine the
 * string was 0-14% faster (typically 5-8%) for batches of 10 to 1000 commands and 9-14%
 * slower for a lone command per tick, where the syscall that follows costs far more anyway.
 * It also needs no buffer pool and no undocumented Buffer method. Rerun the race with
 * `npx tsx bench/micro-protocol.ts --strategies`.
 *
 * Buffer and Uint8Array arguments are never copied: they become chunks of their own between
 * the text around them, and the socket writes all chunks in order.
 */
import { types } from 'node:util';
import type { Arg } from './types';

/** Length at which the text under construction becomes a chunk of its own. */
const TEXT_CHUNK_CHARACTERS = 8 * 1024 * 1024;

/**
 * `Buffer` is not a plain global in Node: globalThis.Buffer is an accessor. Read in the loop below,
 * every `Buffer.byteLength(arg)` was a global load through that getter (a LoadGlobalIC call from
 * the optimized code, ~150 instructions per argument under callgrind). Read once, here.
 */
// eslint-disable-next-line @typescript-eslint/unbound-method -- a static function that does not use `this`
const byteLength = Buffer.byteLength;

export class CommandEncoder {
  /** Finished chunks; the text after the last Buffer argument is still in `text`. */
  private chunks: Array<string | Buffer> = [];
  private text = '';
  private bytes = 0;

  /** Bytes appended since the last take(). */
  get pendingBytes(): number {
    return this.bytes;
  }

  /**
   * Appends one command: name then args, as a RESP array of bulk strings. Numbers become
   * decimal text (Infinity 'inf', -Infinity '-inf'), bigints their decimal text, strings utf8.
   * Assumes every arg passed checkArg().
   */
  write(name: string, args: readonly Arg[]): void {
    const nameBytes = byteLength(name);
    let text = this.text + '*' + (args.length + 1) + '\r\n$' + nameBytes + '\r\n' + name + '\r\n';
    // '*' argc CRLF '$' length CRLF name CRLF
    let bytes = this.bytes + 8 + digits(args.length + 1) + digits(nameBytes) + nameBytes;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (typeof arg === 'string') {
        // Bytes, not characters: the length prefix counts utf8 bytes.
        const length = byteLength(arg);
        text += '$' + length + '\r\n' + arg + '\r\n';
        bytes += 5 + digits(length) + length;
      } else if (typeof arg === 'number' || typeof arg === 'bigint') {
        // Decimal text is ASCII: its length is its byte length.
        const value = typeof arg === 'number' ? numberText(arg) : arg.toString();
        text += '$' + value.length + '\r\n' + value + '\r\n';
        bytes += 5 + digits(value.length) + value.length;
      } else {
        const length = arg.byteLength;
        text += '$' + length + '\r\n';
        bytes += 5 + digits(length) + length;
        if (length === 0) {
          text += '\r\n';
        } else {
          this.chunks.push(text, Buffer.isBuffer(arg) ? arg : Buffer.from(arg.buffer, arg.byteOffset, length));
          text = '\r\n';
        }
      }
    }
    if (text.length >= TEXT_CHUNK_CHARACTERS) {
      // Start a new string now and then: one string per tick must not grow toward V8's maximum
      // string length (~512 MiB) when a caller queues a great deal without flushing.
      this.chunks.push(text);
      text = '';
    }
    this.text = text;
    this.bytes = bytes;
  }

  /** Everything appended since the last take(), as chunks for socket.write in order; resets. */
  take(): Array<string | Buffer> {
    const chunks = this.chunks;
    if (this.text !== '') chunks.push(this.text);
    this.chunks = [];
    this.text = '';
    this.bytes = 0;
    return chunks;
  }
}

/** One command as a single Buffer (for tests and one-off writes). */
export function encodeCommand(name: string, args: readonly Arg[]): Buffer {
  const encoder = new CommandEncoder();
  encoder.write(name, args);
  const total = encoder.pendingBytes;
  const chunks = encoder.take();
  return Buffer.concat(
    chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk)),
    total,
  );
}

/**
 * Returns undefined when `arg` is a valid Arg, else a short description of what is wrong.
 * Valid: a string, a number other than NaN (±Infinity is fine: Redis reads 'inf'), a bigint,
 * a Buffer or another Uint8Array.
 */
export function checkArg(arg: unknown): string | undefined {
  switch (typeof arg) {
    case 'string':
    case 'bigint':
      return undefined;
    case 'number':
      return Number.isNaN(arg) ? 'NaN is not a valid number argument' : undefined;
    case 'undefined':
      return 'undefined is not a valid argument';
    case 'boolean':
      return `a boolean (${arg}) is not a valid argument: pass a string or a number`;
    case 'symbol':
      return 'a symbol is not a valid argument';
    case 'function':
      return 'a function is not a valid argument';
    case 'object':
      if (arg === null) return 'null is not a valid argument';
      // types.isUint8Array also recognises Buffers and arrays made in another realm.
      if (types.isUint8Array(arg)) return undefined;
      if (Array.isArray(arg)) return 'an array is not a valid argument: pass its elements as separate arguments';
      return `${describeObject(arg)} is not a valid argument: pass a string, number, bigint or Buffer`;
  }
  return `a ${typeof arg} is not a valid argument`;
}

function describeObject(arg: object): string {
  if (ArrayBuffer.isView(arg) || arg instanceof ArrayBuffer) {
    const name = Object.prototype.toString.call(arg).slice(8, -1); // e.g. 'Uint16Array'
    return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;
  }
  return 'an object';
}

function numberText(n: number): string {
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n); // -0 prints as '0'
}

/** Decimal digits of a non-negative integer, without making a string for the common sizes. */
function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : String(n).length;
}
