/**
 * `new Redis.Cluster(startupNodes, options)` of romaine/compat/ioredis: ioredis' Cluster over
 * romaine's ClusterClient. The same command methods, reply shapes, defineCommand, pipeline/multi,
 * pub/sub events, status and events as the facade's Redis; `nodes(role)` gives one ioredis-shaped
 * object per node; `duplicate(nodes?, options?)`. Every command is routed by romaine's cluster
 * (slot map, MOVED/ASK, failovers), each node's connection kept by romaine's lifecycle.
 */
import { ClusterClient } from '../../cluster/cluster-client';
import type { ClusterNodeHandle } from '../../cluster/node-handle';
import { InvalidArgumentError } from '../../errors';
import type { Arg } from '../../protocol/types';
import { Readable } from 'node:stream';
import { Commander, type Backend, type ScanStreamOptions } from './commander';
import {
  translateCluster,
  type IoredisClusterOptions,
  type StartupNode,
  type TranslatedCluster,
} from './cluster-options';
import { Subscriptions } from './pubsub';
import { runClusterScript } from '../../cluster/cluster-scripts';

/** The facade's view of a romaine ClusterClient: its lifecycle events as Commander reads them. */
function clusterBackend(cluster: ClusterClient, owner: Commander): Backend {
  const backend: Backend = {
    get state() {
      return cluster.state;
    },
    connect: () => cluster.connect(),
    close: () => cluster.close(),
    destroy: () => cluster.destroy(),
    call: (name: string, ...args: Arg[]) => cluster.call(name, ...args),
    callBuffer: (name: string, ...args: Arg[]) => cluster.callBuffer(name, ...args),
    pipeline: () => cluster.pipeline(),
    multi: () => cluster.multi(),
    runDefinedScript: (script, keys, args, buffers) => runClusterScript(cluster, script, keys, args, buffers),
    on(event: string, listener: (e: never) => void) {
      // Like ioredis' Cluster, the status stays 'ready' while a node is recovered (romaine's cluster
      // is 'reconnecting' until every primary is ready again): a node's failures are 'node error'
      // events; the status changes when the cluster connects, fails or closes.
      if (event === 'stateChange') {
        cluster.on('stateChange', (e) => {
          if (e.to === 'reconnecting' || (e.to === 'ready' && e.from === 'reconnecting')) return;
          (listener as (e: unknown) => void)(e);
        });
      }
      return backend;
    },
  };
  cluster.on('reconnecting', ({ node, reason }) => {
    if (owner.listenerCount('node error') > 0) owner.emit('node error', reason, node);
  });
  cluster.on('node', ({ node, event }) => {
    if (event === 'added') owner.emit('+node', node);
    else if (event === 'removed') owner.emit('-node', node);
  });
  return backend;
}

