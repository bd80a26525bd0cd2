/**
 * node-redis v5's createCluster() over romaine's ClusterClient: `createCluster({ rootNodes: [{ url
 * }], defaults: { password, socket, ... }, useReplicas })`, `.connect()`, the client's camelCase
 * methods and reply shapes routed by their keys, `sendCommand`, `multi()` on one slot, pub/sub
 * (`sSubscribe` at each channel's slot owner), `masters` / `replicas` and `nodeClient(node)` for
 * what runs on every node (connect-redis' scan, socket.io's PUBSUB SHARDNUMSUB).
 */
import { ClusterClient } from '../../cluster/cluster-client';
import type { ClusterOptions } from '../../cluster/options';
import type { NodeAddress } from '../../cluster/slot-map';
import type { ClusterNodeHandle } from '../../cluster/node-handle';
import { InvalidArgumentError } from '../../errors';
import type { Arg } from '../../protocol/types';
import { NodeRedisBase, type NodeRedisBackend } from './client';
import { translateOptions, type NodeRedisClientOptions } from './options';

/** node-redis v5's cluster options (the ones the facade knows). */
export interface NodeRedisClusterOptions {
  /** Seeds: `{ url }` or `{ socket: { host, port } }`. Credentials in a URL apply to every node. */
  rootNodes: NodeRedisClientOptions[];
  /** Options of every node's connection (password, username, socket.tls, socket.connectTimeout, name, RESP...). */
  defaults?: Partial<NodeRedisClientOptions>;
  /** true: read-only commands go to a ready replica of their slot, else to the primary (romaine's readFrom 'preferReplica'). */
  useReplicas?: boolean;
  maxCommandRedirections?: number;
  /** Announced `'host:port'` -> `{ host, port }` to connect to, or a function of the announced `'host:port'`. */
  nodeAddressMap?:
    Record<string, { host: string; port: number }> | ((address: string) => { host: string; port: number } | undefined);
  /** Accepted: romaine connects to replicas only when reads or nodes('replica') need them. */
  minimizeConnections?: boolean;
  /** 2 (default) or 3. */
  RESP?: 2 | 3;
  /** romaine's own cluster options, applied last (readFrom, unavailableTimeoutMs...). */
  romaine?: Partial<ClusterOptions>;
}

const KNOWN = new Set([
  'rootNodes',
  'defaults',
  'useReplicas',
  'maxCommandRedirections',
  'nodeAddressMap',
  'minimizeConnections',
  'RESP',
  'romaine',
]);

function fail(message: string): never {
  throw new InvalidArgumentError(`romaine/compat/node-redis createCluster(): ${message}`);
}

/** node-redis cluster options -> romaine ClusterOptions; refuses what it cannot honour, by name. */
export function translateClusterOptions(o: NodeRedisClusterOptions): ClusterOptions {
  if (o === null || typeof o !== 'object') fail('takes an options object: { rootNodes: [{ url }] }');
  for (const [key, v] of Object.entries(o)) {
    if (v !== undefined && !KNOWN.has(key))
      fail(`unknown option '${key}' (known: ${[...KNOWN].join(', ')}; see docs/compat-node-redis.md)`);
  }
  if (!Array.isArray(o.rootNodes) || o.rootNodes.length === 0)
    fail("option 'rootNodes' must be a non-empty array of { url } or { socket: { host, port } }");
  const defaults = o.defaults ?? {};
  if (defaults.url !== undefined) fail("option 'defaults.url': list the nodes in rootNodes");
  if (defaults.database !== undefined && defaults.database !== 0)
    fail("option 'defaults.database': Redis Cluster has only database 0");
  const {
    host: _h,
    port: _p,
    path,
    database: _d,
    ...every
  } = translateOptions({
    ...defaults,
    RESP: o.RESP ?? defaults.RESP,
  }).options;
  if (path !== undefined) fail("option 'defaults.socket.path': a cluster node is reached over TCP");
  const nodes = o.rootNodes.map((n, i): NodeAddress | string => {
    if (typeof n?.url === 'string') return n.url;
    const s = n?.socket;
    if (s !== undefined && typeof s.port === 'number') return { host: s.host ?? '127.0.0.1', port: s.port };
    return fail(`rootNodes[${i}] must be { url } or { socket: { host, port } }, got ${JSON.stringify(n)}`);
  });
  const out: ClusterOptions = { ...every, nodes };
  if (o.useReplicas === true) out.readFrom = 'preferReplica';
  if (o.maxCommandRedirections !== undefined) out.maxRedirections = o.maxCommandRedirections;
  if (o.nodeAddressMap !== undefined) {
    const map = o.nodeAddressMap;
    if (typeof map === 'function') out.nodeAddressMap = ({ host, port }) => map(`${host}:${port}`);
    else out.nodeAddressMap = map;
  }
  return { ...out, ...o.romaine };
}

