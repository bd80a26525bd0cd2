/**
 * `redis.pipeline()` and `redis.multi()` of the facade: ioredis' chainable batch over romaine's
 * Pipeline or Transaction. Every ioredis command name (and its `xxxBuffer` form in a pipeline) and
 * every command added with defineCommand() chains; exec() resolves with `[err, value]` pairs in
 * ioredis' reply shapes, or null when a WATCHed key changed.
 *
 * Scripts in a pipeline go as EVALSHA, as in ioredis: exec() first loads (SCRIPT LOAD) those the
 * connection has not run or loaded yet, and a script that still answers NOSCRIPT (the cache was
 * flushed meanwhile, a failover) is run again on its own with EVALSHA then EVAL, its result put in
 * place. In a transaction they go as EVAL (the source): a NOSCRIPT inside EXEC could not be
 * answered without breaking the transaction in two.
 */
import { InvalidArgumentError } from '../../errors';
import { Pipeline, Transaction, type PipelineResult } from '../../client/pipeline';
import { ReplyError } from '../../errors';
import type { Script } from '../../client/scripts';
import type { Arg } from '../../protocol/types';
import { numbers, REPLY_SHAPES, takeCallback, toArgs, withCallback, type ReplyShape } from './convert';

/** What a facade batch runs on: romaine's Pipeline or Transaction (a cluster's has the same methods). */
export interface RomaineBatch {
  call(name: string, ...args: Arg[]): unknown;
  callBuffer?(name: string, ...args: Arg[]): unknown;
  exec(): Promise<PipelineResult[] | null>;
}

/** The facade's view of one queued command: how to shape its reply. */
type Shape = ReplyShape | undefined;

/** What a batch asks of its connection for the scripts queued in it (the facade's Redis or Cluster). */
export interface ScriptOwner {
  /** Whether a script is known to be in the server's cache (run or loaded on this connection). */
  isLoaded(script: Script): boolean;
  /** SCRIPT LOAD (on every node of a cluster); failures are not reported: NOSCRIPT is answered later. */
  loadScripts(scripts: Script[]): Promise<void>;
  /** Runs one script on its own: EVALSHA, then EVAL on NOSCRIPT. */
  runScript(script: Script, numkeysAndArgs: Arg[], buffers: boolean): Promise<unknown>;
}

/** A script queued in a pipeline: what to run again if its EVALSHA answers NOSCRIPT. */
interface QueuedScript {
  script: Script;
  numkeysAndArgs: Arg[];
  buffers: boolean;
}

export class IoredisBatch {
  /** @internal */ readonly batch: RomaineBatch;
  /** @internal */ readonly shapes: Shape[] = [];
  /** @internal */ readonly stringNumbers: boolean;
  /** @internal The scripts queued, by position (pipelines only). */
  readonly scripts: (QueuedScript | undefined)[] = [];
  /** @internal */ readonly owner: ScriptOwner;
  readonly isTransaction: boolean;

  constructor(batch: RomaineBatch, stringNumbers: boolean, owner: ScriptOwner, isTransaction: boolean) {
    this.batch = batch;
    this.stringNumbers = stringNumbers;
    this.owner = owner;
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

  /** @internal Queues a script defined with defineCommand(): EVALSHA in a pipeline, EVAL in a transaction. */
  queueScript(script: Script, numkeysAndArgs: Arg[], buffers: boolean): this {
    const [sha, src] = script.readOnly ? ['EVALSHA_RO', 'EVAL_RO'] : ['EVALSHA', 'EVAL'];
    if (this.isTransaction) return this.queue(src, [script.source, ...numkeysAndArgs], buffers, undefined);
    this.queue(sha, [script.sha1, ...numkeysAndArgs], buffers, undefined);
    this.scripts[this.shapes.length - 1] = { script, numkeysAndArgs, buffers };
    return this;
  }

  /** Sends the batch: `[[err, value], ...]`, or null for a transaction whose WATCHed key changed. */
  exec(callback?: unknown): Promise<PipelineResult[] | null> {
    const cb = typeof callback === 'function' ? (callback as Parameters<typeof withCallback>[1]) : undefined;
    const shapes = this.shapes.splice(0);
    const scripts = this.scripts.splice(0);
    const strings = this.stringNumbers;
    const owner = this.owner;
    const toLoad = [...new Set(scripts.flatMap((q) => (q === undefined ? [] : [q.script])))].filter(
      (script) => !owner.isLoaded(script),
    );
    const loaded = toLoad.length === 0 ? Promise.resolve() : owner.loadScripts(toLoad);
    const done = loaded
      .then(() => this.batch.exec())
      .then(async (results) => {
        if (results === null) return null;
        // A script whose EVALSHA still answered NOSCRIPT runs again on its own (after the batch).
        const rerun = results.map(([err], i) => {
          const q = scripts[i];
          if (q === undefined || !(err instanceof ReplyError) || err.code !== 'NOSCRIPT') {
            return Promise.resolve(undefined);
          }
          return owner.runScript(q.script, q.numkeysAndArgs, q.buffers).then(
            (value): PipelineResult => [null, value],
            (e: Error): PipelineResult => [e, undefined],
          );
        });
        const again = await Promise.all(rerun);
        return results.map((result, i): PipelineResult => {
          const fixed = again[i];
          if (fixed !== undefined) return fixed; // already in the facade's shape
          const [err, value] = result;
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
