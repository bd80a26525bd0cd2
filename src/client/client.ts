import { EventEmitter } from 'node:events';
import { inspect, type InspectOptions } from 'node:util';
import { ConnectionError, InvalidArgumentError, type RomaineError } from '../errors';
import { Command, type CommandOptions } from '../connection/command';
import { AttemptFailure, Connection, type ConnectionHooks } from '../connection/connection';
import { probeServer, type ProbeFinding } from '../connection/probe';
import type { ServerInfo } from '../connection/handshake';
import { systemClock, type Clock } from '../lifecycle/clock';
import { Lifecycle, type AttemptInfo, type ConnectionLike } from '../lifecycle/lifecycle';
import type { State } from '../lifecycle/states';
import { argError, buildError } from './args';
import { batchArrayError, callError, checkFrom } from './call-check';
import type { Arg } from '../protocol/types';
import { describeEndpoint } from '../transport/socket';
import { SentinelDiscovery } from '../sentinel/discovery';
import { VERSION } from '../version';
import type { Bufferize, CommandDef, Transform } from './command-def';
import { COMMANDS, type CommandTable } from './commands';
import { DedicatedConnections } from './dedicated';
import { ClientSideCache, NO_CACHE, type CacheView } from './cache';
import {
  Subscriptions,
  type MessageListener,
  type PatternListener,
  type ResubscribedEvent,
  type SubscriptionKind,
} from './pubsub';
import { PubSubRouter, nameList } from './pubsub-router';
import { callNameError, callRule } from './call-rules';
import { provideInternals, type ClientInternals } from './internals';
import { Pipeline, Transaction } from './pipeline';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options';
import { clientSummary, type ClientSummary } from './inspect';
import {
  hscanIterator,
  scanIterator,
  sscanIterator,
  zscanIterator,
  type KeyScanIteratorOptions,
  type ScanIteratorOptions,
} from './scan';
import type { RedisKey, RedisValue } from './command-def';
import type { Script } from './scripts';
import type { ScoredMember } from './commands/reply';

/** The events a client emits, with their payloads. */
export interface ClientEvents {
  stateChange: [{ from: State; to: State; reason?: RomaineError }];
  reconnecting: [{ attempt: number; delayMs: number; reason: ConnectionError }];
  ready: [{ reconnected: boolean }];
  /** A connection failure. Emitted only when someone listens: no listener never crashes the process. */
  error: [ConnectionError];
  /** A RESP3 push frame that no feature claimed. */
  push: [unknown[]];
  /** A new connection was subscribed again to everything (before 'ready'); the lists say to what. */
  resubscribed: [ResubscribedEvent];
}

/** The typed command methods, returning promises. */
export type ClientCommands = {
  [K in keyof CommandTable]: CommandTable[K] extends CommandDef<infer A, infer R> ? (...args: A) => Promise<R> : never;
};

/** The typed command methods of the `buffers` view: bulk strings come back as Buffers. */
export type BufferCommands = {
  [K in keyof CommandTable]: CommandTable[K] extends CommandDef<infer A, infer R>
    ? (...args: A) => Promise<Bufferize<R>>
    : never;
};

export interface RedisClient extends ClientCommands {} // eslint-disable-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging

const BUFFERS: CommandOptions = { returnBuffers: true };

type Listener = MessageListener | PatternListener;
const UNSUBSCRIBE_METHOD = {
  channels: 'unsubscribe',
  patterns: 'punsubscribe',
  shardChannels: 'sunsubscribe',
} as const;

/** `client.buffers`: the command methods with Buffer replies, on a prototype shared by all clients. */
class BufferView {
  constructor(readonly client: RedisClient) {}
}

