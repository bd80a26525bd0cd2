import type { Arg } from '../protocol/types';

/** A key or value as the typed methods accept it. */
export type RedisKey = string | Buffer;
export type RedisValue = string | number | Buffer;

/** Turns a decoded reply into the typed value a method returns. */
export type Transform<R> = (reply: any) => R;

/**
 * One typed command: its name, how method arguments become Redis arguments, and how the reply
 * becomes the method's return type. The client, pipelines and transactions all build their methods
 * from the same table, so a command is written once.
 */
export interface CommandDef<A extends unknown[] = any[], R = unknown> {
  readonly name: string;
  readonly build: (...args: A) => Arg[];
  readonly transform: Transform<R> | undefined;
  /** For blocking commands: how long (ms) the server may hold the reply, from the built args; Infinity = forever. */
  readonly blockingMs?: (args: Arg[]) => number;
  /** The reply is binary (DUMP): bulk strings come back as Buffers even outside `client.buffers`. */
  readonly binary?: boolean;
  /**
   * A blocking command that must run on the caller's own connection (WAIT counts the writes made
   * on the connection that sends it), so it is not moved to a dedicated one.
   */
  readonly sameConnection?: boolean;
}

/** Marks a definition whose reply is binary. */
export function binary<A extends unknown[], R>(d: CommandDef<A, R>): CommandDef<A, R> {
  return { ...d, binary: true };
}

/** Marks a blocking definition that must stay on the caller's connection. */
export function sameConnection<A extends unknown[], R>(d: CommandDef<A, R>): CommandDef<A, R> {
  return { ...d, sameConnection: true };
}

/**
 * The reply needs no conversion: this only carries the type. At run time it is `undefined`, so the
 * reply goes to the caller without a function call.
 */
export function id<R>(): Transform<R> {
  return undefined as unknown as Transform<R>;
}

export function def<A extends unknown[], R>(
  name: string,
  build: (...args: A) => Arg[],
  transform: Transform<R>,
  blockingMs?: (args: Arg[]) => number,
): CommandDef<A, R> {
  return blockingMs === undefined ? { name, build, transform } : { name, build, transform, blockingMs };
}

/** A string return type becomes Buffer (literal types such as 'OK' stay: simple strings are never Buffers). */
export type Bufferize<T> = T extends string
  ? string extends T
    ? Buffer
    : T
  : T extends readonly (infer U)[]
    ? Bufferize<U>[]
    : T extends Map<infer K, infer V>
      ? Map<K, Bufferize<V>>
      : T extends Record<string, unknown>
        ? { [K in keyof T]: Bufferize<T[K]> }
        : T;

export type ArgsOf<D> = D extends CommandDef<infer A, any> ? A : never;
export type ReplyOf<D> = D extends CommandDef<any, infer R> ? R : never;
