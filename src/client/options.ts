import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { InvalidArgumentError } from '../errors';
import { Auth, withHiddenTlsSecrets } from './credentials';
import { duration, onlyKnown, show } from './option-checks';
import { redactUrl } from './redact-url';
import type { Jitter } from '../lifecycle/backoff';
import type { Clock } from '../lifecycle/clock';
import type { CacheOptions, ResolvedCacheOptions } from './cache';
import type { FailureHook } from '../lifecycle/policy';
import type { RetryInFlight } from '../lifecycle/replay';
import type { DecoderLimits } from '../protocol/types';
import { resolveSentinel, type ResolvedSentinelOptions, type SentinelOptions } from '../sentinel/options';

export { redactUrl };

export interface Credentials {
  username?: string;
  password: string;
}

export interface ReconnectOptions {
  /** First delay. Default 100 ms. */
  baseDelayMs?: number;
  /** Cap of the exponential delay. Default 5000 ms. */
  maxDelayMs?: number;
  /** Default 'equal' (at least half the exponential delay, so a crowd of clients spreads out). */
  jitter?: Jitter;
  /** Reconnect attempts in the runtime phase before the client gives up (state `failed`). Default Infinity. */
  maxAttempts?: number;
  /** connect() deadline for transient errors. Default 10000 ms with 'fail-fast', Infinity with 'retry'. */
  initialTimeoutMs?: number;
  /** 'fail-fast' (default): configuration errors reject connect() at once. 'retry': everything retries. */
  onInitialFailure?: 'fail-fast' | 'retry';
  /** A connection that stayed ready this long counts as stable: backoff starts over. Default 5000 ms. */
  resetAfterMs?: number;
  /** Decides per failure: 'retry', 'fail', or undefined for the default policy. */
  decide?: FailureHook;
}

export interface ClientOptions {
  host?: string;
  port?: number;
  /** Unix socket path. */
  path?: string;
  username?: string;
  password?: string;
  /** Asked before every connection attempt, so a rotated password is picked up on the next one. */
  credentials?: () => Credentials | Promise<Credentials>;
  database?: number;
  clientName?: string;
  /** Default 3; falls back to 2 on servers without RESP3. */
  protocol?: 2 | 3;
  tls?: boolean | TlsOptions;
  /** One connection attempt: TCP, TLS and handshake. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Default: none. */
  commandTimeoutMs?: number;
  reconnect?: false | ReconnectOptions;
  /** Default true with maxLength 100000. */
  offlineQueue?: boolean | { maxLength?: number };
  /** Default 'idempotent'. */
  retryInFlight?: RetryInFlight;
  /** Default { intervalMs: 2000, timeoutMs: 3000, probeTimeoutMs: 1000 }. */
  healthCheck?: false | { intervalMs?: number; timeoutMs?: number; probeTimeoutMs?: number };
  /** Library name sent with CLIENT SETINFO; false sends nothing. Default 'romaine'. */
  libName?: string | false;
  /** TCP keepalive idle time. Default 10000 ms. */
  keepAliveMs?: number;
  /** Limits on what the server may send. */
  limits?: DecoderLimits;
  /** Most dedicated connections for blocking commands and isolated() at once. Default 10. */
  maxDedicatedConnections?: number;
  /** Client-side caching of reads, kept fresh by the server's invalidations (RESP3 only; see docs/caching.md). */
  cache?: boolean | CacheOptions;
  /** Find the primary (or a replica) through Redis Sentinel on every connection attempt (see docs/sentinel.md). */
  sentinel?: SentinelOptions;
  /** For tests: the clock the lifecycle uses. */
  clock?: Clock;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  path: string | undefined;
  username: string | undefined;
  /** The password or credentials provider, out of reach of util.inspect and JSON (see Auth). */
  auth: Auth;
  database: number;
  clientName: string | undefined;
  protocol: 2 | 3;
  tls: TlsOptions | undefined;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  reconnect: false | (Required<Omit<ReconnectOptions, 'decide'>> & { decide: FailureHook | undefined });
  offlineQueue: { enabled: boolean; maxLength: number };
  retryInFlight: RetryInFlight;
  healthCheck: false | { intervalMs: number; timeoutMs: number; probeTimeoutMs: number };
  libName: string | false;
  keepAliveMs: number;
  limits: DecoderLimits | undefined;
  maxDedicatedConnections: number;
  cache: ResolvedCacheOptions | undefined;
  sentinel: ResolvedSentinelOptions | undefined;
  clock: Clock | undefined;
  /**
   * Not a ClientOptions field: set by the cluster on its replica connections, whose handshake
   * then sends READONLY (so reconnects have it too).
   */
  readOnly?: boolean;
}

