// The table call() reads: one source for the typed methods and call(), so that `client.blpop()`
// and `client.call('BLPOP', ...)` read the same timeout the same way.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as metadata from '@ioredis/commands';
import { blockingOf, callRule, resendWait } from '../../src/client/call-rules';
import { COMMANDS } from '../../src/client/commands';
import type { CommandDef } from '../../src/client/command-def';

describe('call() rules', () => {
  test('every typed blocking command is in the table with the same blocking function and connection rule', () => {
    for (const [method, d] of Object.entries(COMMANDS as Record<string, CommandDef>)) {
      if (d.blockingMs === undefined) continue;
      const rule = blockingOf(d.name);
      assert.ok(rule !== undefined, `${method} (${d.name}) is not in the table`);
      assert.equal(rule.blockingMs, d.blockingMs, method);
      assert.equal(rule.sameConnection, d.sameConnection === true, method);
    }
  });

  test('every command the metadata flags as blocking is in the table; unknown ones block forever', () => {
    for (const name of metadata.list) {
      if (metadata.hasFlag(name, 'blocking')) assert.ok(blockingOf(name) !== undefined, name);
    }
  });

  test('blocking times read from raw arguments, any case', () => {
    assert.equal(blockingOf('blpop')?.blockingMs(['k', 5]), 5000);
    assert.equal(blockingOf('BLPOP')?.blockingMs(['a', 'b', '0']), Infinity);
    assert.equal(blockingOf('BlMpOp')?.blockingMs([0.5, 1, 'k', 'LEFT']), 500);
    assert.equal(blockingOf('XREAD')?.blockingMs(['BLOCK', 5000, 'STREAMS', 'k', '$']), 5000);
    assert.equal(blockingOf('xreadgroup')?.blockingMs(['GROUP', 'g', 'c', 'STREAMS', 'k', '>']), 0, 'no BLOCK');
    assert.equal(blockingOf('WAIT')?.blockingMs([1, 100]), 100);
    assert.equal(blockingOf('WAIT')?.sameConnection, true);
    assert.equal(blockingOf('WAITAOF')?.blockingMs([1, 0, 250]), 250);
    assert.equal(blockingOf('WAITAOF')?.sameConnection, true);
  });

  test('ordinary commands have no rule', () => {
    for (const name of ['GET', 'set', 'Hget', 'EVAL', 'CLUSTER', 'some-module.command']) {
      assert.equal(callRule(name), undefined, name);
    }
  });
});

test('resendWait(): the blocking commands that can be released on one server and sent again elsewhere, with their wait rewritten', () => {
  const w = (name: string) => resendWait(name);
  assert.deepEqual(w('BLPOP')?.(['a', 'b', '5'], 2500), ['a', 'b', '2.500']);
  assert.deepEqual(w('blpop')?.(['a', '5'], 0.2), ['a', '0.001'], 'never 0, which would mean forever');
  assert.deepEqual(w('BZPOPMIN')?.(['z', '1.5'], 700), ['z', '0.700']);
  assert.deepEqual(w('BLMPOP')?.(['5', '1', 'l', 'LEFT'], 1234), ['1.234', '1', 'l', 'LEFT']);
  assert.deepEqual(w('BLMOVE')?.(['a', 'b', 'LEFT', 'RIGHT', '9'], 4000), ['a', 'b', 'LEFT', 'RIGHT', '4.000']);
  assert.deepEqual(w('XREAD')?.(['COUNT', '1', 'BLOCK', '5000', 'STREAMS', 's', '$'], 1234.4), [
    'COUNT',
    '1',
    'BLOCK',
    '1235',
    'STREAMS',
    's',
    '$',
  ]);
  assert.deepEqual(
    w('XREADGROUP')?.(['GROUP', 'g', 'c', 'BLOCK', '100', 'STREAMS', 'BLOCK', '>'], 50),
    ['GROUP', 'g', 'c', 'BLOCK', '50', 'STREAMS', 'BLOCK', '>'],
    'a key named BLOCK after STREAMS is left alone',
  );
  // WAIT and WAITAOF count their own connection's writes: their answer is not a null, and elsewhere it means nothing.
  assert.equal(w('WAIT'), undefined);
  assert.equal(w('WAITAOF'), undefined);
  assert.equal(w('GET'), undefined);
});
