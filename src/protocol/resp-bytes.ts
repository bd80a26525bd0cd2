/**
 * Byte values of RESP and the small helpers the decoder uses to turn a complete line into a
 * value. Kept apart from decoder.ts so that the state machine there reads as one screen.
 */
import { ProtocolError } from '../errors';

export const CR = 13;
export const LF = 10;
export const MINUS = 45; // '-' simple error, and the sign of a number
export const PLUS = 43; // '+' simple string, and an explicit sign
export const COLON = 58; // ':' integer
export const DOLLAR = 36; // '$' bulk string
export const STAR = 42; // '*' array
export const UNDERSCORE = 95; // '_' null
export const HASH = 35; // '#' boolean
export const COMMA = 44; // ',' double
export const PAREN = 40; // '(' big number
export const BANG = 33; // '!' bulk error
export const EQUALS = 61; // '=' verbatim string
export const PERCENT = 37; // '%' map
export const TILDE = 126; // '~' set
export const GREATER = 62; // '>' push
export const PIPE = 124; // '|' attribute
export const DIGIT_0 = 48;
export const LOWER_T = 116;
export const LOWER_F = 102;
export const UPPER_O = 79;
export const UPPER_K = 75;

/**
 * Longest header line (type byte, sign, digits, CRLF) of the types whose line is a number or a
 * fixed token. A partial header longer than this cannot become valid, so a hostile stream of
 * digits is cut off here instead of at maxLineLength.
 */
export const MAX_HEADER_LINE = 32;

/**
 * Most digits of a big number. Parsing a decimal string into a BigInt is super-linear in V8
 * (10^6 digits take ~0.1 s), so an unbounded one would let a server stall the event loop.
 */
export const MAX_BIG_NUMBER_DIGITS = 10_000;

/** Types whose line is text of any length; all others have a short header line. */
export function isTextLine(type: number): boolean {
  return type === PLUS || type === MINUS || type === COMMA || type === PAREN;
}

/** `0x41 ('A')`: the byte as hex, plus the character when it is printable ASCII. */
export function describeByte(byte: number): string {
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  return byte >= 0x20 && byte < 0x7f ? `${hex} ('${String.fromCharCode(byte)}')` : hex;
}

type SliceFn = (this: Buffer, start: number, end: number) => string;
interface BufferInternals {
  utf8Slice?: SliceFn;
  latin1Slice?: SliceFn;
}
const internals = Buffer.prototype as unknown as BufferInternals;

/**
 * Node's own `utf8Slice` skips the argument checks of `toString('utf8', ...)` (~15% faster on
 * short replies). It is not documented, so fall back to `toString` where it is missing.
 */
export const utf8Slice: SliceFn =
  internals.utf8Slice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString('utf8', start, end);
  };

export const latin1Slice: SliceFn =
  internals.latin1Slice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString('latin1', start, end);
  };

const DOUBLE_SYNTAX = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A RESP3 double: decimal with optional exponent, or inf / -inf / nan. */
export function parseDouble(text: string): number {
  if (DOUBLE_SYNTAX.test(text)) return Number(text);
  switch (text.toLowerCase()) {
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
    case '-nan':
      return NaN;
  }
  throw new ProtocolError(`invalid RESP double ${quote(text)}`);
}

const BIG_NUMBER_SYNTAX = /^[+-]?\d+$/;

/** A RESP3 big number: an optional sign and decimal digits. */
export function parseBigNumber(text: string): bigint {
  if (!BIG_NUMBER_SYNTAX.test(text)) throw new ProtocolError(`invalid RESP big number ${quote(text)}`);
  const signed = text.charCodeAt(0) === MINUS || text.charCodeAt(0) === PLUS;
  if (text.length - (signed ? 1 : 0) > MAX_BIG_NUMBER_DIGITS) {
    throw new ProtocolError(`RESP big number has more than ${MAX_BIG_NUMBER_DIGITS} digits`);
  }
  return BigInt(text);
}

/** Quotes a piece of a bad line for an error message, cut short so a huge line stays readable. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * Sets `key` on a decoded map. `__proto__` must become an own property: assigning it would
 * replace the object's prototype with a value the server chose.
 */
export function setMapEntry(map: Record<string, unknown>, key: unknown, value: unknown): void {
  const name = typeof key === 'string' ? key : String(key); // String(Buffer) decodes utf8
  if (name === '__proto__') {
    Object.defineProperty(map, name, { value, writable: true, enumerable: true, configurable: true });
  } else {
    map[name] = value;
  }
}
