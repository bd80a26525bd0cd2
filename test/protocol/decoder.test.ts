import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError, ReplyError } from '../../src/errors';
import { Decoder } from '../../src/protocol/decoder';
import { decodeSplit, feedings, recorder, type Event } from './resp-model';

const hex = (s: string): { buffer: string } => ({ buffer: Buffer.from(s).toString('hex') });
const err = (message: string, code: string): unknown => ({ error: message, code });
const map = (...entries: Array<[string, unknown]>): unknown => ({ map: entries });

interface Fixture {
  name: string;
  wire: string | Buffer;
  events: Event[];
  buffers?: boolean[];
}

const r = (reply: unknown): Event => ({ reply });

const fixtures: Fixture[] = [
  { name: 'simple string OK', wire: '+OK\r\n', events: [r('OK')] },
  { name: 'simple string', wire: '+hello world\r\n', events: [r('hello world')] },
  { name: 'empty simple string', wire: '+\r\n', events: [r('')] },
  { name: 'utf8 simple string', wire: '+héllo ✓\r\n', events: [r('héllo ✓')] },
  { name: 'OK-like simple string', wire: '+OKAY\r\n', events: [r('OKAY')] },
  {
    name: 'simple error',
    wire: '-ERR unknown command\r\n',
    events: [r(err('ERR unknown command', 'ERR'))],
  },
  {
    name: 'simple error code',
    wire: '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n',
    events: [r(err('WRONGTYPE Operation against a key holding the wrong kind of value', 'WRONGTYPE'))],
  },
  { name: 'integer 0', wire: ':0\r\n', events: [r(0)] },
  { name: 'negative integer', wire: ':-42\r\n', events: [r(-42)] },
  { name: 'integer with plus sign', wire: ':+7\r\n', events: [r(7)] },
  { name: 'integer -0 is 0', wire: ':-0\r\n', events: [r(0)] },
  { name: '15-digit integer', wire: ':123456789012345\r\n', events: [r(123456789012345)] },
  { name: 'max safe integer', wire: ':9007199254740991\r\n', events: [r(9007199254740991)] },
  { name: 'min safe integer', wire: ':-9007199254740991\r\n', events: [r(-9007199254740991)] },
  { name: 'unsafe integer is a bigint', wire: ':9007199254740992\r\n', events: [r(9007199254740992n)] },
  { name: 'int64 min', wire: ':-9223372036854775808\r\n', events: [r(-9223372036854775808n)] },
  { name: 'uint64 max', wire: ':18446744073709551615\r\n', events: [r(18446744073709551615n)] },
  { name: 'bulk string', wire: '$5\r\nhello\r\n', events: [r('hello')] },
  { name: 'empty bulk string', wire: '$0\r\n\r\n', events: [r('')] },
  { name: 'bulk string with CRLF inside', wire: '$4\r\na\r\nb\r\n', events: [r('a\r\nb')] },
  { name: 'utf8 bulk string counts bytes', wire: '$6\r\nnaïve\r\n', events: [r('naïve')] },
  { name: 'null bulk string', wire: '$-1\r\n', events: [r(null)] },
  { name: 'null array', wire: '*-1\r\n', events: [r(null)] },
  { name: 'RESP3 null', wire: '_\r\n', events: [r(null)] },
  { name: 'empty array', wire: '*0\r\n', events: [r([])] },
  {
    name: 'nested array',
    wire: '*3\r\n:1\r\n*2\r\n+a\r\n$1\r\nb\r\n*0\r\n',
    events: [r([1, ['a', 'b'], []])],
  },
  {
    name: 'EXEC result with an error inside',
    wire: '*3\r\n+OK\r\n-WRONGTYPE bad\r\n:2\r\n',
    events: [r(['OK', err('WRONGTYPE bad', 'WRONGTYPE'), 2])],
  },
  { name: 'array with nulls', wire: '*3\r\n$-1\r\n_\r\n*-1\r\n', events: [r([null, null, null])] },
  { name: 'true', wire: '#t\r\n', events: [r(true)] },
  { name: 'false', wire: '#f\r\n', events: [r(false)] },
  { name: 'double', wire: ',1.5\r\n', events: [r(1.5)] },
  { name: 'negative double', wire: ',-0.25\r\n', events: [r(-0.25)] },
  { name: 'integral double', wire: ',10\r\n', events: [r(10)] },
  { name: 'double with exponent', wire: ',1.5e10\r\n', events: [r(1.5e10)] },
  { name: 'double with signed exponent', wire: ',1E-3\r\n', events: [r(0.001)] },
  { name: 'double -0', wire: ',-0\r\n', events: [r(-0)] },
  { name: 'double inf', wire: ',inf\r\n', events: [r(Infinity)] },
  { name: 'double -inf', wire: ',-inf\r\n', events: [r(-Infinity)] },
  { name: 'double nan', wire: ',nan\r\n', events: [r(NaN)] },
  {
    name: 'big number',
    wire: '(3492890328409238509324850943850943825024385\r\n',
    events: [r(3492890328409238509324850943850943825024385n)],
  },
  { name: 'negative big number', wire: '(-5\r\n', events: [r(-5n)] },
  { name: 'verbatim string', wire: '=15\r\ntxt:Some string\r\n', events: [r('Some string')] },
  { name: 'empty verbatim string', wire: '=4\r\nmkd:\r\n', events: [r('')] },
  {
    name: 'bulk error',
    wire: '!21\r\nSYNTAX invalid syntax\r\n',
    events: [r(err('SYNTAX invalid syntax', 'SYNTAX'))],
  },
  {
    name: 'map',
    wire: '%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n:2\r\n',
    events: [r(map(['first', 1], ['second', 2]))],
  },
  { name: 'empty map', wire: '%0\r\n', events: [r(map())] },
  {
    name: 'map keys are stringified',
    wire: '%2\r\n:1\r\n+a\r\n#t\r\n+b\r\n',
    events: [r(map(['1', 'a'], ['true', 'b']))],
  },
  { name: 'map duplicate key: last wins', wire: '%2\r\n+k\r\n:1\r\n+k\r\n:2\r\n', events: [r(map(['k', 2]))] },
  {
    name: 'nested map',
    wire: '%1\r\n+server\r\n%2\r\n+name\r\n+redis\r\n+modules\r\n*0\r\n',
    events: [r(map(['server', map(['name', 'redis'], ['modules', []])]))],
  },
  { name: 'set', wire: '~3\r\n+a\r\n:1\r\n#f\r\n', events: [r(['a', 1, false])] },
  { name: 'empty set', wire: '~0\r\n', events: [r([])] },
  { name: 'null set', wire: '~-1\r\n', events: [r(null)] },
  {
    name: 'attribute before a reply',
    wire:
      '|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n' + '*2\r\n:2039123\r\n:9543892\r\n',
    events: [{ attribute: map(['key-popularity', map(['a', 0.1923], ['b', 0.0012])]) }, r([2039123, 9543892])],
  },
  {
    name: 'attribute inside an array is not an element',
    wire: '*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n',
    events: [{ attribute: map(['ttl', 3600]) }, r([1, 2])],
  },
  {
    name: 'attribute before the last element of an array',
    wire: '*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n',
    events: [{ attribute: map(['ttl', 3600]) }, r([1, 2])],
  },
  { name: 'empty attribute', wire: '|0\r\n:1\r\n', events: [{ attribute: map() }, r(1)] },
  {
    name: 'push',
    wire: '>3\r\n+message\r\n$4\r\nchan\r\n$5\r\nhello\r\n',
    events: [{ push: ['message', 'chan', 'hello'] }],
  },
  { name: 'empty push', wire: '>0\r\n', events: [{ push: [] }] },
  {
    name: 'push between replies',
    wire: ':1\r\n>2\r\n+invalidate\r\n*1\r\n$3\r\nkey\r\n:2\r\n',
    events: [r(1), { push: ['invalidate', ['key']] }, r(2)],
  },
  { name: 'nested > is an array', wire: '*1\r\n>2\r\n:1\r\n:2\r\n', events: [r([[1, 2]])] },
  {
    name: 'many frames in one chunk',
    wire: '+OK\r\n:1\r\n$1\r\nx\r\n*1\r\n+y\r\n_\r\n',
    events: [r('OK'), r(1), r('x'), r(['y']), r(null)],
  },
  // returnBuffers: the owner flips the flag from onReply; each reply reads it at its first byte.
  {
    name: 'returnBuffers: bulk and verbatim strings become Buffers',
    wire: '*4\r\n$5\r\nhello\r\n=8\r\ntxt:abcd\r\n+simple\r\n:1\r\n',
    buffers: [true],
    events: [r([hex('hello'), hex('abcd'), 'simple', 1])],
  },
  {
    name: 'returnBuffers: map keys stay strings, values become Buffers',
    wire: '%1\r\n$3\r\nkey\r\n$5\r\nvalue\r\n',
    buffers: [true],
    events: [r(map(['key', hex('value')]))],
  },
  {
    name: 'returnBuffers: bulk errors stay ReplyErrors',
    wire: '!5\r\nERR x\r\n',
    buffers: [true],
    events: [r(err('ERR x', 'ERR'))],
  },
  {
    name: 'returnBuffers: an attribute inside a Buffer reply is decoded with strings',
    wire: '*2\r\n|1\r\n$3\r\nttl\r\n$2\r\n10\r\n$1\r\na\r\n$1\r\nb\r\n',
    buffers: [true],
    events: [{ attribute: map(['ttl', '10']) }, r([hex('a'), hex('b')])],
  },
  {
    name: 'returnBuffers switches between frames in one chunk',
    wire: '$1\r\na\r\n$1\r\nb\r\n*1\r\n$1\r\nc\r\n$1\r\nd\r\n',
    buffers: [false, true, true, false],
    events: [r('a'), r(hex('b')), r([hex('c')]), r('d')],
  },
  {
    name: 'returnBuffers: a push in between is decoded with strings and does not use up the flag',
    wire: '$1\r\na\r\n>2\r\n$7\r\nmessage\r\n$1\r\nx\r\n$1\r\nb\r\n',
    buffers: [false, true],
    events: [r('a'), { push: ['message', 'x'] }, r(hex('b'))],
  },
];

