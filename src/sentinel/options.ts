// The `sentinel` option of createClient(): validated at createClient() like every other option,
// with the romaine form of the ioredis and node-redis shapes a user is likely to bring along.
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../errors';

export interface SentinelAddress {
  host: string;
  port: number;
}

export interface SentinelOptions {
  /** The sentinels to ask first (the others are learned from them). */
  sentinels: SentinelAddress[];
  /** The master name the sentinels monitor (`sentinel monitor <name> ...`). */
  name: string;
  /** 'primary' (default): the current primary; 'replica': one of its replicas that is up. */
  role?: 'primary' | 'replica';
  /** ACL user on the sentinels (the data nodes use the client's own `username`). */
  username?: string;
  /** Password of the sentinels (the data nodes use the client's own `password`/`credentials`). */
  password?: string;
  /** TLS to the sentinels: true or tls.connect() options (the data nodes use the client's own `tls`). */
  tls?: boolean | TlsOptions;
  /**
   * Whose failover events the client subscribes to: 'all' (default) every known sentinel, one
   * connection each, so it hears the steps the sentinel leading a failover publishes before the
   * promotion; 'one' a single connection (moving to another sentinel when it is lost), which
   * hears the switch only once that sentinel learns it (see docs/sentinel.md).
   */
  watch?: 'all' | 'one';
}

export interface ResolvedSentinelOptions {
  sentinels: readonly SentinelAddress[];
  name: string;
  role: 'primary' | 'replica';
  username: string | undefined;
  password: string | undefined;
  tls: TlsOptions | undefined;
  watch: 'all' | 'one';
}

const KNOWN = new Set(['sentinels', 'name', 'role', 'username', 'password', 'tls', 'watch']);

/** What ioredis and node-redis call these things inside a sentinel config, and where they go in romaine. */
const FOREIGN: Record<string, string> = {
  sentinelPassword: "'sentinel.password'",
  sentinelUsername: "'sentinel.username'",
  sentinelTLS: "'sentinel.tls'",
  enableTLSForSentinelMode: "'sentinel.tls'",
  sentinelRootNodes: "'sentinel.sentinels' (node-redis createSentinel's sentinelRootNodes)",
  sentinelClientOptions: "'sentinel.username', 'sentinel.password' and 'sentinel.tls'",
  nodeClientOptions: 'the client options next to `sentinel` (they apply to the primary or replica)',
  natMap: 'nothing yet (announced addresses are used as they are)',
  preferredSlaves: '\'sentinel.role: "replica"\'',
};

/** How a sentinel-managed client names where it connects (messages, `inspect`): never a secret. */
export function describeSentinel(o: ResolvedSentinelOptions): string {
  const list = o.sentinels.map((a) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`));
  return `'${o.name}' (${o.role}) via sentinels ${list.join(', ')}`;
}

/** Validates `sentinel`, naming the field at fault. */
export function resolveSentinel(v: unknown): ResolvedSentinelOptions | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InvalidArgumentError(
      `option 'sentinel' must be an object: { sentinels: [{ host, port }], name: 'mymaster' }, got ${show(v)}`,
    );
  }
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (KNOWN.has(key)) continue;
    if (key in FOREIGN) throw new InvalidArgumentError(`unknown option 'sentinel.${key}': use ${FOREIGN[key]}`);
    if (key === 'masterName' || key === 'master')
      throw new InvalidArgumentError(`unknown option 'sentinel.${key}' (did you mean 'sentinel.name'?)`);
    throw new InvalidArgumentError(`unknown option 'sentinel.${key}' (known: ${[...KNOWN].join(', ')})`);
  }
  if (!Array.isArray(o.sentinels) || o.sentinels.length === 0) {
    throw new InvalidArgumentError(
      `option 'sentinel.sentinels' must be a non-empty array of { host, port }, got ${show(o.sentinels)}`,
    );
  }
  const sentinels = o.sentinels.map((s: unknown, i): SentinelAddress => {
    const at = `sentinel.sentinels[${i}]`;
    if (typeof s === 'string') {
      // 'host:port', as some configs hold it: accepted, it is unambiguous.
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s);
      if (m === null)
        throw new InvalidArgumentError(`option '${at}' must be { host, port } or 'host:port', got ${show(s)}`);
      return { host: m[1], port: port(at, Number(m[2])) };
    }
    if (typeof s !== 'object' || s === null) {
      throw new InvalidArgumentError(`option '${at}' must be { host, port }, got ${show(s)}`);
    }
    const a = s as Record<string, unknown>;
    for (const key of Object.keys(a)) {
      if (key !== 'host' && key !== 'port')
        throw new InvalidArgumentError(`unknown option '${at}.${key}' (a sentinel is { host, port })`);
    }
    const host = a.host ?? '127.0.0.1';
    if (typeof host !== 'string' || host === '')
      throw new InvalidArgumentError(`option '${at}.host' must be a non-empty string, got ${show(a.host)}`);
    return { host, port: port(`${at}.port`, a.port ?? 26379) };
  });
  if (typeof o.name !== 'string' || o.name === '') {
    throw new InvalidArgumentError(
      `option 'sentinel.name' must be the master name the sentinels monitor (a non-empty string), got ${show(o.name)}`,
    );
  }
  let role: 'primary' | 'replica' = 'primary';
  if (o.role !== undefined) {
    if (o.role === 'master')
      throw new InvalidArgumentError(`option 'sentinel.role': use 'primary' instead of 'master'`);
    if (o.role === 'slave') throw new InvalidArgumentError(`option 'sentinel.role': use 'replica' instead of 'slave'`);
    if (o.role !== 'primary' && o.role !== 'replica')
      throw new InvalidArgumentError(`option 'sentinel.role' must be 'primary' or 'replica', got ${show(o.role)}`);
    role = o.role;
  }
  for (const key of ['username', 'password'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string')
      throw new InvalidArgumentError(`option 'sentinel.${key}' must be a string, got ${typeof o[key]}`);
  }
  let tls: TlsOptions | undefined;
  if (o.tls === true) tls = {};
  else if (o.tls === false || o.tls === undefined) tls = undefined;
  else if (typeof o.tls === 'object' && o.tls !== null) tls = o.tls;
  else throw new InvalidArgumentError(`option 'sentinel.tls' must be a boolean or tls.connect() options`);
  if (o.watch !== undefined && o.watch !== 'all' && o.watch !== 'one')
    throw new InvalidArgumentError(`option 'sentinel.watch' must be 'all' or 'one', got ${show(o.watch)}`);
  const resolved: ResolvedSentinelOptions = {
    sentinels: Object.freeze(sentinels),
    name: o.name,
    role,
    username: o.username as string | undefined,
    password: undefined,
    tls,
    watch: o.watch ?? 'all',
  };
  // Like the client's own password: out of reach of util.inspect and JSON.stringify.
  Object.defineProperty(resolved, 'password', { value: o.password, enumerable: false });
  return Object.freeze(resolved);
}

function port(at: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535)
    throw new InvalidArgumentError(`option '${at}' must be an integer from 1 to 65535, got ${show(v)}`);
  return v;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : inspect(v, { depth: 1, breakLength: Infinity });
}
