// ClusterClient: the command API of RedisClient over a Redis Cluster. Every node is reached
// through an ordinary RedisClient (one Lifecycle each: no second reconnect engine); this layer
// only decides where a command goes (key -> slot -> primary), follows the cluster's answers
// (MOVED, ASK, TRYAGAIN, CLUSTERDOWN) and keeps the topology current (topology.ts).
/* eslint-disable prefer-rest-params -- a JavaScript caller's extra arguments are refused by arguments.length (extraArgumentsError) */
import { PubSubMethods } from '../client/pubsub-methods';
import { batchArrayError, extraArgumentsError } from '../client/call-check';
import type { ClientCommands, RedisClient } from '../client/client';
import type { CommandDef, RedisKey, RedisValue } from '../client/command-def';
import { ClientClosedError, type RomaineError } from '../errors';
import type { State } from '../lifecycle/states';
import type { Arg } from '../protocol/types';
import { commandSlot, type CommandSlot } from './key-slot';
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from './options';
import type { NodeAddress } from './slot-map';
import { ClusterPipeline, ClusterTransaction } from './cluster-batch';
import { Router, type Send } from './router';
import { publishNode, publishTopology } from './cluster-diagnostics';
import { Topology, type NodeEvent, type TopologyChange } from './topology';
import { ClusterPubSub, type ClusterResubscribedEvent } from './cluster-pubsub';
import { clusterScan, type FanOutParts } from './fan-out';
import { findNode, nodeHandles, type ClusterNodeHandle, type NodeSelection } from './node-handle';
import { Replicas } from './replicas';
import { ReadPicker } from './read-from';
import {
  hscanIterator,
  sscanIterator,
  zscanIterator,
  type KeyScanIteratorOptions,
  type ScanIteratorOptions,
} from '../client/scan';
import type { ScoredMember } from '../client/commands/reply';
import type { Script } from '../client/scripts';
import { ClusterBufferView, type ClusterBufferCommands } from './cluster-buffers';
import { runClusterScript } from './cluster-scripts';
import { keyScanPages } from './key-scans';
import { clusterIsolated } from './cluster-isolated';
import { discoverSeeds } from './seed-discovery';
import { execute, installCommandMethods, rawCall, runDef } from './cluster-dispatch';

export interface ClusterEvents {
  /** The cluster client's state: 'ready' while every slot has a ready primary, 'reconnecting' while not. */
  stateChange: [{ from: State; to: State; reason?: RomaineError }];
  ready: [{ reconnected: boolean }];
  /** A node's connection is being retried. */
  reconnecting: [{ node: string; attempt: number; delayMs: number; reason: Error }];
  /** The slot map was swapped: what changed. */
  topologyChanged: [TopologyChange];
  /** A node's client was added, removed, or changed state. */
  node: [NodeEvent];
  /** Subscriptions were subscribed again: on a reconnect, or moved to another node (docs/cluster.md). */
  resubscribed: [ClusterResubscribedEvent];
}

