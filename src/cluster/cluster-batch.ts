// Pipelines and transactions on a cluster. A pipeline is not atomic, so it needs no single node:
// each command is routed (and redirected) on its own, and the commands for one node, issued in
// the same tick, leave in one write there. The usual case, where a command's owner is ready and
// nothing waits for its slot or node, skips the router's per-command promise and bookkeeping:
// the command goes straight to the node's client with callbacks (one promise per batch, like a
// client's own pipeline), and only one that fails there enters the router (afterFirstTry), which
// follows its redirections as it would have. A transaction is atomic on one node only: its keys
// must share a slot, checked before anything is sent, and the block runs as the node's own
// MULTI/EXEC (the in-flight rule of a transaction included).
import { ReplyError } from '../errors';
import { argError } from '../client/args';
import { Command } from '../connection/command';
import { extraArgumentsError } from '../client/call-check';
import { scriptCallError, type Script } from '../client/scripts';
import type { RedisKey, RedisValue } from '../client/command-def';
import type { CommandDef, Transform } from '../client/command-def';
import { COMMANDS, type CommandTable } from '../client/commands';
import type { BatchResults, PipelineResult } from '../client/pipeline';
import type { Arg } from '../protocol/types';
import type { ClusterClient } from './cluster-client';
import { commandSlot, keyRuleOf, type CommandSlot, type KeyRule } from './key-slot';
import { intakeOf, sendBuilt, type Intake } from './node-seam';
import { parseRedirection } from './redirection';
import { routerOf, type ReadyOwner, type Router, type Send } from './router';
import { scriptSend } from './cluster-scripts';

/** The typed methods of a batch: each one adds its reply type to the chain's (as on a client's pipeline). */
type Chainable<T extends unknown[], Kind extends 'pipeline' | 'multi'> = {
  [K in keyof CommandTable]: CommandTable[K] extends CommandDef<infer A, infer R>
    ? (...args: A) => Kind extends 'pipeline' ? ClusterPipeline<[...T, R]> : ClusterTransaction<[...T, R]>
    : never;
};

/** A queued command. Every field is always set (one object shape for every kind of command). */
interface Queued {
  /** The typed method, to replay it on a node's own MULTI (undefined for call()). */
  method: string | undefined;
  methodArgs: unknown[] | undefined;
  name: string;
  args: Arg[];
  transform: Transform<unknown> | undefined;
  returnBuffers: boolean;
  /** Where its keys are (looked up once per typed method). */
  keys: KeyRule;
  /** A script's EVALSHA (pipelines): SCRIPT LOAD ahead of it on its node when needed, EVAL after a NOSCRIPT. */
  script: Script | undefined;
}

abstract class ClusterBatch {
  protected queued: Queued[] = [];
  constructor(readonly cluster: ClusterClient) {}

  get length(): number {
    return this.queued.length;
  }

  /** Queues call()'s command. */
  protected queueRaw(name: string, args: Arg[]): void {
    this.queued.push({
      method: undefined,
      methodArgs: undefined,
      name,
      args,
      transform: undefined,
      returnBuffers: false,
      keys: keyRuleOf(name),
      script: undefined,
    });
  }