const KNOWN = new Set([
  'host',
  'port',
  'path',
  'username',
  'password',
  'credentials',
  'database',
  'clientName',
  'protocol',
  'tls',
  'connectTimeoutMs',
  'commandTimeoutMs',
  'reconnect',
  'offlineQueue',
  'retryInFlight',
  'healthCheck',
  'libName',
  'keepAliveMs',
  'limits',
  'maxDedicatedConnections',
  'cache',
  'sentinel',
  'clock',
  'url',
]);
const KNOWN_RECONNECT = new Set([
  'baseDelayMs',
  'maxDelayMs',
  'jitter',
  'maxAttempts',
  'initialTimeoutMs',
  'onInitialFailure',
  'resetAfterMs',
  'decide',
]);

/** Reads a redis://, rediss:// or unix:// URL into options. Throws InvalidArgumentError naming what is wrong. */
export function parseUrl(url: string): ClientOptions {
  // 'host:port' (how redis-cli and many configs write an address) is no URL: 'localhost:6379'
  // would parse as the scheme 'localhost:'. Only digits follow the colon, so nothing is secret.
  const hostPort = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(url);
  if (hostPort !== null) {
    const host = hostPort[1].startsWith('[') ? hostPort[1].slice(1, -1) : hostPort[1];
    throw new InvalidArgumentError(
      `'${url}' is an address, not a URL: write 'redis://${hostPort[1]}:${hostPort[2]}' (or { host: '${host}', port: ${hostPort[2]} })`,
    );
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidArgumentError(
      `invalid Redis URL '${redactUrl(url)}': expected redis://[user:pass@]host[:port][/db], rediss://... or unix:///path. ${ENCODE_HINT}`,
    );
  }
  // An '@' after the authority is the rest of a password with an unencoded '/', '?' or '#' in it
  // (the parser ended the authority there): reading it as a path or parameter would send part of
  // the password to the server as a database or client name, and show it in messages.
  if (u.pathname.includes('@') || u.search.includes('@') || u.hash.includes('@')) {
    throw new InvalidArgumentError(`invalid Redis URL '${redactUrl(url)}': ${ENCODE_HINT}`);
  }
  const out: ClientOptions = {};
  const scheme = u.protocol;
  if (scheme === 'redis:' || scheme === 'rediss:') {
    if (u.hostname !== '') out.host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    if (u.port !== '') out.port = Number(u.port);
    if (scheme === 'rediss:') out.tls = true;
    const db = u.pathname.replace(/^\//, '');
    if (db !== '') out.database = parseDb(db, url);
  } else if (scheme === 'unix:') {
    if (u.pathname === '' || u.pathname === '/')
      throw new InvalidArgumentError(`unix URL '${redactUrl(url)}' has no socket path`);
    out.path = decodeUrlPart(u.pathname, 'socket path', url);
  } else {
    throw new InvalidArgumentError(
      `unsupported URL scheme '${scheme}' in '${redactUrl(url)}': use redis://, rediss:// or unix://`,
    );
  }
  if (u.username !== '') out.username = decodeUrlPart(u.username, 'user name', url);
  if (u.password !== '') out.password = decodeUrlPart(u.password, 'password', url);
  for (const [key, value] of u.searchParams) {
    switch (key) {
      case 'db':
        out.database = parseDb(value, url);
        break;
      case 'protocol':
        if (value !== '2' && value !== '3')
          throw new InvalidArgumentError(`URL parameter protocol must be 2 or 3, got '${value}'`);
        out.protocol = Number(value) as 2 | 3;
        break;
      case 'name':
      case 'clientName':
        out.clientName = value;
        break;
      default:
        // Neither the value nor the URL: an unknown parameter may be a password (`?password=...`).
        throw new InvalidArgumentError(
          `unknown URL parameter '${key}' (known: db, protocol, name); a password goes in the user info: redis://[user]:PASSWORD@host`,
        );
    }
  }
  return out;
}

const ENCODE_HINT =
  'Special characters in a user name or password (/ ? # @ % : and spaces) must be percent-encoded: build the URL with encodeURIComponent(password), or pass { password } as an option.';

/** decodeURIComponent, failing with InvalidArgumentError (never the bare URIError) and without the text. */
function decodeUrlPart(text: string, what: string, url: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidArgumentError(
      `the ${what} in Redis URL '${redactUrl(url)}' has a malformed %-escape ('%' must be followed by two hex digits; write '%' itself as %25). ${ENCODE_HINT}`,
    );
  }
}