export interface ClusterClient extends ClientCommands {} // eslint-disable-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ClusterClient extends PubSubMethods<ClusterEvents> {
  /** Same methods, but bulk string replies come back as Buffers. */
  readonly buffers: ClusterBufferCommands;
  private readonly opts: ResolvedClusterOptions;
  private readonly topo: Topology;
  private readonly router: Router;
  /** Subscriptions: which node each lives on (cluster-pubsub.ts). @internal */
  protected readonly pubsub: ClusterPubSub;
  /** Connections to replicas (reads with readFrom, nodes('replica'), all_nodes commands). */
  private readonly replicas: Replicas;
  private current: State = 'idle';
  private everReady = false;
  private connecting: Promise<void> | undefined;
  /** The seeds' clients while connect() runs (close/destroy must end them too). */
  private seedClients: RedisClient[] = [];

  constructor(options: ClusterOptions) {
    super();
    this.opts = resolveClusterOptions(options);
    this.buffers = new ClusterBufferView(this) as unknown as ClusterBufferCommands;
    this.topo = new Topology(this.opts, {
      changed: (c) => {
        publishTopology(this, c);
        this.emit('topologyChanged', c);
        this.healthChanged();
        this.pubsub.changed();
      },
      node: (e) => {
        publishNode(this, e);
        this.emit('node', e);
        if (e.event === 'stateChange') this.healthChanged();
        this.pubsub.changed();
      },
      reconnecting: (node, p) => this.emit('reconnecting', { node, ...p }),
      applied: (map) => this.replicas.sync(map),
      hurryReplicas: () => this.replicas.hurry(),
    });
    this.replicas = new Replicas(
      {
        make: (at) => this.topo.makeClient(at, false, true),
        node: (e) => this.emit('node', e),
        changed: () => this.topo.signal(),
        lost: (key) => this.topo.requestRefresh(`replica ${key} is reconnecting`),
      },
      this.opts.readFrom !== 'primary',
    );
    const reads =
      this.opts.readFrom === 'primary'
        ? undefined
        : new ReadPicker(this.opts.readFrom, this.replicas, () => this.topo.map);
    this.router = new Router(this, this.topo, this.opts, reads);
    const state = (): State => this.current;
    this.pubsub = new ClusterPubSub(
      {
        get state() {
          return state();
        },
        connect: () => this.connect(),
        resubscribed: (e) => this.emit('resubscribed', e),
      },
      this.topo,
      this.opts,
    );
  }

  /** 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'failed' | 'closing' | 'closed' */
  get state(): State {
    return this.current;
  }

  /** The seeds as given, then every primary the cluster announced (host:port). */
  get primaries(): string[] {
    return this.topo.map?.shards.map((s) => s.primary.key) ?? [];
  }

  /**
   * Resolves once a seed gave a slot map. Rejects at once when a seed is not a cluster node or
   * refuses us for a configuration reason (protected mode, auth, TLS); when no seed can be reached
   * within reconnect.initialTimeoutMs, with an error naming every seed and why.
   */
  connect(): Promise<void> {
    if (arguments.length > 0) return Promise.reject(extraArgumentsError('connect', [], arguments));
    if (this.connecting !== undefined) return this.connecting;
    if (this.current === 'ready' || this.current === 'reconnecting') return Promise.resolve();
    if (this.current === 'closing' || this.current === 'closed') return Promise.reject(new ClientClosedError());
    this.setState('connecting');
    this.connecting = this.discover().then(
      () => {
        this.connecting = undefined;
        this.setState('ready');
        this.topo.startPeriodic();
        // Compare several nodes' views now that we know them (the seed's may be stale).
        this.topo.requestRefresh('connected');
      },
      (err: RomaineError) => {
        this.connecting = undefined;
        if (this.current === 'connecting') this.setState('failed', err);
        throw err;
      },
    );
    return this.connecting;
  }

  private discover(): Promise<void> {
    return discoverSeeds(this.topo, this.opts, {
      closed: () => this.current === 'closing' || this.current === 'closed',
      seedClients: (clients) => (this.seedClients = clients),
    });
  }

  /** Graceful: waits for the commands in flight on every node, then closes them. */
  async close(): Promise<void> {
    if (arguments.length > 0) throw extraArgumentsError('close', [], arguments);
    if (this.current === 'closed') return;
    this.setState('closing');
    this.topo.stop();
    this.router.stop();
    for (const c of this.seedClients) c.destroy();
    await Promise.all(
      [...this.topo.clients.values(), ...this.topo.retiring]
        .map((c) => c.close())
        .concat(this.pubsub.close(), this.replicas.close()),
    );
    this.setState('closed');
  }

  /** Immediate: every node's connection is dropped, pending commands reject with ClientClosedError. */
  destroy(): void {
    if (arguments.length > 0) throw extraArgumentsError('destroy', [], arguments);
    if (this.current === 'closed') return;
    this.setState('closing');
    this.topo.stop();
    this.router.stop();
    for (const c of this.seedClients) c.destroy();
    for (const c of [...this.topo.clients.values(), ...this.topo.retiring]) c.destroy();
    this.pubsub.destroy();
    this.replicas.destroy();
    this.setState('closed');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Any command, routed by its keys (see docs/cluster.md): `cluster.call('SET', 'k', 'v')`. */
  call(name: string, ...args: Arg[]): Promise<unknown> {
    return rawCall(this, name, args, false, 'call');
  }

  /** Like call(), with bulk strings in the reply as Buffers. */
  callBuffer(name: string, ...args: Arg[]): Promise<unknown> {
    return rawCall(this, name, args, true, 'callBuffer');
  }

  /**
   * Commands sent together: each is routed (and redirected) on its own, the ones for one node go
   * out in one write, and exec() gives every outcome in the order the commands were added.
   */
  pipeline(): ClusterPipeline<[]> {
    if (arguments.length > 0) throw batchArrayError('pipeline', arguments[0]);
    return new ClusterPipeline<[]>(this);
  }

  /**
   * MULTI ... EXEC on the node that serves the block's slot: every key of the block must be in
   * one slot (else exec() rejects with ClusterCrossSlotError before anything is sent).
   */
  multi(): ClusterTransaction<[]> {
    if (arguments.length > 0) throw batchArrayError('multi', arguments[0]);
    return new ClusterTransaction<[]>(this);
  }

  /** How every typed method sends. @internal */
  runDef(d: CommandDef, args: unknown[], buffers: boolean): Promise<unknown> {
    return runDef(this, d, args, buffers);
  }

  /** The topology, replicas and budget of the fan-out helpers. @internal */
  parts(): FanOutParts {
    const o = this.opts;
    return {
      topo: this.topo,
      replicas: this.replicas,
      budgetMs: o.commandTimeoutMs > 0 ? o.commandTimeoutMs : o.unavailableTimeoutMs,
    };
  }

  /**
   * Every key of the cluster (matching the options): SCAN on each primary in turn, as one
   * iterator. A primary that fails over mid-scan has its shard scanned again from the start on
   * the new primary (keys may then come twice; see docs/cluster.md).
   */
  scanIterator(opts?: KeyScanIteratorOptions): AsyncGenerator<string, void, undefined> {
    if (arguments.length > 1) throw extraArgumentsError('scanIterator', ['opts'], arguments);
    return clusterScan(this, this.parts(), opts);
  }

  /** Every [field, value] of a hash: HSCAN pages at the key's node (a MOVED mid-iteration is followed). */
  hscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<[string, string], void, undefined> {
    if (arguments.length > 2) throw extraArgumentsError('hscanIterator', ['key', 'opts'], arguments);
    return hscanIterator(keyScanPages(this, false), key, opts);
  }

  /** Every member of a set: SSCAN pages at the key's node (a MOVED mid-iteration is followed). */
  sscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<string, void, undefined> {
    if (arguments.length > 2) throw extraArgumentsError('sscanIterator', ['key', 'opts'], arguments);
    return sscanIterator(keyScanPages(this, false), key, opts);
  }

  /** Every {value, score} of a sorted set: ZSCAN pages at the key's node (a MOVED mid-iteration is followed). */
  zscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<ScoredMember, void, undefined> {
    if (arguments.length > 2) throw extraArgumentsError('zscanIterator', ['key', 'opts'], arguments);
    return zscanIterator(keyScanPages(this, false), key, opts);
  }

  /**
   * Runs a Lua script (see defineScript()) on the owner of its keys' slot: EVALSHA, and EVAL on
   * that node if it answers NOSCRIPT (a node that never ran it, a replica promoted by a failover).
   * Keys of several slots reject with ClusterCrossSlotError before anything is sent.
   */
  runScript(script: Script, keys: RedisKey[] = [], args: RedisValue[] = []): Promise<unknown> {
    if (arguments.length > 3)
      return Promise.reject(extraArgumentsError('runScript', ['script', 'keys', 'args'], arguments));
    return runClusterScript(this, script, keys, args);
  }

  /**
   * Runs `fn` with a connection of its own to the owner of the keys' slot (WATCH/MULTI/EXEC):
   * `cluster.isolated('{user:42}:balance', async (conn) => ...)`. Keys of several slots reject with
   * ClusterCrossSlotError before anything is sent; a MOVED inside the block (the owner changed)
   * rejects with ClusterSlotMovedError, and the next block goes to the new owner; an ASK (a slot
   * migration under way) rejects with ClusterSlotMigratingError: run the block after it ends.
   */
  isolated<T>(keys: RedisKey | RedisKey[], fn: (conn: RedisClient) => Promise<T>): Promise<T> {
    if (arguments.length > 2) return Promise.reject(extraArgumentsError('isolated', ['keys', 'fn'], arguments));
    const moved = (slot: number, to: NodeAddress) => {
      this.topo.moved(slot, to);
      this.topo.requestRefresh('MOVED');
    };
    return clusterIsolated({ route: (...a) => this.route(...a), moved }, keys, fn);
  }

  /**
   * The nodes of the current slot map, each as a handle with the typed command methods bound to
   * the cluster's connection to it: 'primary' (default), 'replica' or 'all' (primaries first).
   * Connect first: before the first slot map there is none.
   */
  nodes(role: NodeSelection = 'primary'): ClusterNodeHandle[] {
    if (arguments.length > 1) throw extraArgumentsError('nodes', ['role'], arguments);
    return nodeHandles(this.topo, this.replicas, role, () => this.current === 'closing' || this.current === 'closed');
  }

  /** One node of the cluster by address (`'host:port'` or `{ host, port }`), as in the current slot map. */
  node(address: string | NodeAddress): ClusterNodeHandle {
    if (arguments.length > 1) throw extraArgumentsError('node', ['address'], arguments);
    return findNode(this.nodes('all'), address);
  }

  /** Runs `send` on the slot's owner, in order with the commands before it (see router.ts). @internal (pipelines, multi) */
  route(name: string, where: CommandSlot, send: Send, args?: readonly Arg[], read = false): Promise<unknown> {
    return this.router.route(name, where, send, args, read);
  }

  /** PUBLISH on a ready primary, SPUBLISH at the owner of the channel's slot (pub/sub methods: client/pubsub-methods.ts). @internal */
  protected sendPublish(name: 'PUBLISH' | 'SPUBLISH', args: [RedisKey, RedisValue]): Promise<number> {
    const where: CommandSlot = name === 'PUBLISH' ? { slot: 'none' } : commandSlot(name, args);
    return execute(this, name, args, undefined, false, where) as Promise<number>;
  }

  /**
   * ready while every slot has a primary whose client is ready, or is making its first connection
   * and has not failed yet (a node's connection opening right after connect() or a new slot map is
   * not an outage: flapping to 'reconnecting' for a few ms told the application one); reconnecting
   * otherwise.
   */
  private healthChanged(): void {
    if (this.current !== 'ready' && this.current !== 'reconnecting') return;
    const map = this.topo.map;
    const healthy =
      map !== undefined &&
      map.coveredSlots === 16384 &&
      map.shards.every((s) => {
        const c = this.topo.clients.get(s.primary.key);
        if (c === undefined) return true; // not opened yet: made on first use, nothing failed
        return c.state === 'ready' || ((c.state === 'connecting' || c.state === 'idle') && c.lastError === undefined);
      });
    this.setState(healthy ? 'ready' : 'reconnecting');
  }

  private setState(to: State, reason?: RomaineError): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.emit('stateChange', reason === undefined ? { from, to } : { from, to, reason });
    if (to === 'ready') {
      this.emit('ready', { reconnected: this.everReady });
      this.everReady = true;
    }
  }
}

installCommandMethods(ClusterClient.prototype, ClusterBufferView.prototype, (self, d, args, buffers) =>
  self instanceof ClusterBufferView
    ? self.cluster.runDef(d, args, buffers)
    : (self as ClusterClient).runDef(d, args, buffers),
);

/**
 * A client for a Redis Cluster: `createCluster({ nodes: [{ host, port }], ...clientOptions })`.
 * The ioredis shape `createCluster([{ host, port }], options)` is accepted too.
 */
export function createCluster(
  options: ClusterOptions | ClusterOptions['nodes'],
  more?: Omit<ClusterOptions, 'nodes'>,
): ClusterClient {
  return new ClusterClient(Array.isArray(options) ? { ...more, nodes: options } : options);
}
