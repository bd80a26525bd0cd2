/**
 * Turning the text of RESP scalars into JS values, and reading text out of Buffers quickly.
 */
import { ProtocolError } from '../errors';
import { quote } from './decode-errors';

/**
 * Most digits of a big number. Parsing a decimal string into a BigInt is super-linear in V8
 * (10^6 digits take ~0.1 s), so an unbounded one would let a server stall the event loop.
 */
export const MAX_BIG_NUMBER_DIGITS = 10_000;

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
  const signed = text[0] === '-' || text[0] === '+';
  if (text.length - (signed ? 1 : 0) > MAX_BIG_NUMBER_DIGITS) {
    throw new ProtocolError(`RESP big number has more than ${MAX_BIG_NUMBER_DIGITS} digits`);
  }
  return BigInt(text);
}
