/**
 * ioredis' constructor forms and option names, translated to romaine's ClientOptions. What romaine
 * can honour is translated; what it cannot is refused with the reason (never silently ignored);
 * the rest is accepted and documented in docs/compat-ioredis.md.
 */
import { InvalidArgumentError } from '../../errors';
import { parseUrl, type ClientOptions } from '../../client/options';
import { show } from '../../client/option-checks';

/** The ioredis options the facade understands (see docs/compat-ioredis.md for each one). */
export interface IoredisOptions {
  host?: string;
  port?: number;
  path?: string;
  username?: string;
  password?: string;
  db?: number;
  connectionName?: string;
  tls?: boolean | import('node:tls').ConnectionOptions;
  /** ioredis' 2 or 3: the facade always speaks RESP2 on the wire, whose replies are ioredis' 'legacy' shapes. */
  protocol?: 2 | 3;
  /** Only 'legacy' (ioredis' default). */
  replyMapping?: 'legacy';
  connectTimeout?: number;
  commandTimeout?: number;
  keepAlive?: number;
  noDelay?: boolean;
  /** ioredis default false: connect in the constructor. */
  lazyConnect?: boolean;
  enableOfflineQueue?: boolean;
  enableReadyCheck?: boolean;
  autoResubscribe?: boolean;
  autoResendUnfulfilledCommands?: boolean;
  /** Kept as given in `redis.options` (BullMQ reads it); romaine bounds a command in time instead. */
  maxRetriesPerRequest?: number | null;
  /** Called with the attempt number; a non-number stops reconnecting. The delay it returns is not used. */
  retryStrategy?: (times: number) => number | void | null;
  /** ioredis: integers as strings. */
  stringNumbers?: boolean;
  enableAutoPipelining?: boolean;
  maxLoadingRetryTime?: number;
  showFriendlyErrorStack?: boolean;
  disableClientInfo?: boolean;
  family?: number;
  /** romaine's own options, applied last (e.g. `{ reconnect: { onInitialFailure: 'retry' } }`). */
  romaine?: ClientOptions;
  /** BullMQ passes it through connection options; ignored by the facade. */
  skipVersionCheck?: boolean;
}

/** Options accepted and not needing a translation (ioredis behaviour that romaine has anyway). */
const ACCEPTED = new Set([
  'noDelay',
  'enableReadyCheck',
  'autoResubscribe',
  'enableAutoPipelining',
  'maxLoadingRetryTime',
  'showFriendlyErrorStack',
  'family',
  'skipVersionCheck',
  'maxRetriesPerRequest',
  'lazyConnect',
  'stringNumbers',
  'protocol',
  'replyMapping',
]);

/** ioredis options refused, with why: they would change behaviour the facade cannot reproduce. */
const REFUSED: Readonly<Record<string, string>> = {
  keyPrefix:
    "the facade does not prefix keys (BullMQ refuses it too): add the prefix to your keys, or use the library's own prefix option",
  sentinels:
    "Sentinel is not covered by the ioredis facade yet: use romaine's createClient({ sentinel: { sentinels, name } })",
  name: 'Sentinel is not covered by the ioredis facade yet (connection names are `connectionName`)',
  role: 'Sentinel is not covered by the ioredis facade yet',
  natMap: 'the facade has no address map',
  monitor: 'MONITOR is not supported: run `redis-cli MONITOR` beside your program',
  readOnly: 'READONLY connections to replicas are not covered by the facade',
  reconnectOnError:
    "romaine already reconnects after a failover's READONLY reply; for other decisions use romaine: { reconnect: { decide } }",
  scripts: 'call redis.defineCommand(name, { numberOfKeys, lua }) for each script',
  Connector: 'custom connectors are not supported',
  offlineQueue: "use ioredis' 'enableOfflineQueue', or romaine: { offlineQueue }",
};

/** What the constructor arguments resolve to: romaine's options, and the ioredis-shaped `options` view. */
export interface Translated {
  romaine: ClientOptions;
  /** `redis.options`: what the caller passed (ioredis defaults filled in), for libraries that read it. */
  view: IoredisOptions & Record<string, unknown>;
}

/** `new Redis()`, `(port)`, `(port, host)`, `(port, host, opts)`, `(url)`, `(url, opts)`, `(path)`, `(opts)`. */
export function parseArgs(args: unknown[]): IoredisOptions {
  let options: Record<string, unknown> = {};
  for (let i = args.length - 1; i >= 0; i--) {
    const a = args[i];
    if (a === undefined || a === null) continue;
    if (typeof a === 'object' && !Array.isArray(a)) options = { ...a, ...options };
    else if (typeof a === 'number') options.port = a;
    else if (typeof a === 'string') {
      if (i === 0 && /^\d+$/.test(a)) options.port = Number(a);
      else if (i === 1 && typeof args[0] === 'number') options.host = a;
      else if (a.startsWith('/')) options.path = a;
      else options = { ...fromUrl(a), ...options };
    } else
      throw new InvalidArgumentError(
        `new Redis(): argument ${i + 1} must be a port, a host, a URL or options, got ${show(a)}`,
      );
  }
  return options;
}

