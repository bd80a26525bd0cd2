import { def, id, optionKeys, variadic, withOptions, type RedisKey, type RedisValue } from '../command-def';
import type { Arg } from '../../protocol/types';
import { checkArg } from '../../protocol/encoder';
import { ArgumentProblem } from '../args';
import { toBoolean, toNumber, toObject } from './reply';

export interface SetOptions {
  /** Expire after this many seconds. */
  EX?: number;
  /** Expire after this many milliseconds. */
  PX?: number;
  /** Expire at this Unix time (seconds). */
  EXAT?: number;
  /** Expire at this Unix time (milliseconds). */
  PXAT?: number;
  /** Only set if the key does not exist. */
  NX?: true;
  /** Only set if the key exists. */
  XX?: true;
  /** Keep the key's current time to live. */
  KEEPTTL?: true;
  /** Return the old value (or null) instead of OK. */
  GET?: true;
}

/** GETEX's expiry: at most one of them. */
export interface GetExOptions {
  EX?: number;
  PX?: number;
  EXAT?: number;
  PXAT?: number;
  /** Remove the time to live. */
  PERSIST?: true;
}

export interface LcsIdxOptions {
  /** Only matches at least this long. */
  MINMATCHLEN?: number;
  /** Include each match's length. */
  WITHMATCHLEN?: true;
}

/** One common run of LCS ... IDX: [start, end] positions (inclusive) in each string. */
export type LcsMatch = { a: [number, number]; b: [number, number]; length?: number };
export type LcsIdx = { matches: LcsMatch[]; len: number };

const SET_KEYS = optionKeys<SetOptions>({ EX: 0, PX: 0, EXAT: 0, PXAT: 0, NX: 0, XX: 0, KEEPTTL: 0, GET: 0 });
const GETEX_KEYS = optionKeys<GetExOptions>({ EX: 0, PX: 0, EXAT: 0, PXAT: 0, PERSIST: 0 });

function expiryArgs(args: Arg[], opts: SetOptions | GetExOptions): void {
  if (opts.EX !== undefined) args.push('EX', opts.EX);
  if (opts.PX !== undefined) args.push('PX', opts.PX);
  if (opts.EXAT !== undefined) args.push('EXAT', opts.EXAT);
  if (opts.PXAT !== undefined) args.push('PXAT', opts.PXAT);
}

function setArgs(key: RedisKey, value: RedisValue, opts?: SetOptions): Arg[] {
  const args: Arg[] = [key, value];
  if (opts === undefined) return args;
  expiryArgs(args, opts);
  if (opts.NX) args.push('NX');
  if (opts.XX) args.push('XX');
  if (opts.KEEPTTL) args.push('KEEPTTL');
  if (opts.GET) args.push('GET');
  return args;
}

/** Key/value pairs for MSET and friends: an object, a Map, or [key, value] tuples. */
export type KeyValues = Record<string, RedisValue> | Map<RedisKey, RedisValue> | Array<[RedisKey, RedisValue]>;

/**
 * Flattens an object, a Map or tuples into [k1, v1, k2, v2, ...]. A bad value is reported by its
 * key or field name (`field 'age' is undefined`), not by its position on the wire, which the caller
 * never wrote; the check costs nothing for string values.
 */
export function flattenPairs(pairs: KeyValues, what: 'key' | 'field' = 'key'): Arg[] {
  const out: Arg[] = [];
  const entries: Iterable<[RedisKey, RedisValue]> =
    Array.isArray(pairs) || pairs instanceof Map ? pairs : Object.entries(pairs);
  for (const entry of entries) {
    if (!Array.isArray(entry)) throw new ArgumentProblem(`each ${what} must be a [${what}, value] pair`);
    const [k, v] = entry;
    if (typeof k !== 'string') {
      const problem = checkArg(k);
      if (problem !== undefined) throw new ArgumentProblem(`a ${what} name: ${problem}`);
    }
    if (typeof v !== 'string') {
      const problem = checkArg(v);
      if (problem !== undefined) {
        const hint = what === 'field' ? ' (remove a field with hdel)' : '';
        throw new ArgumentProblem(`${what} '${String(k)}': ${problem}${hint}`);
      }
    }
    out.push(k, v);
  }
  return out;
}

function toLcsIdx(reply: unknown): LcsIdx {
  const obj = toObject<unknown>(reply);
  const matches = (obj.matches as unknown[][]).map((m): LcsMatch => {
    const a = m[0] as unknown[];
    const b = m[1] as unknown[];
    const match: LcsMatch = { a: [toNumber(a[0]), toNumber(a[1])], b: [toNumber(b[0]), toNumber(b[1])] };
    if (m.length > 2) match.length = toNumber(m[2]);
    return match;
  });
  return { matches, len: toNumber(obj.len) };
}

