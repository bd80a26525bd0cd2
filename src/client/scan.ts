/**
 * SCAN, HSCAN, SSCAN and ZSCAN as async iterators: each loops on the cursor until the server
 * answers '0', one round trip per page, yielding items one at a time. The usual SCAN guarantees
 * hold: every element present for the whole iteration is returned at least once (possibly more:
 * deduplicate if that matters), and `count` is only a hint of the work per page.
 *
 *   for await (const key of scanIterator(client, { match: 'user:*' })) ...
 */
import type { RedisKey } from './command-def';
import type { ScoredMember } from './commands/reply';
import type { RedisClient } from './client';

export interface ScanIteratorOptions {
  /** Glob pattern the keys (fields, members) must match. */
  match?: string;
  /** A hint of how many elements each page looks at (Redis default 10). */
  count?: number;
}

export interface KeyScanIteratorOptions extends ScanIteratorOptions {
  /** Only keys of this type ('string', 'hash', 'zset', ...). */
  type?: string;
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
  opts: KeyScanIteratorOptions = {},
): AsyncGenerator<string, void, undefined> {
  const scanOpts = { MATCH: opts.match, COUNT: opts.count, TYPE: opts.type };
  return cursorIterator(async (cursor) => {
    const p = await client.scan(cursor, scanOpts);
    return { cursor: p.cursor, items: p.keys };
  });
}

/** Every [field, value] of a hash. */
export function hscanIterator(
  client: Pick<RedisClient, 'hscan'>,
  key: RedisKey,
  opts: ScanIteratorOptions = {},
): AsyncGenerator<[string, string], void, undefined> {
  const scanOpts = { MATCH: opts.match, COUNT: opts.count };
  return cursorIterator(async (cursor) => {
    const p = await client.hscan(key, cursor, scanOpts);
    return { cursor: p.cursor, items: p.entries };
  });
}

/** Every member of a set. */
export function sscanIterator(
  client: Pick<RedisClient, 'sscan'>,
  key: RedisKey,
  opts: ScanIteratorOptions = {},
): AsyncGenerator<string, void, undefined> {
  const scanOpts = { MATCH: opts.match, COUNT: opts.count };
  return cursorIterator(async (cursor) => {
    const p = await client.sscan(key, cursor, scanOpts);
    return { cursor: p.cursor, items: p.members };
  });
}

/** Every {value, score} of a sorted set. */
export function zscanIterator(
  client: Pick<RedisClient, 'zscan'>,
  key: RedisKey,
  opts: ScanIteratorOptions = {},
): AsyncGenerator<ScoredMember, void, undefined> {
  const scanOpts = { MATCH: opts.match, COUNT: opts.count };
  return cursorIterator(async (cursor) => {
    const p = await client.zscan(key, cursor, scanOpts);
    return { cursor: p.cursor, items: p.members };
  });
}
