/**
 * Streaming RESP2 + RESP3 decoder. Pure: it takes bytes and calls back, nothing else.
 *
 * Frames may be split anywhere across feed() calls. Nothing already decoded is parsed again:
 * open aggregates live on an explicit stack (aggregate-stack.ts), and the only partial state
 * below them is one of
 *   - a line whose CRLF has not arrived (`lineParts`: its bytes from the type byte on), or
 *   - a bulk body that has not fully arrived (`bulkParts`: views of the chunks, concatenated
 *     once when the last byte arrives).
 * A frame that lies within one chunk is decoded straight from that chunk, with no concatenation.
 */
import { ProtocolError } from '../errors';
import { Aggregate, AggregateKind, setMapEntry } from './aggregate-stack';
import {
  badLength,
  checkNotTls,
  describeByte,
  lineTooLong,
  missingBulkCrlf,
  missingLf,
  replyError,
} from './decode-errors';
import { LineScanner } from './line-scanner';
import type { DecoderLimits } from './types';

export { DEFAULT_DECODER_LIMITS } from './line-scanner';

// Byte values are module-local constants on purpose: under tsx/esbuild an imported binding is
// read through a getter, which made this hot path 3-10x slower (measured with the micro-benchmark).
const CR = 13;
const LF = 10;
const PLUS = 43; // '+' simple string
const MINUS = 45; // '-' simple error
const COLON = 58; // ':' integer
const DOLLAR = 36; // '$' bulk string
const BANG = 33; // '!' bulk error
const EQUALS = 61; // '=' verbatim string
const STAR = 42; // '*' array
const PERCENT = 37; // '%' map
const TILDE = 126; // '~' set
const GREATER = 62; // '>' push
const PIPE = 124; // '|' attribute
const COMMA = 44; // ',' double
const PAREN = 40; // '(' big number
const HASH = 35; // '#' boolean
const UNDERSCORE = 95; // '_' null
const UPPER_O = 79;
const UPPER_K = 75;

export interface DecoderHandlers {
  /** A top-level reply. Error replies arrive here as ReplyError instances; they are not thrown. */
  onReply(value: unknown): void;
  /** A top-level RESP3 '>' push frame, decoded with strings unless `pushBuffers` is on. */
  onPush(value: unknown[]): void;
  /** A RESP3 '|' attribute map (decoded with strings); the value it annotates is delivered normally. */
  onAttribute?(attributes: Record<string, unknown>): void;
}

export class Decoder extends LineScanner {
  /**
   * Read at the start of each non-push top-level frame: decode that frame's bulk and verbatim
   * strings as Buffers instead of utf8 strings. The owner updates it synchronously from onReply.
   */
  returnBuffers = false;

  /**
   * Read at the start of each top-level '>' push frame: decode its bulk strings as Buffers (a
   * subscriber that asked for binary messages). Off by default: pushes come with strings.
   */
  pushBuffers = false;

  /**
   * Read with returnBuffers, at the start of each non-push top-level frame: decode that frame's
   * maps as flat [key, value, ...] arrays, as RESP2 sends them, so that binary keys survive (an
   * object's keys are strings).
   */
  flatMaps = false;

  private readonly handlers: DecoderHandlers;

  /** stack[0 .. depth-1] are the open aggregates; entries past depth are kept for reuse. */
  private readonly stack: Aggregate[] = [];
  private depth = 0;
  /** True from the first byte of a top-level frame until it is delivered. */
  private inFrame = false;
  /** returnBuffers as it was when the current top-level frame began. */
  private frameBuffers = false;
  /** flatMaps as it was when the current top-level frame began. */
  private frameFlatMaps = false;

  private lineParts: Buffer[] | null = null;
  private lineLength = 0;
  private lineType = 0;

  private bulkParts: Buffer[] | null = null;
  private bulkType = 0;
  /** Length of the body, without its CRLF; bulkHave counts body and CRLF bytes received. */
  private bulkLength = 0;
  private bulkHave = 0;

