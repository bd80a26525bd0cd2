import { ConnectionLostError, InvalidArgumentError, ReplyError } from '../errors';
import { argError, buildError } from './args';
import { callError, checkFrom, extraArgumentsError } from './call-check';
import { Command, CommandGroup } from '../connection/command';
import type { Arg } from '../protocol/types';
import type { CommandDef, RedisKey, RedisValue, Transform } from './command-def';
import { COMMANDS, type CommandTable } from './commands';
import type { RedisClient } from './client';
import { callNameError, callRule, type CallRule } from './call-rules';
import { internals } from './internals';
import { isNoscript, scriptCallError, type Script } from './scripts';

/** One command's outcome in a pipeline: [null, value] or [error, undefined]. */
export type PipelineResult = [Error | null, unknown];

/** One command's outcome with the command's reply type: `[null, value]` or `[error, undefined]`. */
export type BatchResult<R> = [error: null, value: R] | [error: Error, value: undefined];

/**
 * What exec() resolves with for a chain whose replies are `T` (one type per chained command, in
 * order): a tuple of typed results, then any commands the chain's types did not see (a batch is
 * one mutable object, so `p.get(k)` in a loop adds to it without changing the type `p` was
 * declared with). `client.pipeline().get('a').incr('n').exec()` gives
 * `[BatchResult<string | null>, BatchResult<number>, ...PipelineResult[]]`.
 */
export type BatchResults<T extends unknown[]> = [...{ [I in keyof T]: BatchResult<T[I]> }, ...PipelineResult[]];

/** The typed methods of a batch: each one adds its reply type to the chain's. */
type Chainable<T extends unknown[], Kind extends 'pipeline' | 'multi'> = {
  [K in keyof CommandTable]: CommandTable[K] extends CommandDef<infer A, infer R>
    ? (...args: A) => Kind extends 'pipeline' ? Pipeline<[...T, R]> : Transaction<[...T, R]>
    : never;
};

interface Queued {
  name: string;
  args: Arg[];
  transform: Transform<unknown> | undefined;
  returnBuffers: boolean;
  /** The command's call() rule (blocking, tracked, refused), looked up once per definition for typed methods. */
  rule: CallRule | undefined;
  /** Queued with call(): name and rule are checked at exec(). */
  raw?: true;
  /** A script's EVALSHA (pipelines): loaded ahead of the batch when needed, EVAL after a NOSCRIPT. */
  script?: Script;
}

/** What pipelines and transactions share: the queue, call(), and the typed methods (installed below). */
abstract class CommandBatch {
  protected queued: Queued[] = [];
  constructor(readonly client: RedisClient) {}

  get length(): number {
    return this.queued.length;
  }

  /** Queues call()'s command; its name and rule are checked at exec(). */
  protected queueRaw(name: string, args: Arg[]): void {
    this.queued.push({ name, args, transform: undefined, returnBuffers: false, rule: undefined, raw: true });
  }

