import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions, parseUrl, redactUrl } from '../../src/client/options';
import { InvalidArgumentError } from '../../src/errors';
import { createClient, createPool, VERSION } from '../../src/index';
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
    // 'host:port', as redis-cli and many configs write it: shown whole (no secret in it), with the URL to write.
    assert.throws(
      () => parseUrl('127.0.0.1:7000'),
      /^InvalidArgumentError: '127\.0\.0\.1:7000' is an address, not a URL: write 'redis:\/\/127\.0\.0\.1:7000' \(or \{ host: '127\.0\.0\.1', port: 7000 \}\)$/,
    );
    assert.throws(
      () => parseUrl('localhost:6379'),
      /'localhost:6379' is an address, not a URL: write 'redis:\/\/localhost:6379'/,
    );
    assert.throws(() => parseUrl('[::1]:6379'), /write 'redis:\/\/\[::1\]:6379' \(or \{ host: '::1', port: 6379 \}\)/);
    assert.throws(() => createClient('localhost:6379'), /is an address, not a URL/);
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

describe('plain JavaScript callers: nested options, wrong shapes, ioredis and node-redis names', () => {
  const refused: [string, () => unknown, RegExp][] = [
    [
      'an unknown key inside limits',
      () => createClient({ limits: { maxBulk: 1 } } as any),
      /unknown option 'limits.maxBulk' \(known: maxBulkLength, maxLineLength, maxAggregateLength, maxDepth\)/,
    ],
    [
      'an unknown key inside healthCheck',
      () => createClient({ healthCheck: { interval: 1000 } } as any),
      /unknown option 'healthCheck.interval'/,
    ],
    [
      'an unknown key inside offlineQueue',
      () => createClient({ offlineQueue: { max: 5 } } as any),
      /unknown option 'offlineQueue.max'/,
    ],
    [
      'a limit that is not a count',
      () => createClient({ limits: { maxDepth: 0 } }),
      /option 'limits.maxDepth' must be a number >= 1/,
    ],
    [
      '{ url: 5 }',
      () => createClient({ url: 5 } as any),
      /option 'url' must be a string \(redis:\/\/\.\.\.\), got number/,
    ],
    [
      'createClient(url, 5)',
      () => createClient('redis://127.0.0.1:6379', 5 as any),
      /createClient\(\)'s second argument must be an options object, got number/,
    ],
    ['createClient(url, [])', () => createClient('redis://127.0.0.1:6379', [] as any), /got an array/],
  ];
  for (const [what, fn, expected] of refused) {
    test(`refuses ${what}`, () => {
      assert.throws(fn, (err: Error) => err instanceof InvalidArgumentError && expected.test(err.message));
    });
  }

  const migrations: [string, unknown, RegExp][] = [
    ['db', 2, /use 'database'/],
    ['connectionName', 'worker', /use 'clientName'/],
    ['name', 'worker', /use 'clientName'/],
    ['user', 'alice', /use 'username'/],
    ['pass', 'secret', /use 'password'/],
    [
      'socket',
      { host: 'h', port: 1, tls: true, connectTimeout: 100 },
      /flat in romaine: \{ host, port, path, tls, connectTimeoutMs, keepAliveMs \}/,
    ],
    ['retryStrategy', () => 100, /use 'reconnect'/],
    ['maxRetriesPerRequest', 3, /'retryInFlight'/],
    ['enableOfflineQueue', false, /use 'offlineQueue'/],
    ['lazyConnect', true, /always connects lazily/],
    ['connectTimeout', 100, /use 'connectTimeoutMs'/],
    ['commandTimeout', 100, /use 'commandTimeoutMs'/],
    ['keyPrefix', 'app:', /no key prefix/],
    ['RESP', 3, /use 'protocol'/],
    ['pingInterval', 1000, /use 'healthCheck'/],
  ];
  for (const [key, value, expected] of migrations) {
    test(`'${key}' (ioredis/node-redis) gets the migration hint, not a near-miss`, () => {
      assert.throws(
        () => createClient({ [key]: value }),
        (err: Error) =>
          err instanceof InvalidArgumentError &&
          err.message.startsWith(`unknown option '${key}' (an ioredis or node-redis option): `) &&
          expected.test(err.message) &&
          !err.message.includes('secret'),
      );
    });
  }
});

describe('durations Node cannot hold (timers past 2^31 - 1 ms fire after 1 ms)', () => {
  const bound = 2 ** 31 - 1;
  const durations: [string, (v: number) => object][] = [
    ['connectTimeoutMs', (v) => ({ connectTimeoutMs: v })],
    ['commandTimeoutMs', (v) => ({ commandTimeoutMs: v })],
    ['keepAliveMs', (v) => ({ keepAliveMs: v })],
    ['reconnect.baseDelayMs', (v) => ({ reconnect: { baseDelayMs: v, maxDelayMs: v } })],
    ['reconnect.maxDelayMs', (v) => ({ reconnect: { maxDelayMs: v } })],
    ['reconnect.initialTimeoutMs', (v) => ({ reconnect: { initialTimeoutMs: v } })],
    ['reconnect.resetAfterMs', (v) => ({ reconnect: { resetAfterMs: v } })],
    ['healthCheck.intervalMs', (v) => ({ healthCheck: { intervalMs: v } })],
    ['healthCheck.timeoutMs', (v) => ({ healthCheck: { timeoutMs: v } })],
    ['healthCheck.probeTimeoutMs', (v) => ({ healthCheck: { probeTimeoutMs: v } })],
    ['cache.ttlMs', (v) => ({ cache: { ttlMs: v } })],
  ];
  for (const [name, options] of durations) {
    test(`${name}: 2^31 is refused with the bound in the message; 2^31 - 1 is accepted`, () => {
      assert.throws(
        () => createClient(options(2 ** 31)),
        (err: Error) =>
          err instanceof InvalidArgumentError &&
          err.message.startsWith(`option '${name}' must be at most ${bound} ms (2^31 - 1, about 24.8 days`),
      );
      createClient(options(bound)).destroy();
    });
  }

  test('Infinity means "none" where documented, and is refused elsewhere', () => {
    assert.equal(resolveOptions({ commandTimeoutMs: Infinity }).commandTimeoutMs, Infinity);
    assert.equal(resolveOptions({ reconnect: { initialTimeoutMs: Infinity } }).reconnect !== false, true);
    assert.equal(resolveOptions({ cache: { ttlMs: Infinity } }).cache?.ttlMs, Infinity);
    for (const o of [
      { connectTimeoutMs: Infinity },
      { healthCheck: { intervalMs: Infinity } },
      { keepAliveMs: Infinity },
    ]) {
      assert.throws(() => resolveOptions(o), /must be a number of milliseconds >= \d+, got Infinity/);
    }
    assert.throws(() => createClient({ commandTimeoutMs: 2 ** 31 }), /; use Infinity for no timeout/);
  });

  test('pool acquireTimeoutMs and idleTimeoutMs are bounded the same way (Infinity: forever, never)', () => {
    assert.throws(
      () => createPool({ port: 1 }, { acquireTimeoutMs: 2 ** 31 }),
      /option 'acquireTimeoutMs' must be at most 2147483647 ms/,
    );
    assert.throws(() => createPool({ port: 1 }, { idleTimeoutMs: 2 ** 40 }), /use Infinity for never/);
    createPool({ port: 1 }, { acquireTimeoutMs: Infinity, idleTimeoutMs: Infinity }).destroy();
  });
});
