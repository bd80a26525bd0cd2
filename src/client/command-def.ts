import type { Arg } from '../protocol/types';
import type { BlockingTime } from './commands/blocking';

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
  readonly blockingMs?: BlockingTime;
  /** The reply is binary (DUMP): bulk strings come back as Buffers even outside `client.buffers`. */
  readonly binary?: boolean;
  /**
   * In the `buffers` view the reply (a map) is a `Map<Buffer, Buffer>`, keys included as the bytes
   * they are (HGETALL: binary field names survive; an object's keys would be lossy strings).
   */
  readonly bufferMap?: boolean;
  /**
   * A blocking command that must run on the caller's own connection (WAIT counts the writes made
   * on the connection that sends it), so it is not moved to a dedicated one.
   */
  readonly sameConnection?: boolean;
  /**
   * The most arguments the method takes (Infinity for a rest parameter). JavaScript callers get no
   * compile-time check, so the generated method compares `args.length` with it and refuses a call
   * that passes more (an ioredis-style `set(k, v, 'EX', 60)` would otherwise set no TTL).
   */
  readonly maxArgs: number;
  /** The parameters that are option objects and the keys each knows; checked only when one is passed. */
  readonly options?: readonly OptionsParam[];
}

/** An option-object parameter: its position and its known keys. */
export interface OptionsParam {
  readonly index: number;
  readonly keys: readonly string[];
  /** The keys as an object with a fast shape (`known[k] === true`): a for-in over the value checks it. */
  readonly known: Readonly<Record<string, true>>;
}

export function optionsParam(index: number, keys: readonly string[]): OptionsParam {
  // A plain object, not Object.create(null): one without a prototype is a dictionary, several
  // times slower to look up. Inherited names (toString, ...) are not `true`, so they count as unknown.
  const known: Record<string, true> = {};
  for (const k of keys) known[k] = true;
  return { index, keys, known };
}

/** Marks a definition whose reply is binary. */
export function binary<A extends unknown[], R>(d: CommandDef<A, R>): CommandDef<A, R> {
  return { ...d, binary: true };
}

/** Marks a definition whose map reply is a Map<Buffer, Buffer> in the `buffers` view. */
export function bufferMap<A extends unknown[], R>(
  d: CommandDef<A, R>,
): CommandDef<A, R> & { readonly bufferMap: true } {
  return { ...d, bufferMap: true };
}

/** A map reply decoded as a flat [key, value, ...] array of Buffers (flatMaps), as a Map. */
export function toBufferMap(reply: unknown): Map<Buffer, Buffer> {
  const out = new Map<Buffer, Buffer>();
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out.set(reply[i] as Buffer, reply[i + 1] as Buffer);
  return out;
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
  blockingMs?: BlockingTime,
): CommandDef<A, R> {
  // Function.length counts the parameters before the first rest or default one: right for every
  // build without them; the others say their arity with variadic() or arity().
  const maxArgs = build.length;
  return blockingMs === undefined
    ? { name, build, transform, maxArgs }
    : { name, build, transform, blockingMs, maxArgs };
}

/** The build has a rest parameter: any number of arguments (each still checked on its own). */
export function variadic<A extends unknown[], R>(d: CommandDef<A, R>): CommandDef<A, R> {
  return { ...d, maxArgs: Infinity };
}

/** The build's parameter count that Function.length cannot see (default values, a spread tuple). */
export function arity<A extends unknown[], R>(maxArgs: number, d: CommandDef<A, R>): CommandDef<A, R> {
  return { ...d, maxArgs };
}

/**
 * Declares an option-object parameter (by default the last one) and its keys, so that an unknown
 * key (`{ ex: 60 }`, node-redis' `{ expiration: ... }`) is refused instead of ignored.
 */
export function withOptions<A extends unknown[], R>(
  d: CommandDef<A, R>,
  keys: readonly string[],
  index = d.maxArgs - 1,
): CommandDef<A, R> {
  return { ...d, options: [...(d.options ?? []), optionsParam(index, keys)] };
}

/** The keys of an options type, checked by the compiler to be all of them and only them. */
export function optionKeys<T>(keys: { [K in keyof Required<T>]: 0 }): readonly string[] {
  return Object.keys(keys);
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
