/**
 * `new Redis.Cluster(startupNodes, options)`'s arguments, translated to romaine's ClusterOptions.
 * What romaine can honour is translated (scaleReads -> readFrom, natMap -> nodeAddressMap,
 * redisOptions -> every node's connection options...); what it cannot is refused with the option's
 * name and the reason, never silently ignored. See docs/compat-ioredis.md, "Redis.Cluster".
 */
import { InvalidArgumentError } from '../../errors';
import { show } from '../../client/option-checks';
import type { ClusterOptions } from '../../cluster/options';
import type { NodeAddress } from '../../cluster/slot-map';
import type { NodeAddressMap } from '../../cluster/address-map';
import { translate, type IoredisOptions } from './options';

/** ioredis' startup node forms: a port, `'host:port'`, a `redis://` URL, or `{ host, port }`. */
export type StartupNode = number | string | { host?: string; port?: number };

/** The ioredis Cluster options the facade understands (see docs/compat-ioredis.md for each one). */
export interface IoredisClusterOptions {
  /** Options of every node's connection (password, username, tls, connectTimeout, retryStrategy...). */
  redisOptions?: IoredisOptions;
  /** 'master' (default) or 'slave': where read-only commands go (romaine's readFrom 'primary' / 'replica'). */
  scaleReads?: 'master' | 'slave';
  /** Announced `'host:port'` -> where to connect instead, or a function of the announced address. */
  natMap?: Record<string, { host: string; port: number }> | ((key: string) => { host: string; port: number } | null);
  maxRedirections?: number;
  /** Periodic slot map refresh, ms (romaine's refreshIntervalMs). */
  slotsRefreshInterval?: number;
  enableOfflineQueue?: boolean;
  lazyConnect?: boolean;
  /** romaine retries these itself, waiting for the slot's owner (unavailableTimeoutMs); the delay is its own. */
  retryDelayOnFailover?: number;
  retryDelayOnClusterDown?: number;
  retryDelayOnTryAgain?: number;
  retryDelayOnMoved?: number;
  enableReadyCheck?: boolean;
  enableAutoPipelining?: boolean;
  autoPipeliningIgnoredCommands?: string[];
  showFriendlyErrorStack?: boolean;
  shardedSubscribers?: boolean;
  /** romaine's own cluster options, applied last (e.g. `{ readFrom: 'preferReplica', unavailableTimeoutMs }`). */
  romaine?: Partial<ClusterOptions>;
}

/** Accepted as they are: behaviour romaine has anyway (see docs/compat-ioredis.md). */
const ACCEPTED = new Set([
  'lazyConnect',
  'retryDelayOnFailover',
  'retryDelayOnClusterDown',
  'retryDelayOnTryAgain',
  'retryDelayOnMoved',
  'enableReadyCheck',
  'enableAutoPipelining',
  'autoPipeliningIgnoredCommands',
  'showFriendlyErrorStack',
  'shardedSubscribers',
]);

/** Refused, with why. */
const REFUSED: Readonly<Record<string, string>> = {
  clusterRetryStrategy:
    "romaine's cluster fails connect() at once on a configuration error, retries unreachable seeds until reconnect.initialTimeoutMs, and never gives up once connected: tune it with romaine: { reconnect: { initialTimeoutMs, baseDelayMs, maxDelayMs } }",
  slotsRefreshTimeout:
    "romaine bounds a refresh with the nodes' own timeouts (redisOptions.connectTimeout, romaine: { commandTimeoutMs })",
  keyPrefix:
    "the facade does not prefix keys (BullMQ refuses it too): add the prefix to your keys, or use the library's own prefix option",
  scripts: 'call cluster.defineCommand(name, { numberOfKeys, lua }) for each script',
  dnsLookup: 'custom DNS lookups are not supported: give resolvable addresses, or map them with natMap',
  useSRVRecords: 'SRV records are not supported: list the startup nodes',
  resolveSrv: 'SRV records are not supported: list the startup nodes',
};

/** What the constructor arguments resolve to: romaine's options, and the ioredis-shaped `options` view. */
export interface TranslatedCluster {
  romaine: ClusterOptions;
  /** `cluster.options`: what the caller passed (redisOptions as given: BullMQ reads it), without the password. */
  view: IoredisClusterOptions & Record<string, unknown>;
}

function fail(message: string): never {
  throw new InvalidArgumentError(`new Redis.Cluster(): ${message}`);
}

