import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ProtocolError } from '../../src/errors';
import { Decoder } from '../../src/protocol/decoder';
import { CommandEncoder, encodeCommand } from '../../src/protocol/encoder';
import type { Arg } from '../../src/protocol/types';
import { decodeSplit, recorder, splitsArbitrary, streamArbitrary, valueNode } from './resp-model';

const runs = { numRuns: Number(process.env.ROMAINE_PROPERTY_RUNS ?? 300) };

test('property: any RESP3 stream decodes to its model, whole and split at random points', () => {
  fc.assert(
    fc.property(
      streamArbitrary.chain((stream) => fc.tuple(fc.constant(stream), splitsArbitrary(stream.wire.length))),
      ([stream, splits]) => {
        const options = { buffers: stream.buffers };
        assert.deepEqual(decodeSplit(stream.wire, [], options), stream.events);
        assert.deepEqual(decodeSplit(stream.wire, splits, options), stream.events);
      },
    ),
    runs,
  );
});

test('property: many frames in one chunk are all delivered, in order', () => {
  fc.assert(
    fc.property(
      fc.array(
        valueNode.filter((n) => !n.push),
        { minLength: 50, maxLength: 200 },
      ),
      (nodes) => {
        const wire = Buffer.concat(nodes.map((n) => n.wire));
        const replies = decodeSplit(wire, []).filter((e) => 'reply' in e);
        assert.deepEqual(
          replies,
          nodes.map((n) => ({ reply: n.asText })),
        );
      },
    ),
    { numRuns: 30 },
  );
});

const argArbitrary: fc.Arbitrary<Arg> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 10 }),
  fc.double().filter((x) => !Number.isNaN(x)),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  fc.uint8Array({ maxLength: 40 }), // a plain Uint8Array, or a view into a bigger buffer:
  fc
    .tuple(fc.uint8Array({ minLength: 8, maxLength: 40 }), fc.nat(8), fc.nat(8))
    .map(([a, start, cut]) => a.subarray(start, Math.max(start, a.length - cut))),
);

/** The bytes an argument must arrive as on the server. */
function argBytes(arg: Arg): Buffer {
  if (typeof arg === 'string') return Buffer.from(arg, 'utf8');
  if (typeof arg === 'number') {
    return Buffer.from(arg === Infinity ? 'inf' : arg === -Infinity ? '-inf' : String(arg));
  }
  if (typeof arg === 'bigint') return Buffer.from(arg.toString());
  return Buffer.from(arg);
}

test('property: encoded commands decode back to their name and arguments', () => {
  const command = fc.tuple(
    fc.constantFrom('SET', 'GET', 'HSET', 'ZADD', 'XADD'),
    fc.array(argArbitrary, { maxLength: 8 }),
  );
  fc.assert(
    fc.property(fc.array(command, { minLength: 1, maxLength: 10 }), fc.boolean(), (commands, oneBuffer) => {
      let wire: Buffer;
      if (oneBuffer) {
        wire = Buffer.concat(commands.map(([name, args]) => encodeCommand(name, args)));
      } else {
        const encoder = new CommandEncoder();
        for (const [name, args] of commands) encoder.write(name, args);
        const expectedBytes = encoder.pendingBytes;
        const chunks = encoder.take();
        assert.equal(encoder.pendingBytes, 0);
        assert.ok(
          chunks.every((c) => c.length > 0),
          'no empty chunks',
        );
        wire = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
        assert.equal(wire.length, expectedBytes, 'pendingBytes counts bytes');
      }
      const replies: unknown[] = [];
      const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: () => assert.fail('no push') });
      decoder.returnBuffers = true;
      decoder.feed(wire);
      assert.deepEqual(
        replies,
        commands.map(([name, args]) => [Buffer.from(name), ...args.map(argBytes)]),
      );
    }),
    runs,
  );
});

/** Random bytes, and valid frames with bytes flipped, cut or inserted: garbage that gets far. */
const garbage: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc
    .tuple(
      fc.array(valueNode, { minLength: 1, maxLength: 3 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([nodes, edits]) => {
      const bytes = [...Buffer.concat(nodes.map((n) => n.wire))];
      for (const [at, byte, how] of edits) {
        const i = bytes.length === 0 ? 0 : at % bytes.length;
        if (how === 'set') bytes[i] = byte;
        else if (how === 'insert') bytes.splice(i, 0, byte);
        else bytes.splice(i, 1);
      }
      return Buffer.from(bytes);
    }),
  fc
    .array(fc.constantFrom('*', '$', '%', '>', '|', ':', '-', '+', '9', '\r', '\n', '-1', '\r\n', 'x'), {
      maxLength: 60,
    })
    .map((tokens) => Buffer.from(tokens.join(''))),
);

test('property: garbage makes feed() throw nothing but ProtocolError, and memory stays bounded', () => {
  const limits = { maxBulkLength: 1000, maxLineLength: 1000, maxAggregateLength: 1000, maxDepth: 8 };
  fc.assert(
    fc.property(
      garbage.chain((bytes) => fc.tuple(fc.constant(bytes), splitsArbitrary(bytes.length))),
      fc.boolean(),
      ([bytes, splits], buffers) => {
        const { decoder } = recorder({ limits, buffers: [buffers, buffers, buffers] });
        let from = 0;
        try {
          for (const at of [...splits, bytes.length]) {
            decoder.feed(bytes.subarray(from, at));
            from = at;
            // At most one held line (<= maxLineLength + type byte + CR) or one bulk body + CRLF.
            assert.ok(decoder.bufferedBytes <= 1003, `${decoder.bufferedBytes} bytes held`);
          }
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          assert.equal(err.code, 'EPROTOCOL');
          assert.throws(() => decoder.feed(Buffer.from('+OK\r\n')), ProtocolError, 'stays failed');
        }
      },
    ),
    { numRuns: Number(process.env.ROMAINE_PROPERTY_RUNS ?? 2000) },
  );
});

test('property: a held line never grows past its limit however many chunks arrive', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('+', '-', ',', '(', ':', '$', '*', '#', '_'),
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 200 }),
      (type, chunks) => {
        const { decoder } = recorder({ limits: { maxLineLength: 100 } });
        try {
          decoder.feed(Buffer.from(type));
          for (const chunk of chunks) {
            // No CR anywhere: the line can never end.
            decoder.feed(Buffer.from(chunk.map((b) => (b === 13 ? 32 : b))));
            assert.ok(decoder.bufferedBytes <= 103, `${decoder.bufferedBytes} bytes held`);
          }
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
        }
      },
    ),
    { numRuns: 200 },
  );
});
