// Runs the examples in docs/pubsub.md, docs/caching.md and docs/pool.md the way a reader would:
// each ```ts block whose first line is `// example: NAME` is written to a file (importing romaine
// from this checkout's src/) and run with `node --import tsx`, REDIS_URL pointing at a test server.
import { spawn } from 'node:child_process';
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

export interface ExampleRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs one example as an ES module; resolves with its exit and everything it printed. */
export function runDocExample(source: string, redisUrl: string, timeoutMs = 30_000): Promise<ExampleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'romaine-doc-example-'));
  const file = join(dir, 'example.mts');
  const romaine = JSON.stringify(join(repo, 'src', 'index.ts'));
  writeFileSync(file, source.replace(/from 'romaine'/g, `from ${romaine}`));
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redisUrl };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return new Promise<ExampleRun>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: repo, env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