/** One shard node as node-redis lists it in `cluster.masters` / `cluster.replicas`. */
export interface NodeRedisShardNode {
  host: string;
  port: number;
  /** `host:port`. */
  address: string;
  readonly: boolean;
  /** A client on the cluster's connection to that node (node-redis v4's `node.client`). */
  client: NodeRedisNodeClient;
}

/** Refused on a node's client: the cluster owns that connection. */
function nodeRefusal(what: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `${what} on a node of createCluster() is not supported by romaine/compat/node-redis: the cluster owns its nodes' connections`,
  );
}

/**
 * `cluster.nodeClient(node)`: the client's command methods, sendCommand and the scan iterators on
 * the cluster's connection to one node. No multi(), close() or pub/sub: the cluster owns it.
 */
export class NodeRedisNodeClient extends NodeRedisBase {
  readonly #backend: NodeRedisBackend;

  /** @internal */
  constructor(handle: ClusterNodeHandle) {
    super();
    const refuse = (what: string) => () => {
      throw nodeRefusal(what);
    };
    this.#backend = {
      state: 'ready',
      connect: () => Promise.resolve(),
      close: () => Promise.reject(nodeRefusal('close()')),
      destroy: refuse('destroy()'),
      call: (name: string, ...args: Arg[]) => handle.call(name, ...args),
      pipeline: refuse('multi()'),
      multi: refuse('multi()'),
      subscribe: () => Promise.reject(nodeRefusal('subscribe()')),
      psubscribe: () => Promise.reject(nodeRefusal('pSubscribe()')),
      ssubscribe: () => Promise.reject(nodeRefusal('sSubscribe()')),
      unsubscribe: () => Promise.resolve(),
      punsubscribe: () => Promise.resolve(),
      sunsubscribe: () => Promise.resolve(),
    };
  }

  /** @internal */
  protected get backend(): NodeRedisBackend {
    return this.#backend;
  }
}

/**
 * node-redis' cluster shape over romaine's ClusterClient. `cluster.romaine` is the ClusterClient
 * underneath (readFrom, nodes(), events...).
 */
export class NodeRedisCluster extends NodeRedisBase {
  /** The romaine cluster client that does the work. */
  readonly romaine: ClusterClient;
  /** The options as given. */
  readonly options: NodeRedisClusterOptions;

  constructor(options: NodeRedisClusterOptions) {
    super();
    this.romaine = new ClusterClient(translateClusterOptions(options));
    this.options = { ...options };
    // Like node-redis' cluster, 'connect'/'ready' once connected, not again each time romaine's
    // cluster is whole again after one node's recovery.
    const r = this.romaine;
    r.on('stateChange', ({ from, to }) => {
      if (to === 'ready' && from !== 'reconnecting') {
        this.emit('connect');
        this.emit('ready');
      } else if (to === 'closed') this.emit('end');
    });
  }

  /** @internal */
  protected get backend(): NodeRedisBackend {
    return this.romaine;
  }

  /** A new, unconnected cluster client with the same options (and these on top). */
  duplicate(overrides?: Partial<NodeRedisClusterOptions>): NodeRedisCluster {
    return new NodeRedisCluster({ ...this.options, ...overrides });
  }

  /**
   * Any command as an array. node-redis v5's cluster form `sendCommand(firstKey, isReadonly, args)`
   * is accepted too; the command is routed by its own keys, as every command of romaine's cluster.
   */
  override sendCommand(...input: unknown[]): Promise<any> {
    const args = Array.isArray(input[0]) ? input[0] : input[2];
    return super.sendCommand(args as Array<string | number | Buffer>);
  }

  /** The primaries of the current slot map (connect first). */
  get masters(): NodeRedisShardNode[] {
    return this.shardNodes('primary');
  }

  /** The replicas of the current slot map. */
  get replicas(): NodeRedisShardNode[] {
    return this.shardNodes('replica');
  }

  /** A client on the cluster's connection to that node (node-redis v5: a promise of it). */
  nodeClient(node: { host: string; port: number } | NodeRedisShardNode): Promise<NodeRedisNodeClient> {
    if ('client' in node && node.client instanceof NodeRedisNodeClient) return Promise.resolve(node.client);
    try {
      return Promise.resolve(new NodeRedisNodeClient(this.romaine.node({ host: node.host, port: node.port })));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private shardNodes(role: 'primary' | 'replica'): NodeRedisShardNode[] {
    if (this.romaine.state === 'closed' || this.romaine.state === 'closing') return [];
    return this.romaine.nodes(role).map((h) => ({
      host: h.host,
      port: h.port,
      address: h.address,
      readonly: role === 'replica',
      client: new NodeRedisNodeClient(h),
    }));
  }
}

/** node-redis' createCluster(): nothing is sent until connect(). */
export function createCluster(options: NodeRedisClusterOptions): NodeRedisCluster {
  return new NodeRedisCluster(options);
}