/** ioredis' startup nodes as romaine's seeds. */
export function startupSeeds(nodes: unknown): (NodeAddress | string)[] {
  if (!Array.isArray(nodes) || nodes.length === 0)
    fail(`the startup nodes must be a non-empty array of ports, 'host:port', redis:// URLs or { host, port }`);
  return nodes.map((n: unknown, i): NodeAddress | string => {
    if (typeof n === 'number') return { host: '127.0.0.1', port: n };
    if (typeof n === 'string') {
      if (n.includes('://')) return n;
      const m = /^(.*):(\d+)$/.exec(n);
      if (m !== null) return { host: m[1] === '' ? '127.0.0.1' : m[1].replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
      if (/^\d+$/.test(n)) return { host: '127.0.0.1', port: Number(n) };
      return { host: n, port: 6379 };
    }
    if (n !== null && typeof n === 'object') {
      const o = n as { host?: unknown; port?: unknown };
      if ((o.host === undefined || typeof o.host === 'string') && (o.port === undefined || typeof o.port === 'number'))
        return { host: o.host ?? '127.0.0.1', port: o.port ?? 6379 };
    }
    return fail(`startup node ${i + 1} must be a port, 'host:port', a redis:// URL or { host, port }, got ${show(n)}`);
  });
}

/** ioredis' natMap (an object keyed by 'host:port', or a function of 'host:port') as romaine's nodeAddressMap. */
function addressMap(natMap: unknown): NodeAddressMap {
  if (typeof natMap === 'function') {
    const fn = natMap as (key: string) => { host: string; port: number } | null | undefined;
    return ({ host, port }) => fn(`${host}:${port}`) ?? undefined;
  }
  if (natMap !== null && typeof natMap === 'object') return natMap as NodeAddressMap;
  return fail(`option 'natMap' must be an object keyed by 'host:port' or a function, got ${show(natMap)}`);
}

/** ioredis Cluster options -> romaine ClusterOptions. Throws InvalidArgumentError for what cannot be honoured. */
export function translateCluster(nodes: unknown, input: IoredisClusterOptions = {}): TranslatedCluster {
  if (input === null || typeof input !== 'object') fail(`the options must be an object, got ${show(input)}`);
  const o = input as Record<string, unknown>;
  const r: Partial<ClusterOptions> = {};
  for (const [key, value] of Object.entries(o)) {
    if (value === undefined) continue;
    const why = REFUSED[key];
    if (why !== undefined) {
      if (key === 'keyPrefix' && value === '') continue;
      fail(`option '${key}' is not supported by romaine/compat/ioredis: ${why}`);
    }
    switch (key) {
      case 'redisOptions':
        Object.assign(r, nodeOptions(value));
        break;
      case 'scaleReads':
        if (value === 'master') r.readFrom = 'primary';
        else if (value === 'slave') r.readFrom = 'replica';
        else
          fail(
            `option 'scaleReads' ${show(value)} is not supported: 'master' or 'slave' are; for reads on a replica that fall back to the primary use romaine: { readFrom: 'preferReplica' }`,
          );
        break;
      case 'natMap':
        r.nodeAddressMap = addressMap(value);
        break;
      case 'maxRedirections':
        r.maxRedirections = value as number;
        break;
      case 'slotsRefreshInterval':
        r.refreshIntervalMs = value as number;
        break;
      case 'enableOfflineQueue':
        if (value === false) r.offlineQueue = false;
        break;
      case 'romaine':
        break;
      default:
        if (!ACCEPTED.has(key))
          fail(
            `unknown option '${key}' for romaine/compat/ioredis (see docs/compat-ioredis.md; romaine's own options go in 'romaine: { ... }')`,
          );
    }
  }
  const own = (o.romaine ?? {}) as Partial<ClusterOptions>;
  const romaine = { ...r, ...own, nodes: startupSeeds(nodes) };
  const view = { ...o } as TranslatedCluster['view'];
  if (isObject(o.redisOptions) && 'password' in o.redisOptions) {
    const redisOptions = { ...o.redisOptions };
    const password = redisOptions.password;
    delete redisOptions.password;
    // The secret stays out of `cluster.options` as shown by util.inspect or JSON: not enumerable.
    Object.defineProperty(redisOptions, 'password', { value: password, enumerable: false, writable: true });
    view.redisOptions = redisOptions;
  }
  return { romaine, view };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object';
}

/** redisOptions: the single-node translation, minus what belongs to each node (address, database). */
function nodeOptions(value: unknown): Partial<ClusterOptions> {
  if (!isObject(value)) fail(`option 'redisOptions' must be an object, got ${show(value)}`);
  if (value.path !== undefined) fail(`option 'redisOptions.path': a cluster node is reached over TCP`);
  if (value.db !== undefined && value.db !== 0) fail(`option 'redisOptions.db': Redis Cluster has only database 0`);
  // Each node's address comes from the slot map (ioredis ignores these too).
  const { host: _h, port: _p, db: _d, ...rest } = value;
  let translated;
  try {
    translated = translate(rest).romaine;
  } catch (err) {
    if (err instanceof InvalidArgumentError)
      throw new InvalidArgumentError(err.message.replace(/^new Redis\(\): /, 'new Redis.Cluster(): in redisOptions, '));
    throw err;
  }
  const { host: _host, port: _port, path: _path, database: _database, ...forEveryNode } = translated;
  return forEveryNode;
}
