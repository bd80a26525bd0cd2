// Unit tests of key -> slot (hash tags, every key position rule) and of the redirection parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as commands from '@ioredis/commands';
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

/** Redis' keyHashSlot() (cluster.c) over bytes, with a bit-by-bit CRC16-XMODEM: the reference. */
function referenceSlot(key: Buffer): number {
  let s = key.indexOf(0x7b);
  let e = key.length;
  if (s !== -1) {
    const close = key.indexOf(0x7d, s + 1);
    if (close === -1 || close === s + 1) s = -1;
    else e = close;
  }
  let crc = 0;
  for (let i = s === -1 ? 0 : s + 1; i < e; i++) {
    crc ^= key[i] << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc & 0x3fff;
}

test('keySlot: what the server answers to CLUSTER KEYSLOT for empty tags followed by a brace', () => {
  // Values from redis-server 7.0's CLUSTER KEYSLOT. cluster-key-slot 1.1 gives 4015 and 3300 for the
  // first two: after an empty tag it went on looking for a tag, the server hashes the whole key.
  assert.equal(keySlot('foo{}{bar}'), 8363);
  assert.equal(keySlot('{}b}'), 1089);
  assert.equal(keySlot('a{}'), 6082);
  assert.equal(keySlot('ключ{тег}z'), 14548);
  assert.equal(keySlot('x{y}'), 12222);
});

test('keySlot: strings, Buffers and Uint8Arrays agree with the reference on random keys', () => {
  const alphabet = ['a', 'b', 'Z', '0', '{', '}', '{', '}', ':', ' ', 'é', 'ключ', '\u{1F600}', '\0', '\x7f', '\x80'];
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let n = 0; n < 5000; n++) {
    let key = '';
    // Up to 40 pieces: long enough that braces fall at odd and even places (keys are read two characters a step).
    const len = rand(40);
    for (let i = 0; i < len; i++) key += alphabet[rand(alphabet.length)];
    const bytes = Buffer.from(key, 'utf8');
    const want = referenceSlot(bytes);
    assert.equal(keySlot(key), want, JSON.stringify(key));
    assert.equal(keySlot(bytes), want, JSON.stringify(key));
    assert.equal(keySlot(new Uint8Array(bytes)), want, JSON.stringify(key));
  }
});

test('commandSlot agrees with keyIndexes for every command in the table, upper and lower case', () => {
  const argLists: string[][] = [[], ['a'], ['a', 'b'], ['{t}a', '{t}b', '{t}c'], ['k1', 'v1', 'k2', 'v2', 'k3']];
  for (const lower of commands.list) {
    for (const name of [lower, lower.toUpperCase()]) {
      for (const args of argLists) {
        const slots = new Set(
          keyIndexes(name, args)
            .filter((i) => args[i] !== undefined)
            .map((i) => keySlot(args[i])),
        );
        const got = commandSlot(name, args);
        if (slots.size === 0) assert.deepEqual(got, { slot: 'none' }, `${name} ${args.join(' ')}`);
        else if (slots.size === 1) assert.deepEqual(got, { slot: [...slots][0] }, `${name} ${args.join(' ')}`);
        else assert.deepEqual(new Set(got.slot === 'cross' ? got.slots : []), slots, `${name} ${args.join(' ')}`);
      }
    }
  }
  assert.deepEqual(commandSlot('MY.MODULECMD', ['k']), { slot: 'none' });
  assert.deepEqual(commandSlot('OBJECT', ['ENCODING', 'foo']), { slot: 12182 });
  assert.deepEqual(commandSlot('MSET', ['{u}a', '1', '{u}b', '2']), { slot: keySlot('u') });
  assert.deepEqual(commandSlot('SET', [42, 'v']), { slot: keySlot('42') });
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
