// docs/options.md documents every option: each key of ClientOptions (and of the objects nested in
// it) has a row, and every row names an option that exists. Keys are read from the TypeScript
// declarations themselves, so an option added to src/client/options.ts without docs fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { resolveOptions } from '../../src/client/options';

const repo = join(__dirname, '..', '..');
const doc = readFileSync(join(repo, 'docs', 'options.md'), 'utf8');

/** The property names of an interface declared in a source file. */
function keysOf(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(repo, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement) && statement.name.text === name) {
      return statement.members
        .filter(ts.isPropertySignature)
        .map((m) => m.name.getText(source))
        .filter((key) => key !== '');
    }
  }
  throw new Error(`interface ${name} not found in ${file}`);
}

/** Every option as docs/options.md names it: `host`, `reconnect.baseDelayMs`, `limits.maxDepth`... */
function documentedRows(): string[] {
  const rows: string[] = [];
  for (const line of doc.split('\n')) {
    const m = /^\| `([\w.]+)` \|/.exec(line);
    if (m !== null) rows.push(m[1]);
  }
  return rows;
}

function expectedOptions(): string[] {
  const top = keysOf('src/client/options.ts', 'ClientOptions');
  const nested = [
    ...keysOf('src/client/options.ts', 'ReconnectOptions').map((k) => `reconnect.${k}`),
    ...keysOf('src/protocol/types.ts', 'DecoderLimits').map((k) => `limits.${k}`),
    ...keysOf('src/client/cache.ts', 'CacheOptions').map((k) => `cache.${k}`),
    ...keysOf('src/sentinel/options.ts', 'SentinelOptions').map((k) => `sentinel.${k}`),
    // Inline object types in ClientOptions: { maxLength }, { intervalMs, timeoutMs, probeTimeoutMs }.
    'offlineQueue.maxLength',
    'healthCheck.intervalMs',
    'healthCheck.timeoutMs',
    'healthCheck.probeTimeoutMs',
  ];
  // `url` is accepted in the options object too (createClient({ url })).
  return [...top, 'url', ...nested];
}

test('every option of ClientOptions has a row in docs/options.md', () => {
  const rows = new Set(documentedRows());
  const missing = expectedOptions().filter((key) => !rows.has(key));
  assert.deepEqual(missing, [], `docs/options.md lacks rows for: ${missing.join(', ')}`);
});

test('every row of docs/options.md names an option that exists', () => {
  const known = new Set(expectedOptions());
  // Options whose feature is documented ahead of the code reaching ClientOptions would show here.
  const unknown = documentedRows().filter((row) => !known.has(row));
  assert.deepEqual(unknown, [], `docs/options.md documents options that do not exist: ${unknown.join(', ')}`);
});

test('the defaults in docs/options.md are the ones createClient() resolves', () => {
  const o = resolveOptions({});
  const row = (key: string): string => {
    const line = doc.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
    assert.ok(line, key);
    return line.split(' | ')[1];
  };
  assert.equal(row('host'), `\`'${o.host}'\``);
  assert.equal(row('port'), `\`${o.port}\``);
  assert.equal(row('database'), `\`${o.database}\``);
  assert.equal(row('protocol'), `\`${o.protocol}\``);
  assert.equal(row('connectTimeoutMs'), `\`${o.connectTimeoutMs}\``);
  assert.equal(row('keepAliveMs'), `\`${o.keepAliveMs}\``);
  assert.equal(row('libName'), `\`'${String(o.libName)}'\``);
  assert.equal(row('retryInFlight'), `\`'${o.retryInFlight}'\``);
  assert.equal(row('maxDedicatedConnections'), `\`${o.maxDedicatedConnections}\``);
  assert.equal(row('offlineQueue.maxLength'), `\`${o.offlineQueue.maxLength}\``);
  assert.ok(o.healthCheck !== false && o.reconnect !== false);
  assert.equal(row('healthCheck.intervalMs'), `\`${o.healthCheck.intervalMs}\``);
  assert.equal(row('healthCheck.timeoutMs'), `\`${o.healthCheck.timeoutMs}\``);
  assert.equal(row('reconnect.baseDelayMs'), `\`${o.reconnect.baseDelayMs}\``);
  assert.equal(row('reconnect.maxDelayMs'), `\`${o.reconnect.maxDelayMs}\``);
  assert.equal(row('reconnect.jitter'), `\`'${o.reconnect.jitter}'\``);
  assert.equal(row('reconnect.maxAttempts'), `\`${o.reconnect.maxAttempts}\``);
  assert.equal(row('reconnect.onInitialFailure'), `\`'${o.reconnect.onInitialFailure}'\``);
  assert.equal(row('reconnect.resetAfterMs'), `\`${o.reconnect.resetAfterMs}\``);
  assert.match(row('reconnect.initialTimeoutMs'), new RegExp(`^\`${o.reconnect.initialTimeoutMs}\``));
  const cache = resolveOptions({ cache: true }).cache;
  assert.ok(cache);
  assert.equal(row('cache.maxEntries'), `\`${cache.maxEntries}\``);
  assert.equal(cache.maxBytes, 64 * 1024 * 1024);
  assert.equal(row('cache.maxBytes'), '64 MiB');
  assert.equal(row('cache.mode'), `\`'${cache.mode}'\``);
  assert.equal(row('cache.ttlMs'), `\`${cache.ttlMs}\` (none)`);
  assert.equal(o.commandTimeoutMs, 0, 'commandTimeoutMs: none by default');
  assert.equal(row('commandTimeoutMs'), 'none');
});
