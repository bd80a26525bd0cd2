// The command line's pure parts, no server: argument parsing, the password kept out of every
// output, INFO parsing, the timeline's arithmetic (spans, outages, summary), the HTML report and
// the doctor's terminal layout, and the help texts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../src/cli/argv';
import { readTarget, redact, TARGET_OPTIONS } from '../../src/cli/target';
import { parseInfo } from '../../src/cli/doctor-server';
import { renderDoctor } from '../../src/cli/doctor-render';
import type { DoctorReport } from '../../src/cli/doctor-report';
import { makeStyle, percentile, wantsColor, formatMs, visibleWidth } from '../../src/cli/terminal';
import { Timeline } from '../../src/cli/timeline';
import { describeSummary, shortMessage } from '../../src/cli/timeline-text';
import { renderReport } from '../../src/cli/watch-report';
import { romaine } from './run-cli';

describe('arguments', () => {
  const spec = { json: 'boolean', report: 'string', duration: 'number' } as const;
  test('flags, values in both spellings, positionals, -h', () => {
    const a = parseArgs(['redis://x', '--json', '--report', 'r.html', '--duration=3', '-h'], spec);
    assert.deepEqual(a.positionals, ['redis://x']);
    assert.ok(a.flags.has('json') && a.flags.has('help'));
    assert.equal(a.values.get('report'), 'r.html');
    assert.equal(a.numbers.get('duration'), 3);
    assert.deepEqual(parseArgs(['--', '--json'], spec).positionals, ['--json']);
  });
  test('mistakes name the option', () => {
    assert.throws(
      () => parseArgs(['--nope'], spec),
      (e: unknown) => e instanceof UsageError && /--nope/.test(e.message),
    );
    assert.throws(() => parseArgs(['--report'], spec), /'--report' needs a value/);
    assert.throws(() => parseArgs(['--duration', 'soon'], spec), /positive number, got 'soon'/);
    assert.throws(() => parseArgs(['--json=1'], spec), /takes no value/);
    assert.throws(() => parseArgs(['-x'], spec), /unknown option '-x'/);
  });
});

describe('the password never shows', () => {
  test('redact() replaces the whole password, even with @ or / in it', () => {
    assert.equal(redact('redis://:s3cret@h:6379/0'), 'redis://:***@h:6379/0');
    assert.equal(redact('redis://alice:p@ss/w@rd@h:1'), 'redis://alice:***@h:1');
    assert.equal(redact('rediss://bob@h'), 'rediss://bob@h');
    assert.equal(redact('redis://h:6379'), 'redis://h:6379');
  });
  test('readTarget: display and scrub() hide the URL or ROMAINE_PASSWORD password', () => {
    const args = parseArgs([], TARGET_OPTIONS);
    const t = readTarget('redis://alice:open%20sesame@10.0.0.5:6380/2', args, {});
    assert.equal(t.display, 'redis://alice:***@10.0.0.5:6380/2');
    assert.equal(t.password, 'open sesame');
    assert.equal(t.database, 2);
    assert.equal(t.scrub('said open sesame and open%20sesame'), 'said *** and ***');
    const e = readTarget('redis://127.0.0.1', args, { ROMAINE_PASSWORD: 'from-env' });
    assert.equal(e.password, 'from-env');
    assert.equal(e.scrub('x from-env y'), 'x *** y');
    assert.equal(e.port, 6379);
  });
  test('TLS options need rediss://, and a missing file is a usage error', () => {
    assert.throws(
      () => readTarget('redis://h', parseArgs(['--tls-ca', 'x.pem'], TARGET_OPTIONS), {}),
      /needs a rediss:\/\/ URL/,
    );
    assert.throws(
      () => readTarget('rediss://h', parseArgs(['--tls-ca', '/nonexistent.pem'], TARGET_OPTIONS), {}),
      /--tls-ca \/nonexistent\.pem/,
    );
    assert.throws(() => readTarget('http://h', parseArgs([], TARGET_OPTIONS), {}), UsageError);
  });
});

test('parseInfo reads INFO into one map', () => {
  const info = parseInfo(
    '# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n\r\n# Replication\r\nrole:master\r\nslave0:ip=10.0.0.2,port=6379,state=online,offset=1,lag=0\r\n',
  );
  assert.equal(info.redis_version, '7.0.15');
  assert.equal(info.role, 'master');
  assert.equal(info.slave0, 'ip=10.0.0.2,port=6379,state=online,offset=1,lag=0');
});

test('shortMessage: first sentence, the server answer reduced to its code', () => {
  assert.equal(
    shortMessage(
      'the server refused authentication (server said: WRONGPASS invalid username-password pair.). The username or password is wrong.',
    ),
    'the server refused authentication (WRONGPASS)',
  );
  assert.equal(
    shortMessage('nothing accepts connections there: is the server running, and on this port? (ECONNREFUSED)'),
    'nothing accepts connections there: is the server running, and on this port? (ECONNREFUSED)',
  );
  assert.ok(shortMessage('x'.repeat(500)).length <= 140);
});

