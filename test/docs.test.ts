import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as romaine from '../src/index';
import { ERROR_CODES } from '../src/errors';
import { policyTable } from '../src/lifecycle/policy';

const docs = (name: string) => readFileSync(join(__dirname, '..', 'docs', name), 'utf8');

test('docs/errors.md lists every error code and every error class exported', () => {
  const text = docs('errors.md');
  for (const code of ERROR_CODES) assert.match(text, new RegExp('`' + code + '`'), code);
  for (const [name, value] of Object.entries(romaine)) {
    if (typeof value === 'function' && value.prototype instanceof Error)
      assert.match(text, new RegExp('`' + name + '`'), name);
  }
});

test('docs/errors.md and docs/resilience.md list every failure kind', () => {
  for (const kind of Object.keys(policyTable())) {
    assert.match(docs('errors.md'), new RegExp('`' + kind + '`'), kind);
    assert.match(docs('resilience.md'), new RegExp('`' + kind + '`'), kind);
  }
});

test('every error class has a stable code and its own name', () => {
  for (const [name, value] of Object.entries(romaine)) {
    if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
    const Ctor = value as unknown as new (...a: unknown[]) => Error & { code?: string };
    const instance = Object.create(Ctor.prototype) as Error;
    assert.ok(instance instanceof romaine.RomaineError, `${name} extends RomaineError`);
  }
  assert.equal(new romaine.ConnectionLostError('INCR', true, new Error('x')).name, 'ConnectionLostError');
  assert.equal(new romaine.ReplyError('WRONGTYPE Operation against a key').code, 'WRONGTYPE');
  assert.equal(new romaine.ReplyError('weird lowercase').code, 'ERR');
});
