import { def, id, withOptions, variadic, type RedisKey, type RedisValue, optionKeys } from '../command-def';
import type { Arg } from '../../protocol/types';
import { secondsAt } from './blocking';
import { MEMBER_SCAN_KEYS, scanArgs, type ScanOptions } from './keys';
import { toNullableNumber, toNullableNumberArray, toNumber, toScoredMembers, type ScoredMember } from './reply';

export type { ScoredMember };

/** A member to add: its score and value. */
export type ZMember = { score: number; value: RedisValue };

/** A range bound: a rank or score (number), '-inf'/'+inf', '(5' (exclusive), or for BYLEX '[a', '(a', '-', '+'. */
export type RangeBound = number | string;

export interface ZAddOptions {
  /** Only add new members. */
  NX?: true;
  /** Only update existing members. */
  XX?: true;
  /** Only update when the new score is greater. */
  GT?: true;
  /** Only update when the new score is less. */
  LT?: true;
  /** Count changed members too, not only added ones. */
  CH?: true;
}

export interface ZRangeOptions {
  /** Ranges are scores (BYSCORE) or lexicographic bounds (BYLEX) instead of ranks. */
  BY?: 'SCORE' | 'LEX';
  /** Highest first (start is then the higher bound). */
  REV?: true;
  /** With BY: skip `offset` and return at most `count` (count < 0: all). */
  LIMIT?: { offset: number; count: number };
}

export interface ZCombineOptions {
  /** A multiplier per input key. */
  WEIGHTS?: number[];
  /** How the scores of a member present in several sets combine (default SUM). */
  AGGREGATE?: 'SUM' | 'MIN' | 'MAX';
}

/** What a blocking pop took: the sorted set it came from, the member and its score. */
export type KeyScoredMember = { key: string; value: string; score: number };
/** What ZMPOP/BZMPOP took: the sorted set it came from and the members with their scores. */
export type KeyScoredMembers = { key: string; members: ScoredMember[] };

/** One step of ZSCAN: the next cursor ('0' when done) and the members with their scores. */
export type SortedSetScanPage = { cursor: string; members: ScoredMember[] };

const keyList = (keys: RedisKey | RedisKey[]): RedisKey[] => (Array.isArray(keys) ? keys : [keys]);

const ZADD_KEYS: readonly string[] = optionKeys<ZAddOptions>({ NX: 0, XX: 0, GT: 0, LT: 0, CH: 0 });
const ZRANGE_KEYS = optionKeys<ZRangeOptions>({ BY: 0, REV: 0, LIMIT: 0 });
const ZCOMBINE_KEYS = optionKeys<ZCombineOptions>({ WEIGHTS: 0, AGGREGATE: 0 });

function zaddArgs(key: RedisKey, opts: ZAddOptions | undefined): Arg[] {
  const args: Arg[] = [key];
  if (opts?.NX) args.push('NX');
  if (opts?.XX) args.push('XX');
  if (opts?.GT) args.push('GT');
  if (opts?.LT) args.push('LT');
  if (opts?.CH) args.push('CH');
  return args;
}

function rangeArgs(args: Arg[], opts: ZRangeOptions | undefined): Arg[] {
  if (opts?.BY !== undefined) args.push(opts.BY === 'SCORE' ? 'BYSCORE' : 'BYLEX');
  if (opts?.REV) args.push('REV');
  if (opts?.LIMIT !== undefined) args.push('LIMIT', opts.LIMIT.offset, opts.LIMIT.count);
  return args;
}

/** numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE a] */
function combineArgs(keys: RedisKey | RedisKey[], opts: ZCombineOptions | undefined): Arg[] {
  const list = keyList(keys);
  const args: Arg[] = [list.length, ...list];
  if (opts?.WEIGHTS !== undefined) args.push('WEIGHTS', ...opts.WEIGHTS);
  if (opts?.AGGREGATE !== undefined) args.push('AGGREGATE', opts.AGGREGATE);
  return args;
}

