// The facade's pure parts: ioredis' constructor forms and option names, argument forms, reply shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashObject, numbers, toArgs } from '../../src/compat/ioredis/convert';
import { parseArgs, translate } from '../../src/compat/ioredis/options';

test('constructor forms: (port, host, options), (url, options), (path), (options)', () => {
  assert.deepEqual(parseArgs([6380, 'redis.local', { db: 2 }]), { port: 6380, host: 'redis.local', db: 2 });
  assert.deepEqual(parseArgs(['redis://u:p@h:7000/3', { connectionName: 'x' }]), {
    host: 'h',
    port: 7000,
    username: 'u',
    password: 'p',
    db: 3,
    connectionName: 'x',
  });
  assert.deepEqual(parseArgs(['/tmp/redis.sock']), { path: '/tmp/redis.sock' });
  assert.deepEqual(parseArgs(['6390']), { port: 6390 });
  assert.deepEqual(parseArgs([]), {});
});

test('ioredis option names become romaine options; the facade always asks for RESP2', () => {
  const { romaine, view } = translate({
    db: 1,
    connectionName: 'api',
    connectTimeout: 1000,
    commandTimeout: 500,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: null,
    romaine: { healthCheck: false },
  });
  assert.deepEqual(romaine, {
    database: 1,
    clientName: 'api',
    connectTimeoutMs: 1000,
    commandTimeoutMs: 500,
    offlineQueue: false,
    retryInFlight: 'never',
    protocol: 2,
    healthCheck: false,
  });
  assert.equal(view.maxRetriesPerRequest, null);
  assert.equal(view.enableOfflineQueue, false);
});

test('retryStrategy: a non-number answer fails, a number leaves the decision to the default policy', () => {
  const { romaine } = translate({ retryStrategy: (times) => (times > 2 ? null : 100) });
  const decide = (romaine.reconnect as { decide: (i: { attempt: number }) => unknown }).decide;
  assert.equal(decide({ attempt: 1 }), undefined);
  assert.equal(decide({ attempt: 3 }), 'fail');
});

test("arguments: arrays flattened one level, null/undefined as '', objects for hset/mset, other objects refused", () => {
  assert.deepEqual(toArgs('del', ['a', ['b', 'c']]), ['a', 'b', 'c']);
  assert.deepEqual(toArgs('set', ['k', null]), ['k', '']);
  assert.deepEqual(toArgs('hset', ['h', { a: 1, b: 'x' }]), ['h', 'a', '1', 'b', 'x']);
  assert.deepEqual(toArgs('mset', [new Map([['k', 1]])]), ['k', '1']);
  assert.deepEqual(toArgs('incrby', ['k', 2 ** 60]), ['k', '1152921504606846976']);
  assert.throws(() => toArgs('set', ['k', { a: 1 }]), /not a valid argument.*\[object Object\]/);
  const b = Buffer.from('x');
  assert.equal(toArgs('set', ['k', b])[1], b, 'a Buffer is passed as it is');
});

test("replies: hgetall as an object ('__proto__' a field), bigints as numbers or strings", () => {
  const h = hashObject(['a', '1', '__proto__', 'x']) as Record<string, unknown>;
  assert.equal(h.a, '1');
  assert.equal(Object.getOwnPropertyDescriptor(h, '__proto__')?.value, 'x');
  assert.equal(Object.getPrototypeOf(h), Object.prototype);
  assert.deepEqual(numbers([1, [2n ** 60n]], false), [1, [2 ** 60]]);
  assert.deepEqual(numbers([1, 'a', [2n ** 60n]], true), ['1', 'a', ['1152921504606846976']]);
  const untouched = ['a', 1];
  assert.equal(numbers(untouched, false), untouched, 'no copy when nothing changes');
});
