// MONITOR's feed lines, parsed without a server: the quoting and escapes Redis writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMonitorLine } from '../../src/client/monitor';

test('a feed line: time, database, source, arguments', () => {
  assert.deepEqual(parseMonitorLine('1700000000.123456 [3 127.0.0.1:5555] "SET" "k" "v"'), {
    timestamp: 1700000000.123456,
    db: 3,
    source: '127.0.0.1:5555',
    args: ['SET', 'k', 'v'],
  });
  assert.deepEqual(parseMonitorLine('1700000000.000001 [0 lua] "incr" "n"')?.source, 'lua');
  assert.deepEqual(parseMonitorLine('1700000000.000001 [0 unix:/tmp/r.sock] "PING"')?.source, 'unix:/tmp/r.sock');
});

test('escapes: quotes, backslashes, control characters, \\xHH bytes, UTF-8', () => {
  const line = String.raw`1.5 [0 127.0.0.1:1] "SET" "a b" "x\"y\n" "back\\slash" "\x01\t" "caf\xc3\xa9" "café"`;
  assert.deepEqual(parseMonitorLine(line)?.args, ['SET', 'a b', 'x"y\n', 'back\\slash', '\x01\t', 'café', 'café']);
  assert.deepEqual(parseMonitorLine('1.5 [0 127.0.0.1:1] "SET" "" "]"')?.args, ['SET', '', ']']);
});

test('replies that are not feed lines are not taken', () => {
  for (const reply of ['OK', 'PONG', 'id=3 addr=127.0.0.1:5 laddr=...', 1, null, ['a'], Buffer.from('1.5 [0 x] "A"')]) {
    assert.equal(parseMonitorLine(reply), undefined, String(reply));
  }
});
