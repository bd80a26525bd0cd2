// No secret in sight, without a server: a password in a URL (encoded or not, valid or not) never
// shows in an error, a malformed %-escape is an InvalidArgumentError, and a client, its options,
// its duplicates and a pool print what a person debugging wants and never the password.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { createClient, createPool, InvalidArgumentError } from '../../src/index';
import { parseUrl, redactUrl } from '../../src/client/options';
import { Outputs, reachableSecrets, secretArb } from './leak-check';

/** What a plain-JavaScript caller gets from createClient(url): the client or the error. */
function attempt(url: string): { error?: unknown; client?: ReturnType<typeof createClient> } {
  try {
    return { client: createClient(url) };
  } catch (error) {
    return { error };
  }
}

describe('a password in a URL never shows in a message', () => {
  test("a password with '/' is redacted whole, and the message says to percent-encode it", () => {
    const { error } = attempt('redis://:top/secret@127.0.0.1:6379');
    assert.ok(error instanceof InvalidArgumentError, String(error));
    assert.doesNotMatch(error.message, /top|secret/);
    assert.match(error.message, /'redis:\/\/:\*\*\*@127\.0\.0\.1:6379'/);
    assert.match(error.message, /must be percent-encoded/);
    assert.match(error.message, /encodeURIComponent/);
  });

  test("a password with '/', '?' or '#' that still parses (as a path, a query, a fragment) is refused, not half-read", () => {
    // Each of these is a valid URL to a parser: host 'u', port 123, and the rest of the password
    // as a database, a parameter or a fragment, which would be sent to the server or echoed.
    for (const url of [
      'redis://u:123/456@host',
      'redis://u:1?db=2@host',
      'redis://u:1#x@h',
      'redis://u:123/0?name=x@host',
    ]) {
      const { error } = attempt(url);
      assert.ok(error instanceof InvalidArgumentError, `${url}: ${String(error)}`);
      assert.doesNotMatch(error.message, /123|456|x@h|name=x/, url);
      assert.match(error.message, /must be percent-encoded/, url);
    }
  });

  test("'@' and ':' in a password parse as the user meant; percent-encoded ones too", () => {
    assert.equal(parseUrl('redis://:p@ss@h:1').password, 'p@ss');
    assert.equal(parseUrl('redis://u:a:b@h:1').password, 'a:b');
    assert.equal(parseUrl(`redis://:${encodeURIComponent('top/se#c?r%t @')}@h:1`).password, 'top/se#c?r%t @');
  });

  test('a malformed %-escape in the credentials is an InvalidArgumentError (not a URIError) without the password', () => {
    for (const url of ['redis://:abc%zz@h:1', 'redis://:abc%@h:1', 'redis://al%ice:abcdef@h:1', 'redis://:abcd%e9@h']) {
      const { error } = attempt(url);
      assert.ok(error instanceof InvalidArgumentError, `${url}: ${String(error)}`);
      assert.equal(error.code, 'EINVALIDARG');
      assert.doesNotMatch(error.message, /abc|abcd|%zz/, url);
      assert.match(error.message, /malformed %-escape/, url);
    }
    assert.throws(
      () => createClient('unix:///tmp/sock%zz'),
      /socket path in Redis URL 'unix:\/\/\/tmp\/sock%zz' has a malformed %-escape/,
    );
  });

  test('a URL whose host was forgotten, or without a scheme, does not echo what may be the password', () => {
    for (const [url, secret] of [
      ['redis://:s3cretpass', 's3cret'],
      ['redis://:top/secret', 'secret'],
      ['default:s3cretpass@127.0.0.1:6379', 's3cret'],
    ]) {
      const { error } = attempt(url);
      assert.ok(error instanceof InvalidArgumentError, `${url}: ${String(error)}`);
      assert.ok(!error.message.includes(secret), error.message);
    }
  });

  test('an unknown URL parameter is named without its value (it may be ?password=...)', () => {
    const { error } = attempt('redis://h:1?password=hunter22');
    assert.ok(error instanceof InvalidArgumentError);
    assert.match(error.message, /unknown URL parameter 'password'/);
    assert.doesNotMatch(error.message, /hunter22/);
  });

  test('redactUrl: by structure, for URLs that parse and URLs that do not', () => {
    assert.equal(redactUrl('redis://u:pw@h:1'), 'redis://u:***@h:1');
    assert.equal(redactUrl('redis://alice:p@ss/w#o?rd@h:1/0'), 'redis://alice:***@h:1/0');
    assert.equal(redactUrl('rediss://bob@h'), 'rediss://bob@h');
    assert.equal(redactUrl('redis://h:6379/0?name=w'), 'redis://h:6379/0?name=w');
    assert.equal(redactUrl('redis://[::1]:6379'), 'redis://[::1]:6379');
    assert.equal(redactUrl('redis://:only-a-password'), 'redis://:***');
    assert.equal(redactUrl('u:pw@h:1'), 'u:***@h:1');
  });

  test('property: any password in any URL form, through every URL failure, shows in no message', () => {
    fc.assert(
      fc.property(secretArb, fc.constantFrom('raw', 'encoded', 'no-host', 'user', 'no-scheme'), (secret, form) => {
        const p = secret.password;
        // `redis://:a@b` without a host is a valid URL to host b: no reading can tell it from a password.
        fc.pre(form !== 'no-host' || !p.includes('@'));
        const url = {
          raw: `redis://:${p}@127.0.0.1:6379/0`,
          encoded: `redis://:${encodeURIComponent(p)}@127.0.0.1:1/x`,
          'no-host': `redis://:${p}`,
          user: `redis://alice:${p}@h:1?color=red`,
          'no-scheme': `default:${p}@127.0.0.1:6379`,
        }[form];
        const out = new Outputs();
        const { error, client } = attempt(url);
        if (error !== undefined) {
          out.value('error', error);
          assert.ok(error instanceof InvalidArgumentError, `${form}: ${inspect(error)}`);
        }
        if (client !== undefined) out.value('client', client);
        out.add('redactUrl', redactUrl(url));
        assert.deepEqual(out.hits(secret), []);
      }),
      { numRuns: 500 },
    );
  });
});