for (const fixture of fixtures) {
  test(`decodes ${fixture.name}, whole, byte by byte and split anywhere`, () => {
    const wire = Buffer.isBuffer(fixture.wire) ? fixture.wire : Buffer.from(fixture.wire);
    for (const [how, splits] of feedings(wire)) {
      assert.deepEqual(decodeSplit(wire, splits, { buffers: fixture.buffers }), fixture.events, how);
    }
  });
}

test('error replies are ReplyError values, not thrown', () => {
  const replies: unknown[] = [];
  const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: () => {} });
  decoder.feed(Buffer.from('-NOAUTH Authentication required.\r\n*1\r\n!3\r\nERR\r\n'));
  assert.ok(replies[0] instanceof ReplyError);
  assert.equal(replies[0].code, 'NOAUTH');
  assert.equal(replies[0].message, 'NOAUTH Authentication required.');
  assert.ok(Array.isArray(replies[1]) && replies[1][0] instanceof ReplyError);
});

test('a __proto__ map key becomes an own property and leaves prototypes alone', () => {
  const wire = '%3\r\n+__proto__\r\n%1\r\n+polluted\r\n#t\r\n+constructor\r\n:1\r\n$9\r\n__proto__\r\n+last\r\n';
  for (const buffers of [false, true]) {
    const replies: unknown[] = [];
    const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: () => {} });
    decoder.returnBuffers = buffers;
    decoder.feed(Buffer.from(wire));
    const value = replies[0] as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.ok(Object.hasOwn(value, '__proto__'));
    assert.equal(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, 'last');
    assert.equal(value.constructor, 1);
    assert.deepEqual(Object.keys(value), ['__proto__', 'constructor']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  }
});

