/**
 * The checks resolveOptions() (and createPool()) run on each option: durations within what Node's
 * timers can hold, and unknown keys answered with the romaine name of an ioredis or node-redis
 * option (a migration hint), or else the nearest known name.
 */
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../errors';
import { MAX_TIMER_MS } from '../lifecycle/clock';

/**
 * A duration option in ms, at most MAX_TIMER_MS (a longer timer fires at once: a
 * `commandTimeoutMs` of 2^31 timed every command out after 1 ms). `infinity` says what Infinity
 * means for this option (without it, Infinity is refused); the message for a value past the bound
 * gives the bound and, where there is one, the way to say "none".
 */
export function duration(
  name: string,
  v: unknown,
  def: number,
  min: number,
  infinity?: 'no timeout' | 'no deadline' | 'never' | 'forever' | 'no limit',
): number {
  if (v === undefined) return def;
  const none = infinity === undefined ? '' : ` (or Infinity: ${infinity})`;
  if (typeof v !== 'number' || Number.isNaN(v) || v < min || (v === Infinity && infinity === undefined)) {
    throw new InvalidArgumentError(
      `option '${name}' must be a number of milliseconds >= ${min}${none}, got ${show(v)}`,
    );
  }
  if (v > MAX_TIMER_MS && v !== Infinity) {
    throw new InvalidArgumentError(
      `option '${name}' must be at most ${MAX_TIMER_MS} ms (2^31 - 1, about 24.8 days: Node's timers cannot wait longer), got ${v}` +
        (infinity === undefined ? '' : `; use Infinity for ${infinity}`),
    );
  }
  return v;
}

/**
 * Options of ioredis and node-redis, with what to write in romaine instead (or why there is
 * nothing to write). Preferred over a near-miss: `pass` is `password`, not `path`.
 */
