// `romaine watch` as a user runs it (a child process) against a real server that is killed and
// restarted in the middle: the JSON events tell the outage and the recovery, the summary counts it,
// and the HTML report is loaded in headless Chromium and its rendered timeline read back (state
// bands, the outage and its cause), with a screenshot kept in .test-artifacts/.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RedisServer } from '../support/redis-server';
import { Browser, chromiumSkipReason } from './chromium';
import { collect, repo, spawnCli, waitForLine, type CliResult } from './run-cli';

const artifacts = join(repo, '.test-artifacts');

describe('romaine watch --json --report, with the server restarted in the middle', () => {
  let server: RedisServer;
  let dir: string;
  let report: string;
  let run: CliResult;
  let events: any[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'romaine-watch-'));
    report = join(dir, 'watch.html');
    server = await RedisServer.start();
    const child = spawnCli(['watch', server.url, '--json', '--duration', '3', '--report', report]);
    const done = collect(child, 30_000);
    await waitForLine(child, /"type":"ready"/);
    await sleep(400); // some latency samples before the outage
    await server.kill(); // a crash: no goodbye to the client
    await sleep(300);
    await server.restart();
    run = await done;
    events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  });
  after(async () => {
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('exits 0 and prints one JSON event per line, each with a time', () => {
    assert.equal(run.code, 0, run.stderr);
    assert.ok(events.length > 5);
    for (const e of events) {
      assert.equal(typeof e.type, 'string');
      assert.equal(typeof e.t, 'number');
      assert.match(e.time, /^\d{4}-\d\d-\d\dT/);
    }
    assert.equal(events[0].type, 'start');
    assert.equal(events.at(-1).type, 'report');
  });

  test('the events tell the outage: ready, lost, reconnect attempts with delays and reasons, ready again', () => {
    const types = events.map((e) => e.type);
    assert.ok(types.includes('reconnecting'), types.join(' '));
    const lost = events.find((e) => e.type === 'state' && e.from === 'ready' && e.to === 'reconnecting');
    assert.ok(lost, 'no ready -> reconnecting');
    assert.equal(lost.reason.kind, 'network');
    const attempts = events.filter((e) => e.type === 'reconnecting');
    for (const a of attempts) {
      assert.ok(a.attempt >= 1 && a.delayMs >= 0, JSON.stringify(a));
      assert.equal(typeof a.reason.message, 'string');
    }
    const back = events.find((e) => e.type === 'ready' && e.reconnected === true);
    assert.ok(back, 'no ready { reconnected: true }');
    assert.ok(back.t > lost.t);
    const latency = events.filter((e) => e.type === 'latency');
    assert.ok(latency.length >= 2, 'a latency line every second');
    assert.ok(latency.some((e) => e.p50Ms > 0 && e.p99Ms >= e.p50Ms));
  });

  test('the summary: time ready, the outage with its length and cause, commands', () => {
    const summary = events.find((e) => e.type === 'summary');
    assert.ok(summary);
    assert.equal(summary.outages.length, 1);
    const [outage] = summary.outages;
    assert.equal(outage.ongoing, false);
    assert.equal(outage.cause.kind, 'network');
    assert.ok(outage.durationMs > 200 && outage.durationMs < 3000, String(outage.durationMs));
    assert.ok(outage.attempts >= 1);
    assert.equal(summary.recoveries, 1);
    assert.ok(summary.readyPct > 20 && summary.readyPct < 100, String(summary.readyPct));
    assert.ok(summary.commands.sent >= 20, JSON.stringify(summary.commands));
    assert.equal(summary.commands.ok + summary.commands.failed <= summary.commands.sent, true);
  });

  test('the HTML report is self-contained: no script, no external resource', () => {
    const html = readFileSync(report, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<svg id="timeline"/);
    assert.doesNotMatch(html, /<script|<link |src="http|href="http/);
  });

  test(
    'rendered in headless Chromium: state bands, the outage with its cause, latency',
    { skip: chromiumSkipReason() },
    async () => {
      const browser = await Browser.launch(1200, 900);
      try {
        await browser.open(pathToFileURL(report).href);
        const seen = await browser.evaluate<{
          bands: { state: string; width: number }[];
          outages: { cause: string; label: string; width: number }[];
          latencyMarks: number;
          svgWidth: number;
          verdict: string;
          cards: string[];
          outageRows: number;
        }>(`(() => {
        const svg = document.querySelector('#timeline');
        const box = (el) => el.getBoundingClientRect();
        return {
          bands: [...svg.querySelectorAll('.state-band')].map((g) => ({ state: g.dataset.state, width: box(g.querySelector('rect')).width })),
          outages: [...svg.querySelectorAll('.outage')].map((g) => ({
            cause: g.dataset.cause,
            label: g.querySelector('text').textContent,
            width: box(g.querySelector('rect')).width,
          })),
          latencyMarks: svg.querySelectorAll('.latency-p50, .latency-point').length,
          svgWidth: box(svg).width,
          verdict: document.querySelector('#verdict').textContent,
          cards: [...document.querySelectorAll('.card')].map((c) => c.innerText.replace(/\\s+/g, ' ')),
          outageRows: document.querySelectorAll('#outages tbody tr').length,
        };
      })()`);
        mkdirSync(artifacts, { recursive: true });
        writeFileSync(join(artifacts, 'watch-report.png'), await browser.screenshot());
        writeFileSync(join(artifacts, 'watch-report.html'), readFileSync(report));

        assert.ok(seen.svgWidth > 800, `the timeline is ${seen.svgWidth} px wide`);
        const states = seen.bands.map((b) => b.state);
        assert.ok(states.includes('ready') && states.includes('reconnecting'), states.join(' '));
        const widest = (state: string): number =>
          Math.max(...seen.bands.filter((b) => b.state === state).map((b) => b.width));
        assert.ok(widest('ready') > 100, 'ready bands are drawn');
        assert.ok(widest('reconnecting') > 10, 'the reconnecting band is visible');
        assert.equal(seen.outages.length, 1);
        assert.equal(seen.outages[0].cause, 'network');
        assert.match(seen.outages[0].label, /^outage 1 · [\d.]+ (ms|s) · network$/);
        assert.ok(seen.outages[0].width > 10);
        assert.ok(seen.latencyMarks > 0, 'latency is drawn');
        assert.match(seen.verdict, /1 outage, recovered from 1/);
        assert.equal(seen.outageRows, 1);
        assert.ok(
          seen.cards.some((c) => /READY|Ready/.test(c)),
          seen.cards.join(' | '),
        );
        console.log(`# screenshot: ${join(artifacts, 'watch-report.png')}`);
      } finally {
        await browser.close();
      }
    },
  );
});

test('romaine watch (text) stops on Ctrl-C and prints its summary', async () => {
  const server = await RedisServer.start();
  try {
    const child = spawnCli(['watch', server.url]);
    const done = collect(child, 20_000);
    await waitForLine(child, /latency/);
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^romaine watch {2}redis:\/\/127\.0\.0\.1:\d+ {3}Ctrl-C to stop/m);
    assert.match(r.stdout, /state +idle → connecting/);
    assert.match(r.stdout, /latency +p50 [\d.]+ ms {2}p99/);
    assert.match(r.stdout, /stop +SIGINT/);
    assert.match(r.stdout, /^summary$/m);
    assert.match(r.stdout, /^ {2}outages +none$/m);
    assert.match(r.stdout, /^ {2}commands +\d+ PINGs: \d+ ok, 0 failed$/m);
  } finally {
    await server.destroy();
  }
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
