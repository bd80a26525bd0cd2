// Unit tests of how keyless commands are merged on a cluster (src/cluster/command-tips.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, commandTip, type NodeOutcome } from '../../src/cluster/command-tips';
import { ReplyError } from '../../src/errors';

const ok = (value: unknown): NodeOutcome => ({ ok: true, value });
const fail = (message: string): NodeOutcome => ({ ok: false, error: new ReplyError(message) });

test('commandTip: commands and container subcommands, any case; no tip for a keyed or unknown command', () => {
  assert.deepEqual(commandTip('DBSIZE', []), { request: 'all_shards', response: 'agg_sum' });
  assert.deepEqual(commandTip('script', ['LOAD', 'return 1']), { request: 'all_nodes', response: 'all_succeeded' });
  assert.deepEqual(commandTip('FUNCTION', ['load', 'code']), { request: 'all_shards', response: 'all_succeeded' });
  assert.equal(commandTip('SCRIPT', []), undefined);
  assert.equal(commandTip('INFO', []), undefined, 'response_policy:special: one node');
  assert.equal(commandTip('WAIT', [1, 0]), undefined, 'counts the sending connection');
  assert.equal(commandTip('GET', ['k']), undefined);
  assert.equal(commandTip('NOSUCH', []), undefined);
  assert.equal(commandTip('toString', []), undefined);
  assert.equal(commandTip('constructor', []), undefined);
  assert.equal(commandTip('__proto__', []), undefined);
});

test('aggregate: sums, all/one succeeded, logical AND per element, arrays concatenated, RANDOMKEY any non-null', () => {
  assert.equal(aggregate('DBSIZE', 'agg_sum', [ok(2), ok(3), ok(0)]), 5);
  assert.equal(aggregate('X', 'agg_min', [ok(2), ok(1)]), 1);
  assert.equal(aggregate('X', 'agg_max', [ok(2), ok(7)]), 7);
  assert.equal(aggregate('FLUSHALL', 'all_succeeded', [ok('OK'), ok('OK')]), 'OK');
  assert.throws(() => aggregate('FLUSHALL', 'all_succeeded', [ok('OK'), fail('ERR no')]), /ERR no/);
  assert.throws(() => aggregate('DBSIZE', 'agg_sum', [ok(1), fail('LOADING')]), ReplyError);
  assert.equal(aggregate('SCRIPT', 'one_succeeded', [fail('NOTBUSY'), ok('OK')]), 'OK');
  assert.throws(() => aggregate('SCRIPT', 'one_succeeded', [fail('NOTBUSY a'), fail('NOTBUSY b')]), /NOTBUSY a/);
  assert.deepEqual(aggregate('SCRIPT', 'agg_logical_and', [ok([true, true, false]), ok([true, false, false])]), [
    true,
    false,
    false,
  ]);
  assert.deepEqual(aggregate('SCRIPT', 'agg_logical_and', [ok([1, 1]), ok([1, 0])]), [1, 0]);
  assert.deepEqual(aggregate('SCRIPT', 'agg_logical_or', [ok([0, 1]), ok([0, 0])]), [0, 1]);
  assert.deepEqual(aggregate('KEYS', undefined, [ok(['a']), ok([]), ok(['b', 'c'])]), ['a', 'b', 'c']);
  assert.equal(aggregate('RANDOMKEY', undefined, [ok(null), ok('k'), ok(null)]), 'k');
  assert.equal(aggregate('RANDOMKEY', undefined, [ok(null), ok(null)]), null);
});
