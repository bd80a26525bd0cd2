/**
 * Bad and hostile input: every one must end in a ProtocolError (never a hang, a crash, another
 * exception type or unbounded memory), however the bytes are split.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../../src/errors';
import { Decoder } from '../../src/protocol/decoder';
import type { DecoderLimits } from '../../src/protocol/types';
import { decodeSplit, feedings, recorder } from './resp-model';
import { quote } from '../../src/protocol/decode-errors';

/** Asserts that `wire` fails with a ProtocolError matching `message`, fed every way (or `ways`). */
function rejects(
  wire: string | Buffer,
  message: RegExp,
  limits?: DecoderLimits,
  ways: Iterable<[string, number[]]> = feedings(Buffer.isBuffer(wire) ? wire : Buffer.from(wire, 'latin1')),
): void {
  const bytes = Buffer.isBuffer(wire) ? wire : Buffer.from(wire, 'latin1');
  for (const [how, splits] of ways) {
    assert.throws(
      () => decodeSplit(bytes, splits, { limits }),
      (err: unknown) => err instanceof ProtocolError && message.test(err.message) && err.code === 'EPROTOCOL',
      `${quote(bytes.toString('latin1'))} fed ${how}`,
    );
  }
}

const bad: Array<[string, string, RegExp]> = [
  ['unknown type byte', 'A\r\n', /0x41 \('A'\)/],
  ['unknown type byte after a good frame', '+OK\r\n\x00', /unexpected byte 0x00 where a RESP type/],
  ['unknown type byte inside an array', '*2\r\n:1\r\n@x\r\n', /0x40.*inside an aggregate/],
  ['bulk length not a number', '$abc\r\n', /invalid RESP length/],
  ['bulk length empty', '$\r\n', /invalid RESP length/],
  ['bulk length -', '$-\r\n', /invalid RESP length/],
  ['bulk length with a fraction', '$1.5\r\n', /invalid RESP length/],
  ['negative bulk length', '$-2\r\n', /invalid RESP length -2/],
  ['negative array length', '*-5\r\n', /invalid RESP length -5/],
  ['null push', '>-1\r\n', /invalid RESP length -1/],
  ['null attribute', '|-1\r\n', /invalid RESP length -1/],
  ['null bulk error', '!-1\r\n', /invalid RESP length -1/],
  ['null verbatim string', '=-1\r\n', /invalid RESP length -1/],
  ['bulk length of 17 digits', '$12345678901234567\r\n', /invalid RESP length/],
  ['integer with letters', ':12a\r\n', /invalid RESP integer/],
  ['empty integer', ':\r\n', /invalid RESP integer/],
  ['integer sign only', ':-\r\n', /invalid RESP integer/],
  ['integer with two signs', ':--1\r\n', /invalid RESP integer/],
  ['integer with a fraction', ':1.5\r\n', /invalid RESP integer/],
  ['integer of 21 digits', ':123456789012345678901\r\n', /invalid RESP integer/],
  ['double with letters', ',abc\r\n', /invalid RESP double/],
  ['empty double', ',\r\n', /invalid RESP double/],
  ['double with two points', ',1.2.3\r\n', /invalid RESP double/],
  ['hex double', ',0x10\r\n', /invalid RESP double/],
  ['double Infinity spelled out', ',Infinity\r\n', /invalid RESP double/],
  ['boolean x', '#x\r\n', /invalid RESP boolean/],
  ['boolean too long', '#tt\r\n', /invalid RESP boolean/],
  ['empty boolean', '#\r\n', /invalid RESP boolean/],
  ['null with content', '_x\r\n', /invalid RESP null/],
  ['big number with letters', '(12a\r\n', /invalid RESP big number/],
  ['empty big number', '(\r\n', /invalid RESP big number/],
  ['verbatim string without format', '=2\r\nab\r\n', /verbatim string without its 3-letter format/],
  ['verbatim string without colon', '=5\r\ntxt-a\r\n', /verbatim string without its 3-letter format/],
  ['bulk body without CRLF', '$3\r\nabcXY', /'\$' body of 3 bytes is not followed by CRLF/],
  ['bulk body with LF only', '$3\r\nabc\n\r', /not followed by CRLF/],
  ['bulk error body without CRLF', '!3\r\nabc\r\r', /'!' body of 3 bytes/],
  ['CR without LF in a simple string', '+OK\rX\r\n', /CR that is not followed by LF/],
  ['CR without LF in a header', '*1\rX', /CR that is not followed by LF/],
  ['CR without LF after an integer', ':1\r:', /CR that is not followed by LF/],
];

for (const [name, wire, message] of bad) {
  test(`rejects ${name}`, () => rejects(wire, message));
}

test('a first byte of 0x16 or 0x15 says the server probably expects TLS', () => {
  rejects(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5]), /0x16.*TLS.*rediss:\/\//);
  rejects(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]), /0x15.*TLS.*rediss:\/\//);
});

test('0x16 later in the stream is just a bad type byte', () => {
  rejects(Buffer.from('+OK\r\n\x16\x03', 'latin1'), /^unexpected byte 0x16 where/);
});

test('maxBulkLength: one byte over fails, at the limit passes', () => {
  const limits = { maxBulkLength: 10 };
  assert.deepEqual(decodeSplit(Buffer.from('$10\r\n0123456789\r\n'), [], { limits }), [{ reply: '0123456789' }]);
  rejects('$11\r\n', /'\$' length 11 exceeds the limit of 10/, limits);
  rejects('!11\r\n', /'!' length 11 exceeds the limit of 10/, limits);
  rejects('=11\r\n', /'=' length 11 exceeds the limit of 10/, limits);
});

