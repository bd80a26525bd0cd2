// `romaine doctor` against real servers: a healthy server, a protected-mode server in a network
// namespace, a wrong password, a refused port, and TLS mismatches both ways. Each checks the exit
// status, the diagnosis in words, and --json. The first two run the command as a user does (a
// child process); the others call the same main() in this process, to keep the file fast.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RedisServer } from '../support/redis-server';
import { netnsSkipReason, startNetnsRedis, type NetnsRedis } from '../support/netns';
import { tlsFixtures } from '../support/tls';
import { freePort } from '../support/redis-server';
import { romaine, runCli } from './run-cli';

interface Report {
  healthy: boolean;
  target: string;
  steps: {
    id: string;
    verdict: string;
    summary: string;
    details?: any;
    problem?: { code: string; what: string; fix: string[] };
  }[];
}

const STEPS = ['resolve', 'tcp', 'tls', 'handshake', 'server', 'replication', 'memory', 'persistence', 'latency'];

async function doctorJson(
  url: string,
  ...extra: string[]
): Promise<{ code: number | null; report: Report; raw: string }> {
  const r = await romaine(['doctor', url, '--json', ...extra]);
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`--json did not print one JSON document (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, raw: r.stdout + r.stderr };
}

function stepOf(report: Report, id: string): Report['steps'][number] {
  const s = report.steps.find((x) => x.id === id);
  assert.ok(s, `no step '${id}' in ${report.steps.map((x) => x.id).join(', ')}`);
  return s;
}

describe('romaine doctor', () => {
  let healthy: RedisServer;
  let locked: RedisServer;
  let tlsServer: RedisServer;
  before(async () => {
    [healthy, locked, tlsServer] = await Promise.all([
      RedisServer.start({ args: ['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru'] }),
      RedisServer.start({ args: ['--requirepass', 'the-right-one'] }),
      RedisServer.start({ tls: true }),
    ]);
  });
  after(async () => {
    await Promise.all([healthy?.destroy(), locked?.destroy(), tlsServer?.destroy()]);
  });

  test('a healthy server: exit 0, every step in the text, and --json with every step', async () => {
    const text = await runCli(['doctor', healthy.url]);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    for (const title of [
      'name resolution',
      'TCP connect',
      'TLS',
      'HELLO / AUTH',
      'server',
      'replication',
      'memory',
      'persistence',
      'latency',
    ]) {
      assert.match(
        text.stdout,
        new RegExp(`^  . {2}${title.replace('/', '\\/')}`, 'm'),
        `no '${title}' line:\n${text.stdout}`,
      );
    }
    assert.match(text.stdout, /✓ {2}HELLO \/ AUTH .* RESP3/);
    assert.match(text.stdout, /Redis \d+\.\d+/);
    assert.match(text.stdout, /64\.0 MiB used|of 64\.0 MiB used/);
    assert.match(text.stdout, /policy allkeys-lru/);
    assert.match(text.stdout, /No persistence/); // --save "" --appendonly no: a warning, not a failure
    assert.match(text.stdout, /100 PINGs: p50 [\d.]+ ms, p99 [\d.]+ ms/);
    assert.match(text.stdout, /^ {2}healthy, 1 warning/m);
    assert.ok(!text.stdout.includes('\x1b['), 'NO_COLOR: no escape sequences');

    const { code, report } = await doctorJson(healthy.url);
    assert.equal(code, 0);
    assert.equal(report.healthy, true);
    assert.deepEqual(
      report.steps.map((s) => s.id),
      STEPS,
    );
    assert.equal(stepOf(report, 'tls').verdict, 'skip');
    assert.equal(stepOf(report, 'persistence').verdict, 'warn');
    const latency = stepOf(report, 'latency');
    assert.equal(latency.details.pings, 100);
    assert.ok(
      latency.details.p50Ms > 0 && latency.details.p99Ms >= latency.details.p50Ms,
      JSON.stringify(latency.details),
    );
    assert.equal(stepOf(report, 'memory').details.policy, 'allkeys-lru');
    assert.equal(stepOf(report, 'server').details.role, 'master');
  });

  test(
    'a protected-mode server (real, in a network namespace): the diagnosis and the three ways out',
    { skip: netnsSkipReason() },
    async () => {
      let ns: NetnsRedis | undefined;
      try {
        ns = await startNetnsRedis();
        const text = await runCli(['doctor', ns.url]);
        assert.equal(text.code, 1, text.stdout);
        assert.match(text.stdout, /✗ {2}HELLO \/ AUTH .*DENIED: the server runs in protected mode/);
        assert.match(text.stdout, /Redis is running in protected mode/);
        assert.match(text.stdout, /1\. Set a password/);
        assert.match(text.stdout, /2\. Or bind the server to the interface clients use/);
        assert.match(text.stdout, /3\. Or turn protected mode off \(`protected-mode no`\)/);
        assert.match(text.stdout, /not healthy: HELLO \/ AUTH failed/);

        const { code, report } = await doctorJson(ns.url);
        assert.equal(code, 1);
        const hello = stepOf(report, 'handshake');
        assert.equal(hello.verdict, 'fail');
        assert.equal(hello.problem?.code, 'protected-mode');
        assert.equal(hello.problem?.fix.length, 3);
        assert.equal(stepOf(report, 'tcp').verdict, 'ok');
        assert.equal(stepOf(report, 'latency').verdict, 'skip');
      } finally {
        await ns?.destroy();
      }
    },
  );

  test('a wrong password: WRONGPASS explained, and the password never printed', async () => {
    const secret = 'hunter2-wrong-Pa55';
    const url = locked.url.replace('redis://', `redis://:${secret}@`);
    const text = await romaine(['doctor', url]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /WRONGPASS: the credentials were refused/);
    assert.match(text.stdout, /refused the credentials given for user 'default' \(the password is not shown\)/);
    assert.match(text.stdout, /redis:\/\/:\*\*\*@127\.0\.0\.1/);
    const json = await doctorJson(url);
    assert.equal(json.report.healthy, false);
    assert.equal(stepOf(json.report, 'handshake').problem?.code, 'wrong-password');
    for (const out of [text.stdout + text.stderr, json.raw])
      assert.ok(!out.includes(secret), `the password leaked:\n${out}`);

    // From the environment instead of the URL: the same, and the right one passes.
    const env = await romaine(['doctor', locked.url], { ROMAINE_PASSWORD: secret });
    assert.match(env.stdout, /WRONGPASS/);
    assert.ok(!env.stdout.includes(secret));
    const right = await romaine(['doctor', locked.url], { ROMAINE_PASSWORD: 'the-right-one' });
    assert.equal(right.code, 0, right.stdout);
    assert.match(right.stdout, /authenticated as default/);
    assert.ok(!right.stdout.includes('the-right-one'));
  });

  test('no password for a server that needs one: NOAUTH says how to give it', async () => {
    const { code, report } = await doctorJson(locked.url);
    assert.equal(code, 1);
    assert.equal(stepOf(report, 'handshake').problem?.code, 'password-required');
  });

  test('a refused port: the TCP step fails and says what to check', async () => {
    const port = await freePort();
    const text = await romaine(['doctor', `redis://127.0.0.1:${port}`]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, new RegExp(`✗ {2}TCP connect .*127\\.0\\.0\\.1:${port} refused the connection`));
    assert.match(text.stdout, /Is redis-server running\?/);
    assert.match(text.stdout, /not run: TLS, HELLO \/ AUTH, server/);
    const { report } = await doctorJson(`redis://127.0.0.1:${port}`);
    assert.equal(stepOf(report, 'tcp').problem?.code, 'refused');
    assert.deepEqual(
      report.steps.map((s) => s.id),
      STEPS,
    );
  });

  test(
    'a black-holed port (real, iptables in a namespace): the connect times out and says so',
    { skip: netnsSkipReason(true) },
    async () => {
      let ns: NetnsRedis | undefined;
      try {
        ns = await startNetnsRedis({ protectedMode: false });
        ns.blackhole(true);
        const { code, report } = await doctorJson(ns.url, '--timeout', '500');
        assert.equal(code, 1);
        const tcp = stepOf(report, 'tcp');
        assert.equal(tcp.problem?.code, 'connect-timeout');
        assert.match(tcp.summary, /no answer from .* in 500 ms/);
      } finally {
        await ns?.destroy();
      }
    },
  );

  test('a server that holds every command (CLIENT PAUSE): "answered nothing"', async () => {
    await healthy.pause(1500);
    const { code, report } = await doctorJson(healthy.url, '--timeout', '400');
    assert.equal(code, 1);
    assert.equal(stepOf(report, 'handshake').problem?.code, 'no-answer');
    await sleep(1200); // the pause ends before the other tests use this server
  });

  test('TLS client to a plain port: "speaks plain RESP, not TLS"', async () => {
    const url = `rediss://127.0.0.1:${tlsServer.port}`;
    const text = await romaine(['doctor', url]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /✗ {2}TLS .*the port speaks plain RESP, not TLS/);
    assert.match(text.stdout, /Use redis:\/\/ instead of rediss:\/\//);
    const { report } = await doctorJson(url);
    assert.equal(stepOf(report, 'tls').problem?.code, 'tls-on-plain-port');
  });

  test('plain client to a TLS port: "expects TLS"', async () => {
    const url = `redis://127.0.0.1:${tlsServer.tlsPort}`;
    const text = await romaine(['doctor', url]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /expects TLS/);
    assert.match(text.stdout, /Use rediss:\/\/ instead of redis:\/\//);
    const { report } = await doctorJson(url);
    assert.equal(stepOf(report, 'handshake').problem?.code, 'plain-on-tls-port');
  });

  test('TLS: the certificate shown and verified with --tls-ca; refused without it', async () => {
    const url = tlsServer.tlsUrl as string;
    const ok = await doctorJson(url, '--tls-ca', tlsFixtures().ca.certPath);
    assert.equal(ok.code, 0, JSON.stringify(ok.report.steps, null, 2));
    const tls = stepOf(ok.report, 'tls');
    assert.equal(tls.verdict, 'ok');
    assert.equal(tls.details.subject, 'localhost');
    assert.equal(tls.details.verified, true);
    assert.match(tls.details.validTo, /^\d{4}-\d\d-\d\dT/);
    assert.ok(tls.details.daysLeft > 300);

    const untrusted = await romaine(['doctor', url]);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stdout, /NOT verified: SELF_SIGNED_CERT_IN_CHAIN/);
    assert.match(untrusted.stdout, /--tls-ca ca\.pem/);
  });

  test('usage mistakes exit 2 with the help', async () => {
    const r = await romaine(['doctor']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /needs one <url>/);
    assert.match(r.stderr, /Usage: romaine doctor/);
    const bad = await romaine(['doctor', 'http://x', '--json']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unsupported URL scheme/);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