/** Every ioredis command is a method, installed at run time (see the Redis facade). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Cluster {
  [command: string]: any;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Cluster extends Commander {
  /** The options as given (redisOptions as given: BullMQ reads it), without the password. */
  readonly options: TranslatedCluster['view'];
  readonly isCluster = true;
  /** The startup nodes as given. */
  readonly startupNodes: StartupNode[];
  /** @internal */ protected readonly stringNumbers: boolean;
  /** The romaine cluster client behind the facade (replaced by a new one when connect() follows quit()). */
  romaine: ClusterClient;
  readonly #input: IoredisClusterOptions;
  readonly #romaineOptions: TranslatedCluster['romaine'];
  #backend: Backend;
  readonly #subscribed = new Subscriptions(this);

  /** `new Redis.Cluster([{ host, port }, 'host:port', port], { redisOptions, scaleReads, natMap, ... })`. */
  constructor(startupNodes: StartupNode[], options: IoredisClusterOptions = {}) {
    super();
    const translated = translateCluster(startupNodes, options);
    this.startupNodes = [...startupNodes];
    this.#input = options;
    this.options = translated.view;
    this.#romaineOptions = translated.romaine;
    this.stringNumbers = options.redisOptions?.stringNumbers === true;
    this.romaine = new ClusterClient(this.#romaineOptions);
    this.#backend = this.newBackend();
    if (options.lazyConnect !== true) this.connect().catch(() => undefined);
  }

  /** @internal */
  protected get backend(): Backend {
    return this.#backend;
  }

  private newBackend(): Backend {
    const backend = clusterBackend(this.romaine, this);
    this.wire(backend);
    return backend;
  }

  /** Connects (resolves once the slot map is known and every primary ready). After quit(), connects again. */
  connect(callback?: () => void): Promise<void> {
    const state = this.romaine.state;
    if (state === 'closed' || state === 'closing' || state === 'failed') {
      this.romaine = new ClusterClient(this.#romaineOptions);
      this.#backend = this.newBackend();
      this.#subscribed.clear();
    }
    if (this.status === 'end') this.setStatus('wait');
    const p = this.romaine.connect();
    if (typeof callback === 'function') p.then(callback, () => undefined);
    return p;
  }

  /** Now: pending commands reject. `disconnect(true)` connects again at once. */
  disconnect(reconnect = false): void {
    this.romaine.destroy();
    if (reconnect) this.connect().catch(() => undefined);
  }

  /**
   * A new cluster connection with the same startup nodes and options (these on top), like ioredis.
   * `redisOptions` given here are merged into the current ones: the password, hidden from
   * `cluster.options`, is kept when a library rebuilds redisOptions from it (BullMQ does).
   */
  duplicate(overrideStartupNodes?: StartupNode[], overrideOptions?: IoredisClusterOptions): Cluster {
    const options = { ...this.#input, ...overrideOptions };
    if (overrideOptions?.redisOptions !== undefined)
      options.redisOptions = { ...this.#input.redisOptions, ...overrideOptions.redisOptions };
    return new Cluster(overrideStartupNodes ?? this.startupNodes, options);
  }

  /** The nodes of the current slot map: 'all' (default), 'master' or 'slave', each with the command methods. */
  nodes(role: 'all' | 'master' | 'slave' = 'all'): ClusterNode[] {
    const selection = role === 'master' ? 'primary' : role === 'slave' ? 'replica' : role === 'all' ? 'all' : undefined;
    if (selection === undefined)
      throw new InvalidArgumentError(`cluster.nodes() takes 'all', 'master' or 'slave', got ${JSON.stringify(role)}`);
    if (this.romaine.state === 'closed' || this.romaine.state === 'closing') return [];
    return this.romaine.nodes(selection).map((h) => new ClusterNode(h, this.stringNumbers));
  }

  /**
   * Every key of the cluster matching the options, in arrays of about `count` keys: romaine's
   * cluster scanIterator() walks every primary (a SCAN cursor belongs to one node).
   */
  override scanStream(options: ScanStreamOptions = {}): Readable {
    const keys = this.romaine.scanIterator({
      ...(options.match !== undefined ? { MATCH: options.match } : {}),
      ...(options.count !== undefined ? { COUNT: options.count } : {}),
      ...(options.type !== undefined ? { TYPE: options.type } : {}),
    });
    const size = Math.max(1, options.count ?? 10);
    async function* pages(): AsyncGenerator<string[]> {
      let page: string[] = [];
      for await (const key of keys) {
        page.push(key);
        if (page.length >= size) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    }
    return Readable.from(pages(), { objectMode: true });
  }

  subscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.subscribe(this.romaine, args);
  }

  psubscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.psubscribe(this.romaine, args);
  }

  /** SSUBSCRIBE at the owner of each channel's slot: 'smessage' / 'smessageBuffer'. */
  ssubscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.ssubscribe(this.romaine, args);
  }

  unsubscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.drop(this.romaine, 'channels', args);
  }

  punsubscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.drop(this.romaine, 'patterns', args);
  }

  sunsubscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.drop(this.romaine, 'shard', args);
  }
}

/** A node refuses what would end or reshape the cluster's own connection to it. */
function nodeRefusal(what: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `${what} on one node of Redis.Cluster is not supported by romaine/compat/ioredis: the cluster owns its nodes' connections (use the cluster's own ${what})`,
  );
}

/**
 * One node of a facade Cluster (from `cluster.nodes()`): the ioredis command methods, call() and
 * defineCommand(), run on the cluster's connection to that node. No pipeline, quit or disconnect.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface ClusterNode {
  [command: string]: any;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ClusterNode extends Commander {
  readonly options: { host: string; port: number };
  /** 'master' or 'slave', as in the slot map when nodes() was called. */
  readonly role: 'master' | 'slave';
  /** @internal */ protected readonly stringNumbers: boolean;
  readonly #backend: Backend;

  /** @internal */
  constructor(handle: ClusterNodeHandle, stringNumbers: boolean) {
    super();
    this.options = { host: handle.host, port: handle.port };
    this.role = handle.nodeRole === 'primary' ? 'master' : 'slave';
    this.stringNumbers = stringNumbers;
    this.status = 'ready';
    this.#backend = {
      state: 'ready',
      connect: () => Promise.resolve(),
      close: () => Promise.reject(nodeRefusal('quit()')),
      destroy: () => {
        throw nodeRefusal('disconnect()');
      },
      call: (name: string, ...args: Arg[]) => handle.call(name, ...args),
      callBuffer: (name: string, ...args: Arg[]) => handle.callBuffer(name, ...args),
      pipeline: () => {
        throw nodeRefusal('pipeline()');
      },
      multi: () => {
        throw nodeRefusal('multi()');
      },
      on: () => undefined,
    };
  }

  /** @internal */
  protected get backend(): Backend {
    return this.#backend;
  }

  /** Refused: the cluster closes its nodes' connections (call quit() on the cluster). */
  override quit(): Promise<never> {
    return Promise.reject(nodeRefusal('quit()'));
  }

  /** Refused: the cluster closes its nodes' connections (call disconnect() on the cluster). */
  disconnect(): never {
    throw nodeRefusal('disconnect()');
  }
}
