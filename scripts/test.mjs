#!/usr/bin/env node
// Runs every test file under test/ with Node's built-in test runner (TypeScript via tsx).
// Usage: npm test [-- <filter substring>...]
// Unit tests (*.test.ts) need nothing; *.integration.test.ts start their own redis-server.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const redis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
if (redis.error) {
  console.error(
    'redis-server is not on PATH: install it with `apt-get install -y redis-server` (the integration tests start their own servers).',
  );
  process.exit(1);
}

const files = walk(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.ROMAINE_TEST_CONCURRENCY ?? '4';
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(res.status ?? 1);
