/* eslint-disable prefer-rest-params -- a JavaScript caller's extra arguments are refused by arguments.length (extraArgumentsError) */
import { inspect, type InspectOptions } from 'node:util';
import type { ConnectionError, RomaineError } from '../errors';
import { Command, type CommandOptions } from '../connection/command';
import type { ProbeFinding } from '../connection/probe';
import type { ServerInfo } from '../connection/handshake';
import { systemClock, type Clock } from '../lifecycle/clock';
import { Lifecycle, type ConnectionLike } from '../lifecycle/lifecycle';
import type { State } from '../lifecycle/states';
import { argError, buildError } from './args';
import { batchArrayError, callError, checkFrom, extraArgumentsError } from './call-check';
import type { Arg } from '../protocol/types';
import { toBufferMap, type Bufferize, type CommandDef, type Transform } from './command-def';
import { COMMANDS, type CommandTable } from './commands';
import { DedicatedConnections } from './dedicated';
import { ClientSideCache, NO_CACHE, type CacheView } from './cache';
import type { ResubscribedEvent } from './pubsub';
import { ClientPubSub } from './client-pubsub';
import { PubSubMethods } from './pubsub-methods';
import { ConnectionOpener } from './connection-opener';
import { duplicateOptions } from './duplicate';
import { followFailovers, type FailoverFollower, type SentinelSwitch } from '../sentinel/follower';
import { Session } from './session';
import { Monitor, type MonitorOptions } from './monitor';
import { callNameError, callRule, resendWait, tracksState } from './call-rules';
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
import { flushesScripts, scriptCallError, type Script } from './scripts';
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
  /** With `sentinel`: the client now talks to another node (a failover), and what made it move. */
  switch: [SentinelSwitch];
}

/** The typed command methods, returning promises. */
export type ClientCommands = {
  [K in keyof CommandTable]: CommandTable[K] extends CommandDef<infer A, infer R> ? (...args: A) => Promise<R> : never;
};

/** The typed command methods of the `buffers` view: bulk strings come back as Buffers. */
export type BufferCommands = {
  [K in keyof CommandTable]: CommandTable[K] extends CommandDef<infer A, infer R>
    ? CommandTable[K] extends { readonly bufferMap: true }
      ? (...args: A) => Promise<Map<Buffer, Buffer>>
      : (...args: A) => Promise<Bufferize<R>>
    : never;
};

/**
 * A client's `buffers` view: the typed methods with Buffer replies, and the SCAN iterators
 * yielding Buffers (keys, fields and members as the bytes they are).
 */
export type ClientBufferCommands = BufferCommands & {
  /** Every key, as Buffers: `for await (const key of client.buffers.scanIterator())`. */
  scanIterator(opts?: KeyScanIteratorOptions): AsyncGenerator<Buffer, void, undefined>;
  /** Every [field, value] of a hash, as Buffers. */
  hscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<[Buffer, Buffer], void, undefined>;
  /** Every member of a set, as Buffers. */
  sscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<Buffer, void, undefined>;
};

export interface RedisClient extends ClientCommands {} // eslint-disable-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging

const BUFFERS: CommandOptions = { returnBuffers: true };
const FLAT_BUFFERS: CommandOptions = { returnBuffers: true, flatMaps: true };

/** `client.buffers`: the command methods with Buffer replies, on a prototype shared by all clients. */
class BufferView {
  constructor(readonly client: RedisClient) {}

  scanIterator(opts?: KeyScanIteratorOptions): AsyncGenerator<Buffer, void, undefined> {
    if (arguments.length > 1) throw extraArgumentsError('scanIterator', ['opts'], arguments);
    return scanIterator(this as unknown as Pick<RedisClient, 'scan'>, opts) as AsyncGenerator<Buffer, void, undefined>;
  }

  hscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<[Buffer, Buffer], void, undefined> {
    if (arguments.length > 2) throw extraArgumentsError('hscanIterator', ['key', 'opts'], arguments);
    return hscanIterator(this as unknown as Pick<RedisClient, 'hscan'>, key, opts) as AsyncGenerator<
      [Buffer, Buffer],
      void,
      undefined
    >;
  }

  sscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<Buffer, void, undefined> {
    if (arguments.length > 2) throw extraArgumentsError('sscanIterator', ['key', 'opts'], arguments);
    return sscanIterator(this as unknown as Pick<RedisClient, 'sscan'>, key, opts) as AsyncGenerator<
      Buffer,
      void,
      undefined
    >;
  }
}

