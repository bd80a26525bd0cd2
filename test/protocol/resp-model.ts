/**
 * Test-only helpers for the protocol tests: a small RESP3 serializer with the value each frame
 * must decode to, fast-check arbitraries for whole reply streams, and ways to feed a Decoder
 * (whole, byte by byte, at given split points) that record what it delivered.
 */
import fc from 'fast-check';
import { ReplyError } from '../../src/errors';
import { Decoder } from '../../src/protocol/decoder';
import type { DecoderLimits } from '../../src/protocol/types';

/** What a decoder handed to its owner, in order. Values are normalised (see normalise). */
export type Event = { reply: unknown } | { push: unknown } | { attribute: unknown };

/**
 * Makes decoded values comparable with deepStrictEqual: errors become their message and code,
 * Buffers their hex (tagged so that a Buffer never equals a string), and maps their own entries
 * (so that an own `__proto__` key is compared like any other).
 */
export function normalise(value: unknown): unknown {
  if (value instanceof ReplyError) return { error: value.message, code: value.code };
  if (Buffer.isBuffer(value)) return { buffer: value.toString('hex') };
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    if (Object.getPrototypeOf(value) !== Object.prototype) throw new Error('a map must be a plain object');
    return { map: Object.entries(value).map(([k, v]) => [k, normalise(v)]) };
  }
  return value;
}

export interface Recorder {
  decoder: Decoder;
  events: Event[];
}

/**
 * A decoder whose owner records every event. `buffers`, when given, is the returnBuffers flag
 * for each reply in turn: the owner sets the next one from onReply, as a connection does.
 */
export function recorder(options: { buffers?: boolean[]; limits?: DecoderLimits } = {}): Recorder {
  const events: Event[] = [];
  const flags = options.buffers ?? [];
  let replies = 0;
  const decoder: Decoder = new Decoder(
    {
      onReply(value) {
        events.push({ reply: normalise(value) });
        replies++;
        decoder.returnBuffers = flags[replies] ?? false;
      },
      onPush(value) {
        events.push({ push: normalise(value) });
      },
      onAttribute(attributes) {
        events.push({ attribute: normalise(attributes) });
      },
    },
    options.limits,
  );
  decoder.returnBuffers = flags[0] ?? false;
  return { decoder, events };
}

/** Feeds `input` cut at the given offsets (ascending) and returns the events. */
export function decodeSplit(
  input: Buffer,
  splits: readonly number[],
  options?: { buffers?: boolean[]; limits?: DecoderLimits },
): Event[] {
  const { decoder, events } = recorder(options);
  let from = 0;
  for (const at of [...splits, input.length]) {
    if (at > from) decoder.feed(input.subarray(from, at));
    from = Math.max(from, at);
  }
  if (decoder.bufferedBytes !== 0) throw new Error(`${decoder.bufferedBytes} bytes left over`);
  return events;
}

/** Every way the fixture tests feed an input: whole, byte by byte, and cut once at each offset. */
export function* feedings(input: Buffer): Generator<[string, number[]]> {
  yield ['whole', []];
  yield ['byte by byte', Array.from({ length: input.length }, (_, i) => i)];
  for (let at = 1; at < input.length; at++) yield [`split at ${at}`, [at]];
}

// ---------------------------------------------------------------------------------------------
// A RESP3 model: every generated node knows its bytes and what it decodes to in either mode.

export interface Node {
  wire: Buffer;
  /** Decoded with returnBuffers false, and true. */
  asText: unknown;
  asBuffers: unknown;
  /** Attributes inside the node, in the order the decoder meets them. */
  attributes: unknown[];
  /** Its first value (after any attribute) is a '>' frame: at top level, that is a push. */
  push: boolean;
}

const crlf = '\r\n';

function node(wire: string | Buffer, asText: unknown, asBuffers: unknown = asText): Node {
  return {
    wire: Buffer.isBuffer(wire) ? wire : Buffer.from(wire, 'utf8'),
    asText,
    asBuffers,
    attributes: [],
    push: false,
  };
}

function lineText(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}

/** Doubles as a server might print them; -0 keeps its sign. */
function doubleText(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return Object.is(x, -0) ? '-0' : String(x);
}