test('percentile (nearest rank) and formatMs', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(v, 50), 50);
  assert.equal(percentile(v, 99), 99);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.equal(formatMs(0.123), '0.12 ms');
  assert.equal(formatMs(1234), '1.23 s');
});

test('colour only for a terminal, never with NO_COLOR, always with FORCE_COLOR', () => {
  assert.equal(wantsColor({ isTTY: true }, {}), true);
  assert.equal(wantsColor({ isTTY: false }, {}), false);
  assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(wantsColor({ isTTY: true }, { TERM: 'dumb' }), false);
  assert.equal(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' }), true);
  assert.equal(makeStyle(false).ok('x'), 'x');
  assert.equal(makeStyle(true).ok('x'), '\x1b[32mx\x1b[39m');
});

/** A recording with known times: ready 0-1000, an outage 1000-1600 (3 attempts), ready to 3000. */
function recorded(): Timeline {
  const tl = new Timeline('redis://127.0.0.1:6379');
  const net = { kind: 'network', code: 'ECONNECTION', message: 'the server closed the connection (EOF)' };
  tl.push({ type: 'state', t: 2, from: 'idle', to: 'connecting' });
  tl.push({ type: 'state', t: 10, from: 'connecting', to: 'ready' });
  tl.push({ type: 'ready', t: 10, reconnected: false, server: { version: '7.0.15', protocol: 3 } });
  tl.push({ type: 'latency', t: 1000, ok: 9, failed: 0, waiting: 0, p50Ms: 0.2, p99Ms: 0.5, maxMs: 0.5, queued: 0 });
  tl.push({ type: 'state', t: 1000, from: 'ready', to: 'reconnecting', reason: net });
  for (const [i, t] of [1000, 1100, 1300].entries())
    tl.push({
      type: 'reconnecting',
      t,
      attempt: i + 1,
      delayMs: 100 * (i + 1),
      reason: { ...net, message: '<b>refused</b> & "quoted"' },
    });
  tl.push({ type: 'state', t: 1600, from: 'reconnecting', to: 'ready' });
  tl.push({ type: 'ready', t: 1600, reconnected: true });
  tl.push({
    type: 'latency',
    t: 2000,
    ok: 4,
    failed: 0,
    waiting: 0,
    p50Ms: 0.3,
    p99Ms: 0.9,
    maxMs: 0.9,
    queued: 6,
    queuedMaxMs: 580,
  });
  tl.push({
    type: 'command-failed',
    t: 2500,
    command: 'PING',
    code: 'ETIMEDOUT',
    message: 'PING got no reply within 2000 ms',
  });
  tl.push({ type: 'latency', t: 3000, ok: 10, failed: 1, waiting: 0, p50Ms: 0.2, p99Ms: 0.4, maxMs: 0.4, queued: 0 });
  return tl;
}

test('Timeline: state spans, outages with cause and attempts, summary', () => {
  const tl = recorded();
  assert.deepEqual(
    tl.spans(3000).map((s) => [s.state, s.startMs, s.endMs]),
    [
      ['idle', 0, 2],
      ['connecting', 2, 10],
      ['ready', 10, 1000],
      ['reconnecting', 1000, 1600],
      ['ready', 1600, 3000],
    ],
  );
  const [o] = tl.outages(3000);
  assert.deepEqual(
    [o.startMs, o.endMs, o.durationMs, o.attempts, o.ongoing, o.cause?.kind],
    [1000, 1600, 600, 3, false, 'network'],
  );
  const s = tl.summary(3000);
  assert.equal(s.readyMs, 2390);
  assert.equal(s.readyPct, 79.7);
  assert.equal(s.recoveries, 1);
  assert.equal(s.firstReadyMs, 10);
  assert.deepEqual(s.commands.failuresByCode, { ETIMEDOUT: 1 });
  // An outage still going on at the end lasts until the end.
  tl.push({ type: 'state', t: 2800, from: 'ready', to: 'reconnecting', reason: { code: 'ECONNECTION', message: 'x' } });
  const last = tl.outages(3000).at(-1);
  assert.deepEqual([last?.ongoing, last?.durationMs], [true, 200]);
});

test('a client that never connected: the summary says so, with the last reason', () => {
  const tl = new Timeline('redis://127.0.0.1:6379');
  tl.push({ type: 'state', t: 1, from: 'idle', to: 'connecting' });
  const refused = {
    kind: 'auth',
    code: 'EAUTH',
    message: 'the server refused authentication (server said: WRONGPASS x). More.',
  };
  for (const t of [5, 100, 300]) tl.push({ type: 'reconnecting', t, attempt: 2, delayMs: 100, reason: refused });
  const s = tl.summary(2000);
  assert.equal(s.firstReadyMs, undefined);
  assert.deepEqual(s.initialFailures, { attempts: 3, lastReason: refused });
  const text = describeSummary(s, makeStyle(false));
  assert.match(
    text,
    /connect +never connected: 3 failed attempts; last: auth: the server refused authentication \(WRONGPASS\)/,
  );
  assert.match(renderReport(tl, s, 2000), /The client never connected: 3 failed attempts, the last one auth:/);
});

test('renderReport: bands, outage, latency and markers in one self-contained, escaped page', () => {
  const tl = recorded();
  const html = renderReport(tl, tl.summary(3000), 3000);
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script|<link /);
  assert.equal((html.match(/class="state-band state-ready"/g) ?? []).length, 2);
  assert.match(
    html,
    /class="state-band state-reconnecting" data-state="reconnecting" data-start-ms="1000" data-end-ms="1600"/,
  );
  assert.match(html, /<g class="outage" data-cause="network" data-start-ms="1000" data-end-ms="1600">/);
  assert.match(html, /outage 1 · 600\.0 ms · network/);
  assert.equal((html.match(/class="attempt"/g) ?? []).length, 3);
  assert.equal((html.match(/class="failure"/g) ?? []).length, 1);
  assert.equal((html.match(/class="queued"/g) ?? []).length, 1);
  assert.match(html, /<polyline points="[^"]+" class="latency-p50"\/>/);
  assert.ok(html.includes('&#60;b&#62;refused&#60;/b&#62; &#38; &#34;quoted&#34;'), 'event text is escaped');
  assert.ok(!html.includes('<b>refused</b>'));
  assert.match(html, /id="verdict">1 outage, recovered from 1; 1 command failed\./);
});

