import * as commands from '@ioredis/commands';
import { ConnectionError, ReplyError } from '../errors';
import type { Command } from '../connection/command';
import { Fifo } from '../connection/fifo';
import type { ConnectionLike } from '../lifecycle/lifecycle';
import type { Arg } from '../protocol/types';
import type { CommandDef } from './command-def';
import { COMMANDS } from './commands';

/** The `cache` option: client-side caching with server-assisted invalidation (RESP3 only). */
export interface CacheOptions {
  /** Most entries kept. Default 10000. */
  maxEntries?: number;
  /** Most bytes kept (estimated: string lengths plus a fixed overhead per entry). Default 64 MiB. */
  maxBytes?: number;
  /** Entries older than this are not served (0: no limit, the default). Invalidation does not need it. */
  ttlMs?: number;
  /** 'default': the server tracks the keys this connection read. 'bcast': invalidations for every key under `prefixes`. */
  mode?: 'default' | 'bcast';
  /** With 'bcast': the key prefixes to cache (and be told about); none means every key. */
  prefixes?: string[];
}

export interface ResolvedCacheOptions {
  maxEntries: number;
  maxBytes: number;
  ttlMs: number;
  mode: 'default' | 'bcast';
  prefixes: string[];
}

export interface CacheStats {
  /** Reads answered from the cache, without the network. */
  hits: number;
  /** Cacheable reads that went to the server. */
  misses: number;
  /** Entries dropped for room (maxEntries, maxBytes) or age (ttlMs). */
  evictions: number;
  /** Entries dropped because the server said the key changed (or the whole cache, for a flush). */
  invalidations: number;
  entries: number;
  bytes: number;
}

/** `client.cache`: present on every client; `enabled` is false without the `cache` option. */
export interface CacheView {
  readonly enabled: boolean;
  stats(): CacheStats;
  /** Drops every entry (the next reads go to the server). */
  clear(): void;
}

/**
 * The reviewed list of cached reads: one key (the first argument), a reply that depends only on
 * that key's value (no clock, no randomness), and a reply transform that does not mutate the raw
 * reply (hits re-run it on the stored raw reply). Not here on purpose: TTL/PTTL/EXPIRETIME (change
 * with time, or the reply would be stale), SRANDMEMBER/HRANDFIELD/ZRANDMEMBER (random), MGET and
 * other multi-key reads, GETEX/GETDEL (writes), PFCOUNT (writes its cache), OBJECT (not tracked).
 */
export const CACHEABLE_METHODS = [
  'get',
  'getrange',
  'strlen',
  'exists',
  'type',
  'getbit',
  'bitcount',
  'hget',
  'hmget',
  'hgetall',
  'hexists',
  'hkeys',
  'hvals',
  'hlen',
  'hstrlen',
  'lrange',
  'llen',
  'lindex',
  'smembers',
  'sismember',
  'smismember',
  'scard',
  'zscore',
  'zmscore',
  'zcard',
  'zcount',
  'zrank',
  'zrevrank',
  'zrange',
  'zrangeWithScores',
] as const;

const CACHEABLE = new Set<CommandDef>(CACHEABLE_METHODS.map((m) => COMMANDS[m] as CommandDef));
const CACHEABLE_NAMES = new Set([...CACHEABLE].map((d) => d.name));

/** One cached reply, or a placeholder for a read on the wire (`filled` false: never served). */
interface Entry {
  readonly key: string;
  readonly sig: string;
  raw: unknown;
  size: number;
  expiresAt: number;
  filled: boolean;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/** Per-entry overhead in the byte estimate (the entry object, map slots, list links). */
const ENTRY_OVERHEAD = 96;

/**
 * The cache of one client's connection. Three rules keep it from ever serving a stale value:
 *
 * 1. Invalidations evict. The server sends `invalidate [keys]` (or `invalidate null` for a flush)
 *    on the same RESP3 connection; every entry of those keys goes.
 * 2. A read on the wire holds a placeholder, and its reply is stored only if the placeholder is
 *    still there when the reply is decoded — synchronously, in stream order. An invalidation that
 *    arrives first removes the placeholder, so a reply older than the invalidation is never kept:
 *
 *      read k sent, placeholder P ─► invalidate k arrives: P removed ─► reply arrives: P gone, not stored
 *
 * 3. The cache is emptied the moment the connection is lost (invalidations sent meanwhile are
 *    lost), before any read can be served again; reads are not served while the client is not
 *    ready (they wait for the next connection, which tracks again before it is ready).
 *
 * And the client's own writes: the server sends their invalidations after their replies, so a read
 * issued after a write is not served from the cache until a reply to some later command has
 * arrived (which proves the write's invalidations were read first). Until then reads go to the
 * server, which answers them in order.
 */
export class ClientSideCache implements CacheView {
  readonly enabled = true;
  private byKey = new Map<string, Map<string, Entry>>();
  /** Most recently used first. */
  private head: Entry | undefined;
  private tail: Entry | undefined;
  private filled = 0;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private invalidations = 0;
  /** Replies read on this client's connections (counted by a claimReply hook). */
  replies = 0;
  /** Hits wait until replies > quietAfter (see the class comment). */
  private quietAfter = -1;
  /** The client's own writes not yet settled, oldest first. */
  private readonly writes = new Fifo<Command>();
  /** Command name -> whether it only reads (so it needs no write barrier). */
  private readonly readOnly = new Map<string, boolean>();
  /** Set while the client is ready; reads are never served otherwise. */
  serving = false;