const MIGRATION: Readonly<Record<string, string>> = {
  db: "use 'database'",
  name: "use 'clientName' (the CLIENT SETNAME name); a sentinel master name goes in 'sentinel.name'",
  sentinels:
    "in romaine the sentinels go inside 'sentinel': { sentinel: { sentinels: [{ host, port }], name: 'mymaster' } }",
  sentinelRootNodes:
    "use 'sentinel': { sentinels: [{ host, port }], name } (node-redis createSentinel's sentinelRootNodes)",
  sentinelPassword: "use 'sentinel.password'",
  sentinelUsername: "use 'sentinel.username'",
  sentinelTLS: "use 'sentinel.tls'",
  enableTLSForSentinelMode: "use 'sentinel.tls'",
  sentinelClientOptions: "use 'sentinel.username', 'sentinel.password' and 'sentinel.tls'",
  nodeClientOptions: "the client options next to 'sentinel' apply to the primary or replica it finds",
  scaleReads: "use 'readFrom' in createCluster(): 'primary' | 'replica' | 'preferReplica' (docs/cluster.md)",
  useReplicas: "use 'readFrom' in createCluster(): 'replica' or 'preferReplica' (docs/cluster.md)",
  readOnly:
    "romaine sends READONLY itself on a cluster's replica connections: use createCluster({ readFrom: 'replica' })",
  natMap:
    "in createCluster() use 'nodeAddressMap' (an object or a function: announced 'host:port' -> { host, port }); the addresses sentinels announce are used as they are",
  rootNodes: "use 'nodes' in createCluster(): [{ host, port }] or redis:// URLs (node-redis createCluster's rootNodes)",
  defaults: "the client options go next to 'nodes' in createCluster() (node-redis createCluster's defaults)",
  redisOptions: "the client options go next to 'nodes' in createCluster() (ioredis Cluster's redisOptions)",
  clusterRetryStrategy:
    "each node's connection reconnects by 'reconnect' ({ baseDelayMs, maxDelayMs, jitter }); a seed phase that finds no node ends at 'reconnect.initialTimeoutMs'",
  maxCommandRedirections: "use 'maxRedirections'",
  slotsRefreshInterval: "use 'refreshIntervalMs' (the periodic topology refresh; 0 turns it off)",
  retryDelayOnMoved:
    "romaine follows MOVED at once and refreshes the topology itself; commands for a slot without a reachable owner wait up to 'unavailableTimeoutMs'",
  retryDelayOnFailover:
    "commands for the slots of a failed primary wait for the new owner (a topology refresh), up to 'unavailableTimeoutMs'",
  retryDelayOnClusterDown: "CLUSTERDOWN and TRYAGAIN are retried within 'unavailableTimeoutMs'",
  retryDelayOnTryAgain: "CLUSTERDOWN and TRYAGAIN are retried within 'unavailableTimeoutMs'",
  enableAutoPipelining: 'romaine always pipelines the commands issued together: remove it',
  connectionName: "use 'clientName'",
  user: "use 'username'",
  pass: "use 'password'",
  socket:
    "node-redis' socket options are flat in romaine: { host, port, path, tls, connectTimeoutMs, keepAliveMs }, and reconnectStrategy is 'reconnect'",
  connectTimeout: "use 'connectTimeoutMs'",
  commandTimeout: "use 'commandTimeoutMs'",
  socketTimeout:
    "use 'healthCheck' ({ intervalMs, timeoutMs }: a connection owing replies that stays silent is replaced) or 'commandTimeoutMs'",
  keepAlive: "use 'keepAliveMs'",
  noDelay: 'romaine always disables Nagle (setNoDelay): remove it',
  retryStrategy: "use 'reconnect': { baseDelayMs, maxDelayMs, jitter, maxAttempts }, or reconnect.decide per failure",
  reconnectStrategy:
    "use 'reconnect': { baseDelayMs, maxDelayMs, jitter, maxAttempts }, or reconnect.decide per failure",
  reconnectOnError: "use 'reconnect.decide' (see docs/resilience.md)",
  maxRetriesPerRequest:
    "romaine does not count retries per command: a queued command waits up to 'commandTimeoutMs', and one in flight when the connection dies is re-sent only if safe ('retryInFlight')",
  autoResendUnfulfilledCommands: "use 'retryInFlight': 'idempotent' | 'always' | 'never'",
  enableOfflineQueue: "use 'offlineQueue': true | false | { maxLength }",
  disableOfflineQueue: "use 'offlineQueue': false",
  commandsQueueMaxLength: "use 'offlineQueue': { maxLength }",
  lazyConnect: 'romaine always connects lazily (at connect() or the first command): remove it',
  enableReadyCheck:
    'romaine is ready only once the handshake succeeded and a loading server finished loading: remove it',
  autoResubscribe: 'subscriptions are always restored after a reconnect: remove it',
  keyPrefix: 'romaine has no key prefix: add it to your keys',
  RESP: "use 'protocol': 2 | 3",
  pingInterval: "use 'healthCheck': { intervalMs, timeoutMs }",
  scripts: 'use defineScript() and client.runScript()',
  functions: 'use client.fcall(name, keys, args)',
  isolationPoolOptions: 'use createPool(url, { min, max, ... })',
  showFriendlyErrorStack: "errors keep the caller's stack already: remove it",
};

/** The error for an unknown key at `path` ('' at the top level, 'reconnect.' inside reconnect). */
export function unknownOption(path: string, key: string, known: Iterable<string>): InvalidArgumentError {
  const migration = path === '' ? MIGRATION[key] : undefined;
  if (migration !== undefined) {
    return new InvalidArgumentError(`unknown option '${key}' (an ioredis or node-redis option): ${migration}`);
  }
  return new InvalidArgumentError(`unknown option '${path}${key}'${suggest(key, known)}`);
}

/** Refuses every key of `value` that is not in `known`. */
export function onlyKnown(path: string, value: object, known: ReadonlySet<string>): void {
  for (const key of Object.keys(value)) if (!known.has(key)) throw unknownOption(path, key, known);
}

/** A value as a message shows it: strings quoted, objects as JSON-ish text, never '[object Object]'. */
export function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : inspect(v, { depth: 1, breakLength: Infinity });
}

function suggest(key: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  const list = [...known].join(', ');
  return best === undefined ? ` (known: ${list})` : ` (did you mean '${best}'?)`;
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
