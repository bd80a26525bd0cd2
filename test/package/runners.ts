// romaine/testing from each test runner a user may have: node:test, vitest (ESM), jest and mocha
// (CommonJS). Each runs a tiny user test file, written into the consumer project that installed
// the packed tarball, that imports `romaine/testing` and proves a client survives a restart. The
// runners are this repo's devDependencies, linked into the consumer (a user installs their own).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const body = `
  const redis = await startRedis();
  const client = createClient(redis.url);
  try {
    await client.set('k', 'v');
    const before = redis.pid;
    await redis.restart();
    if (redis.pid === before) throw new Error('restart() kept the old process');
    // The restart lost the data (nothing is persisted); the client reconnected on its own.
    if ((await client.incr('after-restart')) !== 1) throw new Error('INCR after the restart');
  } finally {
    client.destroy();
    await redis.close();
  }
`;

/** The user test files, by runner: [file name, source]. */
const files: Record<string, [string, string]> = {
  'node:test': [
    'restart.node-test.test.mjs',
    `import { test } from 'node:test';
import { startRedis } from 'romaine/testing';
import { createClient } from 'romaine';
test('my service survives a Redis restart (node:test)', async () => {${body}});
`,
  ],
  vitest: [
    'restart.vitest.test.mjs',
    `import { test } from 'vitest';
import { startRedis } from 'romaine/testing';
import { createClient } from 'romaine';
test('my service survives a Redis restart (vitest)', async () => {${body}}, 30_000);
`,
  ],
  jest: [
    'restart.jest.test.js',
    `const { startRedis } = require('romaine/testing');
const { createClient } = require('romaine');
test('my service survives a Redis restart (jest)', async () => {${body}}, 30_000);
`,
  ],
  mocha: [
    'restart.mocha.test.cjs',
    `const { startRedis } = require('romaine/testing');
const { createClient } = require('romaine');
it('my service survives a Redis restart (mocha)', async function () {
  this.timeout(30_000);${body}});
`,
  ],
};

/** The command that runs `file` with `runner`, from the consumer directory. */
function command(repo: string, runner: string, file: string): string[] {
  const bin = (p: string) => join(repo, 'node_modules', p);
  switch (runner) {
    case 'node:test':
      return ['--test', '--test-reporter=spec', file];
    case 'vitest':
      // verbose: the default reporter names a file's tests only when they were slow (> 300 ms).
      return [bin('vitest/vitest.mjs'), 'run', '--root', '.', '--reporter=verbose', file];
    case 'jest':
      return [bin('jest/bin/jest.js'), '--rootDir', '.', '--config', '{}', '--ci', file];
    case 'mocha':
      return [bin('mocha/bin/mocha.js'), file];
  }
  throw new Error(`unknown runner ${runner}`);
}

/** Runs the restart test under every runner in `consumer`; returns how long each took (ms). */
export function checkRunners(repo: string, consumer: string, env: NodeJS.ProcessEnv): Record<string, number> {
  // A user installs vitest, jest and mocha themselves; here they are linked from the repo.
  mkdirSync(join(consumer, 'node_modules'), { recursive: true });
  for (const dep of ['vitest', 'jest', 'mocha']) {
    const link = join(consumer, 'node_modules', dep);
    if (!existsSync(link)) symlinkSync(join(repo, 'node_modules', dep), link, 'dir');
  }
  const took: Record<string, number> = {};
  for (const [runner, [file, source]] of Object.entries(files)) {
    writeFileSync(join(consumer, file), source);
    const t0 = Date.now();
    const res = spawnSync(process.execPath, command(repo, runner, file), {
      cwd: consumer,
      env: { ...env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
      encoding: 'utf8',
      timeout: 90_000,
    });
    took[runner] = Date.now() - t0;
    const output = `${res.stdout}${res.stderr}`;
    assert.equal(res.status, 0, `${runner} (${file}) exited with ${res.status} ${res.signal ?? ''}:\n${output}`);
    assert.match(
      output,
      new RegExp(`survives a Redis restart \\(${runner}\\)`),
      `${runner} did not run the test:\n${output}`,
    );
  }
  return took;
}
