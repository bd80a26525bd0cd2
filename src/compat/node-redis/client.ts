/**
 * `romaine/compat/node-redis`: a client with node-redis v5's shape (v4's forms accepted where v5
 * kept them) over a romaine RedisClient, for libraries written for node-redis (connect-redis,
 * @keyv/redis, @socket.io/redis-adapter, rate-limiter-flexible...). Every command goes through
 * romaine's client, so its lifecycle applies: fail fast on a wrong configuration, reconnect for
 * good after the first success, at most one execution of an unsafe write.
 */
import { EventEmitter } from 'node:events';
import { list as COMMAND_NAMES } from '@ioredis/commands';
import { createClient as createRomaineClient, type RedisClient } from '../../client/client';
import type { ClientBufferCommands } from '../../client/client';
import { InvalidArgumentError, type ConnectionError } from '../../errors';
import type { Arg } from '../../protocol/types';
import type { State } from '../../lifecycle/states';
import { METHODS, REPLIES, buildCall, flatten, type NodeRedisMethod } from './commands';
import { translateOptions, type NodeRedisClientOptions } from './options';
import { NodeRedisMulti, type MultiBackend } from './multi';

/** The camelCase command methods: arguments and replies as node-redis v5 takes and gives them. */
export type NodeRedisCommands = { [K in NodeRedisMethod]: (...args: any[]) => Promise<any> };

/** A pub/sub listener as node-redis calls it: the message (a Buffer in Buffer mode) and the channel. */
export type NodeRedisListener = (message: any, channel: string) => void;

/** The events a node-redis client emits. */
export interface NodeRedisEvents {
  /** The connection is up (emitted right before 'ready': romaine reports both at once). */
  connect: [];
  ready: [];
  /** The connection was lost and the client is trying again. */
  reconnecting: [];
  /** A connection failure. Emitted only when someone listens (no listener never crashes the process). */
  error: [ConnectionError];
  /** The client was closed for good. */
  end: [];
}

/**
 * What the facade needs of romaine: a RedisClient, or a ClusterClient for createCluster() (the
 * same methods; listeners take Buffers when `buffers` is true).
 */
export interface NodeRedisBackend {
  readonly state: State;
  connect(): Promise<void>;
  close(): Promise<void>;
  destroy(): void;
  call(name: string, ...args: Arg[]): Promise<unknown>;
  pipeline(): MultiBackend;
  multi(): MultiBackend;
  subscribe(channels: string | string[], listener: NodeRedisListener, options: { buffers: boolean }): Promise<void>;
  psubscribe(patterns: string | string[], listener: NodeRedisListener, options: { buffers: boolean }): Promise<void>;
  ssubscribe(channels: string | string[], listener: NodeRedisListener, options: { buffers: boolean }): Promise<void>;
  unsubscribe(channels?: string | string[], listener?: NodeRedisListener): Promise<void>;
  punsubscribe(patterns?: string | string[], listener?: NodeRedisListener): Promise<void>;
  sunsubscribe(channels?: string | string[], listener?: NodeRedisListener): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface NodeRedisBase extends NodeRedisCommands {}

/** What node-redis' client and cluster share: the command methods, multi, pub/sub, iterators, status. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class NodeRedisBase extends EventEmitter<NodeRedisEvents> {
  /** @internal The romaine client or cluster client, as the shared methods use it. */
  protected abstract get backend(): NodeRedisBackend;

  /** @internal Maps romaine's events to node-redis' (connect, ready, reconnecting, error, end). */
  protected wire(r: {
    on(event: 'stateChange', l: (e: { from: State; to: State }) => void): unknown;
    on(event: 'reconnecting', l: () => void): unknown;
  }): void {
    r.on('stateChange', ({ to }) => {
      if (to === 'ready') {
        this.emit('connect');
        this.emit('ready');
      } else if (to === 'closed') this.emit('end');
    });
    r.on('reconnecting', () => this.emit('reconnecting'));
  }

