/**
 * `new Redis(...)` of romaine/compat/ioredis: ioredis' constructor, status, events, connect,
 * quit/disconnect, duplicate and pub/sub events over one romaine RedisClient (replaced by a fresh
 * one when connect() is called after the end, as ioredis reconnects after quit()).
 */
import { RedisClient } from '../../client/client';
import { resolveOptions } from '../../client/options';
import { InvalidArgumentError } from '../../errors';
import { Commander, type Backend } from './commander';
import { parseArgs, translate, type IoredisOptions, type Translated } from './options';
import { Subscriptions } from './pubsub';
import { Cluster } from './cluster';

/**
 * Every ioredis command is a method (`redis.get(k)`, `redis.hgetallBuffer(k)`, and those added with
 * defineCommand()), installed at run time from @ioredis/commands: to TypeScript they are `any`,
 * as a library written for ioredis sees them through its own types.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Redis {
  [command: string]: any;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Redis extends Commander {
  /** ioredis' options as given, with its defaults filled in (libraries such as BullMQ read them). */
  readonly options: Translated['view'];
  readonly isCluster = false;
  /** ioredis' `Redis.Cluster`: `new Redis.Cluster([{ host, port }], { redisOptions, scaleReads, natMap })`. */
  static readonly Cluster = Cluster;
  /** @internal */ protected readonly stringNumbers: boolean;
  /** The romaine client behind the facade (its `state`, `server`, `lastError`...); `client()` is CLIENT. */
  romaine: RedisClient;
  readonly #input: IoredisOptions;
  readonly #romaineOptions: Translated['romaine'];
  readonly #subscribed = new Subscriptions(this);

  /** `new Redis()`, `(port, host?, options?)`, `(url, options?)`, `(path)`, `(options)`. */
  constructor(options?: IoredisOptions);
  constructor(port: number, options?: IoredisOptions);
  constructor(port: number, host: string, options?: IoredisOptions);
  constructor(urlOrPath: string, options?: IoredisOptions);
  constructor(...args: unknown[]) {
    super();
    this.#input = parseArgs(args);
    const translated = translate(this.#input);
    this.options = translated.view;
    this.#romaineOptions = translated.romaine;
    this.stringNumbers = this.#input.stringNumbers === true;
    this.romaine = this.newClient();
    if (this.#input.lazyConnect !== true) {
      // ioredis connects in the constructor and reports failures on 'error' (and 'end' when it gives up).
      this.connect().catch(() => undefined);
    }
  }

  /** @internal */
  protected get backend(): Backend {
    return this.romaine;
  }

  private newClient(): RedisClient {
    const client = new RedisClient(resolveOptions(this.#romaineOptions));
    this.wire(client);
    return client;
  }

  /** Connects (resolves once ready). After quit()/disconnect(), connects again with a new connection. */
  connect(callback?: () => void): Promise<void> {
    if (this.romaine.state === 'closed' || this.romaine.state === 'closing') {
      this.romaine = this.newClient();
      this.#subscribed.clear();
    }
    if (this.status === 'end') this.setStatus('wait');
    const p = this.romaine.connect();
    if (typeof callback === 'function') p.then(callback, () => undefined);
    return p;
  }

  /** Now: pending commands reject with ClientClosedError. `disconnect(true)` connects again at once. */
  disconnect(reconnect = false): void {
    this.romaine.destroy();
    if (reconnect) this.connect().catch(() => undefined);
  }

  /** A new connection with the same options (and these on top), like ioredis' duplicate(). */
  duplicate(override?: IoredisOptions): Redis {
    return new Redis({ ...this.#input, ...override });
  }

  /** SUBSCRIBE: resolves with the number of channels and patterns subscribed; messages come as 'message' (UTF-8) and 'messageBuffer' (the bytes). */
  subscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.subscribe(this.romaine, args);
  }

  /** PSUBSCRIBE: messages come as 'pmessage' (pattern, channel, message) and 'pmessageBuffer'. */
  psubscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.psubscribe(this.romaine, args);
  }

  /** SSUBSCRIBE: messages come as 'smessage' (channel, message) and 'smessageBuffer'. */
  ssubscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.ssubscribe(this.romaine, args);
  }

  /** UNSUBSCRIBE these channels (every one without arguments); resolves with what stays subscribed. */
  unsubscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.drop(this.romaine, 'channels', args);
  }

  punsubscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.drop(this.romaine, 'patterns', args);
  }

  sunsubscribe(...args: unknown[]): Promise<number> {
    return this.#subscribed.drop(this.romaine, 'shard', args);
  }

  /** MONITOR is not supported (see docs/compat-ioredis.md). */
  monitor(): Promise<never> {
    return Promise.reject(
      new InvalidArgumentError(
        'monitor() is not supported by romaine/compat/ioredis: run `redis-cli MONITOR` beside your program',
      ),
    );
  }
}
