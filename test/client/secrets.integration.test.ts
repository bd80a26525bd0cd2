// No secret in sight, against real servers: random passwords of every character class go through
// every way a connection can fail (wrong password, unreachable, TLS refused, protected mode, a
// credentials provider that throws, runtime reconnects) and every output a person or a program
// sees: error messages, stacks and causes, util.inspect of errors and clients at any depth, JSON,
// events, diagnostics_channel messages as a logger prints them, OTel spans, `romaine doctor
// --json`, `romaine watch --json` and its HTML report, and every object reachable from the client.
// The passwords carry random markers (see leak-check.ts): any marker anywhere is a leak.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createClient, createPool, InvalidArgumentError, type RedisClient } from '../../src/index';
import { instrumentRomaine, type RomaineInstrumentation } from '../../src/otel/index';
import { RedisServer, freePort, netnsSkipReason, startNetnsRedis, tlsFixtures, waitFor } from '../support';
import { romaine } from '../cli/run-cli';
import { Outputs, reachableSecrets, secretArb, type Secret } from './leak-check';

const ADMIN = 'admin-pw-for-tests';
const CHANNELS = [
  'romaine:command:start',
  'romaine:command:end',
  'romaine:command:error',
  'romaine:state',
  'romaine:reconnecting',
];

let server: RedisServer; // requires a password: ADMIN for the default user, one ACL user per secret
let tlsServer: RedisServer; // TLS only, with a certificate our client will not trust
let deadPort: number;
let admin: RedisClient;
let otel: { instrumentation: RomaineInstrumentation; spans: InMemorySpanExporter; provider: BasicTracerProvider };
let dir: string;

/** Diagnostics messages as a logger prints them, collected while a run is going on. */
let printedMessages: Outputs | undefined;
const onMessage = (name: string | symbol) => (message: unknown) => printedMessages?.value(String(name), message);
const listeners = CHANNELS.map((name) => [name, onMessage(name)] as const);

before(async () => {
  [server, tlsServer] = await Promise.all([
    RedisServer.start({ args: ['--requirepass', ADMIN] }),
    RedisServer.start({ tls: 'only' }),
  ]);
  deadPort = await freePort();
  admin = createClient({ port: server.port, password: ADMIN });
  await admin.connect();
  const spans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  otel = { instrumentation: instrumentRomaine({ tracerProvider: provider, queryText: 'full' }), spans, provider };
  for (const [name, fn] of listeners) subscribe(name, fn);
  dir = mkdtempSync(join(tmpdir(), 'romaine-secrets-'));
});

