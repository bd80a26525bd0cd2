// The half-open detector confirms a silence with a probe before it condemns a connection: a dead
// link is condemned as fast as before, a live server busy with a slow command is not.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionError } from '../../src/errors';
import { parseClientLine, type ProbeFinding } from '../../src/connection/probe';
import { judgeProbe } from '../../src/lifecycle/health';
import { harness } from './fakes';

const hc = { intervalMs: 1000, timeoutMs: 500 };

/** A lifecycle whose probe answers `finding` after `ms` of fake time. */
function probed(findings: ProbeFinding[], ms = 100) {
  const probes: number[] = [];
  const h = harness({
    healthCheck: hc,
    probe: () => {
      probes.push(h.clock.now());
      const finding = findings.length > 1 ? (findings.shift() as ProbeFinding) : findings[0];
      return new Promise((resolve) => h.clock.setTimeout(() => resolve(finding), ms));
    },
  });
  return { h, probes };
}

describe('judgeProbe', () => {
  const cases: Array<[ProbeFinding, boolean]> = [
    [{ kind: 'unreachable', detail: 'ECONNREFUSED' }, true],
    [{ kind: 'unresponsive' }, false],
    [{ kind: 'busy', detail: 'BUSY Redis is busy running a script' }, false],
    [{ kind: 'client', id: 7, info: undefined }, true],
    [{ kind: 'client', id: 7, info: { blocked: true, cmd: 'blpop' } }, false],
    [{ kind: 'client', id: 7, info: { blocked: false, cmd: 'get' } }, true],
    [{ kind: 'answered' }, true],
    [{ kind: 'failed', detail: 'WRONGPASS' }, true],
  ];
  for (const [finding, dead] of cases) {
    test(`${JSON.stringify(finding)} -> ${dead ? 'dead' : 'alive, look again'}`, () => {
      const v = judgeProbe(finding);
      assert.equal(v.dead, dead);
      assert.ok(v.why.length > 0);
    });
  }
});

describe('parseClientLine', () => {
  test('reads flags and cmd; an empty answer is an unknown client', () => {
    const line =
      'id=12 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=8 name= age=3 idle=0 flags=b db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=2000 events=r cmd=blpop user=default redir=-1 resp=3\n';
    assert.deepEqual(parseClientLine(line), { blocked: true, cmd: 'blpop' });
    assert.deepEqual(parseClientLine(Buffer.from(line.replace('flags=b', 'flags=N'))), {
      blocked: false,
      cmd: 'blpop',
    });
    assert.equal(parseClientLine(''), undefined);
  });
});

describe('health check with a probe', () => {
  test('a silent connection whose server is unreachable is condemned after timeoutMs + the probe', async () => {
    const { h, probes } = probed([{ kind: 'unreachable', detail: 'connect ETIMEDOUT' }]);
    await h.lifecycle.connect();
    const first = h.last();
    h.run('GET', 'k');
    await h.clock.advance(500);
    assert.deepEqual(probes, [500], 'the probe goes out when the silence rule fires');
    assert.equal(first.destroyedWith, undefined, 'not before the probe answered');
    await h.clock.advance(100);
    const dead: unknown = first.destroyedWith;
    assert.ok(dead instanceof ConnectionError && dead.kind === 'health');
    assert.match(dead.message, /sent no byte for 500 ms.*a new connection to the server failed too.*presumed dead/);
  });

  test('a live server that is busy spares the connection; it is looked at again, and its reply ends the suspicion', async () => {
    const { h, probes } = probed([{ kind: 'unresponsive' }, { kind: 'busy', detail: 'BUSY' }]);
    await h.lifecycle.connect();
    const conn = h.last();
    const slow = h.run('EVAL', 'long script', '0');
    await h.clock.advance(4000);
    assert.equal(conn.destroyedWith, undefined);
    assert.ok(probes.length >= 2, `looked again (${probes.length} probes)`);
    for (let i = 1; i < probes.length; i++) assert.ok(probes[i] - probes[i - 1] >= hc.timeoutMs);
    conn.reply('done');
    assert.equal(slow.outcome.value, 'done');
    const count = probes.length;
    await h.clock.advance(400);
    assert.equal(probes.length, count, 'no probe once the reply came');
    assert.equal(h.connections.length, 1, 'no reconnect');
  });

  test('a byte read while the probe runs ends the suspicion, whatever the probe says', async () => {
    const { h } = probed([{ kind: 'unreachable', detail: 'x' }], 200);
    await h.lifecycle.connect();
    const conn = h.last();
    h.run('GET', 'a');
    h.run('GET', 'b');
    await h.clock.advance(550);
    conn.reply('a');
    await h.clock.advance(200);
    assert.equal(conn.destroyedWith, undefined);
  });

  test('the server says our connection has nothing in progress: condemned (the replies were lost)', async () => {
    const { h } = probed([{ kind: 'client', id: 3, info: { blocked: false, cmd: 'get' } }]);
    await h.lifecycle.connect();
    const conn = h.last();
    h.run('GET', 'k');
    await h.clock.advance(700);
    assert.ok(conn.destroyedWith instanceof ConnectionError && conn.destroyedWith.kind === 'health');
    assert.match(conn.destroyedWith.message, /nothing in progress for this connection \(id 3/);
  });

  test('a probe that rejects counts as a failed probe: condemned', async () => {
    const h = harness({ healthCheck: hc, probe: () => Promise.reject(new Error('boom')) });
    await h.lifecycle.connect();
    const conn = h.last();
    h.run('GET', 'k');
    await h.clock.advance(600);
    assert.ok(conn.destroyedWith instanceof ConnectionError && conn.destroyedWith.kind === 'health');
  });

  test('a command timeout on a silent connection sends the probe early (a hint), and never condemns alone', async () => {
    const { h, probes } = probed([{ kind: 'unresponsive' }]);
    h.config.commandTimeoutMs = 200;
    await h.lifecycle.connect();
    const conn = h.last();
    h.run('EVAL', 'slow', '0');
    await h.clock.advance(200);
    assert.deepEqual(probes, [200], 'the timeout asked for a look at once');
    await h.clock.advance(1000);
    assert.equal(conn.destroyedWith, undefined, 'the busy server spared it');
  });

  test('a stopped monitor ignores a probe that answers late', async () => {
    const { h } = probed([{ kind: 'unreachable', detail: 'x' }], 300);
    await h.lifecycle.connect();
    const conn = h.last();
    h.run('GET', 'k');
    await h.clock.advance(550);
    h.lifecycle.destroy();
    await h.clock.advance(500);
    assert.ok(!(conn.destroyedWith instanceof ConnectionError && conn.destroyedWith.kind === 'health'));
  });
});
