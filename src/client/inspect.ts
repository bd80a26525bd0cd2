import type { State } from '../lifecycle/states';
import { describeEndpoint } from '../transport/socket';
import type { ResolvedOptions } from './options';
import { describeSentinel } from '../sentinel/options';

/**
 * What `console.log(client)`, `util.inspect(client)` and `JSON.stringify(client)` show: what a
 * person debugging a client wants to see, and nothing else. A logger that prints a diagnostics
 * message prints its `client` this way, so the set is chosen, not whatever the object holds: no
 * password, no credentials provider's answer, no TLS key, no internal object graph.
 */
export interface ClientSummary {
  endpoint: string;
  state: State;
  database: number;
  clientName: string | undefined;
  username: string | undefined;
  /** 'password' | 'credentials provider' | 'none': whether the handshake authenticates, never with what. */
  auth: string;
  /** The protocol in use, or the one asked for before the first connection. */
  protocol: 2 | 3;
  serverVersion: string | undefined;
  pendingCommands: number;
  offlineQueue: number;
  subscriptions: number;
  cache: 'on' | 'off';
}

/** The parts of a client the summary reads (its public getters). */
interface Inspectable {
  readonly options: ResolvedOptions;
  readonly state: State;
  readonly selectedDatabase: number;
  readonly server: { version: string; protocol: 2 | 3 } | undefined;
  readonly pendingCommands: number;
  readonly offlineQueueLength: number;
  readonly subscriptionCount: number;
  readonly cache: { readonly enabled: boolean };
}

export function clientSummary(c: Inspectable, clientName: string | undefined): ClientSummary {
  const o = c.options;
  return {
    endpoint:
      o.sentinel === undefined
        ? describeEndpoint({ host: o.host, port: o.port, path: o.path, tls: o.tls })
        : describeSentinel(o.sentinel),
    state: c.state,
    database: c.selectedDatabase,
    clientName,
    username: o.username,
    auth: o.auth.source,
    protocol: c.server?.protocol ?? o.protocol,
    serverVersion: c.server?.version || undefined,
    pendingCommands: c.pendingCommands,
    offlineQueue: c.offlineQueueLength,
    subscriptions: c.subscriptionCount,
    cache: c.cache.enabled ? 'on' : 'off',
  };
}