test('renderDoctor: aligned columns, the failure explained under its step, the steps not run on one line', () => {
  const report: DoctorReport = {
    target: 'redis://:***@h:1',
    startedAt: '',
    totalMs: 12,
    healthy: false,
    counts: { ok: 2, warn: 0, fail: 1, skip: 1 },
    steps: [
      { id: 'resolve', title: 'name resolution', verdict: 'ok', ms: 0.01, summary: 'h -> 10.0.0.1' },
      { id: 'tcp', title: 'TCP connect', verdict: 'ok', ms: 1.5, summary: 'connected' },
      {
        id: 'handshake',
        title: 'HELLO / AUTH',
        verdict: 'fail',
        ms: 0.7,
        summary: 'DENIED',
        problem: { code: 'protected-mode', what: 'Protected mode.', fix: ['One.', 'Two.', 'Three.'] },
      },
      { id: 'server', title: 'server', verdict: 'skip', summary: 'not run (HELLO / AUTH failed)' },
    ],
  };
  const text = renderDoctor(report, makeStyle(false), 100);
  const stepLines = text.split('\n').filter((l) => /^ {2}[✓✗!] /.test(l));
  const summaryColumn = stepLines.map((l) =>
    l.indexOf(
      l
        .trim()
        .split(/\s{2,}/)
        .at(-1) as string,
    ),
  );
  assert.equal(new Set(summaryColumn).size, 1, `summaries start in one column:\n${text}`);
  assert.match(
    text,
    /✗ {2}HELLO \/ AUTH +0\.70 ms {2}DENIED\n\n {7}Protected mode\.\n {7}What to do:\n {9}1\. One\.\n {9}2\. Two\.\n {9}3\. Three\./,
  );
  assert.match(text, /· {2}not run: server/);
  assert.match(text, /not healthy: HELLO \/ AUTH failed/);
  const coloured = renderDoctor(report, makeStyle(true), 100);
  assert.ok(coloured.includes('\x1b[31m✗\x1b[39m'), 'the failure mark is red');
  assert.equal(visibleWidth(coloured.split('\n')[2]), visibleWidth(text.split('\n')[2]));
});

test('help: romaine --help, romaine <cmd> --help, unknown commands exit 2', async () => {
  const top = await romaine(['--help']);
  assert.equal(top.code, 0);
  for (const cmd of ['doctor <url>', 'watch <url>', 'demo']) assert.ok(top.stdout.includes(`romaine ${cmd}`), cmd);
  for (const cmd of ['doctor', 'watch', 'demo']) {
    const r = await romaine([cmd, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^Usage: romaine ${cmd}`));
  }
  assert.match((await romaine(['watch', '--help'])).stdout, /--report <file\.html>/);
  assert.match((await romaine(['doctor', '-h'])).stdout, /ROMAINE_PASSWORD/);
  const unknown = await romaine(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const bad = await romaine(['watch', 'redis://h', '--duration', '-1']);
  assert.equal(bad.code, 2);
});
