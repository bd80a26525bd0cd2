/**
 * node-redis' createClient() options, translated to romaine's. What romaine does differently is
 * said in docs/compat-node-redis.md; options the facade cannot honour are refused by name, so that
 * none is dropped silently.
 */
import type { ConnectionOptions } from 'node:tls';
import { InvalidArgumentError } from '../../errors';
import type { ClientOptions } from '../../client/options';

/** The socket part of node-redis' options. */
export interface NodeRedisSocketOptions {
  host?: string;
  port?: number;
  /** A Unix socket. */
  path?: string;
  /** true: TLS, with the other keys here as node:tls options (ca, cert, key, servername, rejectUnauthorized...). */
  tls?: boolean;
  /** One connection attempt, ms (romaine's connectTimeoutMs). */
  connectTimeout?: number;
  /** TCP keepalive initial delay in ms (romaine's keepAliveMs); false or true keep romaine's default. */
  keepAlive?: number | boolean;
  /** Accepted; romaine always disables Nagle. */
  noDelay?: boolean;
  /**
   * false: never reconnect. A number: a fixed delay between attempts. A function is not called:
   * romaine's backoff (exponential with jitter) applies; see docs/compat-node-redis.md.
   */
  reconnectStrategy?: false | number | ((retries: number, cause: Error) => false | Error | number);
  /** Accepted and ignored: romaine's health check finds dead sockets instead (see docs/resilience.md). */
  socketTimeout?: number;
  [tlsOption: string]: unknown;
}

/** node-redis v4/v5 createClient() options (the ones the facade knows). */
export interface NodeRedisClientOptions {
  /** redis[s]://[[username][:password]@][host][:port][/database] */
  url?: string;
  socket?: NodeRedisSocketOptions;
  username?: string;
  password?: string;
  /** CLIENT SETNAME (romaine's clientName). */
  name?: string;
  database?: number;
  /** 2 (node-redis' default, and the facade's) or 3. */
  RESP?: 2 | 3;
  /** Commands issued while disconnected fail at once instead of waiting. */
  disableOfflineQueue?: boolean;
  /** The offline queue's bound. */
  commandsQueueMaxLength?: number;
  /** A PING every so many ms on an idle connection (romaine's healthCheck.intervalMs). */
  pingInterval?: number;
  /** Send no CLIENT SETINFO. */
  disableClientInfo?: boolean;
  /** Accepted and ignored (a cluster replica's READONLY is the cluster client's business). */
  readonly?: boolean;
  /** Anything of romaine's own ClientOptions, for what node-redis cannot say (commandTimeoutMs...). */
  romaine?: ClientOptions;
}

const KNOWN = new Set([
  'url',
  'socket',
  'username',
  'password',
  'name',
  'database',
  'RESP',
  'disableOfflineQueue',
  'commandsQueueMaxLength',
  'pingInterval',
  'disableClientInfo',
  'readonly',
  'romaine',
]);
const NOT_COVERED: Readonly<Record<string, string>> = {
  legacyMode: 'callbacks (v3 style) are not covered: use the promise API',
  scripts: 'use eval(script, { keys, arguments }) or romaine defineScript()',
  functions: 'use fCall(name, { keys, arguments })',
  modules: 'module commands go through sendCommand([...])',
  credentialsProvider: "use romaine's credentials option through { romaine: { credentials } }",
  typeMapping: 'use Buffer mode (subscribe(..., true)) or romaine client.buffers through client.romaine',
  isolationPoolOptions: 'executeIsolated is not covered: use client.romaine.isolated()',
  clientSideCache: "use romaine's cache option through { romaine: { cache } }",
};
const SOCKET_OWN = new Set([
  'host',
  'port',
  'path',
  'tls',
  'connectTimeout',
  'keepAlive',
  'noDelay',
  'reconnectStrategy',
  'socketTimeout',
  'family',
  'localAddress',
]);

/** The url (if any) and romaine's options for a node-redis options object. */
export function translateOptions(options: NodeRedisClientOptions | undefined): {
  url: string | undefined;
  options: ClientOptions;
} {
  const o = options ?? {};
  if (typeof o !== 'object' || o === null) throw new InvalidArgumentError('createClient() takes an options object');
  for (const key of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[key];
    if (v === undefined || v === false) continue;
    const why = NOT_COVERED[key];
    if (why !== undefined)
      throw new InvalidArgumentError(`romaine/compat/node-redis: option '${key}' is not covered: ${why}`);
    if (!KNOWN.has(key)) {
      throw new InvalidArgumentError(
        `romaine/compat/node-redis: unknown option '${key}' (known: ${[...KNOWN].join(', ')}; see docs/compat-node-redis.md)`,
      );
    }
  }
  const out: ClientOptions = { protocol: o.RESP ?? 2 };
  const s = o.socket ?? {};
  if (s.host !== undefined) out.host = s.host;
  if (s.port !== undefined) out.port = s.port;
  if (s.path !== undefined) out.path = s.path;
  if (s.tls === true) {
    const tls: ConnectionOptions = {};
    for (const [k, v] of Object.entries(s)) if (!SOCKET_OWN.has(k)) (tls as Record<string, unknown>)[k] = v;
    out.tls = Object.keys(tls).length > 0 ? tls : true;
  }
  if (s.connectTimeout !== undefined) out.connectTimeoutMs = s.connectTimeout;
  if (typeof s.keepAlive === 'number') out.keepAliveMs = s.keepAlive;
  if (s.reconnectStrategy === false) out.reconnect = false;
  else if (typeof s.reconnectStrategy === 'number') {
    out.reconnect = { baseDelayMs: s.reconnectStrategy, maxDelayMs: s.reconnectStrategy, jitter: 'none' };
  }
  if (o.username !== undefined) out.username = o.username;
  if (o.password !== undefined) out.password = o.password;
  if (o.name !== undefined) out.clientName = o.name;
  if (o.database !== undefined) out.database = o.database;
  if (o.disableOfflineQueue === true) out.offlineQueue = false;
  else if (o.commandsQueueMaxLength !== undefined) out.offlineQueue = { maxLength: o.commandsQueueMaxLength };
  if (o.pingInterval !== undefined && o.pingInterval > 0) out.healthCheck = { intervalMs: o.pingInterval };
  if (o.disableClientInfo === true) out.libName = false;
  return { url: o.url, options: { ...out, ...o.romaine } };
}
