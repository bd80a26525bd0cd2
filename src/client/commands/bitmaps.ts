import { def, id, optionKeys, withOptions, variadic, type RedisKey } from '../command-def';
import type { Arg } from '../../protocol/types';

/** A byte (default) or bit range for BITCOUNT / BITPOS; end needs start. */
export interface BitRange {
  start: number;
  end?: number;
  /** Redis 7: count start/end in bits instead of bytes. */
  mode?: 'BYTE' | 'BIT';
}

/** A BITFIELD integer type: 'u8', 'i16', ... (signed up to 64 bits, unsigned up to 63). */
export type BitfieldEncoding = `${'i' | 'u'}${number}`;
/** A bit offset, or '#n' for the n-th field of the encoding's width. */
export type BitfieldOffset = number | `#${number}`;

/** One BITFIELD sub-command. */
export type BitfieldOperation =
  | { GET: { encoding: BitfieldEncoding; offset: BitfieldOffset } }
  | { SET: { encoding: BitfieldEncoding; offset: BitfieldOffset; value: number } }
  | { INCRBY: { encoding: BitfieldEncoding; offset: BitfieldOffset; increment: number } }
  | { OVERFLOW: 'WRAP' | 'SAT' | 'FAIL' };

function rangeArgs(args: Arg[], range: BitRange | undefined): Arg[] {
  if (range === undefined) return args;
  args.push(range.start);
  if (range.end !== undefined) {
    args.push(range.end);
    if (range.mode !== undefined) args.push(range.mode);
  }
  return args;
}

function bitfieldArgs(key: RedisKey, operations: BitfieldOperation[]): Arg[] {
  const args: Arg[] = [key];
  for (const op of operations) {
    if ('GET' in op) args.push('GET', op.GET.encoding, op.GET.offset);
    else if ('SET' in op) args.push('SET', op.SET.encoding, op.SET.offset, op.SET.value);
    else if ('INCRBY' in op) args.push('INCRBY', op.INCRBY.encoding, op.INCRBY.offset, op.INCRBY.increment);
    else args.push('OVERFLOW', op.OVERFLOW);
  }
  return args;
}

/** Bitmap commands. */
export const BITMAPS = {
  /** SETBIT key offset 0|1: the bit's previous value. */
  setbit: def('SETBIT', (key: RedisKey, offset: number, value: 0 | 1) => [key, offset, value], id<0 | 1>()),
  /** GETBIT key offset: the bit (0 past the end). */
  getbit: def('GETBIT', (key: RedisKey, offset: number) => [key, offset], id<0 | 1>()),
  /** BITCOUNT key [start end [BYTE|BIT]]: how many bits are set. */
  bitcount: withOptions(
    def('BITCOUNT', (key: RedisKey, range?: BitRange) => rangeArgs([key], range), id<number>()),
    optionKeys<BitRange>({ start: 0, end: 0, mode: 0 }),
  ),
  /** BITPOS key 0|1 [start [end [BYTE|BIT]]]: the first position of that bit, or -1. */
  bitpos: withOptions(
    def('BITPOS', (key: RedisKey, bit: 0 | 1, range?: BitRange) => rangeArgs([key, bit], range), id<number>()),
    optionKeys<BitRange>({ start: 0, end: 0, mode: 0 }),
  ),
  /** BITOP AND|OR|XOR|NOT destination key [key ...]: the length of the result in bytes. */
  bitop: variadic(
    def(
      'BITOP',
      (operation: 'AND' | 'OR' | 'XOR' | 'NOT', destination: RedisKey, ...keys: RedisKey[]) => [
        operation,
        destination,
        ...keys,
      ],
      id<number>(),
    ),
  ),
  /** BITFIELD key [GET|SET|INCRBY|OVERFLOW ...]: one value per GET/SET/INCRBY; null where OVERFLOW FAIL stopped one. */
  bitfield: def('BITFIELD', bitfieldArgs, id<(number | null)[]>()),
  /** BITFIELD_RO key GET ...: the values (allowed on replicas). */
  bitfieldRo: def(
    'BITFIELD_RO',
    (key: RedisKey, gets: { encoding: BitfieldEncoding; offset: BitfieldOffset }[]) => {
      const args: Arg[] = [key];
      for (const g of gets) args.push('GET', g.encoding, g.offset);
      return args;
    },
    id<number[]>(),
  ),
};
