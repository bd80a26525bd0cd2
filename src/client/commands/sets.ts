import { def, id, withOptions, variadic, type RedisKey, type RedisValue } from '../command-def';
import type { Arg } from '../../protocol/types';
import { MEMBER_SCAN_KEYS, scanArgs, type ScanOptions } from './keys';
import { toBoolean, toBooleanArray } from './reply';

/** One step of SSCAN: the next cursor ('0' when done) and the members found. */
export type SetScanPage = { cursor: string; members: string[] };

const keyList = (keys: RedisKey | RedisKey[]): RedisKey[] => (Array.isArray(keys) ? keys : [keys]);

/** Set commands. RESP3 answers sets as '~' aggregates; they arrive here as arrays either way. */
export const SETS = {
  /** SADD key member [member ...]: how many were added. */
  sadd: variadic(def('SADD', (key: RedisKey, ...members: RedisValue[]) => [key, ...members], id<number>())),
  /** SREM key member [member ...]: how many were removed. */
  srem: variadic(def('SREM', (key: RedisKey, ...members: RedisValue[]) => [key, ...members], id<number>())),
  /** SMEMBERS key: every member (in no particular order). */
  smembers: def('SMEMBERS', (key: RedisKey) => [key], id<string[]>()),
  /** SISMEMBER key member: true if it is a member. */
  sismember: def('SISMEMBER', (key: RedisKey, member: RedisValue) => [key, member], toBoolean),
  /** SMISMEMBER key member [member ...]: for each, true if it is a member. */
  smismember: variadic(
    def('SMISMEMBER', (key: RedisKey, ...members: RedisValue[]) => [key, ...members], toBooleanArray),
  ),
  /** SCARD key: the number of members. */
  scard: def('SCARD', (key: RedisKey) => [key], id<number>()),
  /** SPOP key: a random member, removed; null when the set is missing. */
  spop: def('SPOP', (key: RedisKey) => [key], id<string | null>()),
  /** SPOP key count: up to count random members, removed. */
  spopCount: def('SPOP', (key: RedisKey, count: number) => [key, count], id<string[]>()),
  /** SRANDMEMBER key: a random member, or null. */
  srandmember: def('SRANDMEMBER', (key: RedisKey) => [key], id<string | null>()),
  /** SRANDMEMBER key count: distinct random members (count > 0) or, count < 0, possibly repeated ones. */
  srandmemberCount: def('SRANDMEMBER', (key: RedisKey, count: number) => [key, count], id<string[]>()),
  /** SINTER key [key ...]: the intersection. */
  sinter: variadic(def('SINTER', (...keys: RedisKey[]) => keys, id<string[]>())),
  /** SUNION key [key ...]: the union. */
  sunion: variadic(def('SUNION', (...keys: RedisKey[]) => keys, id<string[]>())),
  /** SDIFF key [key ...]: the members of the first set not in the others. */
  sdiff: variadic(def('SDIFF', (...keys: RedisKey[]) => keys, id<string[]>())),
  /** SINTERSTORE destination key [key ...]: the size of the stored intersection. */
  sinterstore: variadic(
    def('SINTERSTORE', (destination: RedisKey, ...keys: RedisKey[]) => [destination, ...keys], id<number>()),
  ),
  /** SUNIONSTORE destination key [key ...]: the size of the stored union. */
  sunionstore: variadic(
    def('SUNIONSTORE', (destination: RedisKey, ...keys: RedisKey[]) => [destination, ...keys], id<number>()),
  ),
  /** SDIFFSTORE destination key [key ...]: the size of the stored difference. */
  sdiffstore: variadic(
    def('SDIFFSTORE', (destination: RedisKey, ...keys: RedisKey[]) => [destination, ...keys], id<number>()),
  ),
  /** SINTERCARD numkeys key [key ...] [LIMIT n]: the size of the intersection (stopping at LIMIT). */
  sintercard: withOptions(
    def(
      'SINTERCARD',
      (keys: RedisKey | RedisKey[], opts?: { LIMIT?: number }): Arg[] => {
        const list = keyList(keys);
        const args: Arg[] = [list.length, ...list];
        if (opts?.LIMIT !== undefined) args.push('LIMIT', opts.LIMIT);
        return args;
      },
      id<number>(),
    ),
    ['LIMIT'],
  ),
  /** SMOVE source destination member: true if moved. */
  smove: def(
    'SMOVE',
    (source: RedisKey, destination: RedisKey, member: RedisValue) => [source, destination, member],
    toBoolean,
  ),
  /** SSCAN key cursor [MATCH] [COUNT]: one step; see sscanIterator for the whole loop. */
  sscan: withOptions(
    def(
      'SSCAN',
      (key: RedisKey, cursor: string | number, opts?: Omit<ScanOptions, 'TYPE'>) => scanArgs([key, cursor], opts),
      (r: unknown[]): SetScanPage => ({ cursor: String(r[0]), members: r[1] as string[] }),
    ),
    MEMBER_SCAN_KEYS,
  ),
};
