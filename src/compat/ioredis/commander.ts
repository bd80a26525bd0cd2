/**
 * What the facade's Redis and Cluster share: ioredis' command methods (every name of
 * @ioredis/commands, plus `xxxBuffer`), call()/callBuffer(), defineCommand(), pipeline()/multi(),
 * the scan streams, and the mapping of romaine's lifecycle states and events to ioredis' `status`
 * and events. Each command goes through romaine's `call()`, so blocking commands run on dedicated
 * connections and every reply is an honest outcome of romaine's lifecycle.
 */
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import * as metadata from '@ioredis/commands';
import { ClientClosedError, InvalidArgumentError, type ConnectionError, type RomaineError } from '../../errors';
import { Script } from '../../client/scripts';
import type { RedisKey, RedisValue } from '../../client/command-def';
import { RedisClient } from '../../client/client';
import type { PipelineResult } from '../../client/pipeline';
import type { State } from '../../lifecycle/states';
import type { Arg } from '../../protocol/types';
import { IoredisBatch, installBatchCommand, queueArray, type RomaineBatch } from './batch';
import { numbers, REPLY_SHAPES, takeCallback, toArgs, withCallback, type Callback } from './convert';

/** ioredis' `status`. */
export type IoredisStatus = 'wait' | 'connecting' | 'connect' | 'ready' | 'reconnecting' | 'close' | 'end';

/** What the facade needs of a romaine client or cluster client. */
export interface Backend {
  readonly state: State;
  connect(): Promise<void>;
  close(): Promise<void>;
  destroy(): void;
  call(name: string, ...args: Arg[]): Promise<unknown>;
  callBuffer(name: string, ...args: Arg[]): Promise<unknown>;
  pipeline(): RomaineBatch;
  multi(): RomaineBatch;
  /** A defined command's script run by a backend that is not a RedisClient (a cluster: runClusterScript). */
  runDefinedScript?(script: Script, keys: RedisKey[], args: RedisValue[], returnBuffers: boolean): Promise<unknown>;
  on(event: 'stateChange', listener: (e: { from: State; to: State; reason?: RomaineError }) => void): unknown;
  on(event: 'reconnecting', listener: (e: { delayMs: number }) => void): unknown;
  on(event: 'error', listener: (e: ConnectionError) => void): unknown;
}

/** defineCommand()'s definition. */
export interface CommandDefinition {
  lua: string;
  /** Keys every call passes; without it, the first argument of each call is the number of keys. */
  numberOfKeys?: number;
  /** Send EVALSHA_RO / EVAL_RO. */
  readOnly?: boolean;
}

/** Names of @ioredis/commands that are not plain commands in the facade (they have methods of their own, or none). */
const NOT_PLAIN = new Set([
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
  'multi',
  'exec',
  'discard',
  'quit',
  'monitor',
  'pipeline',
]);

/** The methods, per lower-case command name (identifiers only). */
export const PLAIN_COMMANDS: readonly string[] = metadata.list.filter(
  (name) => /^[a-z_][a-z0-9_]*$/.test(name) && !NOT_PLAIN.has(name),
);

export abstract class Commander extends EventEmitter {
  /** ioredis' connection status; a library may assign it (BullMQ sets 'end' after quit()). */
  status: IoredisStatus = 'wait';
  /** @internal */ protected scripts = new Map<string, Script>();
  /** @internal The prototype of this connection's batches: the commands defined with defineCommand() on top. */
  protected batchProto: object = Object.create(IoredisBatch.prototype) as object;
  /** @internal */ protected abstract readonly stringNumbers: boolean;
  /** @internal */ protected abstract get backend(): Backend;

  /** @internal Maps one backend's lifecycle to ioredis' status and events. */
  protected wire(backend: Backend): void {
    backend.on('stateChange', ({ from, to }) => {
      if (this.backend !== backend) return;
      switch (to) {
        case 'connecting':
          this.setStatus('connecting');
          break;
        case 'ready':
          this.setStatus('connect');
          this.emit('connect');
          this.setStatus('ready');
          this.emit('ready');
          break;
        case 'reconnecting':
          if (from === 'ready' || from === 'connecting') {
            this.setStatus('close');
            this.emit('close');
          }
          this.setStatus('reconnecting');
          break;
        case 'failed':
        case 'closed':
          if (this.status !== 'close' && this.status !== 'end') {
            this.setStatus('close');
            this.emit('close');
          }
          this.setStatus('end');
          this.emit('end');
          break;
        default:
          break;
      }
    });
    backend.on('reconnecting', ({ delayMs }) => {
      if (this.backend === backend) this.emit('reconnecting', delayMs);
    });
    backend.on('error', (err) => {
      // romaine is silent without a listener; so is the facade (ioredis would print a warning).
      if (this.backend === backend && this.listenerCount('error') > 0) this.emit('error', err);
    });
  }

