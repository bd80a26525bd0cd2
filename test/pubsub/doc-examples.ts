// Runs the examples in docs/pubsub.md, docs/caching.md and docs/pool.md the way a reader would:
// each ```ts block whose first line is `// example: NAME` is written to a file (importing romaine
// from this checkout's src/) and run with `node --import tsx`, REDIS_URL pointing at a test server.
import { runTs, type TsRun } from '../support/run-ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(__dirname, '..', '..');

/** The tagged examples of one docs page, by name. */
export function docExamples(page: string): Map<string, string> {
  const text = readFileSync(join(repo, 'docs', page), 'utf8');
  const out = new Map<string, string>();
  for (const m of text.matchAll(/```ts\n\/\/ example: ([\w-]+)\n([\s\S]*?)```/g)) out.set(m[1], m[2]);
  return out;
}

export type ExampleRun = TsRun;

/** Runs one example as an ES module; resolves with its exit and everything it printed. */
export function runDocExample(source: string, redisUrl: string, timeoutMs = 30_000): Promise<ExampleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'romaine-doc-example-'));
  const file = join(dir, 'example.mts');
  const romaine = JSON.stringify(join(repo, 'src', 'index.ts'));
  writeFileSync(file, source.replace(/from 'romaine'/g, `from ${romaine}`));
  return runTs(file, { cwd: repo, redisUrl, timeoutMs }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
