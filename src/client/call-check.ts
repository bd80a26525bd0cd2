/**
 * What TypeScript checks at compile time, checked at run time for JavaScript callers: too many
 * arguments, an option object that is not one, an option key the method does not know. The
 * generated methods call `callError()` only when `args.length > checkFrom(d)` (one comparison on
 * the hot path); everything here runs on a call that is already wrong, so it may take its time to
 * say what the romaine form of an ioredis or node-redis habit is.
 */
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../errors';
import type { CommandDef, OptionsParam } from './command-def';
import { COMMANDS } from './commands';

/** The table of methods, to find the romaine method an extra token asks for (zrange + WITHSCORES). */
const methodTable = COMMANDS as Readonly<Record<string, CommandDef>>;

/** Below this many arguments a call cannot be wrong in a way callError() looks for. */
export function checkFrom(d: CommandDef): number {
  let from = d.maxArgs;
  for (const o of d.options ?? []) if (o.index < from) from = o.index;
  return from;
}

/** The reason a call does not fit the method, as the error to reject it with; undefined if it fits. */
export function callError(method: string, d: CommandDef, args: readonly unknown[]): InvalidArgumentError | undefined {
  for (const o of d.options ?? []) {
    if (args.length <= o.index || args[o.index] === undefined) continue;
    const problem = optionsProblem(method, d, o, args);
    if (problem !== undefined) return new InvalidArgumentError(problem);
  }
  if (args.length > d.maxArgs) {
    const params = paramNames(d);
    const names = params.some((p) => /^arg\d+$/.test(p)) ? '' : ` (${params.join(', ')})`;
    const takes = d.maxArgs === 0 ? 'takes no arguments' : `takes at most ${plural(d.maxArgs, 'argument')}${names}`;
    return new InvalidArgumentError(
      `${method}() ${takes}, got ${args.length}${hintFromTokens(method, d, args, d.maxArgs)}`,
    );
  }
  return undefined;
}

function optionsProblem(method: string, d: CommandDef, o: OptionsParam, args: readonly unknown[]): string | undefined {
  const value = args[o.index];
  if (!isOptionsObject(value)) {
    return `${where(method, paramNames(d), o)} must be an options object { ${o.keys.join(', ')} }, got ${kind(value, o, method)}${hintFromTokens(method, d, args, o.index)}`;
  }
  // The common case, a valid options object: no allocation, no parameter names.
  const known = o.known;
  for (const k in value) if (known[k] !== true) return unknownKeysProblem(method, paramNames(d), o, value);
  return undefined;
}

/**
 * The same check for a method outside the command table (scanIterator and friends): `value` is
 * the options argument at `o.index`, `params` the method's parameter names.
 */
export function optionsError(
  method: string,
  params: string[],
  o: OptionsParam,
  value: unknown,
): InvalidArgumentError | undefined {
  if (value === undefined) return undefined;
  if (!isOptionsObject(value)) {
    return new InvalidArgumentError(
      `${where(method, params, o)} must be an options object { ${o.keys.join(', ')} }, got ${kind(value, o, method)}`,
    );
  }
  const problem = unknownKeysProblem(method, params, o, value);
  return problem === undefined ? undefined : new InvalidArgumentError(problem);
}

function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  // An object literal, by far the most common: one comparison.
  if ((v as { constructor?: unknown }).constructor === Object) return true;
  return !Array.isArray(v) && !(v instanceof Map) && !Buffer.isBuffer(v);
}

function where(method: string, params: string[], o: OptionsParam): string {
  return `${method}(): argument ${o.index + 1} (${params[o.index] ?? 'options'})`;
}

function unknownKeysProblem(
  method: string,
  params: string[],
  o: OptionsParam,
  value: Record<string, unknown>,
): string | undefined {
  const unknown = Object.keys(value).filter((k) => !o.keys.includes(k));
  if (unknown.length === 0) return undefined;
  const names = unknown.map((k) => `'${k}'`).join(', ');
  return `${where(method, params, o)} has unknown option${unknown.length > 1 ? 's' : ''} ${names}${translateHint(method, params, o, value)} (known: ${o.keys.join(', ')})`;
}

