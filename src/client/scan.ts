/**
 * SCAN, HSCAN, SSCAN and ZSCAN as async iterators: each loops on the cursor until the server
 * answers '0', one round trip per page, yielding items one at a time. The usual SCAN guarantees
 * hold: every element present for the whole iteration is returned at least once (possibly more:
 * deduplicate if that matters), and `count` is only a hint of the work per page.
 *
 *   for await (const key of scanIterator(client, { MATCH: 'user:*' })) ...
 *
 * The options are spelled like SCAN's own (upper case, as every romaine option object); the
 * lower-case spelling of ioredis' scanStream() is refused with a hint, because ignoring it would
 * scan every key (a cleanup loop would then delete every key).
 */
import { optionsError } from './call-check';
import { optionsParam, type RedisKey } from './command-def';
import { MEMBER_SCAN_KEYS, SCAN_KEYS } from './commands/keys';
import type { ScoredMember } from './commands/reply';
import type { RedisClient } from './client';

export interface ScanIteratorOptions {
  /** Glob pattern the keys (fields, members) must match. */
  MATCH?: string;
  /** A hint of how many elements each page looks at (Redis default 10). */
  COUNT?: number;
}

export interface KeyScanIteratorOptions extends ScanIteratorOptions {
  /** Only keys of this type ('string', 'hash', 'zset', ...). */
  TYPE?: string;
}

/** Refuses unknown option keys before the first page, so no SCAN runs with a filter dropped. */
function checked<T>(method: string, params: string[], keys: readonly string[], opts: T | undefined): T | undefined {
  const invalid = optionsError(method, params, optionsParam(params.length - 1, keys), opts);
  if (invalid !== undefined) throw invalid;
  return opts;
}

/** Loops a cursor until the server answers '0', yielding each page's items. */
async function* cursorIterator<T>(
  page: (cursor: string) => Promise<{ cursor: string; items: T[] }>,
): AsyncGenerator<T, void, undefined> {
  let cursor = '0';
  do {
    const p = await page(cursor);
    cursor = p.cursor;
    yield* p.items;
  } while (cursor !== '0');
}

/** Every key of the selected database (matching the options). */
export function scanIterator(
  client: Pick<RedisClient, 'scan'>,
  opts?: KeyScanIteratorOptions,
): AsyncGenerator<string, void, undefined> {
  const o = checked('scanIterator', ['opts'], SCAN_KEYS, opts) ?? {};
  const scanOpts = { MATCH: o.MATCH, COUNT: o.COUNT, TYPE: o.TYPE };
  return cursorIterator(async (cursor) => {
    const p = await client.scan(cursor, scanOpts);
    return { cursor: p.cursor, items: p.keys };
  });
}

/** Every [field, value] of a hash. */
export function hscanIterator(
  client: Pick<RedisClient, 'hscan'>,
  key: RedisKey,
  opts?: ScanIteratorOptions,
): AsyncGenerator<[string, string], void, undefined> {
  const o = checked('hscanIterator', ['key', 'opts'], MEMBER_SCAN_KEYS, opts) ?? {};
  const scanOpts = { MATCH: o.MATCH, COUNT: o.COUNT };
  return cursorIterator(async (cursor) => {
    const p = await client.hscan(key, cursor, scanOpts);
    return { cursor: p.cursor, items: p.entries };
  });
}

/** Every member of a set. */
export function sscanIterator(
  client: Pick<RedisClient, 'sscan'>,
  key: RedisKey,
  opts?: ScanIteratorOptions,
): AsyncGenerator<string, void, undefined> {
  const o = checked('sscanIterator', ['key', 'opts'], MEMBER_SCAN_KEYS, opts) ?? {};
  const scanOpts = { MATCH: o.MATCH, COUNT: o.COUNT };
  return cursorIterator(async (cursor) => {
    const p = await client.sscan(key, cursor, scanOpts);
    return { cursor: p.cursor, items: p.members };
  });
}

/** Every {value, score} of a sorted set. */
export function zscanIterator(
  client: Pick<RedisClient, 'zscan'>,
  key: RedisKey,
  opts?: ScanIteratorOptions,
): AsyncGenerator<ScoredMember, void, undefined> {
  const o = checked('zscanIterator', ['key', 'opts'], MEMBER_SCAN_KEYS, opts) ?? {};
  const scanOpts = { MATCH: o.MATCH, COUNT: o.COUNT };
  return cursorIterator(async (cursor) => {
    const p = await client.zscan(key, cursor, scanOpts);
    return { cursor: p.cursor, items: p.members };
  });
}