  constructor(readonly options: ResolvedCacheOptions) {}

  /** Whether `d` with these arguments may be answered from the cache. */
  static cacheable(d: CommandDef, built: readonly Arg[]): boolean {
    if (!CACHEABLE.has(d) || typeof built[0] !== 'string') return false;
    if (d.name === 'EXISTS' && built.length !== 1) return false;
    for (let i = 1; i < built.length; i++) {
      const t = typeof built[i];
      if (t !== 'string' && t !== 'number') return false;
    }
    return true;
  }

  /**
   * A cached read: resolves from the cache without touching the network when it can; otherwise
   * `send` sends it with the given transform (which stores the reply as it is decoded).
   */
  read(
    d: CommandDef,
    built: Arg[],
    send: (transform: (raw: unknown) => unknown) => Promise<unknown>,
  ): Promise<unknown> {
    const key = built[0] as string;
    if (!this.covers(key)) return send(d.transform ?? identity);
    const sig = built.length === 1 ? d.name : `${d.name}\u0000${built.slice(1).join('\u0000')}`;
    let entries = this.byKey.get(key);
    const entry = entries?.get(sig);
    if (entry !== undefined && entry.filled && this.serving && this.quiet()) {
      if (entry.expiresAt === 0 || entry.expiresAt > Date.now()) {
        this.hits++;
        this.touch(entry);
        return Promise.resolve(d.transform === undefined ? copy(entry.raw) : d.transform(entry.raw));
      }
      this.evictions++;
      this.drop(entry);
    }
    this.misses++;
    const placeholder: Entry = {
      key,
      sig,
      raw: undefined,
      size: 0,
      expiresAt: 0,
      filled: false,
      prev: undefined,
      next: undefined,
    };
    if (entry !== undefined) this.drop(entry);
    entries = this.byKey.get(key);
    if (entries === undefined) {
      entries = new Map();
      this.byKey.set(key, entries);
    }
    entries.set(sig, placeholder);
    const promise = send((raw: unknown) => {
      this.fill(placeholder, raw);
      return d.transform === undefined ? copy(raw) : d.transform(raw);
    });
    // A refused read (WRONGTYPE) leaves no placeholder behind.
    promise.catch(() => this.removePlaceholder(placeholder));
    return promise;
  }

  /** Whether keys like this one are cached (in 'bcast' mode only those under the prefixes are told about). */
  private covers(key: string): boolean {
    const prefixes = this.options.prefixes;
    if (this.options.mode !== 'bcast' || prefixes.length === 0) return true;
    for (const p of prefixes) if (key.startsWith(p)) return true;
    return false;
  }

  /** No own write is unsettled, and a reply has come after the last one settled. */
  private quiet(): boolean {
    const writes = this.writes;
    while (writes.length > 0 && (writes.peek() as Command).settled) {
      writes.shift();
      this.quietAfter = this.replies;
    }
    return writes.length === 0 && this.replies > this.quietAfter;
  }

  /** Every command the client sends goes past here: writes raise the barrier. */
  noteCommand(cmd: Command): void {
    let ro = this.readOnly.get(cmd.name);
    if (ro === undefined) {
      const lower = cmd.name.toLowerCase();
      ro =
        CACHEABLE_NAMES.has(cmd.name.toUpperCase()) ||
        (lower !== 'eval_ro' && lower !== 'fcall_ro' && commands.exists(lower) && commands.hasFlag(lower, 'readonly'));
      this.readOnly.set(cmd.name, ro);
    }
    if (ro) return;
    while (this.writes.length > 0 && (this.writes.peek() as Command).settled) this.writes.shift();
    this.writes.push(cmd);
  }

  private fill(placeholder: Entry, raw: unknown): void {
    if (this.byKey.get(placeholder.key)?.get(placeholder.sig) !== placeholder) return; // invalidated meanwhile
    const size = ENTRY_OVERHEAD + placeholder.key.length + placeholder.sig.length + sizeOf(raw, 0);
    if (size > this.options.maxBytes) {
      this.removePlaceholder(placeholder);
      return;
    }
    placeholder.raw = raw;
    placeholder.size = size;
    placeholder.filled = true;
    if (this.options.ttlMs > 0) placeholder.expiresAt = Date.now() + this.options.ttlMs;
    this.filled++;
    this.bytes += size;
    this.linkFirst(placeholder);
    while (this.filled > this.options.maxEntries || this.bytes > this.options.maxBytes) {
      const oldest = this.tail as Entry;
      this.evictions++;
      this.drop(oldest);
    }
  }

