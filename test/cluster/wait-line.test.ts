// Unit tests of the cluster's wait line: commands leave in order, never pass one ahead of them
// for the same slot or node, and pass freely for other slots and nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WaitLine } from '../../src/cluster/wait-line';

interface C {
  id: string;
  slot: number | undefined;
  seq: number;
}
let issued = 0;
const mk = (id: string, slot: number | undefined): C => ({ id, slot, seq: ++issued });

test('WaitLine: a new command for a waiting slot or node must queue; others need not', () => {
  const line = new WaitLine<C>();
  line.push(mk('a', 1), 'n1');
  line.push(mk('b', 2), undefined); // owner unknown (uncovered slot)
  assert.equal(line.blocks(1, 'n9'), true, 'same slot');
  assert.equal(line.blocks(7, 'n1'), true, 'same node');
  assert.equal(line.blocks(2, 'n2'), true, 'same slot, owner unknown while it waits');
  assert.equal(line.blocks(3, 'n2'), false, 'another slot on another node');
  assert.equal(line.blocks(undefined, 'n2'), false, 'keyless, another node');
  assert.equal(line.blocks(undefined, undefined), false);
});

test('WaitLine: drain visits front to back and a later command never passes an earlier one of its slot or node', () => {
  const line = new WaitLine<C>();
  const order = ['s1', 'g1', 'x', 's2', 'g2'];
  const where: Record<string, [number, string]> = {
    s1: [1, 'A'],
    g1: [1, 'A'],
    x: [5, 'B'],
    s2: [9, 'A'],
    g2: [9, 'A'],
  };
  for (const id of order) line.push(mk(id, where[id][0]), where[id][1]);
  const seen: [string, boolean][] = [];
  const sent: string[] = [];
  // s1 cannot go yet (its node is still connecting): every later command for node A stays,
  // x (node B) leaves.
  line.drain((c, blocked) => {
    const node = where[c.id][1];
    const b = blocked(node);
    seen.push([c.id, b]);
    if (b || c.id === 's1') return { stay: true, node };
    sent.push(c.id);
    return { stay: false };
  });
  assert.deepEqual(seen, [
    ['s1', false],
    ['g1', true],
    ['x', false],
    ['s2', true],
    ['g2', true],
  ]);
  assert.deepEqual(sent, ['x']);
  assert.deepEqual(
    [...line].map((c) => c.id),
    ['s1', 'g1', 's2', 'g2'],
  );
  assert.equal(line.blocks(9, 'C'), true);
  // Next move: everybody can go, in the order they were issued.
  line.drain(() => {
    return { stay: false };
  });
  assert.equal(line.size, 0);
  assert.equal(line.blocks(1, 'A'), false);
});

test('WaitLine: a command that left (settled) unblocks the ones behind it in the same walk', () => {
  const line = new WaitLine<C>();
  line.push(mk('old', 4), 'A');
  line.push(mk('new', 4), 'A');
  const order: string[] = [];
  line.drain((c, blocked) => {
    assert.equal(blocked('A'), false);
    order.push(c.id);
    return { stay: false };
  });
  assert.deepEqual(order, ['old', 'new']);
  const rejected: string[] = [];
  line.push(mk('z', 1), 'A');
  line.clear((c) => rejected.push(c.id));
  assert.deepEqual(rejected, ['z']);
  assert.equal(line.size, 0);
});

test('WaitLine: a command coming back late (redirected, retried) takes its place by issue order', () => {
  const line = new WaitLine<C>();
  const first = mk('first', 3);
  const second = mk('second', 3);
  const third = mk('third', 3);
  // The reply handlers ran in the order third, first, second.
  line.push(third, 'A');
  line.push(first, 'A');
  line.push(second, 'B');
  assert.deepEqual(
    [...line].map((c) => c.id),
    ['first', 'second', 'third'],
  );
});

test('WaitLine: a retry whose answer is not back holds its slot and node until released', () => {
  const line = new WaitLine<C>();
  line.probe(8, 'A');
  assert.equal(line.blocks(8, 'B'), true);
  assert.equal(line.blocks(2, 'A'), true);
  line.push(mk('behind', 8), 'A');
  line.drain((c, blocked) => ({ stay: blocked('A'), node: 'A' }));
  assert.equal(line.size, 1, 'it stayed behind the probe');
  line.release(8, 'A');
  line.drain(() => ({ stay: false }));
  assert.equal(line.size, 0);
  assert.equal(line.blocks(8, 'A'), false);
});
