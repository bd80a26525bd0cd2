/**
 * `redis.pipeline()` and `redis.multi()` of the facade: ioredis' chainable batch over romaine's
 * Pipeline or Transaction. Every ioredis command name (and its `xxxBuffer` form in a pipeline) and
 * every command added with defineCommand() chains; exec() resolves with `[err, value]` pairs in
 * ioredis' reply shapes, or null when a WATCHed key changed.
 *
 * Scripts in a pipeline go as EVALSHA, as in ioredis, through romaine's own `runScript()` of the
 * batch (client/scripts.ts): SCRIPT LOAD ahead of the batch for a script the connection (a
 * cluster: the node) is not known to have, and EVAL for one that answers NOSCRIPT all the same. In
 * a transaction they go as EVAL (the source): a NOSCRIPT inside EXEC could not be answered without
 * breaking the transaction in two.
 */
import { InvalidArgumentError } from '../../errors';
import { Pipeline, Transaction, type PipelineResult } from '../../client/pipeline';
import type { Script } from '../../client/scripts';
import type { RedisKey, RedisValue } from '../../client/command-def';
import type { Arg } from '../../protocol/types';
import { numbers, REPLY_SHAPES, takeCallback, toArgs, withCallback, type ReplyShape } from './convert';

/** What a facade batch runs on: romaine's Pipeline or Transaction (a cluster's has the same methods). */
export interface RomaineBatch {
  call(name: string, ...args: Arg[]): unknown;
  callBuffer?(name: string, ...args: Arg[]): unknown;
  /** A script as the batch runs it (pipelines: EVALSHA, loaded when needed, EVAL after a NOSCRIPT). */
  queueScript?(script: Script, keys: RedisKey[], args: RedisValue[], returnBuffers: boolean): unknown;
  exec(): Promise<PipelineResult[] | null>;
}

/** The facade's view of one queued command: how to shape its reply. */
type Shape = ReplyShape | undefined;

export class IoredisBatch {
  /** @internal */ readonly batch: RomaineBatch;
  /** @internal */ readonly shapes: Shape[] = [];
  /** @internal */ readonly stringNumbers: boolean;
  readonly isTransaction: boolean;

  constructor(batch: RomaineBatch, stringNumbers: boolean, isTransaction: boolean) {
    this.batch = batch;
    this.stringNumbers = stringNumbers;
    this.isTransaction = isTransaction || batch instanceof Transaction;
  }

  /** Commands queued so far (BullMQ reads it). */
  get length(): number {
    return this.shapes.length;
  }

  /** Any command, like redis.call(): `pipeline.call('GET', 'k')`. */
  call(name: string, ...args: unknown[]): this {
    return this.queue(name, toArgs(String(name).toLowerCase(), args.flat()), false, undefined);
  }

  callBuffer(name: string, ...args: unknown[]): this {
    return this.queue(name, toArgs(String(name).toLowerCase(), args.flat()), true, undefined);
  }

  /** @internal Queues one command with its reply shape. */
  queue(name: string, args: Arg[], buffers: boolean, shape: Shape): this {
    if (buffers) {
      if (this.batch.callBuffer === undefined && !this.isTransaction) {
        throw new InvalidArgumentError(
          `${name}Buffer() in a Redis.Cluster pipeline is not supported by romaine/compat/ioredis: call it outside the pipeline`,
        );
      }
      if (this.batch.callBuffer === undefined || !(this.batch instanceof Pipeline)) {
        throw new InvalidArgumentError(
          `${name}Buffer() in multi(): a transaction's replies come back in one EXEC reply, decoded one way; run it in a pipeline(), or outside the transaction`,
        );
      }
      this.batch.callBuffer(name, ...args);
    } else this.batch.call(name, ...args);
    this.shapes.push(shape);
    return this;
  }

  /**
   * @internal Queues a script defined with defineCommand() (`numkeysAndArgs`: numkeys first): EVAL
   * in a transaction; in a pipeline, the batch's own runScript (EVALSHA, loaded when needed).
   */
  queueScript(script: Script, numkeysAndArgs: Arg[], buffers: boolean): this {
    const [sha, src] = script.readOnly ? ['EVALSHA_RO', 'EVAL_RO'] : ['EVALSHA', 'EVAL'];
    if (this.isTransaction) return this.queue(src, [script.source, ...numkeysAndArgs], buffers, undefined);
    const [numkeys, ...rest] = numkeysAndArgs;
    const count = /^\d+$/.test(String(numkeys)) ? Number(numkeys) : NaN;
    if (this.batch.queueScript === undefined || !(count <= rest.length)) {
      // Not a number of keys the arguments can have: sent as given, the server's error in place (as ioredis).
      return this.queue(sha, [script.sha1, ...numkeysAndArgs], buffers, undefined);
    }
    // Keys as the caller gave them (ioredis takes numbers too: they are sent as their decimal text).
    this.batch.queueScript(script, rest.slice(0, count) as RedisKey[], rest.slice(count) as RedisValue[], buffers);
    this.shapes.push(undefined);
    return this;
  }

  /** Sends the batch: `[[err, value], ...]`, or null for a transaction whose WATCHed key changed. */
  exec(callback?: unknown): Promise<PipelineResult[] | null> {
    const cb = typeof callback === 'function' ? (callback as Parameters<typeof withCallback>[1]) : undefined;
    const shapes = this.shapes.splice(0);
    const strings = this.stringNumbers;
    const done = this.batch.exec().then((results) => {
      if (results === null) return null;
      return results.map(([err, value], i): PipelineResult => {
        if (err !== null) return [err, undefined];
        const shape = shapes[i];
        const v = numbers(value, strings);
        return [null, shape === undefined ? v : shape(v)];
      });
    });
    return withCallback(done, cb);
  }
}

/** Installs `name(...)` and `nameBuffer(...)` for each ioredis command on the batch's prototype. */
export function installBatchCommand(proto: object, method: string, name: string): void {
  const shape = REPLY_SHAPES[name];
  Object.defineProperty(proto, method, {
    configurable: true,
    writable: true,
    value: function (this: IoredisBatch, ...args: unknown[]) {
      takeCallback(args);
      return this.queue(name, toArgs(name, args), false, shape);
    },
  });
  Object.defineProperty(proto, `${method}Buffer`, {
    configurable: true,
    writable: true,
    value: function (this: IoredisBatch, ...args: unknown[]) {
      takeCallback(args);
      return this.queue(name, toArgs(name, args), true, shape);
    },
  });
}

/** ioredis' array form: `redis.pipeline([['set', 'k', 'v'], ['get', 'k']])`. */
export function queueArray(batch: IoredisBatch, commands: unknown): void {
  if (!Array.isArray(commands)) {
    throw new InvalidArgumentError('pipeline()/multi() take an array of commands: [[name, ...args], ...]');
  }
  for (const c of commands) {
    if (!Array.isArray(c) || typeof c[0] !== 'string') {
      throw new InvalidArgumentError('pipeline()/multi(): each command is an array [name, ...args]');
    }
    const [name, ...args] = c as [string, ...unknown[]];
    const method = (batch as unknown as Record<string, unknown>)[name];
    if (typeof method === 'function') (method as (...a: unknown[]) => unknown).apply(batch, args);
    else batch.call(name, ...args);
  }
}
