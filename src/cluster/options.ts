// createCluster()'s options: the seeds, every ClientOptions field (applied to each node's
// connection), and the few that belong to the cluster as a whole. Validated at createCluster(),
// like ClientOptions at createClient(): a wrong option fails there, naming it.
import { InvalidArgumentError } from '../errors';
import { parseUrl, resolveOptions, type ClientOptions } from '../client/options';
import type { RetryInFlight } from '../lifecycle/replay';
import type { ReadFrom } from './read-from';
import type { NodeAddress } from './slot-map';
import { resolveAddressMap, type NodeAddressMap } from './address-map';
import { seedNameOf, type EndpointRules } from './node-endpoint';

export interface ClusterOptions extends Omit<ClientOptions, 'host' | 'port' | 'path' | 'database' | 'url'> {
  /** Seed nodes: `{ host, port }` or `redis://` / `rediss://` URLs (credentials in a URL apply to every node). */
  nodes: (NodeAddress | string)[];
  /** MOVED/ASK hops one command may take before it fails with ClusterRedirectionError (default 16). */
  maxRedirections?: number;
  /**
   * How long a command waits for its slot to have a reachable owner (failover, CLUSTERDOWN,
   * TRYAGAIN, an uncovered slot) when commandTimeoutMs is not set (default 10000 ms).
   */
  unavailableTimeoutMs?: number;
  /** Periodic topology refresh (default 10000 ms; 0: only adaptive refreshes). */
  refreshIntervalMs?: number;
  /** At most one refresh per this many ms, however many triggers (default 100 ms). */
  refreshMinIntervalMs?: number;
  /** How many known nodes a refresh asks (default 3): their views are compared. */
  refreshNodes?: number;
  /**
   * NAT, Docker, Kubernetes: where to connect for a node the cluster announces at an address this
   * client cannot reach. An object keyed by the announced `'host:port'` (`{ '10.0.0.5:6379': {
   * host: 'redis.example.com', port: 16379 } }`) or a function from the announced `{ host, port }`
   * to the address to use (undefined: keep it). Applied to every announced address (slot map,
   * MOVED and ASK targets), not to the seeds. See docs/cluster.md.
   */
  nodeAddressMap?: NodeAddressMap;
  /**
   * Where read-only commands go: 'primary' (default), 'preferReplica' (a ready replica of the
   * slot, else the primary) or 'replica' (replicas only: a read waits for one). See docs/cluster.md.
   */
  readFrom?: ReadFrom;
}

export interface ResolvedClusterOptions {
  seeds: NodeAddress[];
  /** The ClientOptions every node's client is made with (host/port added per node). */
  client: ClientOptions;
  maxRedirections: number;
  unavailableTimeoutMs: number;
  refreshIntervalMs: number;
  refreshMinIntervalMs: number;
  refreshNodes: number;
  readFrom: ReadFrom;
  commandTimeoutMs: number;
  /** The client's in-flight rule, also applied to commands in flight on a node that left the map. */
  retryInFlight: RetryInFlight;
  tls: boolean;
  /** Where each announced node is reached, and its TLS options (node-endpoint.ts). */
  endpoint: EndpointRules;
}

const CLUSTER_KEYS = [
  'nodes',
  'maxRedirections',
  'unavailableTimeoutMs',
  'refreshIntervalMs',
  'refreshMinIntervalMs',
  'refreshNodes',
  'nodeAddressMap',
  'readFrom',
];
const NOT_IN_CLUSTER = ['host', 'port', 'path', 'database', 'url'];

