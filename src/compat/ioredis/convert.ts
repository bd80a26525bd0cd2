/**
 * ioredis' argument forms and reply shapes, as pure functions: what a command method of the facade
 * does to its arguments before `call()`, and to the reply after it.
 */
import { InvalidArgumentError } from '../../errors';
import type { Arg } from '../../protocol/types';
import { show } from '../../client/option-checks';

/** A reply transform of the facade: ioredis' shape from RESP2's. */
export type ReplyShape = (reply: unknown) => unknown;

/** Commands whose arguments may be an object or a Map of field -> value (ioredis' argument transformers). */
const PAIRS_AT: Readonly<Record<string, number>> = { hset: 1, hmset: 1, mset: 0, msetnx: 0 };

/**
 * ioredis' argument rules: arrays are flattened one level, null and undefined become '', numbers,
 * booleans and bigints their text. An object where a value is expected is refused (ioredis would
 * send '[object Object]'), except the field/value object of hset, hmset, mset and msetnx.
 */
export function toArgs(command: string, input: readonly unknown[]): Arg[] {
  const pairsAt = PAIRS_AT[command];
  if (pairsAt !== undefined && input.length === pairsAt + 1) {
    const pairs = input[pairsAt];
    if (pairs instanceof Map || (isPlainObject(pairs) && !Buffer.isBuffer(pairs))) {
      const out = input.slice(0, pairsAt).map((a) => one(command, a));
      const entries = pairs instanceof Map ? [...pairs.entries()] : Object.entries(pairs);
      for (const [field, value] of entries) out.push(one(command, field), one(command, value));
      return out;
    }
  }
  const out: Arg[] = [];
  for (const a of input) {
    if (Array.isArray(a)) for (const inner of a) out.push(one(command, inner));
    else out.push(one(command, a));
  }
  return out;
}

function isPlainObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}

function one(command: string, a: unknown): Arg {
  switch (typeof a) {
    case 'string':
      return a;
    case 'number':
      return Number.isSafeInteger(a) || !Number.isInteger(a) ? String(a) : BigInt(a).toString();
    case 'bigint':
      return a;
    case 'boolean':
      return String(a);
    case 'undefined':
      return '';
    case 'object':
      if (a === null) return '';
      if (a instanceof Uint8Array) return a;
      break;
  }
  throw new InvalidArgumentError(
    `${command}(): ${show(a)} is not a valid argument (strings, numbers and Buffers are; ioredis would have sent '${String(a)}')`,
  );
}

/** HGETALL's flat [field, value, ...] as an object (ioredis' reply transformer); '__proto__' stays a field. */
export function hashObject(reply: unknown): unknown {
  if (!Array.isArray(reply)) return reply;
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < reply.length; i += 2) {
    const key = String(reply[i]);
    const value: unknown = reply[i + 1];
    if (key in obj) Object.defineProperty(obj, key, { value, configurable: true, enumerable: true, writable: true });
    else obj[key] = value;
  }
  return obj;
}

/** The reply shape of a command, by lower-case name (undefined: the RESP2 reply as it is). */
export const REPLY_SHAPES: Readonly<Record<string, ReplyShape>> = { hgetall: hashObject };

/**
 * Integers past 2^53 come back from romaine as bigint; ioredis gives numbers (rounded) or, with
 * `stringNumbers`, strings for every integer. This rewrites a reply (and the arrays in it) only
 * where needed.
 */
export function numbers(reply: unknown, asStrings: boolean): unknown {
  if (typeof reply === 'bigint') return asStrings ? reply.toString() : Number(reply);
  if (asStrings && typeof reply === 'number') return String(reply);
  if (!Array.isArray(reply)) return reply;
  let out: unknown[] | undefined;
  for (let i = 0; i < reply.length; i++) {
    const v: unknown = reply[i];
    const fixed = numbers(v, asStrings);
    if (fixed !== v) {
      out ??= reply.slice();
      out[i] = fixed;
    }
  }
  return out ?? reply;
}

/** A node-style callback, as ioredis takes as the last argument of any command. */
export type Callback = (err: Error | null, result?: unknown) => void;

/** Splits ioredis' optional trailing callback off the arguments. */
export function takeCallback(args: unknown[]): Callback | undefined {
  const last = args[args.length - 1];
  if (typeof last !== 'function') return undefined;
  args.pop();
  return last as Callback;
}

/** Settles `cb` with the promise's outcome, and returns the promise (ioredis returns it in both styles). */
export function withCallback<T>(p: Promise<T>, cb: Callback | undefined): Promise<T> {
  if (cb !== undefined) {
    p.then(
      (r) => cb(null, r),
      (e: Error) => cb(e),
    );
  }
  return p;
}