test('a Buffer reply is a copy, not a view of the fed chunk', () => {
  const replies: unknown[] = [];
  const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: () => {} });
  decoder.returnBuffers = true;
  const chunk = Buffer.from('$3\r\nabc\r\n$2\r\nxy\r\n');
  decoder.feed(chunk.subarray(0, 13)); // the second body arrives in one piece after its header
  decoder.feed(chunk.subarray(13));
  chunk.fill(0);
  assert.deepEqual(replies, [Buffer.from('abc'), Buffer.from('xy')]);
});

test('attributes are skipped when there is no onAttribute handler', () => {
  const replies: unknown[] = [];
  const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: () => {} });
  decoder.feed(Buffer.from('|1\r\n+a\r\n+b\r\n*2\r\n|1\r\n+c\r\n+d\r\n:1\r\n:2\r\n'));
  assert.deepEqual(replies, [[1, 2]]);
});

test('returnBuffers set between feeds applies to the next frame, not to one already begun', () => {
  const replies: unknown[] = [];
  const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: () => {} });
  decoder.feed(Buffer.from('$3\r\nab'));
  decoder.returnBuffers = true; // too late for the frame in progress
  decoder.feed(Buffer.from('c\r\n$1\r\nd\r\n'));
  assert.deepEqual(replies, ['abc', Buffer.from('d')]);
});