  private atStreamStart = true;
  /** After a ProtocolError the stream is out of sync for good: every later feed() throws it again. */
  private failure: ProtocolError | null = null;

  constructor(handlers: DecoderHandlers, limits?: DecoderLimits) {
    super(limits);
    this.handlers = handlers;
  }

  /** Bytes held for an incomplete frame (for diagnostics and tests). */
  get bufferedBytes(): number {
    return this.lineLength + this.bulkHave;
  }

  /**
   * Feeds bytes as they arrive and calls the handlers synchronously for every complete frame.
   * Throws ProtocolError on bad input; the decoder then refuses further input until reset().
   * An exception from a handler propagates too, and also ends decoding until reset(). Handlers
   * must not call feed() or reset() themselves. The chunk must not be modified afterwards: a
   * partial frame keeps views of it.
   */
  feed(chunk: Buffer): void {
    if (this.failure !== null) throw this.failure;
    if (chunk.length === 0) return;
    try {
      if (this.atStreamStart) {
        this.atStreamStart = false;
        checkNotTls(chunk[0]);
      }
      let pos = 0;
      if (this.lineParts !== null) {
        pos = this.resumeLine(chunk);
        if (pos < 0) return;
      }
      if (this.bulkParts !== null) {
        pos = this.resumeBulk(chunk, pos);
        if (pos < 0) return;
      }
      this.parse(chunk, pos);
    } catch (err) {
      // Whatever threw, the rest of the chunk was not decoded: feeding more would desync.
      this.failure =
        err instanceof ProtocolError
          ? err
          : new ProtocolError(
              `the decoder stopped because a handler threw (${err instanceof Error ? err.message : String(err)}); ` +
                'the rest of that input was not decoded',
            );
      throw err;
    }
  }

  /** Forgets every partial frame and any failure, as for a new connection. */
  reset(): void {
    for (let i = 0; i < this.depth; i++) this.stack[i].clear();
    this.depth = 0;
    this.inFrame = false;
    this.lineParts = null;
    this.lineLength = 0;
    this.bulkParts = null;
    this.bulkHave = 0;
    this.atStreamStart = true;
    this.failure = null;
  }

