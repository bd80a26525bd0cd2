import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import { CommandEncoder, checkArg, encodeCommand } from '../../src/protocol/encoder';

const wire = (s: string): Buffer => Buffer.from(s, 'utf8');

test('encodes a command as a RESP array of bulk strings', () => {
  assert.deepEqual(encodeCommand('SET', ['key', 'value']), wire('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n'));
  assert.deepEqual(encodeCommand('PING', []), wire('*1\r\n$4\r\nPING\r\n'));
});

test('encodes the empty string and an empty Buffer as empty bulk strings', () => {
  assert.deepEqual(encodeCommand('SET', ['', Buffer.alloc(0)]), wire('*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n'));
});

test('counts multi-byte utf8 in bytes, not characters', () => {
  assert.deepEqual(
    encodeCommand('SET', ['é', '日本', '🙂']),
    wire('*4\r\n$3\r\nSET\r\n$2\r\né\r\n$6\r\n日本\r\n$4\r\n🙂\r\n'),
  );
  const encoder = new CommandEncoder();
  encoder.write('SET', ['🙂', 'x'.repeat(10)]);
  assert.equal(encoder.pendingBytes, encodeCommand('SET', ['🙂', 'x'.repeat(10)]).length);
});

test('numbers become decimal text; Infinity is inf', () => {
  assert.deepEqual(
    encodeCommand('ZADD', [0, -1, 1.5, Infinity, -Infinity, -0, 1e21]),
    wire(
      '*8\r\n$4\r\nZADD\r\n$1\r\n0\r\n$2\r\n-1\r\n$3\r\n1.5\r\n$3\r\ninf\r\n$4\r\n-inf\r\n$1\r\n0\r\n$5\r\n1e+21\r\n',
    ),
  );
});

test('bigints become decimal text', () => {
  assert.deepEqual(
    encodeCommand('INCRBY', ['k', 9223372036854775807n, -5n]),
    wire('*4\r\n$6\r\nINCRBY\r\n$1\r\nk\r\n$19\r\n9223372036854775807\r\n$2\r\n-5\r\n'),
  );
});

test('Buffers and Uint8Arrays are passed through as their own chunks, not copied', () => {
  const big = Buffer.alloc(100 * 1024, 7);
  const bytes = new Uint8Array([0, 255, 13, 10]);
  const view = new Uint8Array(new ArrayBuffer(16), 4, 3);
  view.set([1, 2, 3]);
  const encoder = new CommandEncoder();
  encoder.write('SET', ['k', big]);
  encoder.write('MSET', [bytes, view]);
  const chunks = encoder.take();
  assert.deepEqual(
    chunks.map((c) => (typeof c === 'string' ? c : `<${c.length}>`)),
    [
      '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$102400\r\n',
      '<102400>',
      '\r\n*3\r\n$4\r\nMSET\r\n$4\r\n',
      '<4>',
      '\r\n$3\r\n',
      '<3>',
      '\r\n',
    ],
  );
  assert.equal(chunks[1], big, 'the very same Buffer');
  const bytesChunk = chunks[3] as Buffer;
  assert.equal(bytesChunk.buffer, bytes.buffer, 'a view of the same memory');
  const viewChunk = chunks[5] as Buffer;
  assert.equal(viewChunk.buffer, view.buffer);
  assert.equal(viewChunk.byteOffset, 4);
  assert.deepEqual([...viewChunk], [1, 2, 3]);
});

test('commands written in one tick come out as one string; take() resets', () => {
  const encoder = new CommandEncoder();
  assert.equal(encoder.pendingBytes, 0);
  assert.deepEqual(encoder.take(), []);
  encoder.write('GET', ['a']);
  encoder.write('GET', ['b']);
  assert.equal(encoder.pendingBytes, 40);
  assert.deepEqual(encoder.take(), ['*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n']);
  assert.equal(encoder.pendingBytes, 0);
  assert.deepEqual(encoder.take(), []);
  encoder.write('PING', []);
  assert.deepEqual(encoder.take(), ['*1\r\n$4\r\nPING\r\n']);
});

test('pendingBytes matches the bytes written, with Buffers and long lengths', () => {
  const args = ['x'.repeat(123_456), Buffer.alloc(99_999), 12345678901234567890n, 'ü'.repeat(50_000), 3.25];
  const encoder = new CommandEncoder();
  encoder.write('SET', args);
  encoder.write('SET', args);
  const expected = encoder.pendingBytes;
  const total = encoder.take().reduce((n, c) => n + (typeof c === 'string' ? Buffer.byteLength(c) : c.length), 0);
  assert.equal(expected, total);
  assert.equal(expected, 2 * encodeCommand('SET', args).length);
});

test('checkArg accepts every valid Arg', () => {
  for (const arg of ['', 'x', 0, -1.5, Infinity, -Infinity, 10n, Buffer.alloc(1), new Uint8Array(2)]) {
    assert.equal(checkArg(arg), undefined, String(arg));
  }
  // A Uint8Array from another realm (a vm context, a worker's transfer) is still a Uint8Array.
  assert.equal(checkArg(vm.runInNewContext('new Uint8Array(3)')), undefined);
});

test('checkArg says what is wrong with an invalid argument', () => {
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /^undefined is not a valid argument/],
    [null, /^null is not a valid argument/],
    [NaN, /^NaN is not a valid number argument/],
    [true, /^a boolean \(true\) is not a valid argument/],
    [Symbol('s'), /^a symbol is not a valid argument/],
    [() => 1, /^a function is not a valid argument/],
    [{}, /^an object is not a valid argument/],
    [['a'], /^an array is not a valid argument: pass its elements as separate arguments/],
    [new Uint16Array(1), /^a Uint16Array is not a valid argument/],
    [new ArrayBuffer(1), /^an ArrayBuffer is not a valid argument/],
    [new DataView(new ArrayBuffer(1)), /^a DataView is not a valid argument/],
    [new Date(0), /^an object is not a valid argument/],
  ];
  for (const [arg, message] of cases) {
    const problem = checkArg(arg);
    assert.ok(problem !== undefined && message.test(problem), `${String(problem)} for ${typeof arg}`);
  }
});

test('a very large batch is split into several strings instead of one huge one', () => {
  const encoder = new CommandEncoder();
  const value = 'v'.repeat(1024 * 1024);
  for (let i = 0; i < 20; i++) encoder.write('SET', ['k', value]);
  const expected = encoder.pendingBytes;
  const chunks = encoder.take();
  assert.ok(chunks.length >= 2, `${chunks.length} chunk(s)`);
  assert.ok(chunks.every((c) => typeof c === 'string' && c.length <= 9 * 1024 * 1024));
  assert.equal(
    chunks.reduce((n, c) => n + Buffer.byteLength(c), 0),
    expected,
  );
});
