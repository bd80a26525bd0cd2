/**
 * Lua scripts run by SHA1: `defineScript(source)` once, then `client.runScript(script, keys, args)`
 * (or `script.run(client, keys, args)`).
 *
 * A script runs in its place among the client's commands: a run sends EVALSHA, with SCRIPT LOAD
 * ahead of it in the same write where the script is not known to be cached on the connection (a
 * run or a load on it succeeded or is on its way since the connection was made and since this
 * client's last SCRIPT FLUSH; never while the client is not ready). So the EVALSHA finds it, and a
 * command issued after the run sees its effect, also on the script's first use, after a restart
 * or after this client flushed the cache. Pipelines (`pipeline().runScript(...)`) do the same for
 * each script, ahead of the batch.
 *
 * A NOSCRIPT can still come when the cache was emptied behind the client's back: SCRIPT FLUSH from
 * another connection, or a known-cached script's EVALSHA that a reconnect carried to a new server
 * (it was handed to the old connection but not yet written when that died). Then EVAL, which runs
 * the script and caches it, is sent only if nothing was submitted on the client since the
 * EVALSHA, as it then runs in the EVALSHA's place; otherwise the run fails with a NOSCRIPT
 * ReplyError that says the script did not run (never run after commands issued after it).
 *
 * In a transaction (`multi().runScript(...)`) the script always goes as EVAL with its source: a
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
    const epoch = internals(client).scriptEpoch;
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
    const epoch = internals(client).scriptEpoch;
    this.cachedOn.set(client, epoch);
    internals(client)
      .sendCommand('SCRIPT', ['LOAD', this.source])
      .catch(() => {
        if (this.cachedOn.get(client) === epoch) this.cachedOn.delete(client);
      });
  }

  /**
   * The script's EVALSHA (`shaArgs`: the sha1, numkeys, keys, args) on the client, in its place
   * among the client's commands: SCRIPT LOAD ahead of it where the script is not known to be
   * cached (preload), `before` (a cluster's ASKING) right before it and before an EVAL. A NOSCRIPT
   * answer is settled by noscript(). @internal
   */
  send(
    client: RedisClient,
    shaArgs: readonly Arg[],
    returnBuffers: boolean,
    signal?: AbortSignal,
    before?: () => void,
  ): Promise<unknown> {
    this.preload(client);
    before?.();
    const epoch = internals(client).scriptEpoch;
    const options = returnBuffers || signal !== undefined ? { returnBuffers, signal } : undefined;
    const reply = internals(client).sendCommand(this.evalshaName, shaArgs, undefined, options);
    const mark = internals(client).submittedCount();
    return reply.then(
      (value) => {
        this.cachedOn.set(client, epoch);
        return value;
      },
      (err: unknown) => {
        if (!isNoscript(err)) throw err;
        before?.();
        return this.noscript(client, shaArgs, err as ReplyError, mark, returnBuffers, signal);
      },
    );
  }

  /**
   * After a NOSCRIPT answer to this script's EVALSHA (`shaArgs`: the sha1, numkeys, keys, args;
   * `mark`: the client's submittedCount right after the EVALSHA was submitted, and `before`
   * already sent when there is one). The script did not run. EVAL with the same arguments runs it
   * and caches it, but keeps the order of the client's commands only if nothing was submitted
   * since the EVALSHA: then the EVAL follows it directly. Otherwise the commands issued after the
   * script have been sent already and an EVAL would run after them, so the run fails with NOSCRIPT,
   * saying it did not run. @internal
   */
  noscript(
    client: RedisClient,
    shaArgs: readonly Arg[],
    answer: ReplyError,
    mark: number,
    returnBuffers: boolean,
    signal?: AbortSignal,
  ): Promise<unknown> {
    this.cachedOn.delete(client);
    if (internals(client).submittedCount() !== mark) return Promise.reject(notRunError(this, answer));
    const epoch = internals(client).scriptEpoch;
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
    this.cachedOn.set(client, internals(client).scriptEpoch);
  }

  private runOn(client: RedisClient, keys: RedisKey[], args: RedisValue[]): Promise<unknown> {
    return this.send(client, [this.sha1, keys.length, ...keys, ...args], false);
  }

  /**
   * Whether the script is known to be cached where the client's next command will run: a run or
   * a load succeeded (or is on its way) on the current connection since its last SCRIPT FLUSH. A
   * client that is not ready sends its next command to a connection not made yet: not known.
   */
  private isCachedOn(client: RedisClient): boolean {
    return client.state === 'ready' && this.cachedOn.get(client) === internals(client).scriptEpoch;
  }
}

/** Whether a command empties the server's script cache (SCRIPT FLUSH [ASYNC|SYNC]). @internal */
export function flushesScripts(name: string, args: readonly Arg[]): boolean {
  return (
    name.length === 6 && name.toUpperCase() === 'SCRIPT' && args.length > 0 && String(args[0]).toUpperCase() === 'FLUSH'
  );
}

/** The NOSCRIPT of a run whose EVAL would have run after commands issued after it. */
function notRunError(script: Script, answer: ReplyError): ReplyError {
  return new ReplyError(
    `NOSCRIPT script ${script.sha1.slice(0, 8)} did not run: the server no longer had it cached ` +
      '(a SCRIPT FLUSH from another connection, or a new server behind the connection) and the commands ' +
      'issued after it were already sent, so running it now would run it after them; run it again (it is loaded first now)',
    answer.command,
  );
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