  /** Decodes every value in buf[pos..]; holds what is left of an incomplete one. */
  private parse(buf: Buffer, start: number): void {
    const end = buf.length;
    let pos = start;
    while (pos < end) {
      const type = buf[pos];
      if (this.depth === 0 && !this.inFrame) {
        this.inFrame = true;
        this.frameBuffers = type === GREATER ? this.pushBuffers : this.returnBuffers && type !== PIPE;
        this.frameFlatMaps = this.flatMaps && type !== GREATER && type !== PIPE;
      }
      let value: unknown;
      switch (type) {
        case PLUS: {
          if (pos + 4 < end && buf[pos + 1] === UPPER_O && buf[pos + 2] === UPPER_K && buf[pos + 3] === CR) {
            if (buf[pos + 4] !== LF) throw missingLf(type);
            value = 'OK';
            pos += 5;
            break;
          }
          const cr = this.lineEnd(buf, pos, end);
          if (cr < 0) return this.holdLine(type, buf, pos, end);
          value = this.text(buf, pos + 1, cr);
          pos = cr + 2;
          break;
        }
        case COLON:
          value = this.readInteger(buf, pos + 1, end);
          if (this.next < 0) return this.holdLine(type, buf, pos, end);
          pos = this.next;
          break;
        case DOLLAR:
        case BANG:
        case EQUALS: {
          const length = this.readLength(buf, pos + 1, end);
          const bodyStart = this.next;
          if (bodyStart < 0) return this.holdLine(type, buf, pos, end);
          if (length < 0 || length > this.maxBulkLength) {
            if (length !== -1 || type !== DOLLAR) throw badLength(type, length, this.maxBulkLength);
            value = null;
            pos = bodyStart;
            break;
          }
          const bodyEnd = bodyStart + length;
          if (bodyEnd + 2 > end) return this.holdBulk(type, length, buf, bodyStart, end);
          if (buf[bodyEnd] !== CR || buf[bodyEnd + 1] !== LF) throw missingBulkCrlf(type, length);
          value = this.bulkValue(type, buf, bodyStart, bodyEnd, false);
          pos = bodyEnd + 2;
          break;
        }
        case STAR:
        case PERCENT:
        case TILDE:
        case GREATER:
        case PIPE: {
          const count = this.readLength(buf, pos + 1, end);
          if (this.next < 0) return this.holdLine(type, buf, pos, end);
          pos = this.next;
          if (count < 0 || count > this.maxAggregateLength) {
            if (count !== -1 || type === GREATER || type === PIPE) {
              throw badLength(type, count, this.maxAggregateLength);
            }
            value = null;
            break;
          }
          // With flatMaps a map comes as RESP2 gives it, a flat [key, value, ...] array: its keys
          // stay Buffers (an object would turn binary field names into lossy strings).
          const flatMap = type === PERCENT && this.frameFlatMaps && this.frameBuffers;
          const kind =
            type === PERCENT && !flatMap
              ? AggregateKind.Map
              : type === PIPE
                ? AggregateKind.Attribute
                : type === GREATER && this.depth === 0
                  ? AggregateKind.Push
                  : AggregateKind.Array;
          if (count === 0) {
            this.complete(kind, kind === AggregateKind.Map || kind === AggregateKind.Attribute ? {} : []);
          } else {
            this.open(kind, flatMap ? count * 2 : count);
          }
          continue;
        }
        case MINUS:
        case COMMA:
        case PAREN:
        case HASH:
        case UNDERSCORE: {
          const cr = this.lineEnd(buf, pos, end);
          if (cr < 0) return this.holdLine(type, buf, pos, end);
          value = this.lineValue(type, buf, pos + 1, cr);
          pos = cr + 2;
          break;
        }
        default:
          throw new ProtocolError(
            `unexpected byte ${describeByte(type)} where a RESP type byte was expected` +
              (this.depth > 0 ? ` (inside an aggregate ${this.depth} deep)` : '') +
              '; the reply stream is out of sync',
          );
      }
      this.deliver(value);
    }
  }

  /** The value of a complete '$', '!' or '=' body buf[start..end). `owned`: buf is ours to hand out. */
  private bulkValue(type: number, buf: Buffer, start: number, end: number, owned: boolean): unknown {
    if (type === BANG) return replyError(this.text(buf, start, end));
    if (type === EQUALS) {
      // "txt:" or "mkd:" comes first; the value is what follows.
      if (end - start < 4 || buf[start + 3] !== COLON) {
        throw new ProtocolError('RESP verbatim string without its 3-letter format and colon');
      }
      start += 4;
    }
    if (!this.frameBuffers) return this.text(buf, start, end);
    if (owned) return buf.subarray(start, end);
    // Copy: a view would pin the whole socket chunk (often 64 KB) for as long as the value lives.
    const copy = Buffer.allocUnsafe(end - start);
    buf.copy(copy, 0, start, end);
    return copy;
  }

  private open(kind: AggregateKind, count: number): void {
    if (this.depth >= this.maxDepth) {
      throw new ProtocolError(`RESP aggregates nested deeper than maxDepth (${this.maxDepth})`);
    }
    let frame = this.stack[this.depth];
    if (frame === undefined) {
      frame = new Aggregate();
      this.stack.push(frame);
    }
    frame.open(kind, count);
    if (kind === AggregateKind.Attribute) {
      // Attributes are metadata for the owner, decoded with strings even inside a Buffer reply.
      frame.outerBuffers = this.frameBuffers;
      this.frameBuffers = false;
    }
    this.depth++;
  }