const text = fc.string({ unit: 'binary', maxLength: 24 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const safe = (n: bigint): number | bigint =>
  n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;

export const scalarNode: fc.Arbitrary<Node> = fc.oneof(
  text.map((s) => node(`+${lineText(s)}${crlf}`, lineText(s))),
  text.map((s) => node(`-ERR ${lineText(s)}${crlf}`, { error: `ERR ${lineText(s)}`, code: 'ERR' })),
  int64.map((n) => node(`:${n}${crlf}`, safe(n))),
  text.map((s) => {
    const bytes = Buffer.from(s);
    return node(`$${bytes.length}${crlf}${s}${crlf}`, s, { buffer: bytes.toString('hex') });
  }),
  fc.constantFrom('_', '$-1', '*-1').map((w) => node(`${w}${crlf}`, null)),
  fc.boolean().map((b) => node(`#${b ? 't' : 'f'}${crlf}`, b)),
  fc.double().map((x) => node(`,${doubleText(x)}${crlf}`, x)),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((n) => node(`(${n}${crlf}`, n)),
  text.map((s) => {
    const bytes = Buffer.from(s);
    return node(`=${bytes.length + 4}${crlf}txt:${s}${crlf}`, s, { buffer: bytes.toString('hex') });
  }),
  text.map((s) => {
    const message = `SYNTAX ${s}`;
    return node(`!${Buffer.byteLength(message)}${crlf}${message}${crlf}`, { error: message, code: 'SYNTAX' });
  }),
);

function concat(head: string, parts: readonly Node[]): Buffer {
  return Buffer.concat([Buffer.from(head), ...parts.map((p) => p.wire)]);
}

function withChildren(n: Node, children: readonly Node[]): Node {
  n.attributes = children.flatMap((c) => c.attributes);
  return n;
}

const mapKey = fc.tuple(
  fc.oneof(
    { weight: 5, arbitrary: text.map(lineText) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString') },
  ),
  fc.boolean(),
);

/** A key as a simple string or as a bulk string (a Buffer when returnBuffers; still a string key). */
function keyNode([key, bulk]: [string, boolean]): Node {
  return bulk ? node(`$${Buffer.byteLength(key)}${crlf}${key}${crlf}`, key) : node(`+${key}${crlf}`, key);
}

/** Map entries as the decoder builds them: keys stringified, the last duplicate wins. */
function mapModel(keys: readonly string[], values: readonly unknown[]): unknown {
  const entries = new Map<string, unknown>();
  keys.forEach((k, i) => entries.set(k, values[i]));
  return { map: [...entries] };
}

export const valueNode: fc.Arbitrary<Node> = fc.letrec<{ value: Node }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: scalarNode },
    fc.tuple(fc.constantFrom('*', '~', '>'), fc.array(tie('value'), { maxLength: 5 })).map(([type, items]) => {
      const n = node(
        concat(`${type}${items.length}${crlf}`, items),
        items.map((i) => i.asText),
        items.map((i) => i.asBuffers),
      );
      n.push = type === '>';
      return withChildren(n, items);
    }),
    fc.array(fc.tuple(mapKey, tie('value')), { maxLength: 4 }).map((entries) => {
      const parts = entries.flatMap(([k, v]) => [keyNode(k), v]);
      const keys = entries.map(([[k]]) => k);
      return withChildren(
        node(
          concat(`%${entries.length}${crlf}`, parts),
          mapModel(
            keys,
            entries.map(([, v]) => v.asText),
          ),
          mapModel(
            keys,
            entries.map(([, v]) => v.asBuffers),
          ),
        ),
        entries.map(([, v]) => v),
      );
    }),
    // An attribute in front of a value: reported on its own, then the value as if alone.
    fc
      .tuple(fc.array(fc.tuple(mapKey, scalarNode), { minLength: 1, maxLength: 2 }), tie('value'))
      .map(([entries, value]) => {
        const parts = entries.flatMap(([k, v]) => [keyNode(k), v]);
        const attribute = mapModel(
          entries.map(([[k]]) => k),
          entries.map(([, v]) => v.asText),
        );
        const n = node(concat(`|${entries.length}${crlf}`, [...parts, value]), value.asText, value.asBuffers);
        n.attributes = [attribute, ...value.attributes];
        n.push = value.push;
        return n;
      }),
  ),
})).value;

/** A stream of top-level frames, each with the events it must produce. */
export interface Stream {
  wire: Buffer;
  events: Event[];
  /** returnBuffers for each reply, in order (the owner flips it between replies). */
  buffers: boolean[];
}

const frame = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constant('reply' as const), valueNode, fc.boolean()) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constant('push' as const),
      fc.array(scalarNode, { minLength: 1, maxLength: 4 }),
      fc.boolean(),
    ),
  },
);

export const streamArbitrary: fc.Arbitrary<Stream> = fc.array(frame, { minLength: 1, maxLength: 8 }).map((frames) => {
  const wires: Buffer[] = [];
  const events: Event[] = [];
  const buffers: boolean[] = [];
  for (const frame of frames) {
    const useBuffers = frame[2];
    if (frame[0] === 'push') {
      const items = frame[1];
      wires.push(concat(`>${items.length}${crlf}`, items));
      // Pushes are always decoded with strings, whatever returnBuffers says.
      events.push({ push: items.map((i) => i.asText) });
    } else {
      const value = frame[1];
      wires.push(value.wire);
      for (const attribute of value.attributes) events.push({ attribute });
      if (value.push) {
        events.push({ push: value.asText });
      } else {
        events.push({ reply: useBuffers ? value.asBuffers : value.asText });
        buffers.push(useBuffers);
      }
    }
  }
  return { wire: Buffer.concat(wires), events, buffers };
});

/** Sorted cut points inside `length` bytes. */
export function splitsArbitrary(length: number): fc.Arbitrary<number[]> {
  if (length < 2) return fc.constant([]);
  return fc
    .uniqueArray(fc.integer({ min: 1, max: length - 1 }), { maxLength: Math.min(length - 1, 24) })
    .map((cuts) => cuts.sort((a, b) => a - b));
}