function parseDb(text: string, url: string): number {
  if (!/^\d+$/.test(text))
    throw new InvalidArgumentError(`invalid database '${text}' in '${redactUrl(url)}': expected a number`);
  return Number(text);
}

/** Merges a URL and/or options and validates every field, naming the option at fault. */
export function resolveOptions(urlOrOptions?: string | ClientOptions, extra?: ClientOptions): ResolvedOptions {
  if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra))) {
    throw new InvalidArgumentError(
      `createClient()'s second argument must be an options object, got ${extra === null ? 'null' : Array.isArray(extra) ? 'an array' : typeof extra}`,
    );
  }
  let merged: ClientOptions & { url?: string };
  if (typeof urlOrOptions === 'string') merged = { ...parseUrl(urlOrOptions), ...extra };
  else if (urlOrOptions === undefined || (typeof urlOrOptions === 'object' && urlOrOptions !== null)) {
    const base = { ...(urlOrOptions ?? {}) } as ClientOptions & { url?: string };
    if (base.url !== undefined && typeof base.url !== 'string')
      throw new InvalidArgumentError(`option 'url' must be a string (redis://...), got ${typeof base.url}`);
    if (typeof base.url === 'string') {
      const fromUrl = parseUrl(base.url);
      delete base.url;
      merged = { ...fromUrl, ...base, ...extra };
    } else merged = { ...base, ...extra };
  } else
    throw new InvalidArgumentError(
      `createClient() takes a URL string or an options object, got ${typeof urlOrOptions}`,
    );

  onlyKnown('', merged, KNOWN);
  const o = merged;
  const str = (name: string, v: unknown): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new InvalidArgumentError(`option '${name}' must be a string, got ${typeof v}`);
    return v;
  };
  const num = (name: string, v: unknown, def: number, min: number, allowInfinity = false): number => {
    if (v === undefined) return def;
    if (typeof v !== 'number' || Number.isNaN(v) || v < min || (!allowInfinity && !Number.isFinite(v))) {
      throw new InvalidArgumentError(
        `option '${name}' must be a number >= ${min}${allowInfinity ? ' (or Infinity)' : ''}, got ${show(v)}`,
      );
    }
    return v;
  };
  const int = (name: string, v: unknown, def: number, min: number, max: number): number => {
    const n = num(name, v, def, min);
    if (!Number.isInteger(n) || n > max)
      throw new InvalidArgumentError(`option '${name}' must be an integer from ${min} to ${max}, got ${show(v)}`);
    return n;
  };
  const oneOf = <T extends string | number>(name: string, v: unknown, values: readonly T[], def: T): T => {
    if (v === undefined) return def;
    if (!values.includes(v as T))
      throw new InvalidArgumentError(
        `option '${name}' must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${JSON.stringify(v)}`,
      );
    return v as T;
  };

  const path = str('path', o.path);
  const sentinel = resolveSentinel(o.sentinel);
  if (sentinel !== undefined) {
    // The sentinels say where to connect: an address given as well would be silently ignored.
    const where = ['host', 'port', 'path'].filter((k) => merged[k as keyof ClientOptions] !== undefined);
    if (typeof urlOrOptions === 'string' || (urlOrOptions as { url?: unknown } | undefined)?.url !== undefined)
      where.unshift('url');
    if (where.length > 0)
      throw new InvalidArgumentError(
        `option 'sentinel' excludes ${where.map((k) => `'${k}'`).join(', ')}: the sentinels say where the ${sentinel.role} is (give its password, database, tls... as usual)`,
      );
  }
  if (o.credentials !== undefined && typeof o.credentials !== 'function') {
    throw new InvalidArgumentError(`option 'credentials' must be a function returning { username?, password }`);
  }
  if (o.credentials !== undefined && o.password !== undefined) {
    throw new InvalidArgumentError(`options 'credentials' and 'password' exclude each other: give one`);
  }
  let tls: TlsOptions | undefined;
  if (o.tls === true) tls = {};
  else if (o.tls === false || o.tls === undefined) tls = undefined;
  else if (typeof o.tls === 'object' && o.tls !== null) tls = withHiddenTlsSecrets(o.tls);
  else throw new InvalidArgumentError(`option 'tls' must be a boolean or tls.connect() options`);

  let reconnect: ResolvedOptions['reconnect'];
  if (o.reconnect === false) reconnect = false;
  else if (o.reconnect === undefined || (typeof o.reconnect === 'object' && o.reconnect !== null)) {
    const r = o.reconnect ?? {};
    onlyKnown('reconnect.', r, KNOWN_RECONNECT);
    const onInitialFailure = oneOf(
      'reconnect.onInitialFailure',
      r.onInitialFailure,
      ['fail-fast', 'retry'] as const,
      'fail-fast',
    );
    const baseDelayMs = duration('reconnect.baseDelayMs', r.baseDelayMs, 100, 0);
    const maxDelayMs = duration('reconnect.maxDelayMs', r.maxDelayMs, 5000, 0);
    if (maxDelayMs < baseDelayMs)
      throw new InvalidArgumentError(
        `option 'reconnect.maxDelayMs' (${maxDelayMs}) must not be below 'reconnect.baseDelayMs' (${baseDelayMs})`,
      );
    if (r.decide !== undefined && typeof r.decide !== 'function')
      throw new InvalidArgumentError(`option 'reconnect.decide' must be a function`);
    reconnect = {
      baseDelayMs,
      maxDelayMs,
      jitter: oneOf('reconnect.jitter', r.jitter, ['none', 'full', 'equal', 'decorrelated'] as const, 'equal'),
      maxAttempts: num('reconnect.maxAttempts', r.maxAttempts, Infinity, 0, true),
      initialTimeoutMs: duration(
        'reconnect.initialTimeoutMs',
        r.initialTimeoutMs,
        onInitialFailure === 'retry' ? Infinity : 10_000,
        0,
        'no deadline',
      ),
      onInitialFailure,
      resetAfterMs: duration('reconnect.resetAfterMs', r.resetAfterMs, 5000, 0),
      decide: r.decide,
    };
  } else throw new InvalidArgumentError(`option 'reconnect' must be false or an object`);

  let offlineQueue: ResolvedOptions['offlineQueue'];
  if (o.offlineQueue === undefined || o.offlineQueue === true) offlineQueue = { enabled: true, maxLength: 100_000 };
  else if (o.offlineQueue === false) offlineQueue = { enabled: false, maxLength: 0 };
  else if (typeof o.offlineQueue === 'object' && o.offlineQueue !== null) {
    onlyKnown('offlineQueue.', o.offlineQueue, KNOWN_OFFLINE_QUEUE);
    offlineQueue = {
      enabled: true,
      maxLength: num('offlineQueue.maxLength', o.offlineQueue.maxLength, 100_000, 1, true),
    };
  } else throw new InvalidArgumentError(`option 'offlineQueue' must be a boolean or { maxLength }`);

  let healthCheck: ResolvedOptions['healthCheck'];
  if (o.healthCheck === false) healthCheck = false;
  else if (o.healthCheck === undefined || (typeof o.healthCheck === 'object' && o.healthCheck !== null)) {
    const h = o.healthCheck ?? {};
    onlyKnown('healthCheck.', h, KNOWN_HEALTH_CHECK);
    healthCheck = {
      intervalMs: duration('healthCheck.intervalMs', h.intervalMs, 2000, 1),
      timeoutMs: duration('healthCheck.timeoutMs', h.timeoutMs, 3000, 1),
      probeTimeoutMs: duration('healthCheck.probeTimeoutMs', h.probeTimeoutMs, 1000, 1),
    };
  } else
    throw new InvalidArgumentError(`option 'healthCheck' must be false or { intervalMs, timeoutMs, probeTimeoutMs }`);

  if (o.libName !== undefined && o.libName !== false && typeof o.libName !== 'string') {
    throw new InvalidArgumentError(`option 'libName' must be a string or false`);
  }
  const clientName = str('clientName', o.clientName);
  if (clientName !== undefined && /\s/.test(clientName)) {
    throw new InvalidArgumentError(
      `option 'clientName' must not contain spaces (Redis refuses such names), got '${clientName}'`,
    );
  }
  // Frozen: `client.options` is a view of what the client uses, shared with its pool and duplicates.
  return Object.freeze({
    host: str('host', o.host) ?? '127.0.0.1',
    port: int('port', o.port, 6379, 1, 65535),
    path,
    username: str('username', o.username),
    auth: new Auth(str('password', o.password), o.credentials),
    database: int('database', o.database, 0, 0, 2 ** 31 - 1),
    clientName,
    protocol: oneOf('protocol', o.protocol, [2, 3] as const, 3),
    tls,
    connectTimeoutMs: duration('connectTimeoutMs', o.connectTimeoutMs, 5000, 1),
    commandTimeoutMs: duration('commandTimeoutMs', o.commandTimeoutMs, 0, 0, 'no timeout'),
    reconnect,
    offlineQueue,
    retryInFlight: oneOf('retryInFlight', o.retryInFlight, ['idempotent', 'always', 'never'] as const, 'idempotent'),
    healthCheck,
    libName: o.libName ?? 'romaine',
    keepAliveMs: duration('keepAliveMs', o.keepAliveMs, 10_000, 0),
    limits: resolveLimits(o.limits, num),
    maxDedicatedConnections: int('maxDedicatedConnections', o.maxDedicatedConnections, 10, 1, 10_000),
    cache: resolveCache(o.cache, oneOf('protocol', o.protocol, [2, 3] as const, 3), num, int),
    sentinel,
    clock: o.clock,
  });
}