function mpopArgs(keys: RedisKey | RedisKey[], which: 'MIN' | 'MAX', count: number | undefined): Arg[] {
  const list = keyList(keys);
  const args: Arg[] = [list.length, ...list, which];
  if (count !== undefined) args.push('COUNT', count);
  return args;
}

const toKeyScoredMember = (r: unknown[] | null): KeyScoredMember | null =>
  r === null ? null : { key: r[0] as string, value: r[1] as string, score: toNumber(r[2]) };
const toKeyScoredMembers = (r: unknown[] | null): KeyScoredMembers | null =>
  r === null ? null : { key: r[0] as string, members: toScoredMembers(r[1]) };

const range = (key: RedisKey, start: RangeBound, stop: RangeBound, opts?: ZRangeOptions) =>
  rangeArgs([key, start, stop], opts);
const combine = (keys: RedisKey | RedisKey[], opts?: ZCombineOptions) => combineArgs(keys, opts);
const combineWithScores = (keys: RedisKey | RedisKey[], opts?: ZCombineOptions) => [
  ...combineArgs(keys, opts),
  'WITHSCORES',
];
const combineStore = (destination: RedisKey, keys: RedisKey | RedisKey[], opts?: ZCombineOptions) => [
  destination,
  ...combineArgs(keys, opts),
];
const diff = (keys: RedisKey | RedisKey[]) => combineArgs(keys, undefined);

