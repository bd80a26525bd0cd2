import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions, parseUrl, redactUrl } from '../../src/client/options';
import { InvalidArgumentError } from '../../src/errors';
import { createClient, VERSION } from '../../src/index';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('URLs', () => {
  test('redis:// with user, password, port and database', () => {
    assert.deepEqual(parseUrl('redis://alice:s%40cret@cache.local:6380/2'), {
      host: 'cache.local',
      port: 6380,
      database: 2,
      username: 'alice',
      password: 's@cret',
    });
  });
  test('rediss:// turns TLS on; IPv6 hosts; query parameters', () => {
    assert.deepEqual(parseUrl('rediss://[::1]:7000?db=3&protocol=2&name=worker'), {
      host: '::1',
      port: 7000,
      tls: true,
      database: 3,
      protocol: 2,
      clientName: 'worker',
    });
  });
  test('unix:// socket with db', () => {
    assert.deepEqual(parseUrl('unix:///var/run/redis.sock?db=1'), { path: '/var/run/redis.sock', database: 1 });
  });
  test('bad URLs fail with a clear message and never echo the password', () => {
    assert.throws(() => parseUrl('http://h:1'), /unsupported URL scheme 'http:'/);
    assert.throws(
      () => parseUrl('redis://u:topsecret@h:1/x'),
      (e: Error) => e instanceof InvalidArgumentError && !e.message.includes('topsecret'),
    );
    assert.throws(() => parseUrl('redis://h?color=red'), /unknown URL parameter 'color'/);
    assert.throws(() => parseUrl('not a url'), InvalidArgumentError);
    assert.equal(redactUrl('redis://u:pw@h:1'), 'redis://u:***@h:1');
  });
});

describe('options are validated up front, naming the option', () => {
  const bad: Array<[object, RegExp]> = [
    [{ hots: 'x' }, /unknown option 'hots' \(did you mean 'host'\?\)/],
    [{ port: 70000 }, /'port' must be an integer from 1 to 65535/],
    [{ port: '6379' }, /'port' must be a number/],
    [{ database: -1 }, /'database'/],
    [{ protocol: 4 }, /'protocol' must be one of 2, 3/],
    [{ reconnect: { jiter: 'full' } }, /unknown option 'reconnect.jiter' \(did you mean 'jitter'\?\)/],
    [{ reconnect: { jitter: 'random' } }, /'reconnect.jitter' must be one of/],
    [{ reconnect: { baseDelayMs: 500, maxDelayMs: 100 } }, /maxDelayMs/],
    [{ offlineQueue: 'yes' }, /'offlineQueue'/],
    [{ retryInFlight: 'sometimes' }, /'retryInFlight'/],
    [{ healthCheck: { intervalMs: 0 } }, /'healthCheck.intervalMs'/],
    [{ password: 'a', credentials: () => ({ password: 'b' }) }, /exclude each other/],
    [{ clientName: 'has space' }, /'clientName'/],
    [{ tls: 'on' }, /'tls'/],
  ];
  for (const [opts, message] of bad) {
    test(JSON.stringify(opts), () => {
      assert.throws(
        () => createClient(opts),
        (e: Error) => e instanceof InvalidArgumentError && message.test(e.message),
      );
    });
  }
  test('defaults', () => {
    const o = resolveOptions();
    assert.equal(o.host, '127.0.0.1');
    assert.equal(o.port, 6379);
    assert.equal(o.protocol, 3);
    assert.equal(o.retryInFlight, 'idempotent');
    assert.deepEqual(o.offlineQueue, { enabled: true, maxLength: 100_000 });
    assert.ok(o.reconnect !== false && o.reconnect.maxAttempts === Infinity && o.reconnect.initialTimeoutMs === 10_000);
    assert.equal(
      resolveOptions({ reconnect: { onInitialFailure: 'retry' } }).reconnect &&
        (resolveOptions({ reconnect: { onInitialFailure: 'retry' } }).reconnect as any).initialTimeoutMs,
      Infinity,
    );
  });
  test('a URL and options merge; options win', () => {
    const o = resolveOptions('redis://h:1/2', { database: 5 });
    assert.equal(o.host, 'h');
    assert.equal(o.database, 5);
  });
  test('a new client is idle and sends nothing', () => {
    const c = createClient({ port: 1 });
    assert.equal(c.state, 'idle');
    c.destroy();
    assert.equal(c.state, 'closed');
  });
  test('VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
  });
});
