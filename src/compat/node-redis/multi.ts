import { list as COMMAND_NAMES } from '@ioredis/commands';
import { InvalidArgumentError } from '../../errors';
import type { Arg } from '../../protocol/types';
import { METHODS, REPLIES, buildCall, flatten, type NodeRedisMethod } from './commands';

/** The chainable command methods of a multi(). */
export type NodeRedisMultiCommands = { [K in NodeRedisMethod]: (...args: any[]) => NodeRedisMulti };

/** What multi() needs of romaine: a client's or a cluster client's pipeline() and multi(). */
export interface MultiBackend {
  call(name: string, ...args: Arg[]): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

interface Queued {
  tokens: string[];
  args: Arg[];
  reshape: ((reply: unknown) => unknown) | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface NodeRedisMulti extends NodeRedisMultiCommands {}

/**
 * node-redis' multi(): chain commands, then exec() for their replies as plain values (node-redis
 * shapes). exec(true) / execAsPipeline() send them as a pipeline, without MULTI.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class NodeRedisMulti {
  private readonly queued: Queued[] = [];
  /** The first argument error of the chain, reported by exec(). */
  private invalid: Error | undefined;

  constructor(
    private readonly client: { pipeline(): MultiBackend; multi(): MultiBackend },
    private readonly asPipeline = false,
  ) {}

  /** Any command as an array. */
  addCommand(args: Array<string | number | Buffer>): this {
    if (!Array.isArray(args) || typeof args[0] !== 'string') {
      this.invalid ??= new InvalidArgumentError("addCommand() takes an array: ['NAME', ...args]");
      return this;
    }
    this.queued.push({ tokens: [args[0]], args: args.slice(1), reshape: undefined });
    return this;
  }

  /**
   * Runs the chain: MULTI ... EXEC (or a pipeline with `execAsPipeline` true). Resolves with each
   * reply; a command's error rejects it (the first one). A WATCH that failed resolves with null.
   */
  async exec(execAsPipeline = false): Promise<any[]> {
    if (this.invalid !== undefined) throw this.invalid;
    const batch = execAsPipeline || this.asPipeline ? this.client.pipeline() : this.client.multi();
    for (const q of this.queued) batch.call(q.tokens[0], ...q.tokens.slice(1), ...q.args);
    const results = await batch.exec();
    if (results === null) return null as unknown as any[];
    return results.map(([err, value], i) => {
      if (err !== null) throw err;
      const reshape = this.queued[i]?.reshape;
      return reshape === undefined ? value : reshape(value);
    });
  }

  /** The chain as a pipeline (no MULTI). */
  execAsPipeline(): Promise<any[]> {
    return this.exec(true);
  }

  static {
    const proto = NodeRedisMulti.prototype as unknown as Record<string, unknown>;
    for (const method of METHODS) {
      const reshape = REPLIES[method];
      proto[method] = function (this: NodeRedisMulti, ...args: unknown[]): NodeRedisMulti {
        try {
          const { tokens, built } = buildCall(method, args);
          this.queued.push({ tokens, args: built, reshape });
        } catch (err) {
          this.invalid ??= err as Error;
        }
        return this;
      };
    }
    for (const name of COMMAND_NAMES) {
      const upper = name.toUpperCase();
      if (upper in proto) continue;
      proto[upper] = function (this: NodeRedisMulti, ...args: unknown[]): NodeRedisMulti {
        try {
          this.queued.push({ tokens: [upper], args: flatten(upper, args), reshape: undefined });
        } catch (err) {
          this.invalid ??= err as Error;
        }
        return this;
      };
    }
  }
}
