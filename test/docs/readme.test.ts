// The README's first screen: the two commands, and a quick start that compiles against the
// current API (examples/quick-start.ts runs the same steps against a real server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const repo = join(__dirname, '..', '..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');

test('the README shows `npm run demo` and `npm test` before anything else', () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(firstBlock, 'a sh block');
  assert.match(firstBlock[1], /npm run demo/);
  assert.match(firstBlock[1], /npm test/);
  assert.ok(readme.indexOf('```sh') < readme.indexOf('## '), 'the commands come before the first section');
});

test('the README quick start typechecks', () => {
  const block = /## Quick start\s+```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'a ts block under "## Quick start"');
  const lines = block[1].trimEnd().split('\n').length;
  assert.ok(lines <= 25, `the quick start is ${lines} lines: keep it short`);

  const dir = mkdtempSync(join(tmpdir(), 'romaine-readme-'));
  try {
    const file = join(dir, 'quick-start.mts'); // ESM: the quick start uses top-level await
    writeFileSync(file, block[1]);
    const config = ts.readConfigFile(join(repo, 'tsconfig.json'), (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repo);
    const program = ts.createProgram([file], { ...parsed.options, noEmit: true });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(diagnostics, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
