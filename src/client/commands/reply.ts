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
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
