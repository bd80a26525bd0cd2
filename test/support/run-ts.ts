// Runs a TypeScript program the way a user would (node --import tsx), outside the test runner,
// with REDIS_URL pointing at a test server, and collects everything it printed.
import { spawn } from 'node:child_process';

export interface TsRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

export function runTs(
  file: string,
  opts: { cwd: string; redisUrl: string; timeoutMs?: number; args?: string[] },
): Promise<TsRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: opts.redisUrl };
  // The child is a program, not a test file: keep the runner's own settings out of it.
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...(opts.args ?? [])], { cwd: opts.cwd, env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}