test('bufferedBytes counts the bytes of an incomplete frame', () => {
  const { decoder, events } = recorder();
  decoder.feed(Buffer.from('*2\r\n:1\r\n$10\r\n0123'));
  assert.equal(decoder.bufferedBytes, 4);
  decoder.feed(Buffer.from('4567'));
  assert.equal(decoder.bufferedBytes, 8);
  decoder.feed(Buffer.from('89\r'));
  assert.equal(decoder.bufferedBytes, 11);
  decoder.feed(Buffer.from('\n+O'));
  assert.equal(decoder.bufferedBytes, 2);
  assert.deepEqual(events, [{ reply: [1, '0123456789'] }]);
  decoder.feed(Buffer.from('K\r\n'));
  assert.equal(decoder.bufferedBytes, 0);
  assert.deepEqual(events, [{ reply: [1, '0123456789'] }, { reply: 'OK' }]);
});

test('a bulk body split over many chunks is concatenated once', (t) => {
  const concat = t.mock.method(Buffer, 'concat');
  const body = Buffer.alloc(1 << 20, 'x');
  const { decoder, events } = recorder();
  decoder.feed(Buffer.from(`$${body.length}\r\n`));
  for (let i = 0; i < body.length; i += 1000) decoder.feed(body.subarray(i, i + 1000));
  decoder.feed(Buffer.from('\r\n'));
  assert.equal(concat.mock.callCount(), 1);
  assert.equal(events.length, 1);
  assert.equal((events[0] as { reply: string }).reply.length, body.length);
});

test('a long line split over many chunks is concatenated once', (t) => {
  const concat = t.mock.method(Buffer, 'concat');
  const { decoder, events } = recorder();
  const line = 'y'.repeat(200_000);
  const wire = Buffer.from(`+${line}\r\n`);
  for (let i = 0; i < wire.length; i += 999) decoder.feed(wire.subarray(i, i + 999));
  assert.equal(concat.mock.callCount(), 1);
  assert.deepEqual(events, [{ reply: line }]);
});

test('an array split over many chunks resumes where it stopped', () => {
  const n = 10_000;
  const wire = Buffer.from(`*${n}\r\n` + ':7\r\n'.repeat(n));
  const { decoder, events } = recorder();
  for (let i = 0; i < wire.length; i += 3) decoder.feed(wire.subarray(i, i + 3));
  assert.equal(events.length, 1);
  assert.deepEqual(events[0], { reply: new Array<number>(n).fill(7) });
});

