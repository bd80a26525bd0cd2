import { def, id, optionKeys, variadic, withOptions, type RedisKey, binary } from '../command-def';
import type { Arg } from '../../protocol/types';
import { toBoolean } from './reply';

/** MIGRATE's options. */
export interface MigrateOptions {
  /** Keep the keys on this server. */
  COPY?: true;
  /** Replace existing keys on the target. */
  REPLACE?: true;
  /** The target's password (default user). */
  AUTH?: string;
  /** The target's user and password. */
  AUTH2?: { username: string; password: string };
}

/**
 * When EXPIRE and friends apply (Redis 7): NX only if the key has no timeout, XX only if it has
 * one, GT only if the new expiry is later, LT only if it is earlier (no timeout counts as infinite).
 */
export type ExpireCondition = 'NX' | 'XX' | 'GT' | 'LT';

/** What TYPE answers (simple strings: never Buffers). */
export type KeyType = 'none' | 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export interface CopyOptions {
  /** Copy into this database. */
  DB?: number;
  /** Overwrite the destination. */
  REPLACE?: true;
}

export interface RestoreOptions {
  /** Overwrite an existing key. */
  REPLACE?: true;
  /** The ttl argument is a Unix time in milliseconds. */
  ABSTTL?: true;
  /** Idle time (seconds) to set, for LRU. */
  IDLETIME?: number;
  /** Access frequency to set, for LFU. */
  FREQ?: number;
}

export interface SortOptions {
  /** Sort by the values of these keys ('weight_*'), or 'nosort'. */
  BY?: string;
  LIMIT?: { offset: number; count: number };
  /** Return these (pattern, or '#' for the element) instead of the elements. */
  GET?: string | string[];
  ORDER?: 'ASC' | 'DESC';
  /** Compare as strings, not numbers. */
  ALPHA?: true;
}

export interface ScanOptions {
  /** Glob pattern the keys must match. */
  MATCH?: string;
  /** A hint of how much work each call does. */
  COUNT?: number;
  /** Only keys of this type (SCAN only). */
  TYPE?: string;
}

/** One step of SCAN: the next cursor ('0' when done) and the keys found. */
export type ScanPage = { cursor: string; keys: string[] };

const SORT_KEYS = optionKeys<SortOptions>({ BY: 0, LIMIT: 0, GET: 0, ORDER: 0, ALPHA: 0 });
/** SCAN's options; HSCAN, SSCAN and ZSCAN take the same without TYPE. */
export const SCAN_KEYS = optionKeys<ScanOptions>({ MATCH: 0, COUNT: 0, TYPE: 0 });
export const MEMBER_SCAN_KEYS = SCAN_KEYS.filter((k) => k !== 'TYPE');

function sortArgs(key: RedisKey, opts?: SortOptions): Arg[] {
  const args: Arg[] = [key];
  if (opts === undefined) return args;
  if (opts.BY !== undefined) args.push('BY', opts.BY);
  if (opts.LIMIT !== undefined) args.push('LIMIT', opts.LIMIT.offset, opts.LIMIT.count);
  if (opts.GET !== undefined) for (const g of Array.isArray(opts.GET) ? opts.GET : [opts.GET]) args.push('GET', g);
  if (opts.ORDER !== undefined) args.push(opts.ORDER);
  if (opts.ALPHA) args.push('ALPHA');
  return args;
}

/** Appends MATCH / COUNT / TYPE. */
export function scanArgs(args: Arg[], opts: ScanOptions | undefined): Arg[] {
  if (opts?.MATCH !== undefined) args.push('MATCH', opts.MATCH);
  if (opts?.COUNT !== undefined) args.push('COUNT', opts.COUNT);
  if (opts?.TYPE !== undefined) args.push('TYPE', opts.TYPE);
  return args;
}

const expire = (name: string) =>
  def(
    name,
    (key: RedisKey, time: number, condition?: ExpireCondition): Arg[] =>
      condition === undefined ? [key, time] : [key, time, condition],
    toBoolean,
  );