/** Sorted set commands. Scores are numbers whether they came as RESP3 doubles or RESP2 strings. */
export const SORTED_SETS = {
  /** ZADD key [NX|XX] [GT|LT] [CH] {score, value} ...: how many were added (with CH: changed). */
  zadd: withOptions(
    def(
      'ZADD',
      (key: RedisKey, members: ZMember | ZMember[], opts?: ZAddOptions): Arg[] => {
        const args = zaddArgs(key, opts);
        for (const m of Array.isArray(members) ? members : [members]) args.push(m.score, m.value);
        return args;
      },
      id<number>(),
    ),
    ZADD_KEYS,
  ),
  /** ZADD key [NX|XX] [GT|LT] INCR {score, value}: the new score, or null when a condition prevented it. */
  zaddIncr: withOptions(
    def(
      'ZADD',
      (key: RedisKey, member: ZMember, opts?: Omit<ZAddOptions, 'CH'>) => [
        ...zaddArgs(key, opts),
        'INCR',
        member.score,
        member.value,
      ],
      toNullableNumber,
    ),
    ZADD_KEYS.filter((k) => k !== 'CH'),
  ),
  /** ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT]: the members. */
  zrange: withOptions(def('ZRANGE', range, id<string[]>()), ZRANGE_KEYS),
  /** ZRANGE ... WITHSCORES: [{value, score}] (flat in RESP2, pairs in RESP3: same result). */
  zrangeWithScores: withOptions(
    def(
      'ZRANGE',
      (key: RedisKey, start: RangeBound, stop: RangeBound, opts?: ZRangeOptions) => [
        ...range(key, start, stop, opts),
        'WITHSCORES',
      ],
      toScoredMembers,
    ),
    ZRANGE_KEYS,
  ),
  /** ZRANGESTORE dst src start stop [BYSCORE|BYLEX] [REV] [LIMIT]: how many were stored. */
  zrangestore: withOptions(
    def(
      'ZRANGESTORE',
      (destination: RedisKey, source: RedisKey, start: RangeBound, stop: RangeBound, opts?: ZRangeOptions) =>
        rangeArgs([destination, source, start, stop], opts),
      id<number>(),
    ),
    ZRANGE_KEYS,
  ),
  /** ZREM key member [member ...]: how many were removed. */
  zrem: variadic(def('ZREM', (key: RedisKey, ...members: RedisValue[]) => [key, ...members], id<number>())),
  /** ZSCORE key member: the score, or null. */
  zscore: def('ZSCORE', (key: RedisKey, member: RedisValue) => [key, member], toNullableNumber),
  /** ZMSCORE key member [member ...]: the scores, null for non-members. */
  zmscore: variadic(
    def('ZMSCORE', (key: RedisKey, ...members: RedisValue[]) => [key, ...members], toNullableNumberArray),
  ),
  /** ZINCRBY key increment member: the new score. */
  zincrby: def('ZINCRBY', (key: RedisKey, increment: number, member: RedisValue) => [key, increment, member], toNumber),
  /** ZCARD key: the number of members. */
  zcard: def('ZCARD', (key: RedisKey) => [key], id<number>()),
  /** ZCOUNT key min max: how many scores lie in [min, max] ('(' for exclusive, '-inf', '+inf'). */
  zcount: def('ZCOUNT', (key: RedisKey, min: RangeBound, max: RangeBound) => [key, min, max], id<number>()),
  /** ZLEXCOUNT key min max: how many members lie in the lexicographic range ('[a', '(a', '-', '+'). */
  zlexcount: def('ZLEXCOUNT', (key: RedisKey, min: string, max: string) => [key, min, max], id<number>()),
  /** ZRANK key member: the rank (lowest score first), or null. */
  zrank: def('ZRANK', (key: RedisKey, member: RedisValue) => [key, member], id<number | null>()),
  /** ZREVRANK key member: the rank (highest score first), or null. */
  zrevrank: def('ZREVRANK', (key: RedisKey, member: RedisValue) => [key, member], id<number | null>()),
  /** ZPOPMIN key [count]: the lowest members, removed ([] when the key is missing). */
  zpopmin: def(
    'ZPOPMIN',
    (key: RedisKey, count?: number) => (count === undefined ? [key] : [key, count]),
    toScoredMembers,
  ),
  /** ZPOPMAX key [count]: the highest members, removed ([] when the key is missing). */
  zpopmax: def(
    'ZPOPMAX',
    (key: RedisKey, count?: number) => (count === undefined ? [key] : [key, count]),
    toScoredMembers,
  ),
  /** ZRANDMEMBER key: a random member, or null. */
  zrandmember: def('ZRANDMEMBER', (key: RedisKey) => [key], id<string | null>()),
  /** ZRANDMEMBER key count: distinct random members (count > 0) or, count < 0, possibly repeated ones. */
  zrandmemberCount: def('ZRANDMEMBER', (key: RedisKey, count: number) => [key, count], id<string[]>()),
  /** ZRANDMEMBER key count WITHSCORES: [{value, score}]. */
  zrandmemberWithScores: def(
    'ZRANDMEMBER',
    (key: RedisKey, count: number) => [key, count, 'WITHSCORES'],
    toScoredMembers,
  ),
  /** ZUNION numkeys key ... [WEIGHTS] [AGGREGATE]: the members of the union. */
  zunion: withOptions(def('ZUNION', combine, id<string[]>()), ZCOMBINE_KEYS),
  /** ZUNION ... WITHSCORES: [{value, score}]. */
  zunionWithScores: withOptions(def('ZUNION', combineWithScores, toScoredMembers), ZCOMBINE_KEYS),
  /** ZINTER numkeys key ... [WEIGHTS] [AGGREGATE]: the members of the intersection. */
  zinter: withOptions(def('ZINTER', combine, id<string[]>()), ZCOMBINE_KEYS),
  /** ZINTER ... WITHSCORES: [{value, score}]. */
  zinterWithScores: withOptions(def('ZINTER', combineWithScores, toScoredMembers), ZCOMBINE_KEYS),
  /** ZDIFF numkeys key ...: the members of the first set not in the others. */
  zdiff: def('ZDIFF', diff, id<string[]>()),
  /** ZDIFF ... WITHSCORES: [{value, score}]. */
  zdiffWithScores: def('ZDIFF', (keys: RedisKey | RedisKey[]) => [...diff(keys), 'WITHSCORES'], toScoredMembers),
  /** ZUNIONSTORE destination numkeys key ... [WEIGHTS] [AGGREGATE]: the size of the stored union. */
  zunionstore: withOptions(def('ZUNIONSTORE', combineStore, id<number>()), ZCOMBINE_KEYS),
  /** ZINTERSTORE destination numkeys key ... [WEIGHTS] [AGGREGATE]: the size of the stored intersection. */
  zinterstore: withOptions(def('ZINTERSTORE', combineStore, id<number>()), ZCOMBINE_KEYS),
  /** ZDIFFSTORE destination numkeys key ...: the size of the stored difference. */
  zdiffstore: def(
    'ZDIFFSTORE',
    (destination: RedisKey, keys: RedisKey | RedisKey[]) => [destination, ...diff(keys)],
    id<number>(),
  ),
  /** ZINTERCARD numkeys key ... [LIMIT n]: the size of the intersection (stopping at LIMIT). */
  zintercard: withOptions(
    def(
      'ZINTERCARD',
      (keys: RedisKey | RedisKey[], opts?: { LIMIT?: number }) => {
        const args = diff(keys);
        if (opts?.LIMIT !== undefined) args.push('LIMIT', opts.LIMIT);
        return args;
      },
      id<number>(),
    ),
    ['LIMIT'],
  ),
  /** ZREMRANGEBYSCORE key min max: how many were removed. */
  zremrangebyscore: def(
    'ZREMRANGEBYSCORE',
    (key: RedisKey, min: RangeBound, max: RangeBound) => [key, min, max],
    id<number>(),
  ),
  /** ZREMRANGEBYRANK key start stop: how many were removed. */
  zremrangebyrank: def(
    'ZREMRANGEBYRANK',
    (key: RedisKey, start: number, stop: number) => [key, start, stop],
    id<number>(),
  ),
  /** ZREMRANGEBYLEX key min max: how many were removed. */
  zremrangebylex: def('ZREMRANGEBYLEX', (key: RedisKey, min: string, max: string) => [key, min, max], id<number>()),
  /** ZMPOP numkeys key ... MIN|MAX [COUNT n]: from the first non-empty sorted set, or null. */
  zmpop: withOptions(
    def(
      'ZMPOP',
      (keys: RedisKey | RedisKey[], which: 'MIN' | 'MAX', opts?: { COUNT?: number }) =>
        mpopArgs(keys, which, opts?.COUNT),
      toKeyScoredMembers,
    ),
    ['COUNT'],
  ),
  /** BZPOPMIN key [key ...] timeout (seconds, 0 = forever): {key, value, score}, or null on timeout. Blocking. */
  bzpopmin: def(
    'BZPOPMIN',
    (keys: RedisKey | RedisKey[], timeout: number) => [...keyList(keys), timeout],
    toKeyScoredMember,
    secondsAt(-1),
  ),
  /** BZPOPMAX key [key ...] timeout (seconds, 0 = forever): {key, value, score}, or null on timeout. Blocking. */
  bzpopmax: def(
    'BZPOPMAX',
    (keys: RedisKey | RedisKey[], timeout: number) => [...keyList(keys), timeout],
    toKeyScoredMember,
    secondsAt(-1),
  ),
  /** BZMPOP timeout numkeys key ... MIN|MAX [COUNT n]: {key, members}, or null on timeout. Blocking. */
  bzmpop: withOptions(
    def(
      'BZMPOP',
      (timeout: number, keys: RedisKey | RedisKey[], which: 'MIN' | 'MAX', opts?: { COUNT?: number }) => [
        timeout,
        ...mpopArgs(keys, which, opts?.COUNT),
      ],
      toKeyScoredMembers,
      secondsAt(0),
    ),
    ['COUNT'],
  ),
  /** ZSCAN key cursor [MATCH] [COUNT]: one step; see zscanIterator for the whole loop. */
  zscan: withOptions(
    def(
      'ZSCAN',
      (key: RedisKey, cursor: string | number, opts?: Omit<ScanOptions, 'TYPE'>) => scanArgs([key, cursor], opts),
      (r: unknown[]): SortedSetScanPage => ({ cursor: String(r[0]), members: toScoredMembers(r[1]) }),
    ),
    MEMBER_SCAN_KEYS,
  ),
};
