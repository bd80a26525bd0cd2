/**
 * Lua scripts run by SHA1: `defineScript(source)` once, then `client.runScript(script, keys, args)`
 * (or `script.run(client, keys, args)`).
 *
 * On a client, a run sends EVALSHA and, if the server answers NOSCRIPT (first use, a restart, a
 * failover, SCRIPT FLUSH), sends EVAL, which runs the script and caches it: the caller sees one
 * result either way. In a pipeline (`pipeline().runScript(...)`), the script goes as EVALSHA too:
 * exec() first sends SCRIPT LOAD, in the same write and ahead of the batch, for each script not
 * known to be cached on the connection (a run or a load on it succeeded or is on its way), so the
 * EVALSHA finds it and runs in its place among the batch's commands; one that still answers
 * NOSCRIPT (the cache was flushed in between) gets EVAL on its own, after the commands sent with
 * it. In a transaction (`multi().runScript(...)`) the script always goes as EVAL with its source: a
 * NOSCRIPT inside EXEC would fail that command while the others of the block ran.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError, ReplyError } from '../errors';
import type { Arg } from '../protocol/types';
import type { RedisKey, RedisValue } from './command-def';
import { RedisClient } from './client';
import { internals } from './internals';
import { Pipeline, Transaction } from './pipeline';

export interface ScriptOptions {
  /** How many keys every run passes (checked on each run). */
  numberOfKeys?: number;
  /** Send EVALSHA_RO / EVAL_RO: the script only reads (it may then run on replicas). */
  readOnly?: boolean;
}

export class Script {
  /** The script's SHA1 (hex), as SCRIPT LOAD would answer. */
  readonly sha1: string;
  readonly numberOfKeys: number | undefined;
  readonly readOnly: boolean;
  /** Clients whose current connection has the script cached (a run or a load there), with their connectionEpoch then. */
  private readonly cachedOn = new WeakMap<RedisClient, number>();