/** Keys and expiry. */
export const KEYS = {
  /** DEL key [key ...]: how many keys were removed. */
  del: variadic(def('DEL', (...keys: RedisKey[]) => keys, id<number>())),
  /** UNLINK key [key ...]: like DEL, reclaiming memory in the background. */
  unlink: variadic(def('UNLINK', (...keys: RedisKey[]) => keys, id<number>())),
  /** EXISTS key [key ...]: how many of the keys exist (a key named twice counts twice). */
  exists: variadic(def('EXISTS', (...keys: RedisKey[]) => keys, id<number>())),
  /** EXPIRE key seconds [NX|XX|GT|LT]: true if the timeout was set. */
  expire: expire('EXPIRE'),
  /** PEXPIRE key milliseconds [NX|XX|GT|LT]: true if the timeout was set. */
  pexpire: expire('PEXPIRE'),
  /** EXPIREAT key unixSeconds [NX|XX|GT|LT]: true if the timeout was set. */
  expireat: expire('EXPIREAT'),
  /** PEXPIREAT key unixMs [NX|XX|GT|LT]: true if the timeout was set. */
  pexpireat: expire('PEXPIREAT'),
  /** EXPIRETIME key: the Unix time (s) it expires at; -1 without expiry, -2 if missing. */
  expiretime: def('EXPIRETIME', (key: RedisKey) => [key], id<number>()),
  /** PEXPIRETIME key: the Unix time (ms) it expires at; -1 without expiry, -2 if missing. */
  pexpiretime: def('PEXPIRETIME', (key: RedisKey) => [key], id<number>()),
  /** TTL key: seconds left; -1 without expiry, -2 if missing. */
  ttl: def('TTL', (key: RedisKey) => [key], id<number>()),
  /** PTTL key: milliseconds left; -1 without expiry, -2 if missing. */
  pttl: def('PTTL', (key: RedisKey) => [key], id<number>()),
  /** PERSIST key: true if a timeout was removed. */
  persist: def('PERSIST', (key: RedisKey) => [key], toBoolean),
  /** TYPE key: 'string', 'list', 'set', 'zset', 'hash', 'stream', or 'none'. */
  type: def('TYPE', (key: RedisKey) => [key], id<KeyType>()),
  /** RENAME key newkey: 'OK' (an error if key is missing). */
  rename: def('RENAME', (key: RedisKey, newKey: RedisKey) => [key, newKey], id<'OK'>()),
  /** RENAMENX key newkey: true if renamed, false if newkey existed. */
  renamenx: def('RENAMENX', (key: RedisKey, newKey: RedisKey) => [key, newKey], toBoolean),
  /** KEYS pattern: every matching key. Blocks the server on big databases: prefer scanIterator. */
  keys: def('KEYS', (pattern: string) => [pattern], id<string[]>()),
  /** RANDOMKEY: a random key, or null when the database is empty. */
  randomkey: def('RANDOMKEY', () => [], id<string | null>()),
  /** TOUCH key [key ...]: how many of the keys exist (their access time is updated). */
  touch: variadic(def('TOUCH', (...keys: RedisKey[]) => keys, id<number>())),
  /** COPY source destination [DB n] [REPLACE]: true if copied. */
  copy: withOptions(
    def(
      'COPY',
      (source: RedisKey, destination: RedisKey, opts?: CopyOptions): Arg[] => {
        const args: Arg[] = [source, destination];
        if (opts?.DB !== undefined) args.push('DB', opts.DB);
        if (opts?.REPLACE) args.push('REPLACE');
        return args;
      },
      toBoolean,
    ),
    optionKeys<CopyOptions>({ DB: 0, REPLACE: 0 }),
  ),
  /**
   * DUMP key: the serialized value, or null. Binary: use `client.buffers.dump(key)` to get a Buffer
   * that RESTORE accepts (as a string it is decoded as UTF-8 and damaged).
   */
  dump: binary(def('DUMP', (key: RedisKey) => [key], id<Buffer | null>())),
  /** RESTORE key ttl serialized [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]: 'OK'. ttl 0 = no expiry. */
  restore: withOptions(
    def(
      'RESTORE',
      (key: RedisKey, ttl: number, serialized: Buffer | string, opts?: RestoreOptions): Arg[] => {
        const args: Arg[] = [key, ttl, serialized];
        if (opts?.REPLACE) args.push('REPLACE');
        if (opts?.ABSTTL) args.push('ABSTTL');
        if (opts?.IDLETIME !== undefined) args.push('IDLETIME', opts.IDLETIME);
        if (opts?.FREQ !== undefined) args.push('FREQ', opts.FREQ);
        return args;
      },
      id<'OK'>(),
    ),
    optionKeys<RestoreOptions>({ REPLACE: 0, ABSTTL: 0, IDLETIME: 0, FREQ: 0 }),
  ),
  /** OBJECT ENCODING key: the internal encoding ('listpack', 'int', 'embstr', ...), or null. */
  objectEncoding: def('OBJECT', (key: RedisKey) => ['ENCODING', key], id<string | null>()),
  /** OBJECT FREQ key: the LFU access frequency (only under an LFU maxmemory-policy). */
  objectFreq: def('OBJECT', (key: RedisKey) => ['FREQ', key], id<number | null>()),
  /** OBJECT IDLETIME key: seconds since the last access, or null. */
  objectIdletime: def('OBJECT', (key: RedisKey) => ['IDLETIME', key], id<number | null>()),
  /** OBJECT REFCOUNT key: the reference count, or null. */
  objectRefcount: def('OBJECT', (key: RedisKey) => ['REFCOUNT', key], id<number | null>()),
  /** SORT key [BY] [LIMIT] [GET ...] [ASC|DESC] [ALPHA]: the sorted elements (null for a GET of a missing key). */
  sort: withOptions(def('SORT', sortArgs, id<(string | null)[]>()), SORT_KEYS),
  /** SORT_RO: SORT without STORE, allowed on replicas. */
  sortRo: withOptions(def('SORT_RO', sortArgs, id<(string | null)[]>()), SORT_KEYS),
  /** SORT key ... STORE destination: how many elements were stored. */
  sortStore: withOptions(
    def(
      'SORT',
      (key: RedisKey, destination: RedisKey, opts?: SortOptions) => [...sortArgs(key, opts), 'STORE', destination],
      id<number>(),
    ),
    SORT_KEYS,
  ),
  /** SCAN cursor [MATCH] [COUNT] [TYPE]: one step; see scanIterator for the whole loop. */
  scan: withOptions(
    def(
      'SCAN',
      (cursor: string | number, opts?: ScanOptions) => scanArgs([cursor], opts),
      (r: unknown[]): ScanPage => ({ cursor: String(r[0]), keys: r[1] as string[] }),
    ),
    SCAN_KEYS,
  ),
  /** MOVE key db: true if moved to the other database. */
  move: def('MOVE', (key: RedisKey, db: number) => [key, db], toBoolean),
  /**
   * MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH password | AUTH2 user password] [KEYS k ...]:
   * moves keys to another server; 'OK', or 'NOKEY' when none existed. Several keys: pass an array.
   * Diagnostics and traces never show its arguments (they may hold a password).
   */
  migrate: withOptions(
    def(
      'MIGRATE',
      (
        host: string,
        port: number,
        keys: RedisKey | RedisKey[],
        db: number,
        timeoutMs: number,
        opts?: MigrateOptions,
      ): Arg[] => {
        const many = Array.isArray(keys);
        const args: Arg[] = [host, port, many ? '' : keys, db, timeoutMs];
        if (opts?.COPY) args.push('COPY');
        if (opts?.REPLACE) args.push('REPLACE');
        if (opts?.AUTH !== undefined) args.push('AUTH', opts.AUTH);
        if (opts?.AUTH2 !== undefined) args.push('AUTH2', opts.AUTH2.username, opts.AUTH2.password);
        if (many) args.push('KEYS', ...keys);
        return args;
      },
      id<'OK' | 'NOKEY'>(),
    ),
    optionKeys<MigrateOptions>({ COPY: 0, REPLACE: 0, AUTH: 0, AUTH2: 0 }),
  ),
};
