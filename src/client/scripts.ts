/**
 * Lua scripts run by SHA1: `defineScript(source)` once, then `script.run(client, keys, args)`.
 *
 * On a client, run() sends EVALSHA and, if the server answers NOSCRIPT (first use, a restart, a
 * failover, SCRIPT FLUSH), sends EVAL, which runs the script and caches it: the caller sees one
 * result either way. In a pipeline or transaction, where a reply cannot be retried inside the
 * batch, run() queues EVALSHA only when this script is known to be cached on that client's current
 * connection (a run on it succeeded since it last connected), and EVAL otherwise.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError, ReplyError } from '../errors';
import type { Arg } from '../protocol/types';
import type { RedisKey, RedisValue } from './command-def';
import type { RedisClient } from './client';
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
  /** Clients on which a run succeeded, with their connectionEpoch at that moment. */
  private readonly cachedOn = new WeakMap<RedisClient, number>();

  constructor(
    readonly source: string,
    opts: ScriptOptions = {},
  ) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
    this.numberOfKeys = opts.numberOfKeys;
    this.readOnly = opts.readOnly === true;
  }

  /** Runs the script; NOSCRIPT is handled by sending EVAL. */
  run(client: RedisClient, keys?: RedisKey[], args?: RedisValue[]): Promise<unknown>;
  /** Queues the script on a pipeline; returns it for chaining (the script's reply is `unknown`). */
  run<T extends unknown[]>(batch: Pipeline<T>, keys?: RedisKey[], args?: RedisValue[]): Pipeline<[...T, unknown]>;
  /** Queues the script on a transaction; returns it for chaining (the script's reply is `unknown`). */
  run<T extends unknown[]>(batch: Transaction<T>, keys?: RedisKey[], args?: RedisValue[]): Transaction<[...T, unknown]>;
  run(
    target: RedisClient | Pipeline | Transaction,
    keys: RedisKey[] = [],
    args: RedisValue[] = [],
  ): Promise<unknown> | Pipeline | Transaction {
    const problem = this.checkKeys(keys);
    if (target instanceof Pipeline || target instanceof Transaction) {
      if (problem !== undefined) throw problem;
      const cached = this.isCached(target.client);
      return target.call(
        cached ? this.evalshaName : this.evalName,
        cached ? this.sha1 : this.source,
        keys.length,
        ...keys,
        ...args,
      );
    }
    if (problem !== undefined) return Promise.reject(problem);
    return this.runOn(target, keys, args);
  }

  /** SCRIPT LOAD on this client's connection (not required: run() loads on demand). */
  async load(client: RedisClient): Promise<void> {
    const epoch = internals(client).connectionEpoch;
    await client.scriptLoad(this.source);
    this.cachedOn.set(client, epoch);
  }

  private get evalshaName(): string {
    return this.readOnly ? 'EVALSHA_RO' : 'EVALSHA';
  }

  private get evalName(): string {
    return this.readOnly ? 'EVAL_RO' : 'EVAL';
  }

  private async runOn(client: RedisClient, keys: RedisKey[], args: RedisValue[]): Promise<unknown> {
    const rest: Arg[] = [keys.length, ...keys, ...args];
    const epoch = internals(client).connectionEpoch;
    try {
      const reply = await internals(client).sendCommand(this.evalshaName, [this.sha1, ...rest]);
      this.cachedOn.set(client, epoch);
      return reply;
    } catch (err) {
      if (!(err instanceof ReplyError) || err.code !== 'NOSCRIPT') throw err;
    }
    const reply = await internals(client).sendCommand(this.evalName, [this.source, ...rest]);
    this.cachedOn.set(client, epoch);
    return reply;
  }

  private isCached(client: RedisClient | undefined): boolean {
    return client !== undefined && this.cachedOn.get(client) === internals(client).connectionEpoch;
  }

  private checkKeys(keys: RedisKey[]): InvalidArgumentError | undefined {
    if (this.numberOfKeys === undefined || keys.length === this.numberOfKeys) return undefined;
    return new InvalidArgumentError(
      `script ${this.sha1.slice(0, 8)} takes ${this.numberOfKeys} key(s), got ${keys.length}`,
    );
  }
}

/** Defines a script once (computing its SHA1), to run many times. */
export function defineScript(source: string, opts?: ScriptOptions): Script {
  return new Script(source, opts);
}