  /** @internal */
  protected setStatus(status: IoredisStatus): void {
    this.status = status;
  }

  /** Graceful: commands already sent get their replies, then the connection(s) close ('close', 'end'). */
  quit(callback?: unknown): Promise<'OK'> {
    const cb = typeof callback === 'function' ? (callback as Callback) : undefined;
    return withCallback(
      this.backend.close().then(() => 'OK' as const),
      cb,
    );
  }

  /** Now: pending commands reject with ClientClosedError. `disconnect(true)` connects again at once. */
  abstract disconnect(reconnect?: boolean): void;

  /** romaine's name for quit(). */
  end(): void {
    this.disconnect();
  }

  /** Any command: `redis.call('SET', 'k', 'v')`; arrays are flattened. */
  call(name: string, ...args: unknown[]): Promise<unknown> {
    const cb = takeCallback(args);
    return withCallback(this.send(String(name), toArgs(String(name).toLowerCase(), args), false), cb);
  }

  /** Like call(), with bulk strings as Buffers. */
  callBuffer(name: string, ...args: unknown[]): Promise<unknown> {
    const cb = takeCallback(args);
    return withCallback(this.send(String(name), toArgs(String(name).toLowerCase(), args), true), cb);
  }

  /** @internal One command through romaine's call(), with ioredis' reply shape. */
  send(name: string, args: Arg[], buffers: boolean): Promise<unknown> {
    const backend = this.backend;
    return this.shaped(name, buffers ? backend.callBuffer(name, ...args) : backend.call(name, ...args));
  }

  /** A reply of `name` in ioredis' shape (numbers, REPLY_SHAPES), an error as ioredis' error. */
  private shaped(name: string, p: Promise<unknown>): Promise<unknown> {
    const shape = REPLY_SHAPES[name.toLowerCase()];
    const strings = this.stringNumbers;
    return p.then(
      (r) => {
        const v = numbers(r, strings);
        return shape === undefined ? v : shape(v);
      },
      (err: unknown) => {
        throw ioredisError(err);
      },
    );
  }

  /**
   * A Lua script as a method: `redis[name](...keys, ...args)` and `redis[name + 'Buffer']`, also
   * on pipelines and transactions. EVALSHA, loaded first where needed (see runScript()).
   */
  defineCommand(name: string, definition: CommandDefinition): void {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('defineCommand() needs a name');
    if (definition === null || typeof definition !== 'object' || typeof definition.lua !== 'string') {
      throw new InvalidArgumentError(
        `defineCommand('${name}'): the definition needs { lua: string, numberOfKeys?: number }`,
      );
    }
    const script = new Script(definition.lua, { readOnly: definition.readOnly === true });
    const numberOfKeys = definition.numberOfKeys;
    const split = (args: unknown[]): Arg[] => {
      const flat = toArgs(name, args);
      return numberOfKeys === undefined ? flat : [numberOfKeys, ...flat];
    };
    this.scripts.set(name, script);
    const run = (buffers: boolean) =>
      function (this: Commander, ...args: unknown[]): Promise<unknown> {
        const cb = takeCallback(args);
        return withCallback(this.runScript(script, split(args), buffers), cb);
      };
    Object.defineProperty(this, name, { configurable: true, writable: true, value: run(false) });
    Object.defineProperty(this, `${name}Buffer`, { configurable: true, writable: true, value: run(true) });
    const queue = (buffers: boolean) =>
      function (this: IoredisBatch, ...args: unknown[]): IoredisBatch {
        takeCallback(args);
        return this.queueScript(script, split(args), buffers);
      };
    Object.defineProperty(this.batchProto, name, { configurable: true, writable: true, value: queue(false) });
    Object.defineProperty(this.batchProto, `${name}Buffer`, { configurable: true, writable: true, value: queue(true) });
  }

  /**
   * @internal A defined command's run (`numkeysAndArgs`: numkeys first) through romaine's own
   * script runs (client/scripts.ts, cluster/cluster-scripts.ts): EVALSHA in its place among the
   * connection's commands, with SCRIPT LOAD ahead of it where the script is not known to be cached,
   * and EVAL after a NOSCRIPT only where that keeps the order.
   */
  runScript(script: Script, numkeysAndArgs: Arg[], buffers: boolean): Promise<unknown> {
    const [numkeys, ...rest] = numkeysAndArgs;
    const count = /^\d+$/.test(String(numkeys)) ? Number(numkeys) : NaN;
    const sha = script.evalshaName;
    // Not a number of keys the arguments can have: sent as given, the server's error as the answer (as ioredis).
    if (!(count <= rest.length)) return this.send(sha, [script.sha1, ...numkeysAndArgs], buffers);
    const backend = this.backend;
    const keys = rest.slice(0, count) as RedisKey[];
    const args = rest.slice(count) as RedisValue[];
    const run =
      backend instanceof RedisClient
        ? script.send(backend, [script.sha1, count, ...keys, ...args], buffers)
        : backend.runDefinedScript!(script, keys, args, buffers);
    return this.shaped(sha, run);
  }

