import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullQueryText, MAX_QUERY_TEXT_LENGTH, sanitizedQueryText } from '../../src/otel/query-text';

test('sanitized: keys and subcommands stay, every other argument is ?', () => {
  assert.equal(sanitizedQueryText('PING', []), 'PING');
  assert.equal(sanitizedQueryText('SET', ['user:1', 'secret', 'EX', 60]), 'SET user:1 ? ? ?');
  assert.equal(sanitizedQueryText('MSET', ['a', '1', 'b', '2']), 'MSET a ? b ?');
  assert.equal(sanitizedQueryText('HSET', ['h', 'field', 'value']), 'HSET h ? ?');
  assert.equal(sanitizedQueryText('EVAL', ['return redis.call("GET", KEYS[1])', 1, 'k', 'arg']), 'EVAL ? ? k ?');
  assert.equal(sanitizedQueryText('XREAD', ['COUNT', 2, 'STREAMS', 's1', 's2', '0', '0']), 'XREAD ? ? ? s1 s2 ? ?');
  assert.equal(sanitizedQueryText('CONFIG', ['SET', 'requirepass', 'x']), 'CONFIG SET ? ?');
  assert.equal(sanitizedQueryText('client', ['LIST']), 'client LIST', 'the name as the application wrote it');
  assert.equal(sanitizedQueryText('get', ['k']), 'get k', 'lower-case names find their keys too');
});

test('sanitized: unknown commands show no argument; odd keys are quoted; bigints and buffers work', () => {
  assert.equal(sanitizedQueryText('MODULE.CMD', ['a', 'b']), 'MODULE.CMD ? ?');
  assert.equal(sanitizedQueryText('GET', ['key with spaces']), 'GET "key with spaces"');
  assert.equal(sanitizedQueryText('GET', [Buffer.from('bin:key')]), 'GET bin:key');
  assert.equal(sanitizedQueryText('INCRBY', ['n', 10n]), 'INCRBY n ?');
  assert.equal(sanitizedQueryText('GET', [new Uint8Array([0x61, 0x62])]), 'GET ab');
  assert.equal(sanitizedQueryText('AUTH', ['?']), 'AUTH ?', 'credentials were redacted before anyone saw them');
});

test('full: every argument, quoted like redis-cli where needed', () => {
  assert.equal(fullQueryText('SET', ['k', 'hello world', 'EX', 60]), 'SET k "hello world" EX 60');
  assert.equal(fullQueryText('SET', ['k', 'say "hi"']), 'SET k "say \\"hi\\""');
  assert.equal(fullQueryText('SET', ['k', '']), 'SET k ""');
});

test('long texts are cut at MAX_QUERY_TEXT_LENGTH', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `key:${i}`);
  const sanitized = sanitizedQueryText('MGET', keys);
  assert.equal(sanitized.length, MAX_QUERY_TEXT_LENGTH);
  assert.ok(sanitized.endsWith('…'));
  assert.equal(fullQueryText('MGET', keys).length, MAX_QUERY_TEXT_LENGTH);
});
