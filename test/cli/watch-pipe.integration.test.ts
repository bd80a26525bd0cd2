// `romaine watch URL | head -3`, through a real shell pipe: when the reader goes away, the watch
// ends quietly (exit 0, nothing on stderr), and its client is closed.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RedisServer } from '../support/redis-server';
import { sleep } from '../support/wait';
import { repo } from './run-cli';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(async () => {
  await server?.destroy();
});

function pipeline(script: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn('bash', ['-c', script], { cwd: repo, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

for (const json of [false, true]) {
  test(`romaine watch${json ? ' --json' : ''} | head -3: ends quietly with exit 0 when the pipe closes, and closes its client`, async () => {
    const main = join(repo, 'src', 'cli', 'main.ts');
    const t0 = performance.now();
    const r = await pipeline(
      `node --import tsx ${main} watch ${server.url}${json ? ' --json' : ''} | head -3; echo "romaine exit: \${PIPESTATUS[0]}" >&2`,
    );
    const ms = performance.now() - t0;
    assert.equal(r.stdout.trimEnd().split('\n').length, 3, r.stdout);
    assert.match(r.stderr, /romaine exit: 0\n/, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|Error|at /, r.stderr);
    // The watch's client (named romaine-watch) is gone from the server.
    let clients = await server.cli('CLIENT', 'LIST');
    for (let i = 0; i < 40 && clients.includes('name=romaine-watch'); i++) {
      await sleep(50);
      clients = await server.cli('CLIENT', 'LIST');
    }
    assert.doesNotMatch(clients, /name=romaine-watch/);
    console.log(`# watch${json ? ' --json' : ''} | head -3 ended after ${ms.toFixed(0)} ms`);
  });
}
