// The `sentinel` option is validated at createClient() like every other option, and the shapes
// ioredis and node-redis users bring along are answered with the romaine form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createClient, InvalidArgumentError } from '../../src/index';

const sentinels = [{ host: '127.0.0.1', port: 26379 }];
const refused = (options: unknown, message: RegExp) =>
  assert.throws(
    () => createClient(options as any),
    (e: unknown) => e instanceof InvalidArgumentError && message.test(e.message),
  );

test('a valid sentinel option resolves with its defaults (role primary, learned sentinels not yet)', () => {
  const c = createClient({ sentinel: { sentinels, name: 'mymaster' } });
  assert.deepEqual(c.options.sentinel?.sentinels, sentinels);
  assert.equal(c.options.sentinel?.role, 'primary');
  assert.match(inspect(c), /'mymaster' \(primary\) via sentinels 127\.0\.0\.1:26379/);
  c.destroy();
});

test('sentinel fields are checked: sentinels non-empty { host, port }, name, role, username/password strings', () => {
  refused({ sentinel: { name: 'm' } }, /'sentinel\.sentinels' must be a non-empty array/);
  refused({ sentinel: { sentinels: [], name: 'm' } }, /'sentinel\.sentinels' must be a non-empty array/);
  refused({ sentinel: { sentinels: [{ host: '127.0.0.1', port: 0 }], name: 'm' } }, /'sentinel\.sentinels\[0\]\.port'/);
  refused(
    { sentinel: { sentinels: [{ host: 'h', port: 1, tls: true }], name: 'm' } },
    /'sentinel\.sentinels\[0\]\.tls'/,
  );
  refused({ sentinel: { sentinels } }, /'sentinel\.name' must be the master name/);
  refused({ sentinel: { sentinels, name: 'm', role: 'master' } }, /use 'primary' instead of 'master'/);
  refused({ sentinel: { sentinels, name: 'm', role: 'slave' } }, /use 'replica' instead of 'slave'/);
  refused({ sentinel: { sentinels, name: 'm', password: 42 } }, /'sentinel\.password' must be a string/);
  refused({ sentinel: { sentinels, name: 'm', tls: 'yes' } }, /'sentinel\.tls' must be a boolean/);
  refused({ sentinel: { sentinels, name: 'm', masterName: 'x' } }, /did you mean 'sentinel\.name'/);
  refused({ sentinel: { sentinels, name: 'm', bogus: 1 } }, /unknown option 'sentinel\.bogus'/);
  refused({ sentinel: 'mymaster' }, /option 'sentinel' must be an object/);
  // 'host:port' strings are unambiguous: accepted.
  const c = createClient({ sentinel: { sentinels: ['127.0.0.1:26380'], name: 'm' } } as any);
  assert.deepEqual(c.options.sentinel?.sentinels, [{ host: '127.0.0.1', port: 26380 }]);
  c.destroy();
});

test('an address next to the sentinel option is refused: the sentinels say where to connect', () => {
  refused({ sentinel: { sentinels, name: 'm' }, host: '10.0.0.1' }, /'sentinel' excludes 'host'/);
  refused({ sentinel: { sentinels, name: 'm' }, port: 6380 }, /'sentinel' excludes 'port'/);
  assert.throws(() => createClient('redis://h:1', { sentinel: { sentinels, name: 'm' } }), /'sentinel' excludes 'url'/);
});

test("ioredis' sentinels/name/sentinelPassword and node-redis createSentinel shapes get the romaine form", () => {
  refused({ sentinels, name: 'mymaster' }, /unknown option 'sentinels'.*inside 'sentinel'/);
  refused({ name: 'mymaster' }, /'sentinel\.name'/);
  refused({ sentinelPassword: 'x' }, /use 'sentinel\.password'/);
  refused({ sentinelRootNodes: sentinels }, /use 'sentinel': \{ sentinels/);
  refused(
    { sentinel: { sentinels, name: 'm', sentinelPassword: 'x' } },
    /unknown option 'sentinel\.sentinelPassword': use 'sentinel\.password'/,
  );
});

test('the sentinel password never shows in inspect, JSON or a validation message', () => {
  const secret = 'S3ntinel-secret!';
  const c = createClient({ sentinel: { sentinels, name: 'm', password: secret } });
  assert.ok(!inspect(c.options, { depth: 5 }).includes(secret));
  assert.ok(!JSON.stringify(c.options).includes(secret));
  assert.ok(!inspect(c).includes(secret));
  c.destroy();
  assert.throws(
    () => createClient({ sentinel: { sentinels, name: 'm', password: secret, bogus: 1 } } as any),
    (e: unknown) => e instanceof Error && !e.message.includes(secret),
  );
});
