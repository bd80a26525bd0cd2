// Smoke test of the package as users get it: build, `npm pack`, install the tarball into a
// throw-away project outside the repo, then load it from CommonJS and ESM and typecheck a
// consumer in both module systems.
//
// The build runs in a staged copy of the repo (its node_modules symlinked), so this test never
// cleans the dist/ that a developer or another test may be using. Installing the tarball needs
// romaine's own dependencies only: from npm's cache (`--prefer-offline`), else from the registry.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkRunners } from './runners';

const repo = join(__dirname, '..', '..');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
/** What the build needs, and what `files` in package.json may ship. */
const staged = [
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts',
  'src',
  'README.md',
  'CHANGELOG.md',
  'LICENSE',
  '.npmrc',
];

/**
 * What the `npm test` around us put in the environment about this repo (its prefix, its package
 * fields): kept from child npm/node processes. npm's other settings (cache, registry, CA) pass.
 */
const aboutThisRepo = /^npm_(lifecycle_|package_|command$|execpath$|node_execpath$|config_local_prefix$|config_call$)/i;

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!aboutThisRepo.test(key) && key !== 'NODE_TEST_CONTEXT' && key !== 'NODE_OPTIONS') env[key] = value;
  }
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return env;
}

function run(command: string, args: string[], cwd: string, timeoutMs = 60_000): SpawnSyncReturns<string> {
  const res = spawnSync(command, args, { cwd, env: childEnv(), encoding: 'utf8', timeout: timeoutMs });
  if (res.error) throw new Error(`${command} ${args.join(' ')} could not run in ${cwd}: ${res.error.message}`);
  return res;
}

function runOk(command: string, args: string[], cwd: string, timeoutMs?: number): string {
  const res = run(command, args, cwd, timeoutMs);
  const output = `${res.stdout}${res.stderr}`;
  assert.equal(res.status, 0, `\`${command} ${args.join(' ')}\` (in ${cwd}) exited with ${res.status}:\n${output}`);
  return output;
}