/** String commands. */
export const STRINGS = {
  /** GET key: the value, or null when the key does not exist. */
  get: def('GET', (key: RedisKey) => [key], id<string | null>()),
  /** SET key value [options]: 'OK'; null when NX/XX prevented it; with GET, the old value. */
  set: withOptions(def('SET', setArgs, id<string | null>()), SET_KEYS),
  /** GETEX key [EX|PX|EXAT|PXAT|PERSIST]: the value (or null), changing its expiry. */
  getex: withOptions(
    def(
      'GETEX',
      (key: RedisKey, opts?: GetExOptions): Arg[] => {
        const args: Arg[] = [key];
        if (opts !== undefined) {
          expiryArgs(args, opts);
          if (opts.PERSIST) args.push('PERSIST');
        }
        return args;
      },
      id<string | null>(),
    ),
    GETEX_KEYS,
  ),
  /** GETDEL key: the value (or null), deleting the key. */
  getdel: def('GETDEL', (key: RedisKey) => [key], id<string | null>()),
  /** GETSET key value: the old value (or null). Deprecated by Redis: prefer set(k, v, { GET: true }). */
  getset: def('GETSET', (key: RedisKey, value: RedisValue) => [key, value], id<string | null>()),
  /** MGET key [key ...]: the values, null for missing keys. */
  mget: variadic(def('MGET', (...keys: RedisKey[]) => keys, id<(string | null)[]>())),
  /** MSET {key: value, ...}: always 'OK'. */
  mset: def('MSET', (pairs: KeyValues) => flattenPairs(pairs), id<'OK'>()),
  /** MSETNX {key: value, ...}: true if all were set, false (none set) if any key existed. */
  msetnx: def('MSETNX', (pairs: KeyValues) => flattenPairs(pairs), toBoolean),
  /** SETNX key value: true if the key was set. */
  setnx: def('SETNX', (key: RedisKey, value: RedisValue) => [key, value], toBoolean),
  /** SETEX key seconds value: 'OK'. */
  setex: def('SETEX', (key: RedisKey, seconds: number, value: RedisValue) => [key, seconds, value], id<'OK'>()),
  /** PSETEX key milliseconds value: 'OK'. */
  psetex: def('PSETEX', (key: RedisKey, ms: number, value: RedisValue) => [key, ms, value], id<'OK'>()),
  /** APPEND key value: the new length. */
  append: def('APPEND', (key: RedisKey, value: RedisValue) => [key, value], id<number>()),
  /** STRLEN key: the length of the value (0 when missing). */
  strlen: def('STRLEN', (key: RedisKey) => [key], id<number>()),
  /** INCR key: the new value. */
  incr: def('INCR', (key: RedisKey) => [key], id<number>()),
  /** INCRBY key increment: the new value. */
  incrby: def('INCRBY', (key: RedisKey, increment: number) => [key, increment], id<number>()),
  /** INCRBYFLOAT key increment: the new value (a bulk string on the wire, a number here). */
  incrbyfloat: def('INCRBYFLOAT', (key: RedisKey, increment: number) => [key, increment], toNumber),
  /** DECR key: the new value. */
  decr: def('DECR', (key: RedisKey) => [key], id<number>()),
  /** DECRBY key decrement: the new value. */
  decrby: def('DECRBY', (key: RedisKey, decrement: number) => [key, decrement], id<number>()),
  /** GETRANGE key start end: the substring (inclusive, negative from the end). */
  getrange: def('GETRANGE', (key: RedisKey, start: number, end: number) => [key, start, end], id<string>()),
  /** SETRANGE key offset value: the new length. */
  setrange: def('SETRANGE', (key: RedisKey, offset: number, value: RedisValue) => [key, offset, value], id<number>()),
  /** LCS key1 key2: the longest common subsequence. */
  lcs: def('LCS', (key1: RedisKey, key2: RedisKey) => [key1, key2], id<string>()),
  /** LCS key1 key2 LEN: its length. */
  lcsLen: def('LCS', (key1: RedisKey, key2: RedisKey) => [key1, key2, 'LEN'], id<number>()),
  /** LCS key1 key2 IDX [MINMATCHLEN n] [WITHMATCHLEN]: where the common runs are, and the total length. */
  lcsIdx: withOptions(
    def(
      'LCS',
      (key1: RedisKey, key2: RedisKey, opts?: LcsIdxOptions): Arg[] => {
        const args: Arg[] = [key1, key2, 'IDX'];
        if (opts?.MINMATCHLEN !== undefined) args.push('MINMATCHLEN', opts.MINMATCHLEN);
        if (opts?.WITHMATCHLEN) args.push('WITHMATCHLEN');
        return args;
      },
      toLcsIdx,
    ),
    optionKeys<LcsIdxOptions>({ MINMATCHLEN: 0, WITHMATCHLEN: 0 }),
  ),
};