/**
 * The romaine form of extra positional tokens, ioredis style: `set(k, v, 'EX', 60, 'NX')` ->
 * `set(key, value, { EX: 60, NX: true })`; `zrange(k, 0, -1, 'WITHSCORES')` -> zrangeWithScores();
 * `lpop(k, 2)` -> lpopCount().
 */
function hintFromTokens(method: string, d: CommandDef, args: readonly unknown[], from: number): string {
  const params = paramNames(d);
  if (typeof args[1] === 'number' && params[1] === 'keys') {
    return `: keys and arguments are arrays, without a count: ${method}(${params[0]}, [key, ...], [arg, ...])`;
  }
  return optionTokensHint(method, d, params, args, from) ?? alternativeHint(method, args[from], from);
}

/** `zrange(k, 0, -1, 'WITHSCORES')` -> zrangeWithScores(); `lpop(k, 2)` -> lpopCount(). */
function alternativeHint(method: string, token: unknown, from: number): string {
  const alternative =
    typeof token === 'string'
      ? methodNamed(method + token)
      : typeof token === 'number'
        ? methodNamed(method + 'Count')
        : undefined;
  if (alternative === undefined) return '';
  const params = paramNames(methodTable[alternative]).slice(0, typeof token === 'number' ? from + 1 : from);
  return `: did you mean ${alternative}(${params.join(', ')})?`;
}

/** `set(k, v, 'EX', 60, 'NX')` -> set(key, value, { EX: 60, NX: true }), when every token is an option. */
function optionTokensHint(
  method: string,
  d: CommandDef,
  params: string[],
  args: readonly unknown[],
  from: number,
): string | undefined {
  const o = [...(d.options ?? [])].reverse().find((p) => p.index <= from);
  if (o === undefined) return undefined;
  const parsed: Record<string, unknown> = {};
  for (let i = from; i < args.length;) {
    const key = typeof args[i] === 'string' ? known(o, args[i] as string) : undefined;
    if (key === undefined) return undefined;
    const next = args[i + 1];
    if (i + 1 < args.length && !(typeof next === 'string' && known(o, next) !== undefined)) {
      parsed[key] = next;
      i += 2;
    } else {
      parsed[key] = true;
      i += 1;
    }
  }
  return `: did you mean ${method}(${[...params.slice(0, o.index), format(parsed)].join(', ')})?`;
}

/**
 * The romaine form of an options object with foreign keys: a key in the wrong case (`ex`), a flag
 * given as a value (node-redis' `condition: 'NX'`, `comparison: 'GT'`), an expiry as `{ type, value }`
 * (node-redis' `expiration`), or a method of its own (`{ WITHSCORES: true }` -> zrangeWithScores()).
 */
function translateHint(method: string, params: string[], o: OptionsParam, value: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  let translated = false;
  for (const [k, v] of Object.entries(value)) {
    if (o.keys.includes(k)) {
      out[k] = v;
      continue;
    }
    const sameKey = known(o, k);
    const alternative = sameKey === undefined ? methodNamed(method + k) : undefined;
    if (alternative !== undefined) {
      return `: did you mean ${alternative}(${paramNames(methodTable[alternative]).slice(0, o.index).join(', ')})?`;
    }
    const flag = typeof v === 'string' ? known(o, v) : undefined;
    const typed = typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
    const typedKey = typed ? known(o, (v as { type: string }).type) : undefined;
    if (sameKey !== undefined) out[sameKey] = v;
    else if (flag !== undefined) out[flag] = true;
    else if (typedKey !== undefined) out[typedKey] = (v as { value?: unknown }).value;
    else continue;
    translated = true;
  }
  if (!translated) return '';
  return `: did you mean ${method}(${[...params.slice(0, o.index), format(out)].join(', ')})?`;
}