after(async () => {
  for (const [name, fn] of listeners) unsubscribe(name, fn);
  otel?.instrumentation.disable();
  await otel?.provider.shutdown();
  admin?.destroy();
  await Promise.all([server?.destroy(), tlsServer?.destroy()]);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Records every event a client emits, as an application's listener would log it. */
function recordEvents(client: RedisClient, out: Outputs): void {
  for (const name of ['stateChange', 'reconnecting', 'ready', 'error', 'resubscribed', 'push'] as const) {
    client.on(name, (payload: unknown) => out.value(`event ${name}`, payload));
  }
}

/** Runs one failure: connect() must reject; the error, the client and its events are recorded. */
async function failing(out: Outputs, where: string, make: () => RedisClient): Promise<void> {
  let client: RedisClient | undefined;
  try {
    client = make();
    recordEvents(client, out);
    await client.connect();
    assert.fail(`${where}: connect() should have failed`);
  } catch (err) {
    out.value(`${where} error`, err);
  } finally {
    if (client !== undefined) {
      out.value(`${where} client`, client);
      out.value(`${where} lastError`, client.lastError);
      client.destroy();
    }
  }
}

let users = 0;

/** An ACL user whose password is the secret (sent as one RESP argument: any bytes work). */
async function userWith(secret: Secret): Promise<string> {
  const name = `u${++users}`;
  await admin.call('ACL', 'SETUSER', name, 'on', `>${secret.password}`, '~*', '&*', '+@all');
  return name;
}

function assertNoHits(out: Outputs, secret: Secret, what: string): void {
  const hits = out.hits(secret);
  assert.deepEqual(hits, [], `${what}: the password ${JSON.stringify(secret.password)} leaked`);
}

const used: Secret[] = [];

test('property: no password shows in any output, through every failure of a connection', async () => {
  await fc.assert(
    fc.asyncProperty(secretArb, async (secret) => {
      used.push(secret);
      const out = new Outputs();
      printedMessages = out;
      const pw = secret.password;
      const fast = { connectTimeoutMs: 500, reconnect: { initialTimeoutMs: 300, baseDelayMs: 10, maxDelayMs: 50 } };

      // A wrong password, given as an option and in a percent-encoded URL (WRONGPASS).
      await failing(out, 'wrong password', () => createClient({ port: server.port, password: pw }));
      await failing(out, 'wrong password in URL', () =>
        createClient(`redis://alice:${encodeURIComponent(pw)}@127.0.0.1:${server.port}/0`),
      );
      // The same password unencoded in the URL: refused at createClient(), or read as the user meant.
      await failing(out, 'raw URL', () => createClient(`redis://:${pw}@127.0.0.1:${server.port}`, fast));
      // Unreachable, and TLS refused (an untrusted certificate).
      await failing(out, 'unreachable', () => createClient({ port: deadPort, password: pw, ...fast }));
      await failing(out, 'tls', () =>
        createClient({ port: tlsServer.port, tls: { ca: tlsFixtures().otherCa.pem }, password: pw, ...fast }),
      );

      // Runtime: a credentials provider whose password is right, then throws, then is right again.
      const user = await userWith(secret);
      let mode: 'ok' | 'throw' = 'ok';
      const client = createClient({
        port: server.port,
        credentials: () => {
          if (mode === 'throw') throw new Error('the vault is unreachable');
          return { username: user, password: pw };
        },
        reconnect: { baseDelayMs: 10, maxDelayMs: 50 },
        clientName: 'secrets-test',
      });
      recordEvents(client, out);
      let readies = 0;
      client.on('ready', () => readies++);
      try {
        await client.connect();
        await client.set('k', 'v');
        await client.subscribe('ch', () => undefined);
        // A user's own AUTH is refused (use the options: docs/commands.md); the refusal names no argument.
        const refused = await client.call('AUTH', user, pw).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(refused instanceof InvalidArgumentError, String(refused));
        out.value('refused AUTH', refused);
        await client.call('CONFIG', 'GET', 'maxmemory');
        assert.deepEqual(reachableSecrets(client, secret), [], 'reachable from a ready client');
        out.value('ready client', client);

        await admin.call('CLIENT', 'KILL', 'USER', user);
        await waitFor('a reconnect', () => readies >= 2);
        mode = 'throw';
        let failures = 0;
        client.on('reconnecting', () => failures++);
        await admin.call('CLIENT', 'KILL', 'USER', user);
        await waitFor('reconnect attempts failing in the provider', () => failures >= 2);
        out.value('reconnecting client', client);
        out.value('lastError', client.lastError);
        mode = 'ok';
        await waitFor('recovery', () => readies >= 3);
        assert.deepEqual(reachableSecrets(client, secret), [], 'reachable after reconnects');
        out.value('recovered client', client);
        const pool = createPool({ port: server.port, username: user, password: pw });
        await pool.use((c) => c.ping());
        out.value('pool', pool);
        assert.deepEqual(reachableSecrets(pool, secret), [], 'reachable from a pool');
        await pool.close();
      } finally {
        client.destroy();
      }
      printedMessages = undefined;
      assertNoHits(out, secret, 'client outputs');
    }),
    { numRuns: 20 },
  );
  // The spans of everything above (queryText 'full': every argument but credentials).
  const spans = new Outputs();
  for (const s of otel.spans.getFinishedSpans()) {
    spans.value('span', { name: s.name, attributes: s.attributes, events: s.events, status: s.status });
  }
  assert.ok(spans.texts.length > 0);
  for (const secret of used) assertNoHits(spans, secret, 'OTel spans');
});

test('protected mode: a password never shows in the DENIED error', { skip: netnsSkipReason() }, async () => {
  const r = await startNetnsRedis();
  try {
    await fc.assert(
      fc.asyncProperty(secretArb, async (secret) => {
        const out = new Outputs();
        printedMessages = out;
        await failing(out, 'protected mode', () =>
          createClient({ host: r.host, port: r.port, password: secret.password }),
        );
        printedMessages = undefined;
        assert.ok(out.texts.some((t) => t.text.includes('protected mode')));
        assertNoHits(out, secret, 'protected mode');
      }),
      { numRuns: 3 },
    );
  } finally {
    await r.destroy();
  }
});

test('property: romaine doctor --json and watch --json with its report never print the password', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(secretArb, async (secret) => {
      const out = new Outputs();
      const pw = secret.password;
      const enc = encodeURIComponent(pw);
      const print = (where: string, r: { stdout: string; stderr: string }): void => {
        out.add(`${where} stdout`, r.stdout);
        out.add(`${where} stderr`, r.stderr);
      };
      // Wrong password: in the URL (encoded and raw), and in ROMAINE_PASSWORD.
      print('doctor wrong', await romaine(['doctor', `redis://:${enc}@127.0.0.1:${server.port}`, '--json']));
      print('doctor raw', await romaine(['doctor', `redis://:${pw}@127.0.0.1:${server.port}`, '--json']));
      print('doctor env', await romaine(['doctor', server.url, '--json'], { ROMAINE_PASSWORD: pw }));
      // The right password (an ACL user): a healthy report, and a watch that sees it ready.
      const user = await userWith(secret);
      const url = `redis://${user}:${enc}@127.0.0.1:${server.port}`;
      print('doctor right', await romaine(['doctor', url, '--json']));
      const report = join(dir, `watch-${++run}.html`);
      const watch = await romaine(['watch', url, '--json', '--duration', '1', '--report', report]);
      print('watch', watch);
      assert.match(watch.stdout, /"type":"ready"/);
      out.add('watch report', readFileSync(report, 'utf8'));
      assertNoHits(out, secret, 'command line');
    }),
    { numRuns: 4 },
  );
});