describe('a client prints what a person debugging wants, never the password', () => {
  test('console.log(client) shows endpoint, state, database, name, protocol, auth kind; not the password', () => {
    const c = createClient('redis://alice:s3cr3t-pa55@127.0.0.1:6390/2', { clientName: 'worker-1', cache: true });
    const text = inspect(c);
    assert.match(text, /^RedisClient \{/);
    for (const want of [
      "endpoint: 'redis://127.0.0.1:6390'",
      "state: 'idle'",
      'database: 2',
      "clientName: 'worker-1'",
      "username: 'alice'",
      "auth: 'password'",
      'protocol: 3',
      "cache: 'on'",
      'pendingCommands: 0',
      'subscriptions: 0',
    ]) {
      assert.ok(text.includes(want), `${want} missing from\n${text}`);
    }
    for (const shown of [
      text,
      inspect(c, { depth: Infinity, showHidden: true }),
      JSON.stringify(c),
      inspect(c.options, { depth: Infinity, showHidden: true }),
      JSON.stringify({ client: c }),
    ]) {
      assert.doesNotMatch(shown, /s3cr3t/);
    }
    assert.equal(JSON.parse(JSON.stringify(c)).auth, 'password');
    assert.match(inspect(c.options), /auth: Auth <password set>/);
  });

  test("a TLS private key and passphrase print as '<set>' in client.options, and still reach tls.connect()", () => {
    const c = createClient({ tls: { key: 'PRIVATE-KEY-PEM', passphrase: 'key-passphrase', servername: 'cache' } });
    const tls = c.options.tls;
    assert.ok(tls);
    for (const shown of [inspect(c.options, { depth: Infinity }), JSON.stringify(c.options), inspect(c)]) {
      assert.doesNotMatch(shown, /PRIVATE-KEY-PEM|key-passphrase/);
    }
    assert.match(inspect(tls), /key: '<set>'/);
    assert.deepEqual({ ...tls }, { key: 'PRIVATE-KEY-PEM', passphrase: 'key-passphrase', servername: 'cache' });
  });

  test('client.options has no password and is frozen', () => {
    const c = createClient({ password: 's3cr3t-pa55' });
    assert.equal((c.options as any).password, undefined);
    assert.equal((c.options as any).credentials, undefined);
    assert.ok(Object.isFrozen(c.options));
    assert.throws(() => ((c.options as any).host = 'elsewhere'), TypeError);
  });

  test('no property path from a client, its duplicate or a pool leads to the password', () => {
    const secret = { password: 'pw-GhIjKlMn/?#@%', markers: ['GhIjKlMn'] };
    const c = createClient({ password: secret.password, cache: true });
    const d = c.duplicate({ clientName: 'copy' });
    const pool = createPool({ password: secret.password });
    for (const [name, root] of [
      ['client', c],
      ['duplicate', d],
      ['pool', pool],
    ] as const) {
      assert.deepEqual(reachableSecrets(root, secret), [], name);
      const out = new Outputs();
      out.value(name, root);
      assert.deepEqual(out.hits(secret), [], name);
    }
    assert.equal(d.options.auth, c.options.auth, 'the duplicate shares the secret through the private path');
    assert.equal(createClient({ credentials: () => ({ password: 'x' }) }).toJSON().auth, 'credentials provider');
    pool.destroy();
  });
});
