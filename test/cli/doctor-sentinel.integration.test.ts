// `romaine doctor <sentinel-url> --sentinel <name>` against a real deployment (1 primary,
// 2 replicas, 3 sentinels): who the primary is, whether the sentinels agree, whether the announced
// nodes are reachable; an unknown name is explained with the names the sentinel knows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RedisSentinel } from '../support/sentinel';
import { romaine } from './run-cli';

let d: RedisSentinel;
before(async () => {
  d = await RedisSentinel.start();
});
after(() => d?.destroy());

interface Report {
  healthy: boolean;
  steps: { id: string; verdict: string; summary: string; details?: any; problem?: { code: string; what: string } }[];
}

async function doctor(...args: string[]): Promise<{ code: number | null; report: Report; text: string }> {
  const url = `redis://127.0.0.1:${d.sentinelServers[0].port}`;
  const json = await romaine(['doctor', url, '--json', ...args]);
  const text = await romaine(['doctor', url, ...args]);
  return { code: json.code, report: JSON.parse(json.stdout) as Report, text: text.stdout };
}

test('a healthy deployment: the primary named, the 3 sentinels agree, the primary and both replicas reachable', async () => {
  const primary = await d.primary();
  const r = await doctor('--sentinel', d.name);
  assert.equal(r.code, 0, r.text);
  assert.deepEqual(
    r.report.steps.map((s) => `${s.id}:${s.verdict}`),
    ['sentinels:ok', 'primary:ok', 'replicas:ok'],
  );
  assert.match(
    r.report.steps[0].summary,
    new RegExp(`3 sentinels name 127\\.0\\.0\\.1:${primary.port} as the primary of 'mymaster'`),
  );
  assert.match(r.report.steps[1].summary, /role master/);
  assert.match(r.report.steps[2].summary, /2 replicas, 2 reachable/);
  assert.match(r.text, /healthy/);
});

test('an unknown master name fails, naming the masters the sentinel monitors', async () => {
  const r = await doctor('--sentinel', 'mymastr');
  assert.equal(r.code, 1);
  assert.equal(r.report.steps[0].problem?.code, 'unknown-master');
  assert.match(r.report.steps[0].problem?.what ?? '', /it monitors: 'mymaster'/);
  assert.match(r.text, /not healthy/);
});
