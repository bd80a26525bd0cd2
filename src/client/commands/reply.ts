/**
 * Reply conversions shared by the typed commands. Each accepts both RESP2 and RESP3 shapes (the
 * connection may have fallen back to RESP2) and both strings and Buffers (the `buffers` view).
 */

/** '1'/1/true -> true, else false. */
export function toBoolean(reply: unknown): boolean {
  return reply === 1 || reply === true || reply === '1' || reply === 'OK';
}

/** A number from an integer, a double, or a bulk string holding one ('inf' included). */
export function toNumber(reply: unknown): number {
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'bigint') return Number(reply);
  const text = String(reply);
  if (text === 'inf' || text === '+inf') return Infinity;
  if (text === '-inf') return -Infinity;
  const n = Number(text);
  if (Number.isNaN(n) && text !== 'nan') throw new Error(`expected a number, got '${text.slice(0, 40)}'`);
  return n;
}

export function toNullableNumber(reply: unknown): number | null {
  return reply === null ? null : toNumber(reply);
}

/** A RESP3 map (already an object) or a RESP2 flat array of pairs, as an object. */
export function toObject<V = string>(reply: unknown, value: (v: unknown) => V = (v) => v as V): Record<string, V> {
  const out: Record<string, V> = {};
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) setOwn(out, String(reply[i]), value(reply[i + 1]));
  } else if (reply !== null && typeof reply === 'object') {
    for (const key of Object.keys(reply)) setOwn(out, key, value((reply as Record<string, unknown>)[key]));
  }
  return out;
}

/** Assigns even a key named __proto__ as an own property, never touching the prototype. */
export function setOwn<V>(obj: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** An array of numbers (integers, doubles or bulk strings holding numbers). */
export function toNumberArray(reply: unknown): number[] {
  return (reply as unknown[]).map(toNumber);
}

/** An array of numbers where nil stays null (ZMSCORE, BITFIELD with OVERFLOW FAIL). */
export function toNullableNumberArray(reply: unknown): (number | null)[] {
  return (reply as unknown[]).map(toNullableNumber);
}

/** An array of 0/1 integers (or RESP3 booleans) as booleans. */
export function toBooleanArray(reply: unknown): boolean[] {
  return (reply as unknown[]).map(toBoolean);
}

/**
 * Pairs from either shape Redis uses for them: a RESP2 flat array [a1, b1, a2, b2, ...] or the
 * RESP3 nested form [[a1, b1], [a2, b2], ...] (ZRANGE WITHSCORES, HRANDFIELD WITHVALUES, ...).
 */
export function toPairs(reply: unknown): [unknown, unknown][] {
  const items = reply as unknown[];
  const out: [unknown, unknown][] = [];
  if (items.length > 0 && Array.isArray(items[0])) {
    for (const pair of items as unknown[][]) out.push([pair[0], pair[1]]);
  } else {
    for (let i = 0; i + 1 < items.length; i += 2) out.push([items[i], items[i + 1]]);
  }
  return out;
}

/** A sorted set member with its score. */
export type ScoredMember = { value: string; score: number };

/** Members with scores, from flat (RESP2) or nested (RESP3) pairs. */
export function toScoredMembers(reply: unknown): ScoredMember[] {
  return toPairs(reply).map(([value, score]) => ({ value: value as string, score: toNumber(score) }));
}

/** [field, value] tuples, from flat (RESP2) or nested (RESP3) pairs. */
export function toStringPairs(reply: unknown): [string, string][] {
  return toPairs(reply) as [string, string][];
}

/**
 * Text that romaine parsed out of a bigger reply (INFO, CLIENT LIST), in the same form the reply
 * came in: a Buffer when the reply was one (the `buffers` view), so the view's types hold.
 */
export function textLike(sample: unknown, text: string): string {
  return (Buffer.isBuffer(sample) ? Buffer.from(text) : text) as string;
}

/** A kebab-case or snake_case key as camelCase ('last-delivered-id' -> 'lastDeliveredId'). */
export function camelCase(key: string): string {
  return key.replace(/[-_]([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