  /** Puts a complete value where it belongs: into the innermost open aggregate, or to the owner. */
  private deliver(value: unknown): void {
    while (this.depth > 0) {
      const top = this.stack[this.depth - 1];
      const kind = top.kind;
      if (kind === AggregateKind.Array || kind === AggregateKind.Push) {
        top.items[top.next++] = value;
      } else if (top.hasKey) {
        setMapEntry(top.map, top.key, value);
        top.hasKey = false;
        top.key = undefined;
      } else {
        top.key = value;
        top.hasKey = true;
      }
      if (--top.remaining > 0) return;
      this.depth--;
      value = kind === AggregateKind.Array || kind === AggregateKind.Push ? top.items : top.map;
      if (kind === AggregateKind.Attribute) this.frameBuffers = top.outerBuffers;
      top.clear();
      if (kind === AggregateKind.Push || kind === AggregateKind.Attribute) return this.complete(kind, value);
    }
    this.inFrame = false;
    this.handlers.onReply(value);
  }

  /** A finished aggregate: pushes and attributes go to their own handlers, the rest to deliver(). */
  private complete(kind: AggregateKind, value: unknown): void {
    if (kind === AggregateKind.Push) {
      this.inFrame = false;
      this.handlers.onPush(value as unknown[]);
    } else if (kind === AggregateKind.Attribute) {
      // An attribute annotates the value after it and is not an element of its parent.
      if (this.depth === 0) this.inFrame = false;
      this.handlers.onAttribute?.(value as Record<string, unknown>);
    } else {
      this.deliver(value);
    }
  }

  private holdLine(type: number, buf: Buffer, pos: number, end: number): void {
    this.checkHeldLine(type, end - pos);
    this.lineParts = [buf.subarray(pos, end)];
    this.lineLength = end - pos;
    this.lineType = type;
  }

  /** Fails as soon as a held line is longer than any valid line of its type could be. */
  private checkHeldLine(type: number, length: number): void {
    const max = this.lineLimit(type);
    // length counts the type byte and maybe a CR that arrived without its LF.
    if (length - 2 > max) throw lineTooLong(type, max);
  }

  /** Completes a held line with the start of `chunk`; returns where the chunk continues, or -1. */
  private resumeLine(chunk: Buffer): number {
    const parts = this.lineParts as Buffer[];
    const last = parts[parts.length - 1];
    let lf = 0; // where the LF should be, if the held bytes already end with the CR
    if (last[last.length - 1] !== CR) {
      const cr = chunk.indexOf(CR);
      if (cr < 0 || cr + 1 >= chunk.length) {
        parts.push(chunk);
        this.lineLength += chunk.length;
        this.checkHeldLine(this.lineType, this.lineLength);
        return -1;
      }
      lf = cr + 1;
    }
    parts.push(chunk.subarray(0, lf + 1));
    const line = Buffer.concat(parts, this.lineLength + lf + 1);
    this.lineParts = null;
    this.lineLength = 0;
    // The line is complete, so this decodes exactly it (or opens an aggregate, or a bulk body).
    this.parse(line, 0);
    return lf + 1;
  }

  private holdBulk(type: number, length: number, buf: Buffer, bodyStart: number, end: number): void {
    this.bulkType = type;
    this.bulkLength = length;
    this.bulkParts = bodyStart < end ? [buf.subarray(bodyStart, end)] : [];
    this.bulkHave = end - bodyStart;
  }

  /** Adds the start of `chunk` to a held bulk body; returns where the chunk continues, or -1. */
  private resumeBulk(chunk: Buffer, pos: number): number {
    const parts = this.bulkParts as Buffer[];
    const total = this.bulkLength + 2;
    const need = total - this.bulkHave;
    if (chunk.length - pos < need) {
      parts.push(pos === 0 ? chunk : chunk.subarray(pos));
      this.bulkHave += chunk.length - pos;
      return -1;
    }
    parts.push(chunk.subarray(pos, pos + need));
    const owned = parts.length > 1;
    const body = owned ? Buffer.concat(parts, total) : parts[0];
    this.bulkParts = null;
    this.bulkHave = 0;
    if (body[total - 2] !== CR || body[total - 1] !== LF) throw missingBulkCrlf(this.bulkType, this.bulkLength);
    this.deliver(this.bulkValue(this.bulkType, body, 0, this.bulkLength, owned));
    return pos + need;
  }
}