describe('the packed package', { timeout: 600_000 }, () => {
  let tmp = '';
  let stage = '';
  let consumer = '';
  let files: string[] = [];
  const hasCli = existsSync(join(repo, 'src', 'cli', 'main.ts'));

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'romaine-pack-'));
    stage = join(tmp, 'stage');
    consumer = join(tmp, 'consumer');
    mkdirSync(stage);
    for (const entry of staged) {
      if (existsSync(join(repo, entry))) cpSync(join(repo, entry), join(stage, entry), { recursive: true });
    }
    symlinkSync(join(repo, 'node_modules'), join(stage, 'node_modules'), 'dir');

    // `npm pack` runs the prepack script, which is the build: the same path as `npm publish`.
    let started = Date.now();
    runOk('npm', ['pack', '--pack-destination', tmp], stage, 300_000); // the build: ~30 s, minutes on a loaded machine
    const tarballs = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
    assert.equal(tarballs.length, 1, `expected one tarball in ${tmp}, found: ${tarballs.join(', ')}`);
    const tarball = join(tmp, tarballs[0] ?? '');
    files = runOk('tar', ['-tzf', tarball], tmp)
      .split('\n')
      .filter((f) => f !== '');
    const packMs = Date.now() - started;

    started = Date.now();
    mkdirSync(consumer);
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({
        name: 'romaine-consumer',
        version: '0.0.0',
        private: true,
        dependencies: { romaine: `file:${tarball}` },
      }),
    );
    runOk('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], consumer, 300_000);
    console.log(`# build + pack ${packMs} ms, install ${Date.now() - started} ms (${files.length} files packed)`);
  });

  after(() => {
    if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
  });

  it('ships the build and nothing of the repo', () => {
    for (const f of [
      'dist/cjs/index.js',
      'dist/cjs/index.d.ts',
      'dist/esm/index.mjs',
      'dist/esm/index.d.mts',
      'dist/cjs/otel/index.js',
      'dist/esm/otel.mjs',
      'dist/esm/otel.d.mts',
      'LICENSE',
    ]) {
      assert.ok(files.includes(`package/${f}`), `the tarball lacks ${f}`);
    }
    const stray = files.filter((f) => /^package\/(src|test|scripts|bench|docs|node_modules|\.ci)\//.test(f));
    assert.deepEqual(stray, [], 'the tarball ships files that are not part of the package');
  });

  it('loads from CommonJS and ESM with one copy of every export', () => {
    writeFileSync(
      join(consumer, 'check.cjs'),
      `const assert = require('node:assert/strict');
const cjs = require('romaine');
assert.equal(typeof cjs.createClient, 'function', 'require: createClient');
assert.equal(typeof cjs.RomaineError, 'function', 'require: RomaineError');
import('romaine').then((esm) => {
  const names = Object.keys(cjs).filter((n) => n !== '__esModule' && n !== 'default');
  for (const name of names) assert.equal(esm[name], cjs[name], 'import() and require() differ on ' + name);
  assert.equal(esm.default, cjs, 'the default export is module.exports');
  console.log('cjs ok: ' + names.length + ' exports');
});
`,
    );
    writeFileSync(
      join(consumer, 'check.mjs'),
      `import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import romaine, { createClient, RomaineError } from 'romaine';
const cjs = createRequire(import.meta.url)('romaine');
assert.equal(createClient, cjs.createClient, 'import: createClient');
assert.equal(RomaineError, cjs.RomaineError, 'import: RomaineError');
assert.equal(romaine, cjs);
// An error made by code loaded one way is an instance of the class loaded the other way.
assert.throws(
  () => createClient({ port: 'not-a-port' }),
  (err) => err instanceof cjs.RomaineError && err instanceof RomaineError,
  'createClient rejects a bad option with a RomaineError',
);
const client = cjs.createClient({ host: '127.0.0.1', port: 6379 });
assert.equal(client.state, 'idle', 'a new client is idle and has not connected');
client.destroy();
console.log('esm ok');
`,
    );
    assert.match(runOk('node', ['check.cjs'], consumer, 20_000), /cjs ok/);
    assert.match(runOk('node', ['check.mjs'], consumer, 20_000), /esm ok/);
  });

  it('typechecks a consumer in ESM (.mts) and CommonJS (.ts), module nodenext', () => {
    const consumerSource = (flavour: string) => `// ${flavour}
import { createClient, ConnectionError, RomaineError, type ClientOptions } from 'romaine';

const options: ClientOptions = { host: '127.0.0.1', port: 6379 };
export const client = createClient(options);
export const state: string = client.state;

export function describeError(err: unknown): string {
  if (err instanceof ConnectionError) return err.code + ' ' + err.kind;
  if (err instanceof RomaineError) return err.code;
  return String(err);
}

// If the types failed to resolve (and so were any), this directive would be unused: an error.
// @ts-expect-error port is a number
createClient({ port: 'not-a-port' });
`;
    writeFileSync(
      join(consumer, 'esm.mts'),
      `${consumerSource('ESM')}
import romaine from 'romaine';
export const viaDefault: typeof createClient = romaine.createClient;
`,
    );
    writeFileSync(join(consumer, 'cjs.ts'), consumerSource('CommonJS (the consumer package has no "type")'));
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(repo, 'node_modules', '@types')],
        },
        files: ['esm.mts', 'cjs.ts'],
      }),
    );
    const output = runOk(process.execPath, [tsc, '-p', '.', '--explainFiles'], consumer, 60_000);
    assert.match(
      output,
      /node_modules\/romaine\/dist\/esm\/index\.d\.mts/,
      'the .mts consumer did not use the ESM types',
    );
    assert.match(
      output,
      /node_modules\/romaine\/dist\/cjs\/index\.d\.ts/,
      'the .ts consumer did not use the CJS types',
    );
  });

  it('loads romaine/otel from CommonJS and ESM once @opentelemetry/api is there, and says to install it when not', () => {
    // The consumer did not install the optional peer dependency: romaine loaded above without it.
    writeFileSync(
      join(consumer, 'otel-missing.cjs'),
      `try { require('romaine/otel'); console.log('loaded without the api'); } catch (err) { console.log(err.message); }\n`,
    );
    assert.match(runOk('node', ['otel-missing.cjs'], consumer, 20_000), /npm install @opentelemetry\/api/);
    assert.ok(files.includes('package/dist/esm/otel.mjs'), 'the tarball lacks dist/esm/otel.mjs');
    assert.ok(files.includes('package/dist/cjs/otel/index.d.ts'), 'the tarball lacks dist/cjs/otel/index.d.ts');

    // Now "install" it: the repo's copy (a devDependency), without going to a registry.
    mkdirSync(join(consumer, 'node_modules', '@opentelemetry'), { recursive: true });
    symlinkSync(
      join(repo, 'node_modules', '@opentelemetry', 'api'),
      join(consumer, 'node_modules', '@opentelemetry', 'api'),
      'dir',
    );
    writeFileSync(
      join(consumer, 'otel.cjs'),
      `const assert = require('node:assert/strict');
const otel = require('romaine/otel');
assert.equal(typeof otel.instrumentRomaine, 'function', 'require: instrumentRomaine');
import('romaine/otel').then((esm) => {
  for (const name of Object.keys(otel)) assert.equal(esm[name], otel[name], 'import() and require() differ on ' + name);
  const handle = esm.instrumentRomaine();
  assert.equal(handle.enabled, true);
  handle.disable();
  console.log('otel ok');
});
`,
    );
    assert.match(runOk('node', ['otel.cjs'], consumer, 20_000), /otel ok/);

    writeFileSync(
      join(consumer, 'otel-esm.mts'),
      `import { instrumentRomaine, type RomaineInstrumentation } from 'romaine/otel';
export const handle: RomaineInstrumentation = instrumentRomaine({ queryText: 'sanitized' });
// @ts-expect-error queryText takes 'sanitized' | 'full' | false | a function
instrumentRomaine({ queryText: 'everything' });
`,
    );
    writeFileSync(
      join(consumer, 'otel-cjs.ts'),
      `import { instrumentRomaine, type RomaineInstrumentation } from 'romaine/otel';
export const handle: RomaineInstrumentation = instrumentRomaine();
`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.otel.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2022', 'esnext.disposable'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(repo, 'node_modules', '@types')],
        },
        files: ['otel-esm.mts', 'otel-cjs.ts'],
      }),
    );
    const output = runOk(process.execPath, [tsc, '-p', 'tsconfig.otel.json', '--explainFiles'], consumer, 60_000);
    assert.match(
      output,
      /node_modules\/romaine\/dist\/esm\/otel\.d\.mts/,
      'the .mts consumer did not use the ESM types',
    );
    assert.match(
      output,
      /node_modules\/romaine\/dist\/cjs\/otel\/index\.d\.ts/,
      'the .ts consumer did not use the CJS types',
    );
  });

  it('loads romaine/compat/ioredis from CommonJS and ESM (one copy of every class), only when asked for', () => {
    for (const f of [
      'dist/cjs/compat/ioredis/index.js',
      'dist/esm/compat-ioredis.mjs',
      'dist/esm/compat-ioredis.d.mts',
    ]) {
      assert.ok(files.includes(`package/${f}`), `the tarball lacks ${f}`);
    }
    writeFileSync(
      join(consumer, 'ioredis-compat.cjs'),
      `const assert = require('node:assert/strict');
require('romaine');
assert.ok(!Object.keys(require.cache).some((f) => f.includes('/dist/cjs/compat/')), 'the main entry loaded the ioredis facade');
const { Redis, ReplyError } = require('romaine/compat/ioredis');
assert.equal(typeof Redis, 'function', 'require: Redis');
assert.equal(require('romaine/compat/ioredis').default, Redis, 'require: default is Redis');
assert.equal(ReplyError, require('romaine').ReplyError, 'one ReplyError class');
const redis = new Redis({ port: 6379, lazyConnect: true });
assert.equal(redis.status, 'wait', 'lazyConnect: nothing sent');
assert.equal(typeof redis.hgetallBuffer, 'function');
import('romaine/compat/ioredis').then((esm) => {
  assert.equal(esm.default, Redis, 'import: the default export is the Redis class');
  assert.equal(esm.Redis, Redis, 'import() and require() give the same class');
  console.log('ioredis compat ok');
});
`,
    );
    assert.match(runOk('node', ['ioredis-compat.cjs'], consumer, 20_000), /ioredis compat ok/);

    writeFileSync(
      join(consumer, 'ioredis-esm.mts'),
      `import Redis, { Redis as Named, type IoredisOptions } from 'romaine/compat/ioredis';
const options: IoredisOptions = { port: 6379, lazyConnect: true, maxRetriesPerRequest: null };
export const redis: Named = new Redis(options);
export const status: string = redis.status;
// @ts-expect-error db is a number
new Redis({ db: 'zero' });
`,
    );
    writeFileSync(
      join(consumer, 'ioredis-cjs.ts'),
      `import { Redis, type IoredisOptions } from 'romaine/compat/ioredis';
const options: IoredisOptions = { host: '127.0.0.1', lazyConnect: true };
export const redis = new Redis(options);
`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.ioredis.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2022', 'esnext.disposable'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(repo, 'node_modules', '@types')],
        },
        files: ['ioredis-esm.mts', 'ioredis-cjs.ts'],
      }),
    );
    const output = runOk(process.execPath, [tsc, '-p', 'tsconfig.ioredis.json', '--explainFiles'], consumer, 60_000);
    assert.match(output, /node_modules\/romaine\/dist\/esm\/compat-ioredis\.d\.mts/);
    assert.match(output, /node_modules\/romaine\/dist\/cjs\/compat\/ioredis\/index\.d\.ts/);
  });

  it('loads romaine/compat/node-redis from CommonJS and ESM (one copy), and the main entry does not load it', () => {
    for (const f of [
      'dist/cjs/compat/node-redis/index.js',
      'dist/cjs/compat/node-redis/index.d.ts',
      'dist/esm/compat-node-redis.mjs',
      'dist/esm/compat-node-redis.d.mts',
    ]) {
      assert.ok(files.includes(`package/${f}`), `the tarball lacks ${f}`);
    }
    writeFileSync(
      join(consumer, 'node-redis.cjs'),
      `const assert = require('node:assert/strict');
require('romaine');
assert.ok(!Object.keys(require.cache).some((f) => f.includes('compat')), 'require("romaine") loaded the compat layer');
const compat = require('romaine/compat/node-redis');
const client = compat.createClient({ url: 'redis://127.0.0.1:6379' });
assert.ok(client instanceof compat.NodeRedisClient);
assert.equal(client.isOpen, false, 'created, not connected');
assert.equal(typeof client.hGetAll, 'function');
assert.equal(typeof client.HGETALL, 'function');
client.destroy();
import('romaine/compat/node-redis').then((esm) => {
  for (const name of Object.keys(compat)) assert.equal(esm[name], compat[name], 'import() and require() differ on ' + name);
  console.log('node-redis compat ok');
});
`,
    );
    assert.match(runOk('node', ['node-redis.cjs'], consumer, 20_000), /node-redis compat ok/);
    writeFileSync(
      join(consumer, 'node-redis-esm.mts'),
      `import { createClient, type NodeRedisClient } from 'romaine/compat/node-redis';
export const client: NodeRedisClient = createClient({ url: 'redis://127.0.0.1:6379', socket: { connectTimeout: 1000 } });
export const ready: Promise<NodeRedisClient> = client.connect();
// @ts-expect-error socket.connectTimeout is a number
createClient({ socket: { connectTimeout: 'soon' } });
`,
    );
    writeFileSync(
      join(consumer, 'node-redis-cjs.ts'),
      `import { createClient, type NodeRedisClient } from 'romaine/compat/node-redis';
export const client: NodeRedisClient = createClient();
export const open: boolean = client.isOpen;
`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.node-redis.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2022', 'esnext.disposable'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(repo, 'node_modules', '@types')],
        },
        files: ['node-redis-esm.mts', 'node-redis-cjs.ts'],
      }),
    );
    const output = runOk(process.execPath, [tsc, '-p', 'tsconfig.node-redis.json', '--explainFiles'], consumer, 60_000);
    assert.match(
      output,
      /node_modules\/romaine\/dist\/esm\/compat-node-redis\.d\.mts/,
      'the .mts consumer did not use the ESM types',
    );
    assert.match(
      output,
      /node_modules\/romaine\/dist\/cjs\/compat\/node-redis\/index\.d\.ts/,
      'the .ts consumer did not use the CJS types',
    );
  });

  it('loads romaine/testing from CommonJS and ESM, and a restart test passes under node:test, vitest, jest and mocha', () => {
    for (const f of [
      'dist/cjs/testing/index.js',
      'dist/cjs/testing/index.d.ts',
      'dist/esm/testing.mjs',
      'dist/esm/testing.d.mts',
    ]) {
      assert.ok(files.includes(`package/${f}`), `the tarball lacks ${f}`);
    }
    writeFileSync(
      join(consumer, 'testing.cjs'),
      `const assert = require('node:assert/strict');
require('romaine');
assert.ok(!Object.keys(require.cache).some((f) => f.includes('/dist/cjs/testing/')), 'require("romaine") loaded the harness');
const testing = require('romaine/testing');
for (const n of ['startRedis', 'startCluster', 'startSentinel', 'faultProxy', 'protectedModeServer']) assert.equal(typeof testing[n], 'function', n);
assert.ok(new testing.RedisNotInstalledError('redis-server') instanceof require('romaine').RomaineError, 'one RomaineError class');
import('romaine/testing').then((esm) => {
  for (const name of Object.keys(testing)) assert.equal(esm[name], testing[name], 'import() and require() differ on ' + name);
  console.log('testing ok');
});
`,
    );
    assert.match(runOk('node', ['testing.cjs'], consumer, 20_000), /testing ok/);
    const took = checkRunners(repo, consumer, childEnv());
    console.log(`# romaine/testing restart test, ms per runner: ${JSON.stringify(took)}`);
  });

  it('installs the romaine command', (t) => {
    if (!hasCli) {
      t.skip('src/cli/main.ts does not exist yet');
      return;
    }
    assert.ok(files.includes('package/dist/cjs/cli/main.js'), 'the tarball lacks dist/cjs/cli/main.js');
    const bin = join(consumer, 'node_modules', '.bin', 'romaine');
    assert.ok(existsSync(bin), 'npm did not link node_modules/.bin/romaine');
    assert.ok((statSync(bin).mode & 0o111) !== 0, 'the romaine command is not executable');
    const res = run(bin, ['--help'], consumer, 20_000);
    const output = `${res.stdout}${res.stderr}`;
    assert.equal(res.status, 0, `romaine --help exited with ${res.status}:\n${output}`);
    assert.match(output, /romaine/, 'romaine --help printed no usage');
  });
});