  /**
   * Takes the queued commands, or an error for the first invalid one (then nothing is sent).
   * Commands that change the connection's state get the client's tracking transform here.
   */
  protected take(): Queued[] | InvalidArgumentError {
    const queued = this.queued;
    this.queued = [];
    for (const q of queued) {
      if (q.raw === true) {
        const nameError = callNameError('call', q.name);
        if (nameError !== undefined) return nameError;
        q.rule = callRule(q.name);
        const refused = q.rule?.refuse?.(q.name, q.args, 'call');
        if (refused !== undefined) return refused;
      }
      const err = argError(q.name, q.args);
      if (err !== undefined) return err;
    }
    const client = internals(this.client);
    for (const q of queued) {
      if (q.rule?.tracked === undefined) continue;
      const track = client.trackState(q.name, q.args);
      const own = q.transform;
      if (track !== undefined) q.transform = own === undefined ? track : (r: unknown) => own(track(r));
    }
    return queued;
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Pipeline<T extends unknown[] = unknown[]> extends Chainable<T, 'pipeline'> {}

/**
 * Commands collected and sent together: exec() writes them in one batch and resolves with each
 * one's outcome, in order. Every command is independent (one failing does not stop the others) and
 * follows the client's rules across reconnects. Not atomic: use multi() for that.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Pipeline<T extends unknown[] = unknown[]> extends CommandBatch {
  /**
   * Any command, like client.call(), with the same rules: commands that would change the
   * connection behind the client's back make exec() reject (nothing is sent); SELECT, CLIENT
   * SETNAME and WATCH are remembered like the typed methods'. Its reply is `unknown`.
   */
  call(name: string, ...args: Arg[]): Pipeline<[...T, unknown]> {
    this.queueRaw(name, args);
    return this as unknown as Pipeline<[...T, unknown]>;
  }

  /** Like call(), with bulk strings in this command's reply as Buffers (ioredis' `getBuffer()` in a pipeline). */
  callBuffer(name: string, ...args: Arg[]): Pipeline<[...T, unknown]> {
    this.queued.push({ name, args, transform: undefined, returnBuffers: true, rule: undefined, raw: true });
    return this as unknown as Pipeline<[...T, unknown]>;
  }

  /**
   * A Lua script (see defineScript()), as EVALSHA: exec() sends SCRIPT LOAD ahead of the batch, in
   * the same write, when the script is not known to be cached on this client's connection. A
   * NOSCRIPT answer all the same (the cache was flushed behind the client's back) gets EVAL when
   * nothing was sent after the EVALSHA, else it stays in the script's place: the script did not
   * run (see client/scripts.ts). Its reply is `unknown`. Keys of the wrong number throw here.
   */
  runScript(script: Script, keys: RedisKey[] = [], args: RedisValue[] = []): Pipeline<[...T, unknown]> {
    // eslint-disable-next-line prefer-rest-params -- a JavaScript caller's extra arguments are refused
    if (arguments.length > 3) throw extraArgumentsError('runScript', ['script', 'keys', 'args'], arguments);
    return this.queueScript(script, keys, args, false) as unknown as Pipeline<[...T, unknown]>;
  }

  /** runScript() with the reply's bulk strings as Buffers (the ioredis facade's `nameBuffer()`). @internal */
  queueScript(script: Script, keys: RedisKey[], args: RedisValue[], returnBuffers: boolean): this {
    const problem = scriptCallError('runScript', script, keys, args);
    if (problem !== undefined) throw problem;
    const name = script.evalshaName;
    this.queued.push({
      name,
      args: [script.sha1, keys.length, ...keys, ...args],
      transform: undefined,
      returnBuffers,
      rule: undefined,
      script,
    });
    return this;
  }

  /** Sends the batch; each command's `[null, value]` or `[error, undefined]`, typed after the chain. */
  exec(): Promise<BatchResults<T>> {
    const queued = this.take();
    if (queued instanceof InvalidArgumentError) return Promise.reject(queued);
    if (queued.length === 0) return Promise.resolve([] as PipelineResult[] as BatchResults<T>);
    const client = internals(this.client);
    // The scripts' SCRIPT LOADs go first (each script once, only where not known to be cached).
    for (const q of queued) q.script?.preload(this.client);
    return new Promise<PipelineResult[]>((resolve) => {
      const results = new Array<PipelineResult>(queued.length);
      let pending = queued.length;
      for (let i = 0; i < queued.length; i++) {
        const q = queued[i];
        const settle = (result: PipelineResult): void => {
          results[i] = result;
          if (--pending === 0) resolve(results);
        };
        const script = q.script;
        // The client's submittedCount right after this command (a script's NOSCRIPT reads it).
        let mark = 0;
        const cmd = new Command(
          q.name,
          q.args,
          q.transform,
          (value) => settle([null, value]),
          script === undefined
            ? (err) => settle([err, undefined])
            : (err) => {
                if (!isNoscript(err)) return settle([err, undefined]);
                script.noscript(this.client, q.args, err as ReplyError, mark, q.returnBuffers).then(
                  (value) => settle([null, value]),
                  (e: Error) => settle([e, undefined]),
                );
              },
        );
        cmd.returnBuffers = q.returnBuffers;
        // A blocking command holds the pipeline's connection (that is what a pipeline asks for),
        // and the health check allows for its wait as it does for the typed method's.
        const blocking = q.rule?.blocking?.blockingMs(q.args) ?? 0;
        if (blocking > 0) client.markBlocking(cmd, blocking);
        client.submit(cmd);
        if (script !== undefined) mark = client.submittedCount();
      }
    }) as Promise<BatchResults<T>>;
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Transaction<T extends unknown[] = unknown[]> extends Chainable<T, 'multi'> {}

/**
 * MULTI ... EXEC. The block is written in one batch; exec() resolves with each command's result
 * (or its error, in place), or with null when a WATCHed key changed and nothing ran. Across a
 * reconnect the block is one unit: it is sent again only as a whole and only if every command in
 * it is safe to run twice; otherwise it rejects with ConnectionLostError { maybeExecuted: true }.
 * A command the server refuses to queue (EXECABORT) rejects exec() with that error, whose `cause`
 * is the first refusal.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Transaction<T extends unknown[] = unknown[]> extends CommandBatch {
  /** Any command, like client.call(), with the same rules (see Pipeline.call()). Its reply is `unknown`. */
  call(name: string, ...args: Arg[]): Transaction<[...T, unknown]> {
    this.queueRaw(name, args);
    return this as unknown as Transaction<[...T, unknown]>;
  }

  /**
   * A Lua script (see defineScript()), as EVAL with its source: a NOSCRIPT answer to an EVALSHA
   * inside EXEC would fail that command while the rest of the block ran. Its reply is `unknown`.
   */
  runScript(script: Script, keys: RedisKey[] = [], args: RedisValue[] = []): Transaction<[...T, unknown]> {
    // eslint-disable-next-line prefer-rest-params -- a JavaScript caller's extra arguments are refused
    if (arguments.length > 3) throw extraArgumentsError('runScript', ['script', 'keys', 'args'], arguments);
    const problem = scriptCallError('runScript', script, keys, args);
    if (problem !== undefined) throw problem;
    const name = script.evalName;
    this.queued.push({
      name,
      args: [script.source, keys.length, ...keys, ...args],
      transform: undefined,
      returnBuffers: false,
      rule: undefined,
    });
    return this as unknown as Transaction<[...T, unknown]>;
  }

  /** Runs the block; each command's `[null, value]` or `[error, undefined]` typed after the chain, or null. */
  exec(): Promise<BatchResults<T> | null> {
    const queued = this.take();
    if (queued instanceof InvalidArgumentError) return Promise.reject(queued);
    const client = internals(this.client);
    if (client.watchEpoch !== undefined && client.watchEpoch !== client.connectionEpoch) {
      client.watchEpoch = undefined;
      return Promise.reject(
        new ConnectionLostError(
          'EXEC',
          false,
          new Error('the connection that held the WATCH was replaced, so the WATCH no longer protects anything'),
        ),
      );
    }
    client.watchEpoch = undefined;
    return new Promise<PipelineResult[] | null>((resolve, reject) => {
      const group = new CommandGroup();
      let queueError: Error | undefined;
      const ignore = (): void => undefined;
      const add = (cmd: Command): void => {
        cmd.group = group;
        group.commands.push(cmd);
      };
      add(new Command('MULTI', [], undefined, ignore, reject));
      for (const q of queued) {
        add(new Command(q.name, q.args, undefined, ignore, (err) => (queueError ??= err)));
      }
      const exec = new Command<PipelineResult[] | null>(
        'EXEC',
        [],
        (reply: unknown) => {
          if (reply === null) return null;
          const replies = reply as unknown[];
          return queued.map((q, i): PipelineResult => {
            const r = replies[i];
            if (r instanceof ReplyError) r.command = q.name;
            if (r instanceof Error) return [r, undefined];
            try {
              return [null, q.transform === undefined ? r : q.transform(r)];
            } catch (err) {
              return [err as Error, undefined];
            }
          });
        },
        resolve,
        (err) => {
          if (err instanceof ReplyError && err.code === 'EXECABORT' && queueError !== undefined) {
            Object.defineProperty(err, 'cause', { value: queueError, configurable: true, writable: true });
          }
          reject(err);
        },
      );
      add(exec);
      for (const cmd of group.commands) client.submit(cmd);
    }) as Promise<BatchResults<T> | null>;
  }
}

// A builder returns the batch synchronously, so a call that does not fit its method throws at once,
// where the stack points at it.
for (const [method, d] of Object.entries(COMMANDS as Record<string, CommandDef>)) {
  const { name, build, transform } = d;
  const returnBuffers = d.binary === true;
  const from = checkFrom(d);
  // Read once: a bundler's module export may be a getter, and this runs on every call with options.
  const check = callError;
  const rule = callRule(name);
  (CommandBatch.prototype as unknown as Record<string, unknown>)[method] = function (
    this: CommandBatch & { queued: Queued[] },
    ...args: unknown[]
  ) {
    if (args.length > from) {
      const invalid = check(method, d, args);
      if (invalid !== undefined) throw invalid;
    }
    let built: Arg[];
    try {
      built = build(...args);
    } catch (err) {
      throw buildError(method, err);
    }
    this.queued.push({ name, args: built, transform, returnBuffers, rule });
    return this;
  };
}