/**
 * A Redis client: one multiplexed connection for ordinary commands (every command issued in one
 * tick goes out in one write), plus dedicated connections for blocking commands and `isolated()`.
 * The lifecycle (connect, reconnect, offline queue, in-flight safety, health) lives in
 * `lifecycle/`; this class turns method calls into commands and replies into typed values.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class RedisClient extends PubSubMethods<ClientEvents> {
  readonly options: ResolvedOptions;
  /** Same methods, but bulk string replies come back as Buffers (and the SCAN iterators yield Buffers). */
  readonly buffers: ClientBufferCommands;
  private readonly lifecycle: Lifecycle;
  private readonly clock: Clock;
  /** The database and name a reconnect restores (SELECT, CLIENT SETNAME), and the WATCH's connection. */
  private readonly session: Session;
  /** How each connection attempt opens its connection (credentials, sentinels, handshake). */
  private readonly opener: ConnectionOpener;
  private dedicated: DedicatedConnections | undefined;
  /** The open monitor() iterators: closed with the client. */
  private readonly monitors = new Set<Monitor>();
  /** What romaine's own modules use (internals.ts): out of the public type and of plain JS' reach. */
  readonly #in: ClientInternals;
  /** Client-side caching (the `cache` option): `client.cache.stats()`; `enabled` is false without it. */
  readonly cache: CacheView;
  private readonly clientCache: ClientSideCache | undefined;
  /** Subscriptions: where they live, and the engine on this client's own connection. @internal */
  protected readonly pubsub: ClientPubSub;
  /** With `sentinel`: the subscriptions to the sentinels' failover events (sentinel/follower.ts). */
  private readonly follower: FailoverFollower | undefined;

  constructor(options: ResolvedOptions) {
    super();
    this.#in = {
      sendCommand: (name, args, transform, commandOptions) => this.#sendCommand(name, args, transform, commandOptions),
      dispatch: (d, args, buffers) => this.#dispatch(d, args, buffers),
      route: (name, args, r) =>
        this.#route(name, args, r.transform, r.returnBuffers === true, r.blockingMs ?? 0, r.sameConnection === true),
      call: (name, args, returnBuffers, method = 'call') => this.#call(name, args, returnBuffers, method),
      submit: (cmd) => this.#submit(cmd),
      retryNow: () => this.lifecycle.retryNow(),
      markBlocking: (cmd, ms) => this.#markBlocking(cmd, ms, undefined),
      trackState: (name, args) => this.session.track(name, args),
      ownSubscriptions: (mode) => this.pubsub.ownSubscriptions(mode),
      claimReplies: (claim) => this.lifecycle.claimReplies(claim),
      connectionEpoch: 0,
      scriptEpoch: 0,
      submittedCount: () => this.lifecycle.submittedCount,
      watchEpoch: undefined,
      isolatedConnection: false,
    };
    this.options = options;
    this.clock = options.clock ?? systemClock;
    const state = this.#in;
    this.session = new Session(options.database, options.clientName, {
      watched: () => void (state.watchEpoch = state.connectionEpoch),
      unwatched: () => void (state.watchEpoch = undefined),
    });
    this.opener = new ConnectionOpener(options, this.clock, this.session);
    this.buffers = new BufferView(this) as unknown as ClientBufferCommands;
    this.clientCache = options.cache === undefined ? undefined : new ClientSideCache(options.cache);
    this.cache = this.clientCache ?? NO_CACHE;
    this.lifecycle = new Lifecycle({
      clock: this.clock,
      endpoint: this.opener.endpoint,
      sentPassword: options.auth.sendsPassword,
      open: (info, hooks) => this.opener.open(info, hooks),
      onPush: (frame) => this.onPush(frame),
      restore: (conn) => this.restoreConnection(conn),
      attemptTimeoutMs: options.connectTimeoutMs,
      probe: (conn) => this.probeServer(conn),
      // A blocking command on a connection being left for a new primary is released there and sent
      // again (lifecycle/retirements.ts); which commands can be is call-rules.ts' resendWait().
      unblock: {
        open: (conn) => this.opener.unblock(conn),
        withWait: (cmd, ms) => resendWait(cmd.name)?.(cmd.args, ms),
      },
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
        reconnecting: (p) => {
          this.follower?.left(p.reason);
          this.emit('reconnecting', p);
        },
        ready: (p) => {
          this.follower?.ready();
          this.#in.connectionEpoch++;
          this.#in.scriptEpoch++;
          if (this.clientCache !== undefined) this.clientCache.serving = true;
          this.emit('ready', p);
        },
        error: (e) => {
          if (this.listenerCount('error') > 0) this.emit('error', e);
        },
      },
    });
    this.pubsub = new ClientPubSub(this, this.lifecycle);
    this.follower = followFailovers(this.opener.sentinel, options, this.clock, this, {
      retire: (reason) => this.lifecycle.retire(reason),
      retryNow: () => this.lifecycle.retryNow(),
      switched: (e) => this.emit('switch', e),
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
    return this.opener.lastServer;
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
    return this.session.database;
  }

  /**
   * Connects and resolves once the client is ready. Configuration errors (protected mode, bad
   * credentials, TLS verification) reject at once; transient ones are retried until
   * `reconnect.initialTimeoutMs`. Calling it while connecting returns the same outcome.
   */
  connect(): Promise<void> {
    if (arguments.length > 0) return Promise.reject(extraArgumentsError('connect', [], arguments));
    return this.lifecycle.connect();
  }

  /** Graceful: new commands are refused, commands in flight get their replies, then the socket closes. */
  async close(): Promise<void> {
    if (arguments.length > 0) throw extraArgumentsError('close', [], arguments);
    const dedicated = this.dedicated;
    const monitors = [...this.monitors].map((m) => m.close());
    await Promise.all([
      this.lifecycle.close(),
      dedicated?.close(),
      this.pubsub.close(),
      this.follower?.close(),
      ...monitors,
    ]);
  }

  /** Immediate: the socket is dropped and every pending command rejects with ClientClosedError. */
  destroy(): void {
    if (arguments.length > 0) throw extraArgumentsError('destroy', [], arguments);
    for (const m of this.monitors) m.destroy();
    this.dedicated?.destroy();
    this.pubsub.destroy();
    this.follower?.destroy();
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
    return clientSummary(this, this.session.clientName);
  }

  /** The health check's confirmation (ConnectionOpener.probe). */
  private probeServer(conn: ConnectionLike): Promise<ProbeFinding> {
    return this.opener.probe(conn);
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
        cmd.flatMaps = options.flatMaps === true;
        if (options.timeoutMs !== undefined) cmd.timeoutMs = options.timeoutMs;
        cmd.signal = options.signal;
        const blocking = options.blockingMs;
        if (blocking !== undefined && blocking > 0) this.#markBlocking(cmd, blocking, options.timeoutMs);
      }
      if (this.clientCache !== undefined) this.clientCache.noteCommand(cmd);
      if (flushesScripts(name, args)) this.#in.scriptEpoch++;
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
   * How every typed method sends: SELECT, CLIENT SETNAME / NO-EVICT and READONLY / READWRITE are
   * remembered for the next handshake, and a blocking command goes where #route() sends it.
   */
  #dispatch(d: CommandDef, args: unknown[], buffers: boolean): Promise<unknown> {
    const built = d.build(...args);
    if (buffers && d.bufferMap === true) return this.#sendCommand(d.name, built, toBufferMap, FLAT_BUFFERS);
    if (this.clientCache !== undefined && !buffers && ClientSideCache.cacheable(d, built)) {
      return this.clientCache.read(d, built, (transform) => this.#sendCommand(d.name, built, transform));
    }
    let transform = d.transform;
    if (tracksState(d.name)) {
      const track = this.session.track(d.name, built);
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
    if (flushesScripts(cmd.name, cmd.args)) this.#in.scriptEpoch++;
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
    const transform = rule.tracked === undefined ? undefined : this.session.track(name, args);
    const blocking = rule.blocking;
    const blockingMs = blocking === undefined ? 0 : blocking.blockingMs(args);
    return this.#route(name, args, transform, returnBuffers, blockingMs, blocking?.sameConnection === true);
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
    if (arguments.length > 0) return Promise.reject(extraArgumentsError('unwatch', [], arguments));
    return this.#call('UNWATCH', [], false, 'unwatch') as Promise<'OK'>;
  }

  /** Every key (matching the options), one SCAN page at a time: `for await (const key of client.scanIterator())`. */
  scanIterator(opts?: KeyScanIteratorOptions): AsyncGenerator<string, void, undefined> {
    if (arguments.length > 1) throw extraArgumentsError('scanIterator', ['opts'], arguments);
    return scanIterator(this, opts);
  }

  /** Every [field, value] of a hash, through HSCAN. */
  hscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<[string, string], void, undefined> {
    if (arguments.length > 2) throw extraArgumentsError('hscanIterator', ['key', 'opts'], arguments);
    return hscanIterator(this, key, opts);
  }

  /** Every member of a set, through SSCAN. */
  sscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<string, void, undefined> {
    if (arguments.length > 2) throw extraArgumentsError('sscanIterator', ['key', 'opts'], arguments);
    return sscanIterator(this, key, opts);
  }

  /** Every { value, score } of a sorted set, through ZSCAN. */
  zscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<ScoredMember, void, undefined> {
    if (arguments.length > 2) throw extraArgumentsError('zscanIterator', ['key', 'opts'], arguments);
    return zscanIterator(this, key, opts);
  }

  /** Commands sent back to back in one write; exec() gives each one's result or error. Not atomic. */
  pipeline(): Pipeline<[]> {
    // A JavaScript caller may pass ioredis' array form, which would otherwise be ignored.
    if (arguments.length > 0) throw batchArrayError('pipeline', arguments[0]);
    return new Pipeline<[]>(this);
  }

  /** MULTI ... EXEC: queued commands run atomically; exec() gives their results, or null if a WATCH failed. */
  multi(): Transaction<[]> {
    if (arguments.length > 0) throw batchArrayError('multi', arguments[0]);
    return new Transaction<[]>(this);
  }

  /**
   * MONITOR, as an async iterator on a connection of its own: every command the server runs, as
   * `{ timestamp, db, source, args }`. Breaking out of the loop (or `close()`) closes that
   * connection; so does closing the client. After a reconnect the feed goes on (what ran in between
   * is not seen). MONITOR slows a busy server down: use it to look, not to log.
   *
   * `for await (const { source, args } of client.monitor()) console.log(source, ...args)`
   */
  monitor(opts: MonitorOptions = {}): Monitor {
    if (arguments.length > 1) throw extraArgumentsError('monitor', ['opts'], arguments);
    const m: Monitor = new Monitor(this, opts, () => this.monitors.delete(m));
    this.monitors.add(m);
    return m;
  }

  /** A new client with the same options (and the given overrides): its own connection and lifecycle. */
  duplicate(overrides?: ClientOptions): RedisClient {
    if (arguments.length > 1) throw extraArgumentsError('duplicate', ['overrides'], arguments);
    return new RedisClient(duplicateOptions(this.options, this.session, overrides));
  }

  /**
   * Runs `fn` with a connection of its own (from a small set the client keeps), for work that must
   * not share a connection: WATCH/MULTI/EXEC, blocking commands, long streams. The connection goes
   * back when `fn` settles; one left in WATCH is reset with UNWATCH first.
   */
  isolated<T>(fn: (conn: RedisClient) => Promise<T>): Promise<T> {
    if (arguments.length > 1) return Promise.reject(extraArgumentsError('isolated', ['fn'], arguments));
    if (this.#in.isolatedConnection) return fn(this);
    return this.dedicatedConnections().use(fn);
  }

  /** Runs a Lua script by SHA1, falling back to EVAL on NOSCRIPT (see defineScript()). */
  runScript(script: Script, keys: RedisKey[] = [], args: RedisValue[] = []): Promise<unknown> {
    if (arguments.length > 3)
      return Promise.reject(extraArgumentsError('runScript', ['script', 'keys', 'args'], arguments));
    const problem = scriptCallError('runScript', script, keys, args);
    if (problem !== undefined) return Promise.reject(problem);
    return script.run(this, keys, args);
  }

  /** PUBLISH and SPUBLISH of the pub/sub methods (pubsub-methods.ts). @internal */
  protected sendPublish(name: 'PUBLISH' | 'SPUBLISH', args: [RedisKey, RedisValue]): Promise<number> {
    return this.#sendCommand<number>(name, args);
  }

  private onPush(frame: unknown[]): void {
    if (frame[0] === 'invalidate' && this.clientCache !== undefined) this.clientCache.invalidate(frame[1]);
    else if (!this.pubsub.handlePush(frame)) this.emit('push', frame);
  }

  /** After each handshake, before `ready`: tracking on (the cache), then every subscription again. */
  private async restoreConnection(conn: ConnectionLike): Promise<void> {
    if (this.clientCache !== undefined) await this.clientCache.restore(conn);
    const subscriptions = this.pubsub.restore(conn);
    if (subscriptions !== undefined) await subscriptions;
  }

  private stateChanged(from: State, to: State): void {
    // Invalidations sent while the connection is gone are lost: empty the cache before any read.
    if (from === 'ready') this.clientCache?.connectionLost();
    this.pubsub.stateChanged(from, to);
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