const KNOWN_OFFLINE_QUEUE = new Set(['maxLength']);
const KNOWN_HEALTH_CHECK = new Set(['intervalMs', 'timeoutMs', 'probeTimeoutMs']);
const KNOWN_LIMITS = new Set(['maxBulkLength', 'maxLineLength', 'maxAggregateLength', 'maxDepth']);

/** The `limits` option: only the decoder's own keys, each a count >= 1. */
function resolveLimits(
  l: unknown,
  num: (name: string, v: unknown, def: number, min: number, allowInfinity?: boolean) => number,
): DecoderLimits | undefined {
  if (l === undefined) return undefined;
  if (typeof l !== 'object' || l === null)
    throw new InvalidArgumentError(`option 'limits' must be an object { ${[...KNOWN_LIMITS].join(', ')} }`);
  onlyKnown('limits.', l, KNOWN_LIMITS);
  const limits = l as DecoderLimits;
  for (const key of KNOWN_LIMITS) num(`limits.${key}`, limits[key as keyof DecoderLimits], 0, 1, true);
  return limits;
}

const KNOWN_CACHE = new Set(['maxEntries', 'maxBytes', 'ttlMs', 'mode', 'prefixes']);

/** The `cache` option, validated: RESP3 only, because invalidations arrive as push frames. */
function resolveCache(
  c: unknown,
  protocol: 2 | 3,
  num: (name: string, v: unknown, def: number, min: number, allowInfinity?: boolean) => number,
  int: (name: string, v: unknown, def: number, min: number, max: number) => number,
): ResolvedCacheOptions | undefined {
  if (c === undefined || c === false) return undefined;
  if (c === true) c = {};
  if (typeof c !== 'object' || c === null) throw new InvalidArgumentError(`option 'cache' must be false or an object`);
  if (protocol === 2) {
    throw new InvalidArgumentError(
      `option 'cache' needs protocol 3 (RESP3): the server sends invalidations as push frames on the same connection, which RESP2 cannot carry`,
    );
  }
  const o = c as CacheOptions;
  onlyKnown('cache.', o, KNOWN_CACHE);
  if (o.mode !== undefined && o.mode !== 'default' && o.mode !== 'bcast') {
    throw new InvalidArgumentError(`option 'cache.mode' must be 'default' or 'bcast', got ${show(o.mode)}`);
  }
  const mode = o.mode ?? 'default';
  const prefixes = o.prefixes ?? [];
  if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== 'string' || p === '')) {
    throw new InvalidArgumentError(`option 'cache.prefixes' must be an array of non-empty strings`);
  }
  if (prefixes.length > 0 && mode !== 'bcast') {
    throw new InvalidArgumentError(`option 'cache.prefixes' only applies with cache.mode 'bcast'`);
  }
  return {
    maxEntries: int('cache.maxEntries', o.maxEntries, 10_000, 1, 2 ** 31 - 1),
    maxBytes: num('cache.maxBytes', o.maxBytes, 64 * 1024 * 1024, 1, true),
    ttlMs: duration('cache.ttlMs', o.ttlMs, 0, 0, 'no limit'),
    mode,
    prefixes: [...prefixes],
  };
}