  constructor(
    readonly source: string,
    opts: ScriptOptions = {},
  ) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
    this.numberOfKeys = opts.numberOfKeys;
    this.readOnly = opts.readOnly === true;
  }

  /** Runs the script; NOSCRIPT is handled by sending EVAL. The same as `client.runScript(script, keys, args)`. */
  run(client: RedisClient, keys?: RedisKey[], args?: RedisValue[]): Promise<unknown>;
  /** Queues the script on a pipeline (`pipeline.runScript(script, keys, args)`); returns it for chaining. */
  run<T extends unknown[]>(batch: Pipeline<T>, keys?: RedisKey[], args?: RedisValue[]): Pipeline<[...T, unknown]>;
  /** Queues the script on a transaction (`multi.runScript(script, keys, args)`); returns it for chaining. */
  run<T extends unknown[]>(batch: Transaction<T>, keys?: RedisKey[], args?: RedisValue[]): Transaction<[...T, unknown]>;
  run(
    target: RedisClient | Pipeline | Transaction,
    keys: RedisKey[] = [],
    args: RedisValue[] = [],
  ): Promise<unknown> | Pipeline | Transaction {
    if (target instanceof Pipeline || target instanceof Transaction) return target.runScript(this, keys, args);
    if (!(target instanceof RedisClient)) {
      const err = new InvalidArgumentError(
        `script.run() takes a RedisClient, or a client's pipeline() or multi(), got ${describe(target)}; on a cluster, use cluster.runScript(script, keys, args) or cluster.pipeline().runScript(script, keys, args)`,
      );
      // A batch-like target expects a batch back, not a promise: throw where the stack points at the call.
      if (target !== null && typeof (target as { exec?: unknown }).exec === 'function') throw err;
      return Promise.reject(err);
    }
    const problem = scriptCallError('run', this, keys, args);
    if (problem !== undefined) return Promise.reject(problem);
    return this.runOn(target, keys, args);
  }

  /** SCRIPT LOAD on this client's connection (not required: run() loads on demand). */
  async load(client: RedisClient): Promise<void> {
    const epoch = internals(client).connectionEpoch;
    await client.scriptLoad(this.source);
    this.cachedOn.set(client, epoch);
  }

  /** EVALSHA, or EVALSHA_RO for a read-only script. @internal */
  get evalshaName(): 'EVALSHA' | 'EVALSHA_RO' {
    return this.readOnly ? 'EVALSHA_RO' : 'EVALSHA';
  }

  /** EVAL, or EVAL_RO for a read-only script. @internal */
  get evalName(): 'EVAL' | 'EVAL_RO' {
    return this.readOnly ? 'EVAL_RO' : 'EVAL';
  }

  /**
   * SCRIPT LOAD on the client's connection unless the script is known to be cached there: handed
   * to the client now, so that it reaches the server before what the caller sends next (the
   * EVALSHA), in the same write. Counted as cached from now on; forgotten if the load fails. @internal
   */
  preload(client: RedisClient): void {
    if (this.isCachedOn(client)) return;
    const epoch = internals(client).connectionEpoch;
    this.cachedOn.set(client, epoch);
    internals(client)
      .sendCommand('SCRIPT', ['LOAD', this.source])
      .catch(() => {
        if (this.cachedOn.get(client) === epoch) this.cachedOn.delete(client);
      });
  }

  /**
   * After a NOSCRIPT answer to this script's EVALSHA (`shaArgs`: the sha1, numkeys, keys, args):
   * EVAL with the same arguments on the same client, which runs the script and caches it. @internal
   */
  evalAfterNoscript(
    client: RedisClient,
    shaArgs: readonly Arg[],
    returnBuffers: boolean,
    signal?: AbortSignal,
  ): Promise<unknown> {
    this.cachedOn.delete(client);
    const epoch = internals(client).connectionEpoch;
    const evalArgs = [this.source, ...shaArgs.slice(1)];
    const options = returnBuffers || signal !== undefined ? { returnBuffers, signal } : undefined;
    return internals(client)
      .sendCommand(this.evalName, evalArgs, undefined, options)
      .then((reply) => {
        this.cachedOn.set(client, epoch);
        return reply;
      });
  }

  /** A run on the client succeeded (also outside this class: the ioredis facade's own runs). @internal */
  ranOn(client: RedisClient): void {
    this.cachedOn.set(client, internals(client).connectionEpoch);
  }

  private async runOn(client: RedisClient, keys: RedisKey[], args: RedisValue[]): Promise<unknown> {
    const rest: Arg[] = [keys.length, ...keys, ...args];
    const epoch = internals(client).connectionEpoch;
    try {
      const reply = await internals(client).sendCommand(this.evalshaName, [this.sha1, ...rest]);
      this.cachedOn.set(client, epoch);
      return reply;
    } catch (err) {
      if (!isNoscript(err)) throw err;
    }
    return this.evalAfterNoscript(client, [this.sha1, ...rest], false);
  }

  private isCachedOn(client: RedisClient): boolean {
    return this.cachedOn.get(client) === internals(client).connectionEpoch;
  }
}

/** Whether a reply error is NOSCRIPT (the server does not have the script cached). @internal */
export function isNoscript(err: unknown): boolean {
  return err instanceof ReplyError && err.code === 'NOSCRIPT';
}

/**
 * What is wrong with a script call's arguments, for plain JavaScript callers too: the script must
 * come from defineScript(), keys and args must be arrays (a string would be spread into letters),
 * and the number of keys must match the script's numberOfKeys. @internal
 */
export function scriptCallError(
  method: string,
  script: unknown,
  keys: unknown,
  args: unknown,
): InvalidArgumentError | undefined {
  if (!(script instanceof Script)) {
    return new InvalidArgumentError(
      `${method}() takes a Script made by defineScript(lua, { numberOfKeys }), got ${describe(script)}`,
    );
  }
  if (!Array.isArray(keys) || !Array.isArray(args)) {
    return new InvalidArgumentError(
      `${method}(): keys and args are arrays, e.g. (script, ['key'], ['arg']); got ${describe(keys)} and ${describe(args)}`,
    );
  }
  if (script.numberOfKeys !== undefined && keys.length !== script.numberOfKeys) {
    return new InvalidArgumentError(
      `script ${script.sha1.slice(0, 8)} takes ${script.numberOfKeys} key(s), got ${keys.length}`,
    );
  }
  return undefined;
}

/** A value's kind for a message (never its content: it may be data or a secret). */
function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = value.constructor?.name;
    return name !== undefined && name !== '' && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}

/** Defines a script once (computing its SHA1), to run many times. */
export function defineScript(source: string, opts?: ScriptOptions): Script {
  return new Script(source, opts);
}
