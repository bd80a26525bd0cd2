import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options';
import type { Session } from './session';

/**
 * The options of `client.duplicate(overrides)`: the client's own, with the database and name its
 * session has now, and the overrides on top.
 */
export function duplicateOptions(o: ResolvedOptions, session: Session, overrides?: ClientOptions): ResolvedOptions {
  // A sentinel-managed client's copies ask the same sentinels (its password is not enumerable,
  // so it is passed on by name); an address would be refused next to `sentinel`.
  const where: ClientOptions =
    o.sentinel === undefined
      ? { host: o.host, port: o.port, path: o.path }
      : { sentinel: { ...o.sentinel, sentinels: [...o.sentinel.sentinels], password: o.sentinel.password } };
  const base: ClientOptions = {
    ...where,
    username: o.username,
    database: session.database,
    clientName: session.clientName,
    protocol: o.protocol,
    tls: o.tls,
    connectTimeoutMs: o.connectTimeoutMs,
    commandTimeoutMs: o.commandTimeoutMs,
    reconnect: o.reconnect === false ? false : { ...o.reconnect },
    offlineQueue: o.offlineQueue.enabled ? { maxLength: o.offlineQueue.maxLength } : false,
    retryInFlight: o.retryInFlight,
    healthCheck: o.healthCheck,
    libName: o.libName,
    keepAliveMs: o.keepAliveMs,
    limits: o.limits,
    maxDedicatedConnections: o.maxDedicatedConnections,
    clock: o.clock,
  };
  const resolved = resolveOptions({ ...base, ...overrides });
  // The secret is not in `base` (it is in no plain object): the copy shares this client's Auth,
  // unless the overrides bring their own.
  const ownAuth = overrides?.password !== undefined || overrides?.credentials !== undefined;
  // A cluster replica's copies (its dedicated connections) send READONLY too.
  const readOnly = o.readOnly === true ? { readOnly: true } : {};
  return ownAuth
    ? Object.freeze({ ...resolved, ...readOnly })
    : Object.freeze({ ...resolved, ...readOnly, auth: o.auth });
}
