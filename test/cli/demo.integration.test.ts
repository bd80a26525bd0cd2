// `npm run demo` as a newcomer runs it: the whole outage story against its own throwaway server,
// ending with "recovered N times, lost 0 commands" — a line the demo prints only after checking the
// counter on the server. As root the protected-mode chapter runs in a namespace of the demo's own,
// which must be gone afterwards; elsewhere the demo says in one line that it skipped it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { netnsSkipReason } from '../support/netns';
import { collect, repo } from './run-cli';

test('npm run demo tells the outage story and ends with lost 0 commands', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [join(repo, 'scripts', 'demo.mjs')], { cwd: repo, env });
  const r = await collect(child, 60_000);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  const last = lines.at(-1) as string;
  const withNetns = netnsSkipReason() === false;
  assert.match(last, /^recovered \d+ times, lost 0 commands$/);
  assert.equal(Number(/recovered (\d+)/.exec(last)?.[1]), withNetns ? 4 : 3, last);

  assert.match(r.stdout, /— a short tour —/);
  assert.match(r.stdout, /1\. the server crashes/);
  assert.match(r.stdout, /2\. the password is rotated/);
  assert.match(r.stdout, /auth: the server refused authentication \(WRONGPASS\)/);
  assert.match(r.stdout, /3\. the password is restored/);
  if (withNetns) {
    assert.match(r.stdout, /4\. the server restarts with a default config/);
    assert.match(
      r.stdout,
      /protected-mode: the server refused the connection: Redis is running in protected mode \(DENIED\)/,
    );
  } else {
    assert.equal(lines.filter((l) => /4\. protected mode: skipped/.test(l)).length, 1);
  }
  assert.match(r.stdout, /— every command, in order —/);
  assert.match(r.stdout, /^ {2}1 crash +[·◦?✗]+/m);
  assert.match(
    r.stdout,
    /counter on the server: \d+ — between \d+ and \d+: every acknowledged INCR is there, none ran twice/,
  );
  assert.doesNotMatch(r.stdout, /demo-password/, 'passwords are never printed');

  // Its namespace is gone: no romdemo<pid> is left whose process is dead.
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const m of left.matchAll(/romdemo(\d+)/g)) {
    assert.ok(processAlive(Number(m[1])), `namespace ${m[0]} was left behind`);
  }
});

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
