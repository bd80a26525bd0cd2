/**
 * The aggregates (arrays, maps, sets, pushes, attributes) a decoder is inside of. The stack is
 * explicit rather than the JS call stack so that a frame split across feed() calls resumes
 * exactly where it stopped: nothing already decoded is parsed again.
 */

export enum AggregateKind {
  Array,
  Map,
  /** A top-level '>' frame: delivered through onPush. Nested '>' frames are plain arrays. */
  Push,
  /** A '|' frame: handed to onAttribute, then it vanishes from the value it annotates. */
  Attribute,
}

/**
 * Arrays announced with at most this many elements are allocated at full size (about 2.5x
 * faster to fill than growing); longer ones grow as elements arrive, so that `*2000000000`
 * costs nothing until the elements really come.
 */
const PREALLOCATE_MAX = 1024;

/** One open aggregate. Instances are reused per depth, so opening a frame allocates only its value. */
export class Aggregate {
  kind = AggregateKind.Array;
  /** Values still to come; a map of n entries expects 2n (keys and values alternate). */
  remaining = 0;
  /** Filled by index for Array and Push. */
  items: unknown[] = [];
  next = 0;
  /** Filled for Map and Attribute; `key` holds a key until its value arrives. */
  map: Record<string, unknown> = {};
  key: unknown = undefined;
  hasKey = false;
  /** For Attribute: the decoder's returnBuffers mode to go back to once the attribute is done. */
  outerBuffers = false;

  open(kind: AggregateKind, count: number): void {
    this.kind = kind;
    this.next = 0;
    this.hasKey = false;
    this.key = undefined;
    if (kind === AggregateKind.Map || kind === AggregateKind.Attribute) {
      this.remaining = count * 2;
      this.map = {};
      this.items = EMPTY;
    } else {
      this.remaining = count;
      this.items = count <= PREALLOCATE_MAX ? new Array<unknown>(count) : [];
      this.map = EMPTY_MAP;
    }
  }

  /** Drops references to finished values, so that a reused frame pins no reply in memory. */
  clear(): void {
    this.items = EMPTY;
    this.map = EMPTY_MAP;
    this.key = undefined;
  }
}

/**
 * A non-string map key as text. Aggregate keys are decoded values the server chose, so nothing here
 * may call a method found on them: a key map `{ toString: 5 }` would make String() throw.
 */
function keyName(key: unknown): string {
  if (Buffer.isBuffer(key)) return key.toString('utf8');
  if (key === null || typeof key !== 'object') return String(key);
  try {
    return JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '[aggregate key]';
  }
}

const EMPTY: unknown[] = [];
const EMPTY_MAP: Record<string, unknown> = {};

/**
 * Sets `key` on a decoded map. `__proto__` must become an own property: assigning it would
 * replace the object's prototype with a value the server chose.
 */
export function setMapEntry(map: Record<string, unknown>, key: unknown, value: unknown): void {
  const name = typeof key === 'string' ? key : keyName(key);
  if (name === '__proto__') {
    Object.defineProperty(map, name, { value, writable: true, enumerable: true, configurable: true });
  } else {
    map[name] = value;
  }
}
