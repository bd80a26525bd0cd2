import { ConnectionLostError, ReplyError } from '../errors';
import { Command, CommandGroup } from '../connection/command';
import type { Arg } from '../protocol/types';
import type { CommandDef, Transform } from './command-def';
import { COMMANDS, type CommandTable } from './commands';
import type { RedisClient } from './client';

/** One command's outcome in a pipeline: [null, value] or [error, undefined]. */
export type PipelineResult = [Error | null, unknown];

type Chainable<P> = {
  [K in keyof CommandTable]: CommandTable[K] extends CommandDef<infer A, any> ? (...args: A) => P : never;
};

interface Queued {
  name: string;
  args: Arg[];
  transform: Transform<unknown> | undefined;
}

export interface Pipeline extends Chainable<Pipeline> {} // eslint-disable-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging

/**
 * Commands collected and sent together: exec() writes them in one batch and resolves with each
 * one's outcome, in order. Every command is independent (one failing does not stop the others) and
 * follows the client's rules across reconnects. Not atomic: use multi() for that.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Pipeline {
  protected queued: Queued[] = [];
  constructor(readonly client: RedisClient) {}

  get length(): number {
    return this.queued.length;
  }

  /** Any command, like client.call(). */
  call(name: string, ...args: Arg[]): this {
    this.queued.push({ name, args, transform: undefined });
    return this;
  }

  exec(): Promise<PipelineResult[]> {
    const queued = this.queued;
    this.queued = [];
    if (queued.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const results: PipelineResult[] = new Array<PipelineResult>(queued.length);
      let pending = queued.length;
      const done = (): void => {
        if (--pending === 0) resolve(results);
      };
      for (let i = 0; i < queued.length; i++) {
        const q = queued[i];
        const index = i;
        this.client
          .sendCommand(q.name, q.args, q.transform)
          .then(
            (value) => (results[index] = [null, value]),
            (err: Error) => (results[index] = [err, undefined]),
          )
          .finally(done);
      }
    });
  }
}

export interface Transaction extends Chainable<Transaction> {} // eslint-disable-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging

/**
 * MULTI ... EXEC. The block is written in one batch; exec() resolves with each command's result
 * (or its error, in place), or with null when a WATCHed key changed and nothing ran. Across a
 * reconnect the block is one unit: it is sent again only as a whole and only if every command in
 * it is safe to run twice; otherwise it rejects with ConnectionLostError { maybeExecuted: true }.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Transaction {
  protected queued: Queued[] = [];
  constructor(readonly client: RedisClient) {}

  get length(): number {
    return this.queued.length;
  }

  call(name: string, ...args: Arg[]): this {
    this.queued.push({ name, args, transform: undefined });
    return this;
  }

  exec(): Promise<PipelineResult[] | null> {
    const queued = this.queued;
    this.queued = [];
    const client = this.client;
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
    return new Promise((resolve, reject) => {
      const group = new CommandGroup();
      const queueErrors: Array<Error | undefined> = new Array<Error | undefined>(queued.length);
      const ignore = (): void => undefined;
      const add = (cmd: Command): void => {
        cmd.group = group;
        group.commands.push(cmd);
      };
      add(new Command('MULTI', [], undefined, ignore, reject));
      queued.forEach((q, i) => {
        add(new Command(q.name, q.args, undefined, ignore, (err) => (queueErrors[i] = err)));
      });
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
        reject,
      );
      add(exec);
      for (const cmd of group.commands) client.submit(cmd);
    });
  }
}

function install(proto: Record<string, unknown>): void {
  for (const [method, d] of Object.entries(COMMANDS as Record<string, CommandDef>)) {
    const { name, build, transform } = d;
    proto[method] = function (this: { queued: Queued[] }, ...args: unknown[]) {
      this.queued.push({ name, args: build(...args), transform });
      return this;
    };
  }
}
install(Pipeline.prototype as unknown as Record<string, unknown>);
install(Transaction.prototype as unknown as Record<string, unknown>);