/** A known key of these options, matched without regard to case. */
function known(o: OptionsParam, word: string): string | undefined {
  const upper = word.toUpperCase();
  return o.keys.find((k) => k.toUpperCase() === upper);
}

/** The method whose name is this, without regard to case (`zrangewithscores` -> zrangeWithScores). */
function methodNamed(name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(methodTable).find((m) => m.toLowerCase() === lower);
}

/**
 * The parameter names of a method, read from its build function's source: a message that says
 * `set(key, value, { EX: 60 })` is clearer than one with positions. Falls back to arg1, arg2, ...
 */
export function paramNames(d: CommandDef | undefined): string[] {
  if (d === undefined) return [];
  const source = Function.prototype.toString.call(d.build);
  const m = /^(?:async\s*)?(?:function\b[^(]*)?\(([^)]*)\)/.exec(source) ?? /^([\w$]+)\s*=>/.exec(source);
  const names = (m?.[1] ?? '')
    .split(',')
    .map((p) => p.replace(/=.*$/s, '').trim())
    .filter((p) => p !== '');
  const count = Number.isFinite(d.maxArgs) ? d.maxArgs : names.length;
  if (names.some((n) => n.startsWith('...')) && Number.isFinite(d.maxArgs)) {
    return Array.from({ length: count }, (_, i) => `arg${i + 1}`);
  }
  return Array.from({ length: count }, (_, i) => names[i] ?? `arg${i + 1}`);
}

function format(obj: Record<string, unknown>): string {
  const entries = Object.entries(obj).map(([k, v]) => `${k}: ${show(v)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

/** A value as a message shows it: short, strings quoted. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '...' : v}'`;
  return inspect(v, { depth: 1, breakLength: Infinity, maxArrayLength: 5, maxStringLength: 40 });
}

/** What was passed instead of an options object, without echoing data: only an option word is quoted. */
function kind(v: unknown, o: OptionsParam, method: string): string {
  if (typeof v === 'string')
    return known(o, v) !== undefined || methodNamed(method + v) !== undefined ? `'${v}'` : 'a string';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Map) return 'a Map';
  if (Buffer.isBuffer(v)) return 'a Buffer';
  return `a ${typeof v}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * ioredis' `pipeline([['set', 'a', '1'], ...])` and `multi([...])`: romaine builds batches by
 * chaining. The hint shows the chain with the methods the array names (never their values).
 */
export function batchArrayError(method: 'pipeline' | 'multi', given: unknown): InvalidArgumentError {
  const chain = Array.isArray(given)
    ? given
        .slice(0, 3)
        .map((c) => {
          const name = Array.isArray(c) && typeof c[0] === 'string' ? c[0] : undefined;
          const m = name === undefined ? undefined : methodNamed(name);
          return m !== undefined ? `.${m}(...)` : `.call('${String(name ?? 'NAME').toUpperCase()}', ...)`;
        })
        .join('') + (given.length > 3 ? '...' : '')
    : '.set(...).get(...)';
  return new InvalidArgumentError(
    `${method}() takes no arguments: build the batch by chaining, client.${method}()${chain}.exec()`,
  );
}

/**
 * A call of a method outside the command table (publish, connect, scanIterator, ...) with more
 * arguments than it takes, as the error to refuse it with. `params` are the method's parameter
 * names. An extra function is most likely an ioredis/node-redis v3 callback: the message says so.
 */
export function extraArgumentsError(
  method: string,
  params: readonly string[],
  args: ArrayLike<unknown>,
): InvalidArgumentError {
  const takes =
    params.length === 0
      ? 'takes no arguments'
      : `takes at most ${plural(params.length, 'argument')} (${params.join(', ')})`;
  const extra = args[params.length];
  let hint = '';
  if (method === 'connect') hint = ': it returns a promise (await client.connect()) instead of taking a callback';
  else if (method === 'close') hint = ': it is always graceful; for an immediate close use destroy()';
  else if (typeof extra === 'function') hint = ': a callback? romaine returns a promise, await it instead';
  return new InvalidArgumentError(`${method}() ${takes}, got ${args.length}${hint}`);
}