/**
 * A Redis client: one multiplexed connection for ordinary commands (every command issued in one
 * tick goes out in one write), plus dedicated connections for blocking commands and `isolated()`.
 * The lifecycle (connect, reconnect, offline queue, in-flight safety, health) lives in
 * `lifecycle/`; this class turns method calls into commands and replies into typed values.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class RedisClient extends EventEmitter<ClientEvents> {
  readonly options: ResolvedOptions;
  /** Same methods, but bulk string replies come back as Buffers. */
  readonly buffers: BufferCommands;
  private readonly lifecycle: Lifecycle;
  private readonly clock: Clock;
  private readonly endpoint: string;
  /** With the `sentinel` option: where each connection attempt asks where to go. */
  private readonly sentinel: SentinelDiscovery | undefined;
  private database: number;
  private clientName: string | undefined;
  private lastServer: ServerInfo | undefined;
  private dedicated: DedicatedConnections | undefined;
  /** What romaine's own modules use (internals.ts): out of the public type and of plain JS' reach. */
  readonly #in: ClientInternals;
  /** Client-side caching (the `cache` option): `client.cache.stats()`; `enabled` is false without it. */
  readonly cache: CacheView;
  private readonly clientCache: ClientSideCache | undefined;
  /** Where subscriptions live (made at the first one). */
  private pubsub: PubSubRouter | undefined;
  /** The subscriptions on this client's own connection. */
  private subscriptions: Subscriptions | undefined;

  constructor(options: ResolvedOptions) {
    super();
    this.#in = {
      sendCommand: (name, args, transform, commandOptions) => this.#sendCommand(name, args, transform, commandOptions),
      dispatch: (d, args, buffers) => this.#dispatch(d, args, buffers),
      route: (name, args, r) =>
        this.#route(name, args, r.transform, r.returnBuffers === true, r.blockingMs ?? 0, r.sameConnection === true),
      call: (name, args, returnBuffers, method = 'call') => this.#call(name, args, returnBuffers, method),
      submit: (cmd) => this.#submit(cmd),
      markBlocking: (cmd, ms) => this.#markBlocking(cmd, ms, undefined),
      trackState: (name, args) => this.#trackState(name, args),
      ownSubscriptions: (mode) => this.#ownSubscriptions(mode),
      connectionEpoch: 0,
      watchEpoch: undefined,
      isolatedConnection: false,
    };
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.database = options.database;
    this.clientName = options.clientName;
    this.sentinel =
      options.sentinel === undefined
        ? undefined
        : new SentinelDiscovery(options.sentinel, {
            connectTimeoutMs: options.connectTimeoutMs,
            keepAliveMs: options.keepAliveMs,
            now: () => this.clock.now(),
          });
    this.endpoint =
      this.sentinel?.description ??
      describeEndpoint({ host: options.host, port: options.port, path: options.path, tls: options.tls });
    this.buffers = new BufferView(this) as unknown as BufferCommands;
    this.clientCache = options.cache === undefined ? undefined : new ClientSideCache(options.cache);
    this.cache = this.clientCache ?? NO_CACHE;
    this.lifecycle = new Lifecycle({
      clock: this.clock,
      endpoint: this.endpoint,
      sentPassword: options.auth.sendsPassword,
      open: (info, hooks) => this.openConnection(info, hooks),
      onPush: (frame) => this.onPush(frame),
      restore: (conn) => this.restoreConnection(conn),
      attemptTimeoutMs: options.connectTimeoutMs,
      probe: (conn) => this.probeServer(conn),
      reconnect: options.reconnect,
      offlineQueue: options.offlineQueue,
      retryInFlight: options.retryInFlight,
      healthCheck: options.healthCheck,
      commandTimeoutMs: options.commandTimeoutMs,
      owner: this,
      events: {
        stateChange: (p) => {
          this.stateChanged(p.from, p.to);
          this.emit('stateChange', p);
        },
        reconnecting: (p) => this.emit('reconnecting', p),
        ready: (p) => {
          this.#in.connectionEpoch++;
          if (this.clientCache !== undefined) this.clientCache.serving = true;
          this.emit('ready', p);
        },
        error: (e) => {
          if (this.listenerCount('error') > 0) this.emit('error', e);
        },
      },
    });
    const cache = this.clientCache;
    if (cache !== undefined) {
      // Counts replies: a read after the client's own write waits for one (see ClientSideCache).
      this.lifecycle.claimReplies(() => {
        cache.replies++;
        return false;
      });
    }
  }

  /** 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'failed' | 'closing' | 'closed' */
  get state(): State {
    return this.lifecycle.state;
  }

  /** What the server said about itself in the last handshake (version, protocol, role...). */
  get server(): ServerInfo | undefined {
    return this.lastServer;
  }

  /** The connection failure behind the last retry or the `failed` state. */
  get lastError(): ConnectionError | undefined {
    return this.lifecycle.lastError;
  }

  /** Commands waiting for a connection. */
  get offlineQueueLength(): number {
    return this.lifecycle.offlineQueueLength;
  }

  /** Commands sent and not answered yet, plus those waiting for a connection (a pool reads it before reuse). */
  get pendingCommands(): number {
    return (this.lifecycle.connection?.pendingReplies ?? 0) + this.lifecycle.offlineQueueLength;
  }

  /** The database the connection uses now: `options.database` until a SELECT (reconnects keep it). */
  get selectedDatabase(): number {
    return this.database;
  }

  /**
   * Connects and resolves once the client is ready. Configuration errors (protected mode, bad
   * credentials, TLS verification) reject at once; transient ones are retried until
   * `reconnect.initialTimeoutMs`. Calling it while connecting returns the same outcome.
   */
  connect(): Promise<void> {
    return this.lifecycle.connect();
  }

  /** Graceful: new commands are refused, commands in flight get their replies, then the socket closes. */
  async close(): Promise<void> {
    const dedicated = this.dedicated;
    await Promise.all([this.lifecycle.close(), dedicated?.close(), this.pubsub?.close()]);
  }

  /** Immediate: the socket is dropped and every pending command rejects with ClientClosedError. */
  destroy(): void {
    this.dedicated?.destroy();
    this.pubsub?.destroy();
    this.lifecycle.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** `console.log(client)`: endpoint, state, database, name, protocol, pending work; never a secret. */
  [inspect.custom](_depth: number, options: InspectOptions, show: typeof inspect): string {
    return `RedisClient ${show(this.toJSON(), options)}`;
  }

  /** `JSON.stringify(client)` (a logger printing a diagnostics message): the same summary as inspect. */
  toJSON(): ClientSummary {
    return clientSummary(this, this.clientName);
  }

  /**
   * The health check's confirmation: a second connection through the same path as an attempt
   * (transport, TLS, credentials, handshake; no restore, not counted as an attempt), asking the
   * server about `conn` (connection/probe.ts).
   */
  private probeServer(conn: ConnectionLike): Promise<ProbeFinding> {
    const hc = this.options.healthCheck;
    const timeoutMs = hc === false ? this.options.connectTimeoutMs : hc.probeTimeoutMs;
    const info: AttemptInfo = { attempt: 0, phase: 'runtime', listenFirstMs: 0 };
    return probeServer((ms) => this.openConnection(info, { onClose: () => undefined }, ms), conn.server?.id, timeoutMs);
  }

  private async openConnection(
    info: AttemptInfo,
    hooks: ConnectionHooks,
    connectTimeoutMs = this.options.connectTimeoutMs,
  ): Promise<ConnectionLike> {
    const o = this.options;
    // The secret lives in this attempt's locals and the handshake's commands only: nothing that
    // outlives the attempt keeps it (see Auth, and Connection, which drops it after the handshake).
    let credentials: { username?: string; password?: string };
    try {
      credentials = await o.auth.current();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new AttemptFailure(
        new ConnectionError('auth', `the credentials provider failed: ${why}`, { cause: err }),
        'connect',
        0,
        this.endpoint,
      );
    }
    const openAt = (at: { host: string; port: number }): Promise<Connection> =>
      Connection.open(
        {
          host: at.host,
          port: at.port,
          path: o.path,
          tls: o.tls,
          connectTimeoutMs,
          keepAliveMs: o.keepAliveMs,
          protocol: o.protocol,
          username: credentials.username ?? o.username,
          password: credentials.password,
          database: this.database,
          clientName: this.clientName,
          libName: o.libName,
          libVersion: VERSION,
          limits: o.limits,
          listenFirstMs: info.listenFirstMs,
          probeTlsOnSilentClose: info.phase === 'initial',
          now: () => this.clock.now(),
        },
        hooks,
      );
    // With sentinels, this attempt asks them where to go first (sentinel/discovery.ts); the
    // lifecycle around it is the same either way.
    const conn = this.sentinel === undefined ? await openAt(o) : await this.sentinel.open(openAt);
    if (info.attempt > 0) this.lastServer = conn.server; // attempt 0 is a health probe, not ours to keep
    return conn;
  }

  /**
   * The funnel every command goes through: validates the arguments, creates the command and hands
   * it to the lifecycle. Resolves with the (transformed) reply; rejects with a typed error.
   */
  #sendCommand<T = unknown>(
    name: string,
    args: readonly Arg[],
    transform?: Transform<T>,
    options?: CommandOptions,
  ): Promise<T> {
    const invalid = argError(name, args);
    if (invalid !== undefined) return Promise.reject(invalid);
    return new Promise<T>((resolve, reject) => {
      const cmd = new Command<T>(name, args, transform, resolve, reject);
      if (options !== undefined) {
        cmd.returnBuffers = options.returnBuffers === true;
        if (options.timeoutMs !== undefined) cmd.timeoutMs = options.timeoutMs;
        cmd.signal = options.signal;
        const blocking = options.blockingMs;
        if (blocking !== undefined && blocking > 0) this.#markBlocking(cmd, blocking, options.timeoutMs);
      }
      if (this.clientCache !== undefined) this.clientCache.noteCommand(cmd);
      this.lifecycle.submit(cmd);
    });
  }

  #markBlocking(cmd: Command, blocking: number, ownTimeoutMs: number | undefined): void {
    cmd.blockingMs = blocking;
    // commandTimeoutMs counts from the end of the time the server may hold the reply.
    const base = this.options.commandTimeoutMs;
    if (ownTimeoutMs === undefined) cmd.timeoutMs = blocking === Infinity || base <= 0 ? Infinity : base + blocking;
  }

  /**
   * How every typed method sends: SELECT and CLIENT SETNAME are remembered for the next
   * handshake, and a blocking command goes where #route() sends it.
   */
  #dispatch(d: CommandDef, args: unknown[], buffers: boolean): Promise<unknown> {
    const built = d.build(...args);
    if (this.clientCache !== undefined && !buffers && ClientSideCache.cacheable(d, built)) {
      return this.clientCache.read(d, built, (transform) => this.#sendCommand(d.name, built, transform));
    }
    let transform = d.transform;
    if (d.name === 'SELECT' || d.name === 'CLIENT') {
      const track = this.#trackState(d.name, built);
      if (track !== undefined) transform = transform === undefined ? track : (r: unknown) => d.transform?.(track(r));
    }
    const blockingMs = d.blockingMs?.(built) ?? 0;
    return this.#route(d.name, built, transform, buffers || d.binary === true, blockingMs, d.sameConnection === true);
  }

  /**
   * Where a built command runs: a blocking one (blockingMs > 0) on a dedicated connection, so that
   * it never holds up the others, unless this client is one or the command counts the caller's
   * own connection (WAIT); everything else on this client's connection.
   */
  #route(
    name: string,
    built: readonly Arg[],
    transform: Transform<unknown> | undefined,
    returnBuffers: boolean,
    blockingMs: number,
    sameConnection: boolean,
  ): Promise<unknown> {
    if (blockingMs > 0) {
      const options: CommandOptions = { returnBuffers, blockingMs };
      if (sameConnection || this.#in.isolatedConnection) return this.#sendCommand(name, built, transform, options);
      const invalid = argError(name, built);
      if (invalid !== undefined) return Promise.reject(invalid);
      return this.dedicatedConnections().use((conn) => conn.#sendCommand(name, built, transform, options));
    }
    return this.#sendCommand(name, built, transform, returnBuffers ? BUFFERS : undefined);
  }

  /** Runs a prepared command object (used by pipelines and transactions). */
  #submit(cmd: Command): void {
    if (this.clientCache !== undefined) this.clientCache.noteCommand(cmd);
    this.lifecycle.submit(cmd);
  }

  /**
   * Any command: `client.call('SET', 'k', 'v')`. Arguments are strings, numbers, bigints or
   * Buffers. Runs like the typed method would: blocking commands (BLPOP, XREAD BLOCK, ...) on a
   * dedicated connection; SELECT, CLIENT SETNAME and WATCH are remembered (a reconnect restores
   * the database and name, and voids the WATCH). Commands that would change the connection behind
   * the client's back (MULTI, MONITOR, RESET, HELLO, AUTH, CLIENT REPLY OFF, CLIENT TRACKING,
   * SUBSCRIBE...) reject with an InvalidArgumentError that names the API to use instead.
   */
  call(name: string, ...args: Arg[]): Promise<unknown> {
    return this.#call(name, args, false, 'call');
  }

  /** Like call(), with bulk strings in the reply as Buffers. */
  callBuffer(name: string, ...args: Arg[]): Promise<unknown> {
    return this.#call(name, args, true, 'callBuffer');
  }

  #call(name: string, args: Arg[], returnBuffers: boolean, method: string): Promise<unknown> {
    // Plain JavaScript passes anything here: call(), call(['GET', 'k']) (node-redis' form)...
    const badName = callNameError(method, name);
    if (badName !== undefined) return Promise.reject(badName);
    const rule = callRule(name);
    if (rule === undefined) return this.#sendCommand(name, args, undefined, returnBuffers ? BUFFERS : undefined);
    const refused = rule.refuse?.(name, args, method);
    if (refused !== undefined) return Promise.reject(refused);
    const transform = rule.tracked === undefined ? undefined : this.#trackState(name, args);
    const blocking = rule.blocking;
    const blockingMs = blocking === undefined ? 0 : blocking.blockingMs(args);
    return this.#route(name, args, transform, returnBuffers, blockingMs, blocking?.sameConnection === true);
  }

  /**
   * SELECT and CLIENT SETNAME change the connection: remember them for the next handshake. WATCH
   * records the connection it was made on (a WATCH from a replaced connection protects nothing,
   * so EXEC refuses); UNWATCH forgets it. Each takes effect when the server said OK.
   */
  #trackState(name: string, args: readonly Arg[]): Transform<unknown> | undefined {
    const tracked = callRule(name)?.tracked;
    if (tracked === undefined) return undefined;
    if (tracked === 'SELECT' && args.length === 1) {
      const db = Number(args[0]);
      return (reply: unknown) => {
        this.database = db;
        return reply;
      };
    }
    if (tracked === 'CLIENT' && args.length === 2 && String(args[0]).toUpperCase() === 'SETNAME') {
      const clientName = String(args[1]);
      return (reply: unknown) => {
        this.clientName = clientName === '' ? undefined : clientName;
        return reply;
      };
    }
    const state = this.#in;
    if (tracked === 'WATCH') {
      // Replies are delivered as they are read, so at this moment the current connection is the
      // one that holds the WATCH.
      return (reply: unknown) => {
        state.watchEpoch = state.connectionEpoch;
        return reply;
      };
    }
    if (tracked === 'UNWATCH') {
      return (reply: unknown) => {
        state.watchEpoch = undefined;
        return reply;
      };
    }
    return undefined;
  }

  /**
   * WATCH key [key ...]. Only meaningful on a connection of your own (isolated(), or a pool):
   * if that connection is replaced before EXEC, the EXEC is refused instead of running unprotected.
   */
  watch(...keys: Arg[]): Promise<'OK'> {
    return this.#call('WATCH', keys, false, 'watch') as Promise<'OK'>;
  }

  /** UNWATCH. */
  unwatch(): Promise<'OK'> {
    return this.#call('UNWATCH', [], false, 'unwatch') as Promise<'OK'>;
  }

  /** Every key (matching the options), one SCAN page at a time: `for await (const key of client.scanIterator())`. */
  scanIterator(opts?: KeyScanIteratorOptions): AsyncGenerator<string, void, undefined> {
    return scanIterator(this, opts);
  }

  /** Every [field, value] of a hash, through HSCAN. */
  hscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<[string, string], void, undefined> {
    return hscanIterator(this, key, opts);
  }

  /** Every member of a set, through SSCAN. */
  sscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<string, void, undefined> {
    return sscanIterator(this, key, opts);
  }

  /** Every { value, score } of a sorted set, through ZSCAN. */
  zscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<ScoredMember, void, undefined> {
    return zscanIterator(this, key, opts);
  }

  /** Commands sent back to back in one write; exec() gives each one's result or error. Not atomic. */
  pipeline(): Pipeline {
    // A JavaScript caller may pass ioredis' array form, which would otherwise be ignored.
    // eslint-disable-next-line prefer-rest-params
    if (arguments.length > 0) throw batchArrayError('pipeline', arguments[0]);
    return new Pipeline(this);
  }

  /** MULTI ... EXEC: queued commands run atomically; exec() gives their results, or null if a WATCH failed. */
  multi(): Transaction {
    // eslint-disable-next-line prefer-rest-params
    if (arguments.length > 0) throw batchArrayError('multi', arguments[0]);
    return new Transaction(this);
  }

  /** A new client with the same options (and the given overrides): its own connection and lifecycle. */
  duplicate(overrides?: ClientOptions): RedisClient {
    const o = this.options;
    // A sentinel-managed client's copies ask the same sentinels (its password is not enumerable,
    // so it is passed on by name); an address would be refused next to `sentinel`.
    const where: ClientOptions =
      o.sentinel === undefined
        ? { host: o.host, port: o.port, path: o.path }
        : { sentinel: { ...o.sentinel, sentinels: [...o.sentinel.sentinels], password: o.sentinel.password } };
    const base: ClientOptions = {
      ...where,
      username: o.username,
      database: this.database,
      clientName: this.clientName,
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
    return new RedisClient(ownAuth ? resolved : Object.freeze({ ...resolved, auth: o.auth }));
  }

  /**
   * Runs `fn` with a connection of its own (from a small set the client keeps), for work that must
   * not share a connection: WATCH/MULTI/EXEC, blocking commands, long streams. The connection goes
   * back when `fn` settles; one left in WATCH is reset with UNWATCH first.
   */
  isolated<T>(fn: (conn: RedisClient) => Promise<T>): Promise<T> {
    if (this.#in.isolatedConnection) return fn(this);
    return this.dedicatedConnections().use(fn);
  }

  /** Runs a Lua script by SHA1, falling back to EVAL on NOSCRIPT (see defineScript()). */
  runScript(script: Script, keys?: RedisKey[], args?: RedisValue[]): Promise<unknown> {
    return script.run(this, keys, args);
  }

  // ---------------------------------------------------------------- pub/sub (docs/pubsub.md)

  /** SUBSCRIBE: `listener(message, channel)` for each message; resolves once the server confirmed. */
  subscribe(channels: string | string[], listener: MessageListener): Promise<void> {
    return this.subscribeTo('channels', 'subscribe', channels, listener);
  }

  /** PSUBSCRIBE: `listener(message, channel, pattern)` for each message on a matching channel. */
  psubscribe(patterns: string | string[], listener: PatternListener): Promise<void> {
    return this.subscribeTo('patterns', 'psubscribe', patterns, listener);
  }

  /** SSUBSCRIBE (Redis 7): sharded channels. */
  ssubscribe(channels: string | string[], listener: MessageListener): Promise<void> {
    return this.subscribeTo('shardChannels', 'ssubscribe', channels, listener);
  }

  /** UNSUBSCRIBE: these channels (every one without an argument); with a listener, only that listener. */
  unsubscribe(channels?: string | string[], listener?: MessageListener): Promise<void> {
    return this.unsubscribeFrom('channels', channels, listener);
  }

  /** PUNSUBSCRIBE: these patterns (every one without an argument); with a listener, only that listener. */
  punsubscribe(patterns?: string | string[], listener?: PatternListener): Promise<void> {
    return this.unsubscribeFrom('patterns', patterns, listener);
  }

  /** SUNSUBSCRIBE: these shard channels (every one without an argument). */
  sunsubscribe(channels?: string | string[], listener?: MessageListener): Promise<void> {
    return this.unsubscribeFrom('shardChannels', channels, listener);
  }

  /** PUBLISH channel message: how many subscribers received it (at most once: see docs/pubsub.md). */
  publish(channel: RedisKey, message: RedisValue): Promise<number> {
    return this.#sendCommand<number>('PUBLISH', [channel, message]);
  }

  /** SPUBLISH shardchannel message (Redis 7). */
  spublish(channel: RedisKey, message: RedisValue): Promise<number> {
    return this.#sendCommand<number>('SPUBLISH', [channel, message]);
  }

  /** Channels, patterns and shard channels subscribed through this client (a pool will not reuse it). */
  get subscriptionCount(): number {
    return this.pubsub?.existing?.size ?? 0;
  }

  private subscribeTo(kind: SubscriptionKind, method: string, names: string | string[], listener: Listener) {
    if (typeof listener !== 'function') {
      return Promise.reject(new InvalidArgumentError(`${method}() needs a listener function`));
    }
    const list = nameList(method, names);
    if (!Array.isArray(list)) return Promise.reject(list);
    this.pubsub ??= new PubSubRouter(this);
    return this.pubsub.target().add(kind, list, listener);
  }

  private unsubscribeFrom(kind: SubscriptionKind, names: string | string[] | undefined, listener?: Listener) {
    const list = names === undefined ? undefined : nameList(UNSUBSCRIBE_METHOD[kind], names);
    if (list !== undefined && !Array.isArray(list)) return Promise.reject(list);
    return this.pubsub?.existing?.remove(kind, list, listener) ?? Promise.resolve();
  }

  /** The subscriptions engine of this client's own connection (see PubSubRouter). */
  #ownSubscriptions(mode: 'push' | 'reply'): Subscriptions {
    if (this.subscriptions !== undefined) return this.subscriptions;
    const engine = new Subscriptions(
      {
        get state() {
          return lifecycle.state;
        },
        get lastError() {
          return lifecycle.lastError;
        },
        get wasReady() {
          return lifecycle.phase === 'runtime';
        },
        readyConnection: () => lifecycle.connection,
        startConnecting: () => void lifecycle.connect().catch(() => undefined),
        commandTimeoutMs: this.options.commandTimeoutMs,
        resubscribed: (e) => this.emit('resubscribed', e),
      },
      mode,
    );
    const lifecycle = this.lifecycle;
    this.subscriptions = engine;
    // A RESP2 connection in subscriber mode delivers messages and confirmations as replies.
    if (mode === 'reply') lifecycle.claimReplies((reply) => Array.isArray(reply) && engine.handleFrame(reply));
    return engine;
  }

  private onPush(frame: unknown[]): void {
    if (frame[0] === 'invalidate' && this.clientCache !== undefined) this.clientCache.invalidate(frame[1]);
    else if (this.subscriptions === undefined || !this.subscriptions.handleFrame(frame)) this.emit('push', frame);
  }

  /** After each handshake, before `ready`: tracking on (the cache), then every subscription again. */
  private async restoreConnection(conn: ConnectionLike): Promise<void> {
    if (this.clientCache !== undefined) await this.clientCache.restore(conn);
    if (this.subscriptions !== undefined) await this.subscriptions.restore(conn);
  }

  private stateChanged(from: State, to: State): void {
    // Invalidations sent while the connection is gone are lost: empty the cache before any read.
    if (from === 'ready') {
      this.clientCache?.connectionLost();
      this.subscriptions?.connectionLost();
    }
    if (to === 'failed' || to === 'closing' || to === 'closed')
      this.subscriptions?.stopped(to === 'failed' ? 'failed' : 'closed');
  }

  private dedicatedConnections(): DedicatedConnections {
    this.dedicated ??= new DedicatedConnections(this, this.options.maxDedicatedConnections);
    return this.dedicated;
  }

  static {
    provideInternals((client) => client.#in);
    // One method per command definition (see command-def.ts), on the client and on the buffers
    // view; defined here, inside the class, so that they reach #dispatch directly. A call with
    // more arguments than checkFrom() is checked against the definition (call-check.ts); a fault
    // found while building the arguments rejects the promise like any argument error.
    for (const [method, d] of Object.entries(COMMANDS as Record<string, CommandDef>)) {
      const from = checkFrom(d);
      // Read once: a bundler's module export may be a getter, and this runs on every call with options.
      const check = callError;
      (RedisClient.prototype as unknown as Record<string, unknown>)[method] = function (
        this: RedisClient,
        ...args: unknown[]
      ) {
        if (args.length > from) {
          const invalid = check(method, d, args);
          if (invalid !== undefined) return Promise.reject(invalid);
        }
        try {
          return this.#dispatch(d, args, false);
        } catch (err) {
          return Promise.reject(buildError(method, err));
        }
      };
      (BufferView.prototype as unknown as Record<string, unknown>)[method] = function (
        this: BufferView,
        ...args: unknown[]
      ) {
        if (args.length > from) {
          const invalid = check(method, d, args);
          if (invalid !== undefined) return Promise.reject(invalid);
        }
        try {
          return this.client.#dispatch(d, args, true);
        } catch (err) {
          return Promise.reject(buildError(method, err));
        }
      };
    }
  }
}

/** Creates a client. Nothing is sent until connect() (or the first command, which connects). */
export function createClient(urlOrOptions?: string | ClientOptions, options?: ClientOptions): RedisClient {
  return new RedisClient(resolveOptions(urlOrOptions, options));
}