test('a 100 KB bulk string arrives intact in 64 KB chunks', () => {
  const body = Buffer.alloc(100 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = i % 251;
  const wire = Buffer.concat([Buffer.from(`$${body.length}\r\n`), body, Buffer.from('\r\n:1\r\n')]);
  const events = decodeSplit(wire, [65536], { buffers: [true] });
  assert.deepEqual(events, [{ reply: { buffer: body.toString('hex') } }, { reply: 1 }]);
});

test('reset() forgets a partial frame', () => {
  const { decoder, events } = recorder();
  decoder.feed(Buffer.from('*2\r\n:1\r\n$5\r\nab'));
  decoder.reset();
  assert.equal(decoder.bufferedBytes, 0);
  decoder.feed(Buffer.from('+OK\r\n'));
  assert.deepEqual(events, [{ reply: 'OK' }]);
});

test('a ProtocolError is sticky until reset()', () => {
  const { decoder, events } = recorder();
  assert.throws(() => decoder.feed(Buffer.from('?')), ProtocolError);
  assert.throws(() => decoder.feed(Buffer.from('+OK\r\n')), ProtocolError);
  decoder.reset();
  decoder.feed(Buffer.from('+OK\r\n'));
  assert.deepEqual(events, [{ reply: 'OK' }]);
});

test('a handler that throws ends decoding: the rest of the chunk is not decoded silently', () => {
  const replies: unknown[] = [];
  const decoder = new Decoder({
    onReply(value) {
      if (value === 'boom') throw new Error('handler bug');
      replies.push(value);
    },
    onPush: () => {},
  });
  assert.throws(() => decoder.feed(Buffer.from('+a\r\n+boom\r\n+c\r\n')), /handler bug/);
  assert.throws(
    () => decoder.feed(Buffer.from('+d\r\n')),
    (err: unknown) => {
      return err instanceof ProtocolError && /a handler threw \(handler bug\)/.test(err.message);
    },
  );
  assert.deepEqual(replies, ['a']);
  decoder.reset();
  decoder.feed(Buffer.from('+e\r\n'));
  assert.deepEqual(replies, ['a', 'e']);
});

test('flatMaps with returnBuffers: a map is a flat array of Buffers (binary keys kept); attributes and later frames are untouched', () => {
  const replies: unknown[] = [];
  const attributes: unknown[] = [];
  const decoder = new Decoder({
    onReply: (v) => replies.push(v),
    onPush: () => {},
    onAttribute: (a) => attributes.push(a),
  });
  decoder.returnBuffers = true;
  decoder.flatMaps = true;
  const key = Buffer.from([0xff, 0xfe]);
  decoder.feed(
    Buffer.concat([
      Buffer.from('|1\r\n+a\r\n%1\r\n+b\r\n:1\r\n%2\r\n$2\r\n'),
      key,
      Buffer.from('\r\n$1\r\nv\r\n+k\r\n%0\r\n'),
    ]),
  );
  decoder.returnBuffers = false;
  decoder.flatMaps = false;
  decoder.feed(Buffer.from('%1\r\n+k\r\n$1\r\nv\r\n'));
  assert.deepEqual(replies, [[key, Buffer.from('v'), 'k', []], { k: 'v' }]);
  assert.deepEqual(attributes, [{ a: { b: 1 } }]);
});

test('pushBuffers: push frames come with Buffers, replies keep their own mode', () => {
  const replies: unknown[] = [];
  const pushes: unknown[] = [];
  const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: (p) => pushes.push(p) });
  decoder.pushBuffers = true;
  decoder.feed(Buffer.from('>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\n\xff\x00\r\n$1\r\nr\r\n', 'latin1'));
  assert.deepEqual(pushes, [[Buffer.from('message'), Buffer.from('c'), Buffer.from([0xff, 0x00])]]);
  assert.deepEqual(replies, ['r']);
});
