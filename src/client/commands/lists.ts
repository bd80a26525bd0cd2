import { def, id, withOptions, variadic, type RedisKey, type RedisValue, optionKeys } from '../command-def';
import type { Arg } from '../../protocol/types';
import { secondsAt } from './blocking';

export type ListEnd = 'LEFT' | 'RIGHT';

export interface LposOptions {
  /** Which match to return: 1 = first, 2 = second, -1 = last, ... */
  RANK?: number;
  /** Compare at most this many elements (0 = all). */
  MAXLEN?: number;
}

/** What a blocking pop took: the list it came from and the element. */
export type KeyElement = { key: string; element: string };
/** What LMPOP/BLMPOP took: the list it came from and the elements. */
export type KeyElements = { key: string; elements: string[] };

const keyList = (keys: RedisKey | RedisKey[]): RedisKey[] => (Array.isArray(keys) ? keys : [keys]);

const LPOS_KEYS = optionKeys<LposOptions>({ RANK: 0, MAXLEN: 0 });

function lposArgs(args: Arg[], opts: LposOptions | undefined): Arg[] {
  if (opts?.RANK !== undefined) args.push('RANK', opts.RANK);
  if (opts?.MAXLEN !== undefined) args.push('MAXLEN', opts.MAXLEN);
  return args;
}

function mpopArgs(keys: RedisKey | RedisKey[], end: ListEnd, count: number | undefined): Arg[] {
  const list = keyList(keys);
  const args: Arg[] = [list.length, ...list, end];
  if (count !== undefined) args.push('COUNT', count);
  return args;
}

const toKeyElement = (r: unknown[] | null): KeyElement | null =>
  r === null ? null : { key: r[0] as string, element: r[1] as string };
const toKeyElements = (r: unknown[] | null): KeyElements | null =>
  r === null ? null : { key: r[0] as string, elements: r[1] as string[] };