  /** Connecting, ready or reconnecting: node-redis' "the socket is (being) opened". */
  get isOpen(): boolean {
    const s = this.backend.state;
    return s === 'connecting' || s === 'ready' || s === 'reconnecting';
  }

  /** Ready for commands now. */
  get isReady(): boolean {
    return this.backend.state === 'ready';
  }

  /** Connects; resolves with the client once it is ready (a second call while open gives the same client). */
  async connect(): Promise<this> {
    await this.backend.connect();
    return this;
  }

  /** Graceful: commands already issued get their replies, then the connection closes. */
  async close(): Promise<void> {
    await this.backend.close();
  }

  /** v4's graceful close (QUIT); resolves with 'OK'. */
  async quit(): Promise<'OK'> {
    await this.backend.close();
    return 'OK';
  }

  /** Now: pending commands reject with ClientClosedError. */
  destroy(): void {
    this.backend.destroy();
  }

  /** v4's immediate close. */
  disconnect(): Promise<void> {
    this.backend.destroy();
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Any command as an array: `sendCommand(['PUBSUB', 'NUMSUB', 'ch'])`; the raw reply. */
  sendCommand(args: Array<string | number | Buffer>, _options?: unknown): Promise<any> {
    if (!Array.isArray(args) || args.length === 0 || typeof args[0] !== 'string') {
      return Promise.reject(new InvalidArgumentError("sendCommand() takes an array: ['NAME', ...args]"));
    }
    const [name, ...rest] = args;
    return this.backend.call(name, ...rest);
  }

  /** MULTI ... EXEC: the chain's replies as plain values (the first error rejects exec()). */
  multi(): NodeRedisMulti {
    return new NodeRedisMulti(this.backend);
  }

  /** v4's pipeline with the multi shape: `client.multi().get(k).exec(true)` is the same. */
  pipeline(): NodeRedisMulti {
    return new NodeRedisMulti(this.backend, true);
  }

  // ------------------------------------------------------------------------------- pub/sub

  /** SUBSCRIBE: `listener(message, channel)`; `bufferMode` true gives the message as a Buffer. */
  subscribe(channels: string | string[], listener: NodeRedisListener, bufferMode?: boolean): Promise<void> {
    return this.backend.subscribe(channels, listener, { buffers: bufferMode === true });
  }

  /** PSUBSCRIBE: `listener(message, channel)` for each message on a matching channel. */
  pSubscribe(patterns: string | string[], listener: NodeRedisListener, bufferMode?: boolean): Promise<void> {
    return this.backend.psubscribe(patterns, listener, { buffers: bufferMode === true });
  }

  /** SSUBSCRIBE (Redis 7): sharded channels. */
  sSubscribe(channels: string | string[], listener: NodeRedisListener, bufferMode?: boolean): Promise<void> {
    return this.backend.ssubscribe(channels, listener, { buffers: bufferMode === true });
  }

  /** UNSUBSCRIBE these channels (all without an argument); with a listener, only that listener. */
  unsubscribe(channels?: string | string[], listener?: NodeRedisListener, _bufferMode?: boolean): Promise<void> {
    return this.backend.unsubscribe(channels, listener);
  }

  pUnsubscribe(patterns?: string | string[], listener?: NodeRedisListener, _bufferMode?: boolean): Promise<void> {
    return this.backend.punsubscribe(patterns, listener);
  }

  sUnsubscribe(channels?: string | string[], listener?: NodeRedisListener, _bufferMode?: boolean): Promise<void> {
    return this.backend.sunsubscribe(channels, listener);
  }

  // ----------------------------------------------------------------------------- iterators

  /** SCAN, one array of keys per page (node-redis v5; v4 yielded single keys). */
  scanIterator(options?: { MATCH?: string; COUNT?: number; TYPE?: string; cursor?: string }): AsyncGenerator<any[]> {
    return pages((cursor) => this.scan(cursor, options), 'keys', options?.cursor);
  }

  /** HSCAN, one array of { field, value } per page. */
  hScanIterator(
    key: string | Buffer,
    options?: { MATCH?: string; COUNT?: number; cursor?: string },
  ): AsyncGenerator<any[]> {
    return pages((cursor) => this.hScan(key, cursor, options), 'entries', options?.cursor);
  }

  /** SSCAN, one array of members per page. */
  sScanIterator(
    key: string | Buffer,
    options?: { MATCH?: string; COUNT?: number; cursor?: string },
  ): AsyncGenerator<any[]> {
    return pages((cursor) => this.sScan(key, cursor, options), 'members', options?.cursor);
  }

  /** ZSCAN, one array of { value, score } per page. */
  zScanIterator(
    key: string | Buffer,
    options?: { MATCH?: string; COUNT?: number; cursor?: string },
  ): AsyncGenerator<any[]> {
    return pages((cursor) => this.zScan(key, cursor, options), 'members', options?.cursor);
  }

  static {
    const proto = NodeRedisBase.prototype as unknown as Record<string, unknown>;
    for (const method of METHODS) {
      const reshape = REPLIES[method];
      proto[method] = function (this: NodeRedisBase, ...args: unknown[]): Promise<unknown> {
        let call: { tokens: string[]; built: Arg[] };
        try {
          call = buildCall(method, args);
        } catch (err) {
          return rejected(err);
        }
        const sent = this.backend.call(call.tokens[0], ...call.tokens.slice(1), ...call.built);
        return reshape === undefined ? sent : sent.then(reshape);
      };
    }
    // node-redis' UPPERCASE aliases: every command by its name, arguments flattened, the raw reply.
    for (const name of COMMAND_NAMES) {
      const upper = name.toUpperCase();
      if (upper in proto) continue;
      proto[upper] = function (this: NodeRedisBase, ...args: unknown[]): Promise<unknown> {
        try {
          return this.backend.call(upper, ...flatten(upper, args));
        } catch (err) {
          return rejected(err);
        }
      };
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface NodeRedisClient extends NodeRedisCommands {}

/**
 * node-redis' client shape over romaine. Create it with createClient(); `client.romaine` is the
 * romaine client underneath, for anything the facade does not cover.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class NodeRedisClient extends NodeRedisBase {
  /** The romaine client that does the work. */
  readonly romaine: RedisClient;
  /** The options as given (libraries read `options.url`). */
  readonly options: NodeRedisClientOptions;

  constructor(options?: NodeRedisClientOptions) {
    super();
    this.options = { ...options };
    const { url, options: translated } = translateOptions(options);
    this.romaine = url === undefined ? createRomaineClient(translated) : createRomaineClient(url, translated);
    this.wire(this.romaine);
    this.romaine.on('error', (e) => {
      if (this.listenerCount('error') > 0) this.emit('error', e);
    });
  }

  /** @internal */
  protected get backend(): NodeRedisBackend {
    return this.romaine;
  }

  /** A new, unconnected client with the same options (and these overrides): a connection of its own. */
  duplicate(overrides?: NodeRedisClientOptions): NodeRedisClient {
    return new NodeRedisClient({ ...this.options, ...overrides });
  }

  /** romaine's Buffer view, for binary replies (node-redis' typeMapping is not covered). */
  get buffers(): ClientBufferCommands {
    return this.romaine.buffers;
  }
}

/** A thrown argument error as a rejected promise (methods never throw). */
function rejected(err: unknown): Promise<never> {
  return Promise.reject(err instanceof Error ? err : new Error(String(err)));
}

/** A cursor loop yielding each page's array (empty pages included, as node-redis does). */
async function* pages(
  page: (cursor: string) => Promise<Record<string, unknown>>,
  field: string,
  start = '0',
): AsyncGenerator<any[]> {
  let cursor = start;
  do {
    const p = await page(cursor);
    cursor = String(p.cursor);
    yield p[field] as any[];
  } while (cursor !== '0');
}

/** node-redis' createClient(): `createClient({ url, socket: { ... }, ... })`. Nothing is sent until connect(). */
export function createClient(options?: NodeRedisClientOptions): NodeRedisClient {
  return new NodeRedisClient(options);
}