  private removePlaceholder(placeholder: Entry): void {
    if (!placeholder.filled && this.byKey.get(placeholder.key)?.get(placeholder.sig) === placeholder) {
      this.drop(placeholder);
    }
  }

  /** An invalidation push: `keys` is the list of keys, or null for a flush. */
  invalidate(keys: unknown): void {
    if (!Array.isArray(keys)) {
      this.invalidations += this.filled;
      this.reset();
      return;
    }
    for (const key of keys) {
      const entries = this.byKey.get(String(key));
      if (entries === undefined) continue;
      for (const entry of entries.values()) {
        if (entry.filled) this.invalidations++;
        this.unlink(entry);
      }
      this.byKey.delete(String(key));
    }
  }

  /** The connection is gone: nothing here can be trusted any more (placeholders included). */
  connectionLost(): void {
    this.serving = false;
    this.reset();
  }

  /** Turns tracking on for a new connection, before it is ready. */
  async restore(conn: ConnectionLike): Promise<void> {
    // Emptied already when the last connection was lost. The placeholders made since belong to
    // reads waiting for this connection, which tracks before they are sent: they stay.
    this.serving = false;
    if (conn.server?.protocol === 2) {
      throw new ConnectionError(
        'handshake',
        `${conn.endpoint} speaks only RESP2: client-side caching (the cache option) needs RESP3, where invalidations arrive on the same connection`,
      );
    }
    const args: string[] = ['TRACKING', 'ON'];
    if (this.options.mode === 'bcast') {
      args.push('BCAST');
      for (const p of this.options.prefixes) args.push('PREFIX', p);
    }
    try {
      await conn.internalCall('CLIENT', args);
    } catch (err) {
      if (!(err instanceof ReplyError)) throw err;
      throw new ConnectionError('handshake', `CLIENT ${args.join(' ')} was refused: ${err.message}`, { cause: err });
    }
  }

  clear(): void {
    this.reset();
  }

  stats(): CacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      invalidations: this.invalidations,
      entries: this.filled,
      bytes: this.bytes,
    };
  }

  private reset(): void {
    this.byKey = new Map();
    this.head = this.tail = undefined;
    this.filled = 0;
    this.bytes = 0;
  }

  private drop(entry: Entry): void {
    this.unlink(entry);
    const entries = this.byKey.get(entry.key);
    if (entries !== undefined && entries.get(entry.sig) === entry) {
      entries.delete(entry.sig);
      if (entries.size === 0) this.byKey.delete(entry.key);
    }
  }

  private unlink(entry: Entry): void {
    if (!entry.filled) return;
    entry.filled = false;
    this.filled--;
    this.bytes -= entry.size;
    if (entry.prev !== undefined) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next !== undefined) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = undefined;
  }

  private linkFirst(entry: Entry): void {
    entry.prev = undefined;
    entry.next = this.head;
    if (this.head !== undefined) this.head.prev = entry;
    this.head = entry;
    if (this.tail === undefined) this.tail = entry;
  }

  private touch(entry: Entry): void {
    if (this.head === entry) return;
    // Unlink without the bookkeeping of unlink(), then put first.
    (entry.prev as Entry).next = entry.next;
    if (entry.next !== undefined) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    this.linkFirst(entry);
  }
}

/** `client.cache` of a client without the `cache` option. */
export const NO_CACHE: CacheView = {
  enabled: false,
  stats: () => ({ hits: 0, misses: 0, evictions: 0, invalidations: 0, entries: 0, bytes: 0 }),
  clear: () => undefined,
};

function identity(raw: unknown): unknown {
  return raw;
}

/**
 * Callers get copies of arrays, so one changing its result cannot change the cache. (Maps only
 * come out of reply transforms, which build new objects.)
 */
function copy(raw: unknown): unknown {
  return Array.isArray(raw) ? raw.map(copy) : raw;
}

/** Estimated bytes of a decoded reply. */
function sizeOf(raw: unknown, depth: number): number {
  if (typeof raw === 'string') return raw.length;
  if (raw === null || raw === undefined || typeof raw !== 'object' || depth > 4) return 8;
  let n = 16;
  if (Array.isArray(raw)) {
    for (const item of raw) n += 8 + sizeOf(item, depth + 1);
  } else {
    for (const [k, v] of Object.entries(raw)) n += 16 + k.length + sizeOf(v, depth + 1);
  }
  return n;
}
