// docs/getting-started.md, "Closing": the node:http shutdown snippet runs inside a real HTTP
// service (keep-alive clients hammering it, each request using the romaine client) against a real
// redis-server, with SIGTERM arriving mid-load. Requests that arrive during the shutdown must be
// served or refused by HTTP, never fail because the Redis client was closed under them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../support/redis-server';
import { runTs } from '../support/run-ts';

const repo = join(__dirname, '..', '..');

/** The SIGTERM snippet of the "Closing" section. */
function closingSnippet(): string {
  const page = readFileSync(join(repo, 'docs', 'getting-started.md'), 'utf8');
  const section = page.slice(page.indexOf('## Closing'), page.indexOf('\n## ', page.indexOf('## Closing') + 1));
  const block = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('SIGTERM'));
  assert.ok(block, 'a ts block with the SIGTERM handler under "## Closing"');
  return block;
}

/** A service around the snippet: `server` and `client` are the names the snippet uses. */
function harness(snippet: string): string {
  const romaine = JSON.stringify(join(repo, 'src', 'index.ts'));
  return `
import * as http from 'node:http';
import { createClient } from ${romaine};

let sigtermAt = Infinity;
const stats = { ok: 0, okAfterSigterm: 0, redisAfterSigterm: 0, failed: 0, refused: 0, failures: [] as string[] };
const client = createClient(process.env.REDIS_URL!);
await client.connect();
const server = http.createServer(async (req, res) => {
  try {
    // After some requests were served, SIGTERM arrives while this one is in flight: the case a
    // client closed too early fails. (A timer could fire while no request was in flight on a
    // loaded machine, and the test would prove nothing.)
    if (sigtermAt === Infinity && stats.ok >= 10) {
      sigtermAt = performance.now();
      process.kill(process.pid, 'SIGTERM');
    }
    await new Promise((r) => setTimeout(r, 30)); // some work before Redis: in flight at SIGTERM
    if (performance.now() > sigtermAt) stats.redisAfterSigterm++;
    const n = await client.incr('closing:hits');
    res.end(String(n));
  } catch (err) {
    res.statusCode = 500;
    res.end(String((err as Error).name) + ': ' + String((err as Error).message));
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const { port } = server.address() as { port: number };

// ---- the snippet from docs/getting-started.md
${snippet}
// ----

// Eight keep-alive callers, each sending its next request as soon as the last one answered.
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function request(): Promise<'ok' | 'stop'> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, agent, path: '/' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        if (res.statusCode === 200) {
          stats.ok++;
          if (started > sigtermAt) stats.okAfterSigterm++;
        } else {
          stats.failed++;
          if (stats.failures.length < 3) stats.failures.push(body);
        }
        resolve('ok');
      });
    });
    req.on('error', () => {
      stats.refused++; // the HTTP server stopped taking connections: the caller retries elsewhere
      resolve('stop');
    });
  });
}
const callers = Array.from({ length: 8 }, async () => {
  // Bounded: a server that never stops taking requests must not hang the test.
  const started = performance.now();
  while (performance.now() - Math.min(sigtermAt, started + 20_000) < 3000 && (await request()) === 'ok');
});
await Promise.all(callers);
agent.destroy();
while (client.state !== 'closed') await new Promise((r) => setTimeout(r, 10)); // the snippet closes it
console.log('closing: ' + JSON.stringify(stats));
`;
}

let redis: RedisServer;
before(async () => {
  redis = await RedisServer.start();
});
after(async () => {
  await redis?.destroy();
});

test('the "Closing" node:http shutdown snippet: requests arriving during the shutdown never fail because the client closed first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'romaine-closing-'));
  try {
    const file = join(dir, 'service.mts');
    writeFileSync(file, harness(closingSnippet()));
    const run = await runTs(file, { cwd: repo, redisUrl: redis.url, timeoutMs: 30_000 });
    assert.equal(run.signal, null, `killed: it hung\n${run.output}`);
    assert.equal(run.code, 0, run.output);
    const line = /^closing: (.*)$/m.exec(run.output);
    assert.ok(line, run.output);
    const stats = JSON.parse(line[1]) as { ok: number; redisAfterSigterm: number; failed: number; failures: string[] };
    console.log(`# closing snippet: ${line[1]}`);
    assert.equal(stats.failed, 0, `requests failed during the shutdown: ${stats.failures.join(' | ')}`);
    assert.ok(stats.ok > 0, 'requests were served');
    // Requests in flight at SIGTERM reached Redis after it: the case a client closed too early fails.
    assert.ok(stats.redisAfterSigterm > 0, 'requests used the client during the shutdown');
    // Every request served used Redis: the counter says each one really ran.
    assert.equal(Number(await redis.cli('GET', 'closing:hits')), stats.ok);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
