// `romaine doctor` and the client against the same broken TLS servers: both name the same real
// cause in the same words (one classifier, transport/tls-failure.ts), the doctor with its stable
// problem code and the fix in command-line flags.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ConnectionError, type ClientOptions } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { tlsFixtures } from '../support/tls';
import { romaine } from './run-cli';

interface Step {
  id: string;
  verdict: string;
  problem?: { code: string; what: string; fix: string[] };
}

/** The first failed step of `romaine doctor url --json ...extra`. */
async function doctorProblem(
  url: string,
  ...extra: string[]
): Promise<Step & { problem: NonNullable<Step['problem']> }> {
  const r = await romaine(['doctor', url, '--json', ...extra]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout) as { steps: Step[] };
  const failed = report.steps.find((s) => s.verdict === 'fail');
  assert.ok(failed?.problem, JSON.stringify(report.steps, null, 2));
  return failed as Step & { problem: NonNullable<Step['problem']> };
}

async function clientError(url: string, tls: ClientOptions['tls']): Promise<ConnectionError> {
  const client = createClient(url, { tls, reconnect: { baseDelayMs: 20, maxDelayMs: 200 } });
  try {
    const err = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConnectionError, String(err));
    assert.equal(err.kind, 'tls', err.message);
    return err;
  } finally {
    client.destroy();
  }
}

const servers: RedisServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.destroy()));
});

async function serve(opts: Parameters<typeof RedisServer.start>[0]): Promise<RedisServer> {
  const s = await RedisServer.start(opts);
  servers.push(s);
  return s;
}

describe('TLS failures: the doctor and the client say the same cause', () => {
  const t = tlsFixtures();
  const cases: Array<{
    title: string;
    server: Parameters<typeof RedisServer.start>[0];
    ca: { pem: string; certPath: string };
    code: string;
    phrase: RegExp;
    flag: RegExp;
  }> = [
    {
      title: 'a client certificate is required (tls-auth-clients yes)',
      server: { tls: 'only', tlsAuthClients: true },
      ca: t.ca,
      code: 'client-certificate-required',
      phrase: /requires a client certificate/,
      flag: /--tls-cert client\.pem --tls-key client\.key/,
    },
    {
      title: 'an unknown CA',
      server: { tls: 'only' },
      ca: t.otherCa,
      code: 'certificate-untrusted',
      phrase: /not signed by a CA this client trusts/,
      flag: /--tls-ca ca\.pem/,
    },
    {
      title: 'a self-signed certificate',
      server: { tls: 'only', tlsCert: t.selfSigned },
      ca: t.ca,
      code: 'certificate-untrusted',
      phrase: /is self-signed/,
      flag: /--tls-ca server\.pem/,
    },
    {
      title: 'a certificate for another host',
      server: { tls: 'only', tlsCert: t.wrongHost },
      ca: t.ca,
      code: 'certificate-wrong-host',
      phrase: /is not for 127\.0\.0\.1/,
      flag: /--tls-servername/,
    },
    {
      title: 'an expired certificate',
      server: { tls: 'only', tlsCert: t.expired },
      ca: t.ca,
      code: 'certificate-expired',
      phrase: /has expired/,
      flag: /Renew the certificate/,
    },
  ];
  for (const c of cases) {
    test(`${c.title}: doctor problem '${c.code}', and the client's message names the same cause`, async () => {
      const s = await serve(c.server);
      const doctor = await doctorProblem(s.url, '--tls-ca', c.ca.certPath);
      assert.equal(doctor.problem.code, c.code, JSON.stringify(doctor));
      assert.match(doctor.problem.what, c.phrase);
      assert.match(doctor.problem.fix.join('\n'), c.flag);
      const err = await clientError(s.url, { ca: c.ca.pem });
      assert.match(err.message, c.phrase);
      // The same sentence, word for word (the doctor capitalises it).
      const sentence = doctor.problem.what.split('.')[0].replace(/^./, (ch) => ch.toLowerCase());
      assert.ok(err.message.includes(sentence.slice(0, 40)), `${err.message}\n vs ${doctor.problem.what}`);
      console.log(`# ${c.title}: doctor "${doctor.problem.what}" / client "${err.message}"`);
    });
  }
});