/** List commands. */
export const LISTS = {
  /** LPUSH key element [element ...]: the new length. */
  lpush: variadic(def('LPUSH', (key: RedisKey, ...elements: RedisValue[]) => [key, ...elements], id<number>())),
  /** RPUSH key element [element ...]: the new length. */
  rpush: variadic(def('RPUSH', (key: RedisKey, ...elements: RedisValue[]) => [key, ...elements], id<number>())),
  /** LPUSHX key element [element ...]: the new length; 0 (nothing pushed) when the list is missing. */
  lpushx: variadic(def('LPUSHX', (key: RedisKey, ...elements: RedisValue[]) => [key, ...elements], id<number>())),
  /** RPUSHX key element [element ...]: the new length; 0 (nothing pushed) when the list is missing. */
  rpushx: variadic(def('RPUSHX', (key: RedisKey, ...elements: RedisValue[]) => [key, ...elements], id<number>())),
  /** LPOP key: the first element, or null. */
  lpop: def('LPOP', (key: RedisKey) => [key], id<string | null>()),
  /** LPOP key count: up to count elements from the head, or null when the list is missing. */
  lpopCount: def('LPOP', (key: RedisKey, count: number) => [key, count], id<string[] | null>()),
  /** RPOP key: the last element, or null. */
  rpop: def('RPOP', (key: RedisKey) => [key], id<string | null>()),
  /** RPOP key count: up to count elements from the tail, or null when the list is missing. */
  rpopCount: def('RPOP', (key: RedisKey, count: number) => [key, count], id<string[] | null>()),
  /** LRANGE key start stop: the elements (inclusive; negative from the end). */
  lrange: def('LRANGE', (key: RedisKey, start: number, stop: number) => [key, start, stop], id<string[]>()),
  /** LLEN key: the length (0 when missing). */
  llen: def('LLEN', (key: RedisKey) => [key], id<number>()),
  /** LINDEX key index: the element, or null when out of range. */
  lindex: def('LINDEX', (key: RedisKey, index: number) => [key, index], id<string | null>()),
  /** LSET key index element: 'OK' (an error when out of range). */
  lset: def('LSET', (key: RedisKey, index: number, element: RedisValue) => [key, index, element], id<'OK'>()),
  /** LINSERT key BEFORE|AFTER pivot element: the new length; -1 if the pivot was not found, 0 if no list. */
  linsert: def(
    'LINSERT',
    (key: RedisKey, where: 'BEFORE' | 'AFTER', pivot: RedisValue, element: RedisValue) => [key, where, pivot, element],
    id<number>(),
  ),
  /** LREM key count element: how many were removed (count > 0 from the head, < 0 from the tail, 0 all). */
  lrem: def('LREM', (key: RedisKey, count: number, element: RedisValue) => [key, count, element], id<number>()),
  /** LTRIM key start stop: 'OK'. */
  ltrim: def('LTRIM', (key: RedisKey, start: number, stop: number) => [key, start, stop], id<'OK'>()),
  /** LPOS key element [RANK r] [MAXLEN n]: the index of the match, or null. */
  lpos: withOptions(
    def(
      'LPOS',
      (key: RedisKey, element: RedisValue, opts?: LposOptions) => lposArgs([key, element], opts),
      id<number | null>(),
    ),
    LPOS_KEYS,
  ),
  /** LPOS key element COUNT n [RANK r] [MAXLEN n]: the indexes of up to n matches (0 = all). */
  lposCount: withOptions(
    def(
      'LPOS',
      (key: RedisKey, element: RedisValue, count: number, opts?: LposOptions) =>
        lposArgs([key, element, 'COUNT', count], opts),
      id<number[]>(),
    ),
    LPOS_KEYS,
  ),
  /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT: the element moved, or null when source is empty. */
  lmove: def(
    'LMOVE',
    (source: RedisKey, destination: RedisKey, from: ListEnd, to: ListEnd) => [source, destination, from, to],
    id<string | null>(),
  ),
  /** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT n]: from the first non-empty list, or null. */
  lmpop: withOptions(
    def(
      'LMPOP',
      (keys: RedisKey | RedisKey[], end: ListEnd, opts?: { COUNT?: number }) => mpopArgs(keys, end, opts?.COUNT),
      toKeyElements,
    ),
    ['COUNT'],
  ),
  /** BLPOP key [key ...] timeout (seconds, 0 = forever): {key, element}, or null on timeout. Blocking. */
  blpop: def(
    'BLPOP',
    (keys: RedisKey | RedisKey[], timeout: number) => [...keyList(keys), timeout],
    toKeyElement,
    secondsAt(-1),
  ),
  /** BRPOP key [key ...] timeout (seconds, 0 = forever): {key, element}, or null on timeout. Blocking. */
  brpop: def(
    'BRPOP',
    (keys: RedisKey | RedisKey[], timeout: number) => [...keyList(keys), timeout],
    toKeyElement,
    secondsAt(-1),
  ),
  /** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout: the element, or null on timeout. Blocking. */
  blmove: def(
    'BLMOVE',
    (source: RedisKey, destination: RedisKey, from: ListEnd, to: ListEnd, timeout: number) => [
      source,
      destination,
      from,
      to,
      timeout,
    ],
    id<string | null>(),
    secondsAt(-1),
  ),
  /** BRPOPLPUSH source destination timeout: the element, or null on timeout. Blocking; prefer blmove. */
  brpoplpush: def(
    'BRPOPLPUSH',
    (source: RedisKey, destination: RedisKey, timeout: number) => [source, destination, timeout],
    id<string | null>(),
    secondsAt(-1),
  ),
  /** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT n]: {key, elements}, or null on timeout. Blocking. */
  blmpop: withOptions(
    def(
      'BLMPOP',
      (timeout: number, keys: RedisKey | RedisKey[], end: ListEnd, opts?: { COUNT?: number }) => [
        timeout,
        ...mpopArgs(keys, end, opts?.COUNT),
      ],
      toKeyElements,
      secondsAt(0),
    ),
    ['COUNT'],
  ),
};
