import { bufferMap, def, id, withOptions, variadic, type RedisKey, type RedisValue } from '../command-def';
import type { Arg } from '../../protocol/types';
import { ArgumentProblem } from '../args';
import { MEMBER_SCAN_KEYS, scanArgs, type ScanOptions } from './keys';
import { toBoolean, toNumber, toObject, toStringPairs } from './reply';
import { flattenPairs, type KeyValues } from './strings';

/** One step of HSCAN: the next cursor ('0' when done) and [field, value] tuples. */
export type HashScanPage = { cursor: string; entries: [string, string][] };

/** HSET's fields: an object, a Map, [field, value] tuples, or field, value, field, value, ... */
function hsetArgs(key: RedisKey, fields: KeyValues | RedisValue, ...more: RedisValue[]): Arg[] {
  if (typeof fields === 'object' && !Buffer.isBuffer(fields)) {
    if (more.length > 0)
      throw new ArgumentProblem(`takes the fields as one object, Map or list of pairs, then nothing more`);
    return [key, ...flattenPairs(fields, 'field')];
  }
  return [key, fields, ...more];
}

/** Hash commands. */
export const HASHES = {
  /**
   * HSET key {field: value, ...} | key field value [field value ...]: how many fields were added
   * (not counting updated ones).
   */
  hset: variadic(def('HSET', hsetArgs, id<number>())),
  /** HSETNX key field value: true if the field was set (it did not exist). */
  hsetnx: def('HSETNX', (key: RedisKey, field: RedisValue, value: RedisValue) => [key, field, value], toBoolean),
  /** HGET key field: the value, or null. */
  hget: def('HGET', (key: RedisKey, field: RedisValue) => [key, field], id<string | null>()),
  /** HMGET key field [field ...]: the values, null for missing fields. */
  hmget: variadic(def('HMGET', (key: RedisKey, ...fields: RedisValue[]) => [key, ...fields], id<(string | null)[]>())),
  /**
   * HGETALL key: every field and value as an object ({} when the key is missing). In the `buffers`
   * view, a `Map<Buffer, Buffer>`: binary field names are kept.
   */
  hgetall: bufferMap(
    def(
      'HGETALL',
      (key: RedisKey) => [key],
      (r: unknown) => toObject<string>(r),
    ),
  ),
  /** HDEL key field [field ...]: how many fields were removed. */
  hdel: variadic(def('HDEL', (key: RedisKey, ...fields: RedisValue[]) => [key, ...fields], id<number>())),
  /** HEXISTS key field: true if the field exists. */
  hexists: def('HEXISTS', (key: RedisKey, field: RedisValue) => [key, field], toBoolean),
  /** HINCRBY key field increment: the new value. */
  hincrby: def(
    'HINCRBY',
    (key: RedisKey, field: RedisValue, increment: number) => [key, field, increment],
    id<number>(),
  ),
  /** HINCRBYFLOAT key field increment: the new value (a bulk string on the wire, a number here). */
  hincrbyfloat: def(
    'HINCRBYFLOAT',
    (key: RedisKey, field: RedisValue, increment: number) => [key, field, increment],
    toNumber,
  ),
  /** HKEYS key: the field names. */
  hkeys: def('HKEYS', (key: RedisKey) => [key], id<string[]>()),
  /** HVALS key: the values. */
  hvals: def('HVALS', (key: RedisKey) => [key], id<string[]>()),
  /** HLEN key: the number of fields. */
  hlen: def('HLEN', (key: RedisKey) => [key], id<number>()),
  /** HSTRLEN key field: the length of the value (0 when missing). */
  hstrlen: def('HSTRLEN', (key: RedisKey, field: RedisValue) => [key, field], id<number>()),
  /** HRANDFIELD key: a random field, or null when the key is missing. */
  hrandfield: def('HRANDFIELD', (key: RedisKey) => [key], id<string | null>()),
  /** HRANDFIELD key count: distinct random fields (count > 0) or, count < 0, possibly repeated ones. */
  hrandfieldCount: def('HRANDFIELD', (key: RedisKey, count: number) => [key, count], id<string[]>()),
  /** HRANDFIELD key count WITHVALUES: [field, value] tuples (flat in RESP2, pairs in RESP3: same result). */
  hrandfieldWithValues: def('HRANDFIELD', (key: RedisKey, count: number) => [key, count, 'WITHVALUES'], toStringPairs),
  /** HSCAN key cursor [MATCH] [COUNT]: one step; see hscanIterator for the whole loop. */
  hscan: withOptions(
    def(
      'HSCAN',
      (key: RedisKey, cursor: string | number, opts?: Omit<ScanOptions, 'TYPE'>) => scanArgs([key, cursor], opts),
      (r: unknown[]): HashScanPage => ({ cursor: String(r[0]), entries: toStringPairs(r[1]) }),
    ),
    MEMBER_SCAN_KEYS,
  ),
};