  /** Commands sent together; `exec()` gives `[[err, value], ...]`. `pipeline([['set', k, v], ...])` works too. */
  pipeline(commands?: unknown[][]): IoredisBatch {
    return this.batch(this.backend.pipeline(), commands);
  }

  /** MULTI ... EXEC; `exec()` gives `[[err, value], ...]`, or null when a WATCHed key changed. */
  multi(commands?: unknown[][] | { pipeline?: boolean }): IoredisBatch {
    if (commands !== undefined && !Array.isArray(commands)) {
      if (commands.pipeline === false) {
        throw new InvalidArgumentError(
          'multi({ pipeline: false }) is not supported: romaine sends MULTI ... EXEC as one unit; chain the commands and call exec()',
        );
      }
      return this.batch(this.backend.multi(), undefined, true);
    }
    return this.batch(this.backend.multi(), commands, true);
  }

  private batch(romaine: RomaineBatch, commands: unknown[][] | undefined, transaction = false): IoredisBatch {
    const batch = Object.create(this.batchProto) as IoredisBatch;
    Object.assign(batch, new IoredisBatch(romaine, this.stringNumbers, transaction));
    if (commands !== undefined) queueArray(batch, commands);
    return batch;
  }

  /** Keys matching the options, one array per SCAN page (ioredis' scanStream). */
  scanStream(options?: ScanStreamOptions): Readable {
    return this.scanning('SCAN', undefined, options);
  }

  hscanStream(key: string, options?: ScanStreamOptions): Readable {
    return this.scanning('HSCAN', key, options);
  }

  sscanStream(key: string, options?: ScanStreamOptions): Readable {
    return this.scanning('SSCAN', key, options);
  }

  zscanStream(key: string, options?: ScanStreamOptions): Readable {
    return this.scanning('ZSCAN', key, options);
  }

  private scanning(command: string, key: string | undefined, options: ScanStreamOptions = {}): Readable {
    const extra: Arg[] = [];
    if (options.match !== undefined) extra.push('MATCH', options.match);
    if (options.type !== undefined) extra.push('TYPE', options.type);
    if (options.count !== undefined) extra.push('COUNT', options.count);
    const head: Arg[] = key === undefined ? [] : [key];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    async function* pages(): AsyncGenerator<unknown[]> {
      let cursor = '0';
      do {
        const [next, items] = (await self.send(command, [...head, cursor, ...extra], false)) as [string, unknown[]];
        cursor = next;
        if (items.length > 0) yield items;
      } while (cursor !== '0');
    }
    return Readable.from(pages(), { objectMode: true });
  }

  static {
    for (const name of PLAIN_COMMANDS) {
      const define = (method: string, buffers: boolean): void => {
        if (Object.prototype.hasOwnProperty.call(Commander.prototype, method)) return;
        Object.defineProperty(Commander.prototype, method, {
          configurable: true,
          writable: true,
          value: function (this: Commander, ...args: unknown[]): Promise<unknown> {
            const cb = takeCallback(args);
            let built: Arg[];
            try {
              built = toArgs(name, args);
            } catch (err) {
              return withCallback(Promise.reject(err as Error), cb);
            }
            const p = this.send(name, built, buffers);
            return withCallback(p, cb);
          },
        });
      };
      define(name, false);
      define(`${name}Buffer`, true);
      installBatchCommand(IoredisBatch.prototype, name, name);
    }
  }
}

/**
 * ioredis' text for a command refused because the connection was closed: libraries match it
 * (BullMQ tells a closing worker from a failure by `err.message === 'Connection is closed.'`).
 * Still a ClientClosedError (code ECLOSED); romaine's own explanation is its `cause`.
 */
export const CLOSED_MESSAGE = 'Connection is closed.';

function ioredisError(err: unknown): unknown {
  if (!(err instanceof ClientClosedError) || err.message === CLOSED_MESSAGE) return err;
  const shaped = new ClientClosedError(CLOSED_MESSAGE, err.maybeExecuted);
  Object.defineProperty(shaped, 'cause', { value: err, configurable: true, writable: true });
  return shaped;
}

export interface ScanStreamOptions {
  match?: string;
  count?: number;
  /** SCAN's TYPE (scanStream only). */
  type?: string;
}

export type { Callback, PipelineResult };
