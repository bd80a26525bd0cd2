// Unit tests of key -> slot (hash tags, every key position rule) and of the redirection parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandSlot, keyIndexes, keySlot } from '../../src/cluster/key-slot';
import { parseRedirection } from '../../src/cluster/redirection';
import { ReplyError } from '../../src/errors';

test('keySlot: the spec examples, hash tags, Buffers and non-ASCII keys', () => {
  assert.equal(keySlot('foo'), 12182);
  assert.equal(keySlot('123456789'), 12739); // CRC16-XMODEM check value 0x31C3 % 16384
  assert.equal(keySlot('{user1000}.following'), keySlot('user1000'));
  assert.equal(keySlot('{user1000}.followers'), keySlot('{user1000}.following'));
  assert.equal(keySlot('foo{}{bar}'), keySlot('foo{}{bar}')); // empty tag: the whole key
  assert.notEqual(keySlot('foo{}{bar}'), keySlot('bar'));
  assert.equal(keySlot('foo{{bar}}zap'), keySlot('{bar'));
  assert.equal(keySlot(Buffer.from('foo')), 12182);
  assert.equal(keySlot('ключ'), keySlot(Buffer.from('ключ')));
});

test('keyIndexes: fixed, movable and container-command key positions', () => {
  assert.deepEqual(keyIndexes('GET', ['k']), [0]);
  assert.deepEqual(keyIndexes('mset', ['a', '1', 'b', '2']), [0, 2]);
  assert.deepEqual(keyIndexes('EVAL', ['return 1', '2', 'a', 'b', 'x']), [2, 3]);
  assert.deepEqual(keyIndexes('xread', ['COUNT', '2', 'STREAMS', 'a', 'b', '0', '0']), [3, 4]);
  assert.deepEqual(keyIndexes('OBJECT', ['ENCODING', 'k']), [1]);
  assert.deepEqual(keyIndexes('memory', ['usage', 'k']), [1]);
  assert.deepEqual(keyIndexes('XGROUP', ['CREATE', 's', 'g', '$']), [1]);
  assert.deepEqual(keyIndexes('XINFO', ['STREAM', 's']), [1]);
  assert.deepEqual(keyIndexes('OBJECT', ['HELP']), []);
  assert.deepEqual(keyIndexes('PING', []), []);
  assert.deepEqual(keyIndexes('MY.MODULECMD', ['k']), []);
  assert.deepEqual(keyIndexes('EVAL', ['return 1', 'notanumber']), []);
});

test('commandSlot: one slot, keyless, cross-slot (hash tags make it one)', () => {
  assert.deepEqual(commandSlot('SET', ['foo', 'v']), { slot: 12182 });
  assert.deepEqual(commandSlot('PING', []), { slot: 'none' });
  assert.deepEqual(commandSlot('MGET', ['{u}a', '{u}b']), { slot: keySlot('u') });
  const cross = commandSlot('MGET', ['a', 'b']);
  assert.equal(cross.slot, 'cross');
  assert.deepEqual(commandSlot('GET', [Buffer.from('foo')]), { slot: 12182 });
  assert.deepEqual(commandSlot('GET', [new Uint8Array(Buffer.from('foo'))]), { slot: 12182 });
});

const from = { host: '127.0.0.1', port: 7000 };

test('parseRedirection: MOVED and ASK with host, empty host, hostname and IPv6', () => {
  assert.deepEqual(parseRedirection(new ReplyError('MOVED 3999 127.0.0.1:6381'), from), {
    kind: 'moved',
    slot: 3999,
    address: { host: '127.0.0.1', port: 6381 },
  });
  assert.deepEqual(parseRedirection(new ReplyError('ASK 3999 :6381'), from), {
    kind: 'ask',
    slot: 3999,
    address: { host: '127.0.0.1', port: 6381 },
  });
  assert.deepEqual(parseRedirection(new ReplyError('MOVED 1 redis-2.example:6379'), from), {
    kind: 'moved',
    slot: 1,
    address: { host: 'redis-2.example', port: 6379 },
  });
  assert.deepEqual(parseRedirection(new ReplyError('MOVED 1 ::1:6379'), from), {
    kind: 'moved',
    slot: 1,
    address: { host: '::1', port: 6379 },
  });
});

test('parseRedirection: TRYAGAIN, CLUSTERDOWN, ordinary errors and garbage', () => {
  assert.deepEqual(parseRedirection(new ReplyError('TRYAGAIN Multiple keys request during rehashing of slot'), from), {
    kind: 'tryagain',
  });
  assert.deepEqual(parseRedirection(new ReplyError('CLUSTERDOWN The cluster is down'), from), { kind: 'clusterdown' });
  assert.equal(parseRedirection(new ReplyError('WRONGTYPE Operation against a key'), from), undefined);
  assert.equal(parseRedirection(new ReplyError('MOVED'), from), undefined);
  assert.equal(parseRedirection(new ReplyError('MOVED x 127.0.0.1:1'), from), undefined);
  assert.equal(parseRedirection(new Error('MOVED 1 127.0.0.1:1'), from), undefined);
});