function fromUrl(url: string): Record<string, unknown> {
  const o = parseUrl(url.includes('://') ? url : `redis://${url}`);
  const out: Record<string, unknown> = {};
  if (o.host !== undefined) out.host = o.host;
  if (o.port !== undefined) out.port = o.port;
  if (o.path !== undefined) out.path = o.path;
  if (o.username !== undefined) out.username = o.username;
  if (o.password !== undefined) out.password = o.password;
  if (o.database !== undefined) out.db = o.database;
  if (o.tls !== undefined) out.tls = o.tls;
  return out;
}

/** ioredis options -> romaine options. Throws InvalidArgumentError for what cannot be honoured. */
export function translate(input: IoredisOptions): Translated {
  const o = input as Record<string, unknown>;
  const r: ClientOptions = {};
  for (const [key, value] of Object.entries(o)) {
    if (value === undefined) continue;
    const why = REFUSED[key];
    if (why !== undefined) {
      if (key === 'keyPrefix' && value === '') continue;
      throw new InvalidArgumentError(`new Redis(): option '${key}' is not supported by romaine/compat/ioredis: ${why}`);
    }
    switch (key) {
      case 'host':
      case 'port':
      case 'path':
      case 'username':
      case 'password':
      case 'tls':
        (r as Record<string, unknown>)[key] = value;
        break;
      case 'db':
        r.database = value as number;
        break;
      case 'connectionName':
        r.clientName = value as string;
        break;
      case 'connectTimeout':
        r.connectTimeoutMs = value as number;
        break;
      case 'commandTimeout':
        r.commandTimeoutMs = value as number;
        break;
      case 'keepAlive':
        r.keepAliveMs = Math.max(1, value as number);
        break;
      case 'enableOfflineQueue':
        if (value === false) r.offlineQueue = false;
        break;
      case 'autoResendUnfulfilledCommands':
        // ioredis re-sends every unanswered command; romaine, by default, only those safe to run twice.
        if (value === false) r.retryInFlight = 'never';
        break;
      case 'disableClientInfo':
        if (value === true) r.libName = false;
        break;
      case 'retryStrategy': {
        if (typeof value !== 'function')
          throw new InvalidArgumentError("new Redis(): option 'retryStrategy' must be a function");
        const strategy = value as (times: number) => unknown;
        // Asked once per failure: a non-number answer stops reconnecting, like in ioredis. romaine's
        // backoff chooses the delay (romaine: { reconnect: { baseDelayMs, maxDelayMs } }).
        r.reconnect = { decide: (info) => (typeof strategy(info.attempt) === 'number' ? undefined : 'fail') };
        break;
      }
      case 'replyMapping':
        if (value !== 'legacy')
          throw new InvalidArgumentError(
            `new Redis(): replyMapping ${show(value)} is not supported: the facade returns ioredis' 'legacy' (RESP2) shapes`,
          );
        break;
      case 'romaine':
        break;
      default:
        if (!ACCEPTED.has(key))
          throw new InvalidArgumentError(
            `new Redis(): unknown option '${key}' for romaine/compat/ioredis (see docs/compat-ioredis.md; romaine's own options go in 'romaine: { ... }')`,
          );
    }
  }
  // ioredis' replies are RESP2's shapes ('legacy'): the facade asks for them on the wire.
  r.protocol = 2;
  const own = o.romaine as ClientOptions | undefined;
  const romaine: ClientOptions = own === undefined ? r : { ...r, ...own };
  if (own?.reconnect !== undefined && r.reconnect !== undefined && own.reconnect !== false) {
    romaine.reconnect = { ...r.reconnect, ...own.reconnect };
  }
  const view = {
    host: '127.0.0.1',
    port: 6379,
    db: 0,
    maxRetriesPerRequest: 20,
    enableOfflineQueue: true,
    lazyConnect: false,
    keyPrefix: '',
    ...o,
  } as Translated['view'];
  // The secret stays out of `redis.options` as shown by util.inspect or JSON: not enumerable.
  if ('password' in view) {
    const password = view.password;
    delete view.password;
    Object.defineProperty(view, 'password', { value: password, enumerable: false, writable: true });
  }
  return { romaine, view };
}
