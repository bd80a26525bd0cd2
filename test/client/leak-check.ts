// Looking for a secret everywhere a person or a program could see it: the text of an error (message,
// stack, every cause), util.inspect at any depth, JSON, and every object reachable by property
// access from a client. Used by the "no secret in sight" tests.
import { inspect } from 'node:util';
import fc from 'fast-check';

/**
 * A password made to be found: random markers ('Zq' and 6 letters g-z, so no %-escape can eat
 * into one) joined by pieces of every character class — URL-special characters, %-escapes (valid
 * and malformed), spaces, quotes, unicode, control characters, and text that looks like the output
 * around it (`***`, `redis://`, `@127.0.0.1:6379`, `WRONGPASS`). A marker cannot occur by chance,
 * so any marker in an output is a piece of the password that leaked, even when the rest of the
 * password was redacted or mangled.
 */
export interface Secret {
  password: string;
  markers: string[];
}

const MARKER_CHARS = 'ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ';
const PIECES = [
  '/',
  '#',
  '?',
  '@',
  '%',
  ':',
  '%2F',
  '%zz',
  '%4',
  '%%',
  '%41',
  '&',
  '=',
  '+',
  '[',
  ']',
  '\\',
  ';',
  ',',
  ' ',
  '  ',
  '"',
  "'",
  '`',
  '\t',
  '\n',
  '\r\n',
  '\u0000',
  'é',
  'ü',
  '密码',
  '🔑',
  '\u200b',
  'Ω',
  '***',
  'redis://',
  'rediss://',
  '@127.0.0.1:6379',
  '127.0.0.1',
  ':6379',
  '/0',
  '?db=1',
  '#frag',
  'WRONGPASS',
  'AUTH',
  'default',
  'password',
  'undefined',
  'null',
  '{"a":1}',
  '<set>',
  '${x}',
];

export const secretArb: fc.Arbitrary<Secret> = fc
  .tuple(
    fc.array(
      // 'Zq' first: fast-check likes to try words such as 'toString', which occur in any program.
      fc.string({ unit: fc.constantFrom(...MARKER_CHARS), minLength: 6, maxLength: 6 }).map((m) => `Zq${m}`),
      { minLength: 1, maxLength: 3 },
    ),
    fc.array(
      fc.oneof(
        fc.constantFrom(...PIECES),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }),
      ),
      { minLength: 0, maxLength: 4 },
    ),
    fc.boolean(),
  )
  .map(([markers, pieces, piecesFirst]) => {
    let password = '';
    for (let i = 0; i < Math.max(markers.length, pieces.length); i++) {
      const m = markers[i] ?? '';
      const p = pieces[i] ?? '';
      password += piecesFirst ? p + m : m + p;
    }
    return { password, markers };
  });

/** The strings that must not appear: the whole password, its URL encoding, and each marker. */
export function needles(s: Secret): string[] {
  return [s.password, encodeURIComponent(s.password), ...s.markers].filter((n) => n.length >= 4);
}

/** Collects what would be printed, logged or serialised, and says which secrets it holds. */
export class Outputs {
  readonly texts: Array<{ where: string; text: string }> = [];

  add(where: string, text: string): void {
    this.texts.push({ where, text });
  }

  /** A value as a logger would print it: util.inspect at any depth (showHidden too) and JSON. */
  value(where: string, v: unknown): void {
    this.add(`${where} (inspect)`, inspect(v, { depth: Infinity, showHidden: true, getters: true }));
    this.add(`${where} (inspect, default)`, inspect(v));
    try {
      this.add(`${where} (JSON)`, JSON.stringify(v) ?? '');
    } catch {
      // circular: a logger would fall back to inspect, covered above
    }
    if (v instanceof Error) this.error(where, v);
  }

  /** An error: message, stack, and every cause, recursively (inspect prints them too). */
  error(where: string, e: unknown, depth = 0): void {
    if (!(e instanceof Error) || depth > 10) return;
    this.add(`${where} message`, e.message);
    this.add(`${where} stack`, e.stack ?? '');
    this.add(`${where} String()`, String(e));
    if (depth === 0) this.add(`${where} (inspect)`, inspect(e, { depth: Infinity, showHidden: true }));
    for (const [k, v] of Object.entries(e)) if (typeof v === 'string') this.add(`${where}.${k}`, v);
    if (e.cause !== undefined) this.error(`${where}.cause`, e.cause, depth + 1);
    if (e instanceof AggregateError) e.errors.forEach((x, i) => this.error(`${where}.errors[${i}]`, x, depth + 1));
  }

  /** Every occurrence of a needle: [where, needle, context]. */
  hits(secret: Secret): string[] {
    const found: string[] = [];
    for (const n of needles(secret)) {
      for (const { where, text } of this.texts) {
        const i = text.indexOf(n);
        if (i !== -1)
          found.push(`${where}: ${JSON.stringify(n)} in …${JSON.stringify(text.slice(Math.max(0, i - 80), i + 80))}…`);
      }
    }
    return found;
  }
}

/**
 * Walks every object reachable by property access from `root` (own properties, enumerable or not,
 * symbols, getters' values are not called; Map and Set entries; array items) and returns the
 * paths of strings or Buffers that contain a needle. What a debugger, a heap-walking APM agent or
 * a careless `JSON.stringify(someInternalObject)` could reach; `#private` fields and closures are
 * out of its reach, as they are out of everyone's.
 */
export function reachableSecrets(root: unknown, secret: Secret, maxNodes = 200_000): string[] {
  const ns = needles(secret);
  const nsBuf = ns.map((n) => Buffer.from(n));
  const found: string[] = [];
  const seen = new Set<unknown>([globalThis, process]);
  const queue: Array<[unknown, string]> = [[root, 'client']];
  let visited = 0;
  const check = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      for (const n of ns) if (v.includes(n)) found.push(`${path} = ${JSON.stringify(v.slice(0, 200))}`);
    } else if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
      const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      for (const n of nsBuf) if (b.includes(n)) found.push(`${path} (bytes)`);
    }
  };
  while (queue.length > 0 && visited < maxNodes) {
    const [obj, path] = queue.shift() as [unknown, string];
    check(obj, path);
    if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function') || seen.has(obj)) continue;
    if (ArrayBuffer.isView(obj)) continue;
    seen.add(obj);
    visited++;
    if (obj instanceof Map) for (const [k, v] of obj) queue.push([k, `${path}.key`], [v, `${path}.get()`]);
    if (obj instanceof Set) for (const v of obj) queue.push([v, `${path}.has()`]);
    for (const key of Reflect.ownKeys(obj)) {
      const d = Object.getOwnPropertyDescriptor(obj, key);
      if (d === undefined || !('value' in d)) continue;
      queue.push([d.value, `${path}.${String(key)}`]);
    }
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== null && proto !== Object.prototype && proto !== Function.prototype)
      queue.push([proto, `${path}.__proto__`]);
  }
  return found;
}