  /** Takes the queue, or the first invalid argument's error (then nothing is sent). */
  protected take(): Queued[] | Error {
    const queued = this.queued;
    this.queued = [];
    for (const q of queued) {
      const err = argError(q.name, q.args);
      if (err !== undefined) return err;
    }
    return queued;
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClusterPipeline<T extends unknown[] = unknown[]> extends Chainable<T, 'pipeline'> {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ClusterPipeline<T extends unknown[] = unknown[]> extends ClusterBatch {
  /** Any command, like cluster.call(); its reply is `unknown`. */
  call(name: string, ...args: Arg[]): ClusterPipeline<[...T, unknown]> {
    this.queueRaw(name, args);
    return this as unknown as ClusterPipeline<[...T, unknown]>;
  }

  /**
   * A Lua script (see defineScript()) as EVALSHA at the owner of its keys' slot (keys of several
   * slots: ClusterCrossSlotError in its place), with SCRIPT LOAD ahead of it on that node when the
   * script is not known to be cached there, and EVAL if the node answers NOSCRIPT all the same.
   */
  runScript(script: Script, keys: RedisKey[] = [], args: RedisValue[] = []): ClusterPipeline<[...T, unknown]> {
    // eslint-disable-next-line prefer-rest-params -- a JavaScript caller's extra arguments are refused
    if (arguments.length > 3) throw extraArgumentsError('runScript', ['script', 'keys', 'args'], arguments);
    return this.queueScript(script, keys, args, false) as unknown as ClusterPipeline<[...T, unknown]>;
  }

  /** runScript() with the reply's bulk strings as Buffers (the ioredis facade's `nameBuffer()`). @internal */
  queueScript(script: Script, keys: RedisKey[], args: RedisValue[], returnBuffers: boolean): this {
    const problem = scriptCallError('runScript', script, keys, args);
    if (problem !== undefined) throw problem;
    const shaArgs = [script.sha1, keys.length, ...keys, ...args];
    const name = script.evalshaName;
    this.queued.push({
      method: undefined,
      methodArgs: undefined,
      name,
      args: shaArgs,
      transform: undefined,
      returnBuffers,
      keys: keyRuleOf(name),
      script,
    });
    return this;
  }

  /** Every command's outcome, [null, value] or [error, undefined], in the order they were added, typed after the chain. */
  exec(): Promise<BatchResults<T>> {
    const queued = this.take();
    if (queued instanceof Error) return Promise.reject(queued);
    if (queued.length === 0) return Promise.resolve([] as PipelineResult[] as BatchResults<T>);
    const cluster = this.cluster;
    const router = routerOf(cluster);
    return new Promise<PipelineResult[]>((resolve) => {
      const results = new Array<PipelineResult>(queued.length);
      let pending = queued.length;
      const settle = (i: number, result: PipelineResult): void => {
        results[i] = result;
        if (--pending === 0) resolve(results);
      };
      const start = router.now();
      // Consecutive commands for one slot (a hash-tagged batch) look their owner up once.
      let lastSlot = -1;
      let owner: ReadyOwner | undefined;
      let intake: Intake | undefined;
      for (let i = 0; i < queued.length; i++) {
        const q = queued[i];
        const where = commandSlot(q.name, q.args, q.keys);
        const slot = where.slot;
        if (typeof slot === 'number' && q.script === undefined) {
          if (slot !== lastSlot) {
            owner = router.readyOwner(slot);
            lastSlot = owner === undefined ? -1 : slot;
            if (owner !== undefined) intake = intakeOf(owner.node);
          }
          if (owner !== undefined) {
            intake!(sendNow(router, owner, q, slot, start, i, settle));
            continue;
          }
        }
        // Routed: it may wait in the line, and then the commands after it for its slot or node
        // must wait behind it, so the next one asks the router again.
        lastSlot = -1;
        const send = q.script === undefined ? sendVia(q) : scriptSend(q.script, q.args, q.returnBuffers);
        cluster.route(q.name, where, send, q.args).then(
          (value) => settle(i, [null, value]),
          (err: Error) => settle(i, [err, undefined]),
        );
      }
    }) as Promise<BatchResults<T>>;
  }
}

/** How a pipeline command is sent when routed (a redirection's ASKING first when asked). */
function sendVia(q: Queued): Send {
  return (node, asking) => {
    if (asking) sendBuilt(node, 'ASKING', [], undefined, false).catch(() => undefined);
    return sendBuilt(node, q.name, q.args, q.transform, q.returnBuffers);
  };
}

/**
 * The fast path: the command for the ready owner's intake; a failure there is routed from then on
 * (afterFirstTry). Its arguments were checked (argError) in take().
 */
function sendNow(
  router: Router,
  owner: ReadyOwner,
  q: Queued,
  slot: number,
  start: number,
  i: number,
  settle: (i: number, result: PipelineResult) => void,
): Command {
  const seq = router.nextSeq();
  const cmd = new Command(
    q.name,
    q.args,
    q.transform,
    (value) => settle(i, [null, value]),
    (err) =>
      // A turn later, as a promise's rejection would reach the router (not inside the node's own
      // settling of its commands, e.g. while it is being closed).
      queueMicrotask(() => {
        router.afterFirstTry(q.name, slot, sendVia(q), q.args, seq, start, owner, err).then(
          (value) => settle(i, [null, value]),
          (e: Error) => settle(i, [e, undefined]),
        );
      }),
  );
  if (q.returnBuffers) cmd.returnBuffers = true;
  return cmd;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClusterTransaction<T extends unknown[] = unknown[]> extends Chainable<T, 'multi'> {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ClusterTransaction<T extends unknown[] = unknown[]> extends ClusterBatch {
  /** Any command, like cluster.call(); its reply is `unknown`. */
  call(name: string, ...args: Arg[]): ClusterTransaction<[...T, unknown]> {
    this.queueRaw(name, args);
    return this as unknown as ClusterTransaction<[...T, unknown]>;
  }

  /**
   * A Lua script (see defineScript()) in the block, as EVAL with its source (a NOSCRIPT inside EXEC
   * would fail it while the rest of the block ran); its keys count for the block's slot.
   */
  runScript(script: Script, keys: RedisKey[] = [], args: RedisValue[] = []): ClusterTransaction<[...T, unknown]> {
    // eslint-disable-next-line prefer-rest-params -- a JavaScript caller's extra arguments are refused
    if (arguments.length > 3) throw extraArgumentsError('runScript', ['script', 'keys', 'args'], arguments);
    const problem = scriptCallError('runScript', script, keys, args);
    if (problem !== undefined) throw problem;
    const name = script.evalName;
    this.queued.push({
      method: 'runScript',
      methodArgs: [script, keys, args],
      name,
      args: [script.source, keys.length, ...keys, ...args],
      transform: undefined,
      returnBuffers: false,
      keys: keyRuleOf(name),
      script: undefined,
    });
    return this as unknown as ClusterTransaction<[...T, unknown]>;
  }

  /**
   * Runs the block on the slot's primary: each command's result (or error) in order, or null
   * when a WATCHed key changed. A MOVED at queueing time (the slot moved, e.g. after a failover)
   * aborts the block before anything ran (EXECABORT), so it is run again, whole, on the new
   * owner; during a slot migration (ASK) it waits for the migration to end, within its budget.
   */
  exec(): Promise<BatchResults<T> | null> {
    const queued = this.take();
    if (queued instanceof Error) return Promise.reject(queued);
    const where = blockSlot(queued);
    return this.cluster.route('MULTI', where, async (node, asking) => {
      if (asking) throw new ReplyError('TRYAGAIN the slot of this transaction is being migrated');
      const t = node.multi() as unknown as Record<string, (...a: unknown[]) => unknown> & {
        call(name: string, ...args: Arg[]): unknown;
        exec(): Promise<PipelineResult[] | null>;
      };
      for (const q of queued) {
        if (q.method !== undefined) t[q.method](...q.methodArgs!);
        else t.call(q.name, ...q.args);
      }
      try {
        return await t.exec();
      } catch (err) {
        // EXECABORT because a queued command was redirected: nothing ran; let route() follow it.
        const cause = (err as { cause?: unknown }).cause;
        if (
          err instanceof ReplyError &&
          err.code === 'EXECABORT' &&
          parseRedirection(cause, node.options) !== undefined
        )
          throw cause;
        throw err;
      }
    }) as Promise<BatchResults<T> | null>;
  }
}

/** One slot for the whole block (keyless commands follow it), or 'cross'. */
function blockSlot(queued: readonly Queued[]): CommandSlot {
  const slots = new Set<number>();
  for (const q of queued) {
    const s = commandSlot(q.name, q.args, q.keys);
    if (s.slot === 'cross') s.slots.forEach((x) => slots.add(x));
    else if (s.slot !== 'none') slots.add(s.slot);
  }
  if (slots.size === 0) return { slot: 'none' };
  if (slots.size === 1) return { slot: slots.values().next().value! };
  return { slot: 'cross', slots: [...slots] };
}

// Builders build at once (a call that does not fit its method throws where the stack points at
// it), so the slot is known from the same arguments that will be sent.
for (const [method, d] of Object.entries(COMMANDS as Record<string, CommandDef>)) {
  // Read once: what every call of the method uses (a call through `d` each time is not inlined).
  const { name, build, transform } = d;
  const returnBuffers = d.binary === true;
  const keys = keyRuleOf(name);
  (ClusterBatch.prototype as unknown as Record<string, unknown>)[method] = function (
    this: ClusterBatch & { queued: Queued[] },
    ...args: unknown[]
  ) {
    const built = build(...args);
    this.queued.push({
      method,
      methodArgs: args,
      name,
      args: built,
      transform,
      returnBuffers,
      keys,
      script: undefined,
    });
    return this;
  };
}