function count(name: string, v: unknown, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || !Number.isInteger(v))
    throw new InvalidArgumentError(`option '${name}' must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function readFrom(v: unknown): ReadFrom {
  if (v === undefined) return 'primary';
  if (v === 'primary' || v === 'replica' || v === 'preferReplica') return v;
  const hint =
    v === 'slave' || v === 'all' || v === 'master' || v === true
      ? ` (ioredis' scaleReads '${String(v)}' / node-redis' useReplicas: 'replica' reads from replicas only, 'preferReplica' falls back to the primary)`
      : '';
  throw new InvalidArgumentError(
    `option 'readFrom' must be 'primary', 'replica' or 'preferReplica', got ${JSON.stringify(v)}${hint}`,
  );
}

export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  if (options === null || typeof options !== 'object')
    throw new InvalidArgumentError(
      `createCluster() needs an options object with 'nodes', e.g. { nodes: [{ host: '127.0.0.1', port: 7000 }] }`,
    );
  const raw = options as unknown as Record<string, unknown>;
  for (const k of NOT_IN_CLUSTER) {
    if (raw[k] !== undefined)
      throw new InvalidArgumentError(
        k === 'database'
          ? `option 'database' is not available in a cluster: Redis Cluster has only database 0`
          : `option '${k}' is not a cluster option: list the seed nodes in 'nodes', e.g. { nodes: [{ host, port }] }`,
      );
  }
  if (!Array.isArray(options.nodes) || options.nodes.length === 0)
    throw new InvalidArgumentError(
      `option 'nodes' must be a non-empty array of { host, port } or redis:// URLs` +
        (raw.rootNodes !== undefined
          ? " (node-redis' rootNodes: write nodes: [{ host, port }] or ['redis://...'])"
          : ''),
    );
  let fromUrl: ClientOptions = {};
  const seeds = options.nodes.map((n, i): NodeAddress => {
    if (typeof n === 'string') {
      const u = parseUrl(n);
      if (u.path !== undefined)
        throw new InvalidArgumentError(`option 'nodes[${i}]': a cluster node is reached over TCP, not a unix socket`);
      if (u.database !== undefined && u.database !== 0)
        throw new InvalidArgumentError(`option 'nodes[${i}]': Redis Cluster has only database 0`);
      const { host, port, database: _db, ...rest } = u;
      // Every node gets the same credentials and TLS: two seeds that disagree are a mistake to
      // name, not a choice to make silently (the value is never shown: it may be a password).
      for (const [k, v] of Object.entries(rest)) {
        const before = (fromUrl as Record<string, unknown>)[k];
        if (before !== undefined && before !== v)
          throw new InvalidArgumentError(
            `option 'nodes[${i}]': its URL gives a different '${k}' than an earlier seed's: every node of a cluster is reached with the same ${k}; give it once (in the options, or the same in every URL)`,
          );
      }
      fromUrl = { ...fromUrl, ...rest };
      return { host: host ?? '127.0.0.1', port: port ?? 6379 };
    }
    if (
      n === null ||
      typeof n !== 'object' ||
      typeof n.port !== 'number' ||
      (n.host !== undefined && typeof n.host !== 'string')
    )
      throw new InvalidArgumentError(
        `option 'nodes[${i}]' must be { host, port } or a redis:// URL, got ${JSON.stringify(n)}`,
      );
    return { host: n.host ?? '127.0.0.1', port: n.port };
  });
  const client: Record<string, unknown> = { ...fromUrl };
  for (const [k, v] of Object.entries(raw)) if (!CLUSTER_KEYS.includes(k) && v !== undefined) client[k] = v;
  // Validates every client option now, naming a wrong one (the seed is only a placeholder).
  const resolved = resolveOptions({ ...(client as ClientOptions), host: seeds[0].host, port: seeds[0].port });
  return {
    seeds,
    client: client,
    maxRedirections: count('maxRedirections', options.maxRedirections, 16, 1),
    unavailableTimeoutMs: count('unavailableTimeoutMs', options.unavailableTimeoutMs, 10_000, 0),
    refreshIntervalMs: count('refreshIntervalMs', options.refreshIntervalMs, 10_000, 0),
    refreshMinIntervalMs: count('refreshMinIntervalMs', options.refreshMinIntervalMs, 100, 0),
    refreshNodes: count('refreshNodes', options.refreshNodes, 3, 1),
    readFrom: readFrom(options.readFrom),
    commandTimeoutMs: resolved.commandTimeoutMs,
    retryInFlight: resolved.retryInFlight,
    tls: resolved.tls !== undefined,
    endpoint: {
      mapAddress: resolveAddressMap(options.nodeAddressMap),
      tls: client.tls as EndpointRules['tls'],
      seedName: seedNameOf(seeds),
    },
  };
}
