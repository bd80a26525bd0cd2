import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../src/client/commands';
import type { CommandDef } from '../../src/client/command-def';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'commands.md'), 'utf8');
const table = COMMANDS as Record<string, CommandDef>;

/** The rows of the reference tables: "| `method` | ..." or "| `method` (blocking) | ...". */
const rows = new Map<string, string>();
const reference = doc.slice(doc.indexOf('\n## Reference'));
for (const line of reference.split('\n')) {
  const m = /^\| `([A-Za-z]+)`( \(blocking\))? \|/.exec(line);
  if (m) rows.set(m[1], line);
}

test('docs/commands.md has a reference row for every method in COMMANDS', () => {
  const missing = Object.keys(table).filter((method) => !rows.has(method));
  assert.deepEqual(missing, [], `not in docs/commands.md: ${missing.join(', ')}`);
});

test('docs/commands.md documents no method that does not exist', () => {
  const extra = [...rows.keys()].filter((method) => !(method in table));
  assert.deepEqual(extra, []);
});

test('docs/commands.md marks exactly the blocking commands as (blocking)', () => {
  for (const [method, d] of Object.entries(table)) {
    assert.equal(rows.get(method)?.includes('(blocking)'), d.blockingMs !== undefined, method);
  }
});

test('docs/commands.md states the number of methods', () => {
  assert.match(doc, new RegExp(`There are ${Object.keys(table).length} methods`));
});

test('docs/commands.md describes every method (no empty "what it does" cell)', () => {
  const empty = [...rows].filter(([, line]) => /\|\s*\|\s*$/.test(line)).map(([method]) => method);
  assert.deepEqual(empty, []);
});

test('docs/commands.md spells out ExpireCondition', () => {
  assert.match(doc, /`ExpireCondition` \(Redis 7\) is `'NX' \| 'XX' \| 'GT' \| 'LT'`/);
});
