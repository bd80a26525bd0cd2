// Runs the `romaine` command line from the TypeScript sources, as `npm run demo` does, in a child
// process: what a user sees is its stdout, its stderr and its exit status.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../src/cli/main';

export const repo = join(__dirname, '..', '..');
const mainTs = join(repo, 'src', 'cli', 'main.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `romaine ...args`; colour is off (NO_COLOR) unless the caller's env says otherwise. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  delete childEnv.NODE_TEST_CONTEXT; // the child is a program, not a test file
  delete childEnv.FORCE_COLOR;
  return spawn(process.execPath, ['--import', 'tsx', mainTs, ...args], { cwd: repo, env: childEnv });
}

/** Runs `romaine ...args` to the end (killed after `timeoutMs`). */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawnCli(args, opts.env);
  return collect(child, opts.timeoutMs ?? 30_000);
}

export function collect(child: ChildProcessWithoutNullStreams, timeoutMs: number): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Resolves with the first stdout line that matches `pattern` (rejects after `timeoutMs`). */
export function waitForLine(
  child: ChildProcessWithoutNullStreams,
  pattern: RegExp,
  timeoutMs = 15_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.stdout.off('data', onData);
      reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; got:\n${buffered}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      buffered += d.toString();
      const line = buffered.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(line);
      }
    };
    child.stdout.on('data', onData);
  });
}

/**
 * Runs the command line in this process (main() with captured output): the same code path as the
 * binary, minus the process start (a second or two under tsx), for the cases that do not need a
 * process of their own.
 */
export async function romaine(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    env: { NO_COLOR: '1', ...env },
    tty: { isTTY: false },
  });
  return { code, signal: null, stdout, stderr };
}
