/**
 * The line-level half of the decoder: finds line ends and turns complete lines (numbers,
 * simple strings, doubles, ...) into values straight from the bytes. The Decoder extends it
 * with the frame state machine; the split keeps each file readable on its own.
 */
import { constants as bufferConstants } from 'node:buffer';
import { InvalidArgumentError, ProtocolError } from '../errors';
import { badHeader, lineTooLong, missingLf, quote, replyError } from './decode-errors';
import { MAX_BIG_NUMBER_DIGITS, latin1Slice, parseBigNumber, parseDouble, utf8Slice } from './scalars';
import type { DecoderLimits } from './types';

export const DEFAULT_DECODER_LIMITS: Readonly<Required<DecoderLimits>> = Object.freeze({
  maxBulkLength: 512 * 1024 * 1024,
  maxLineLength: 64 * 1024 * 1024,
  maxAggregateLength: 2 ** 32 - 1,
  maxDepth: 64,
});

// Byte values are module-local constants on purpose: under tsx/esbuild an imported binding is
// read through a getter, which made this hot path 3-10x slower (measured with the micro-benchmark).
const CR = 13;
const LF = 10;
const PLUS = 43; // '+' simple string, or a sign
const MINUS = 45; // '-' simple error, or a sign
const COLON = 58; // ':'
const COMMA = 44; // ',' double
const PAREN = 40; // '(' big number
const HASH = 35; // '#' boolean
const LOWER_T = 116;
const LOWER_F = 102;

/**
 * Longest header line content (sign and digits, or a fixed token) of the types whose line is a
 * number or a token. A partial header longer than this cannot become valid, so a hostile stream
 * of digits is cut off here instead of at maxLineLength.
 */
const MAX_HEADER_LINE = 32;

const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class LineScanner {
  protected readonly maxBulkLength: number;
  protected readonly maxLineLength: number;
  protected readonly maxAggregateLength: number;
  protected readonly maxDepth: number;
  /** Out-parameter of readLength/readInteger: the index after the line's LF, or -1 if incomplete. */
  protected next = 0;

  constructor(limits: DecoderLimits | undefined) {
    this.maxBulkLength = limit(limits, 'maxBulkLength');
    this.maxLineLength = limit(limits, 'maxLineLength');
    this.maxAggregateLength = limit(limits, 'maxAggregateLength');
    this.maxDepth = limit(limits, 'maxDepth');
  }

  /** Value of a complete line of type -, ',', '(', '#' or '_' (content is buf[start..cr)). */
  protected lineValue(type: number, buf: Buffer, start: number, cr: number): unknown {
    switch (type) {
      case MINUS:
        return replyError(this.text(buf, start, cr));
      case COMMA:
        return parseDouble(latin1Slice.call(buf, start, cr));
      case PAREN:
        return parseBigNumber(latin1Slice.call(buf, start, cr));
      case HASH:
        if (cr - start === 1 && buf[start] === LOWER_T) return true;
        if (cr - start === 1 && buf[start] === LOWER_F) return false;
        throw new ProtocolError(`invalid RESP boolean ${quote(latin1Slice.call(buf, start, cr))}`);
      default: // UNDERSCORE
        if (cr === start) return null;
        throw new ProtocolError(`invalid RESP null ${quote(latin1Slice.call(buf, start, cr))}`);
    }
  }

  /**
   * Index of the CR ending the line that starts at `pos` (the type byte), or -1 when the line
   * or its LF has not arrived yet. A line ends at its first CR, which must be followed by LF.
   */
  protected lineEnd(buf: Buffer, pos: number, end: number): number {
    // Most lines are a few bytes: a JS scan beats the native call until it gets long.
    const scanEnd = pos + 33 < end ? pos + 33 : end;
    let cr = -1;
    for (let i = pos + 1; i < scanEnd; i++) {
      if (buf[i] === CR) {
        cr = i;
        break;
      }
    }
    if (cr < 0 && scanEnd < end) cr = buf.indexOf(CR, scanEnd);
    if (cr < 0 || cr + 1 >= end) return -1;
    if (buf[cr + 1] !== LF) throw missingLf(buf[pos]);
    const max = this.lineLimit(buf[pos]);
    if (cr - pos - 1 > max) throw lineTooLong(buf[pos], max);
    return cr;
  }

  /**
   * Parses the decimal length after a '$', '*', ... type byte. Sets `next` past the CRLF, or
   * to -1 when the line is incomplete. Rejects more than 16 digits as soon as they are seen.
   */
  protected readLength(buf: Buffer, from: number, end: number): number {
    let i = from;
    const negative = i < end && buf[i] === MINUS;
    if (negative) i++;
    const digitsStart = i;
    let n = 0;
    for (; i < end; i++) {
      const digit = buf[i] - 48;
      if (digit >= 0 && digit <= 9 && i - digitsStart < 16) {
        n = n * 10 + digit;
      } else if (buf[i] === CR && i > digitsStart) {
        break;
      } else {
        throw badHeader(buf, from - 1, i, 'length');
      }
    }
    if (i + 1 >= end) {
      this.next = -1;
      return 0;
    }
    if (buf[i + 1] !== LF) throw missingLf(buf[from - 1]);
    this.next = i + 2;
    return negative ? -n : n;
  }

  /** Parses a ':' integer from bytes: a number when it is a safe integer, else a bigint. */
  protected readInteger(buf: Buffer, from: number, end: number): number | bigint {
    let i = from;
    const sign = i < end ? buf[i] : 0;
    const negative = sign === MINUS;
    if (negative || sign === PLUS) i++;
    const digitsStart = i;
    let n = 0;
    for (; i < end; i++) {
      const digit = buf[i] - 48;
      // RESP integers are signed 64-bit: 20 digits is more than any of them needs.
      if (digit >= 0 && digit <= 9 && i - digitsStart < 20) {
        n = n * 10 + digit;
      } else if (buf[i] === CR && i > digitsStart) {
        break;
      } else {
        throw badHeader(buf, from - 1, i, 'integer');
      }
    }
    if (i + 1 >= end) {
      this.next = -1;
      return 0;
    }
    if (buf[i + 1] !== LF) throw missingLf(COLON);
    this.next = i + 2;
    // Up to 15 digits the double arithmetic above is exact.
    if (i - digitsStart <= 15) return negative ? 0 - n : n;
    const big = BigInt(latin1Slice.call(buf, from, i));
    return big >= MIN_SAFE && big <= MAX_SAFE ? Number(big) : big;
  }

  protected text(buf: Buffer, start: number, end: number): string {
    if (end - start > MAX_STRING_LENGTH) {
      throw new ProtocolError(
        `a ${end - start}-byte string is longer than a JavaScript string can be; read it with returnBuffers`,
      );
    }
    return utf8Slice.call(buf, start, end);
  }

  /** Longest content (between type byte and CR) a valid line of this type can have. */
  protected lineLimit(type: number): number {
    if (type === PLUS || type === MINUS || type === COMMA) return this.maxLineLength;
    if (type === PAREN) return Math.min(this.maxLineLength, MAX_BIG_NUMBER_DIGITS + 1); // + 1 for a sign
    return MAX_HEADER_LINE;
  }
}

function limit(limits: DecoderLimits | undefined, name: keyof DecoderLimits): number {
  const value = limits?.[name] ?? DEFAULT_DECODER_LIMITS[name];
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`decoder limit ${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}