test('maxBulkLength default is 512 MiB', () => {
  rejects(`$${512 * 1024 * 1024 + 1}\r\n`, /exceeds the limit of 536870912/);
  const { decoder } = recorder();
  decoder.feed(Buffer.from(`$${512 * 1024 * 1024}\r\nab`)); // accepted, and nothing allocated up front
  assert.equal(decoder.bufferedBytes, 2);
});

test('maxLineLength: a long simple string, error, or double fails, complete or not', () => {
  const limits = { maxLineLength: 10 };
  assert.deepEqual(decodeSplit(Buffer.from('+0123456789\r\n'), [], { limits }), [{ reply: '0123456789' }]);
  rejects('+01234567890\r\n', /'\+' line is longer than 10 bytes/, limits);
  rejects('-01234567890\r\n', /'-' line is longer than 10 bytes/, limits);
  rejects(',1.000000000\r\n', /',' line is longer than 10 bytes/, limits);
  // No CRLF ever: the held line is cut off at the limit, not at the end of memory.
  const { decoder } = recorder({ limits });
  assert.throws(() => {
    for (let i = 0; i < 100; i++) decoder.feed(Buffer.from('+xxxx'.slice(i === 0 ? 0 : 1)));
  }, /longer than 10 bytes/);
  assert.ok(decoder.bufferedBytes <= 13);
});

test('a header line of endless digits fails early, not at maxLineLength', () => {
  const { decoder } = recorder();
  decoder.feed(Buffer.from('*1'));
  assert.throws(() => {
    for (let i = 0; i < 100; i++) decoder.feed(Buffer.from('1'));
  }, ProtocolError);
  assert.ok(decoder.bufferedBytes < 40);
});

test('a big number of more than 10,000 digits fails instead of stalling BigInt parsing', () => {
  const tooLong = Buffer.from(`(${'9'.repeat(10_001)}\r\n`);
  // Every split of 10 KB would be slow for nothing: whole, byte by byte, and around the end.
  const ways: Array<[string, number[]]> = [
    ['whole', []],
    ['byte by byte', [...tooLong.keys()]],
  ];
  for (let at = tooLong.length - 4; at < tooLong.length; at++) ways.push([`split at ${at}`, [at]]);
  rejects(tooLong, /more than 10000 digits/, undefined, ways);
  const signed = `(-${'9'.repeat(10_000)}\r\n`;
  assert.deepEqual(decodeSplit(Buffer.from(signed), []), [{ reply: -BigInt('9'.repeat(10_000)) }]);
  rejects(`(${'9'.repeat(10_003)}`, /'\(' line is longer than 10001 bytes/, undefined, [['whole', []]]);
  const n = `(${'9'.repeat(10_000)}\r\n`;
  assert.deepEqual(decodeSplit(Buffer.from(n), [5000]), [{ reply: BigInt('9'.repeat(10_000)) }]);
});

test('maxAggregateLength applies to every aggregate type', () => {
  const limits = { maxAggregateLength: 3 };
  for (const type of ['*', '%', '~', '>', '|']) {
    rejects(`${type}4\r\n`, /length 4 exceeds the limit of 3/, limits);
  }
  rejects(`*${2 ** 32}\r\n`, /exceeds the limit of 4294967295/);
});

test('*2000000000 and %2000000000 allocate nothing up front', () => {
  for (const type of ['*', '%', '~']) {
    const before = process.memoryUsage().heapUsed;
    const { decoder, events } = recorder();
    decoder.feed(Buffer.from(`${type}2000000000\r\n:1\r\n:2\r\n`));
    assert.equal(events.length, 0);
    assert.equal(decoder.bufferedBytes, 0);
    // 2e9 slots would be 16 GB; allow generous noise from the test runner itself.
    assert.ok(process.memoryUsage().heapUsed - before < 50 * 1024 * 1024);
  }
});

test('maxDepth: nesting up to the limit passes, one more fails', () => {
  const nested = (depth: number): string => '*1\r\n'.repeat(depth) + ':1\r\n';
  let expected: unknown = 1;
  for (let i = 0; i < 64; i++) expected = [expected];
  assert.deepEqual(decodeSplit(Buffer.from(nested(64)), []), [{ reply: expected }]);
  rejects(nested(65), /nested deeper than maxDepth \(64\)/);
  rejects('%1\r\n+k\r\n'.repeat(3) + ':1\r\n', /maxDepth \(2\)/, { maxDepth: 2 });
  // A hostile million-deep nesting fails fast instead of growing a stack.
  const { decoder } = recorder();
  assert.throws(() => decoder.feed(Buffer.from('*1\r\n'.repeat(1_000_000))), /maxDepth/);
});

test('limits must be non-negative integers', () => {
  const handlers = { onReply: () => {}, onPush: () => {} };
  assert.throws(() => new Decoder(handlers, { maxDepth: -1 }), /maxDepth must be a non-negative integer/);
  assert.throws(() => new Decoder(handlers, { maxBulkLength: 1.5 }), /maxBulkLength/);
  assert.throws(() => new Decoder(handlers, { maxLineLength: NaN }), /maxLineLength/);
});

test('streamed RESP3 strings ($?) are not supported and fail clearly', () => {
  rejects('$?\r\n;4\r\nHell\r\n;0\r\n', /invalid RESP length in "\$\?"/);
});

test('a map key that is itself a map with a toString field decodes instead of throwing a TypeError', () => {
  const replies: unknown[] = [];
  const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: () => undefined });
  decoder.feed(Buffer.from('%1\r\n%1\r\n+toString\r\n:5\r\n:1\r\n%1\r\n*1\r\n(12345678901234567890\r\n:2\r\n'));
  assert.deepEqual(replies, [{ '{"toString":5}': 1 }, { '["12345678901234567890"]': 2 }]);
});
