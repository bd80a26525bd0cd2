// Self-tests of src/testing/netns.ts: a real protected-mode server reached
// from outside its namespace, real black holes with iptables, and cleanup.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNetnsRedis, createNetns, netnsSkipReason, type NetnsRedis } from '../../src/testing/netns';
import { rawExchange, resp } from '../support/raw';
import { stopAll } from '../../src/testing/redis-server';

after(stopAll);
const skip = netnsSkipReason();
const nsExists = (name: string) =>
  spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .some((l) => l.split(' ')[0] === name);

test('protected mode: a client from the root namespace gets -DENIED; cli() inside gets PONG', { skip }, async () => {
  const r = await startNetnsRedis();
  try {
    assert.match(r.host, /^10\.\d+\.\d+\.\d+$/);
    assert.equal(r.url, `redis://${r.host}:${r.port}`);
    const got = await rawExchange(r); // listen only
    assert.match(got.data, /^-DENIED Redis is running in protected mode/);
    assert.equal(await r.server.cli('PING'), 'PONG');
    await r.server.restart({ args: ['--protected-mode', 'no'] });
    assert.equal((await rawExchange(r, { send: resp('PING') })).data, '+PONG\r\n');
    await r.server.restart({ args: ['--protected-mode', 'yes'] });
    assert.match((await rawExchange(r)).data, /^-DENIED/);
  } finally {
    await r.destroy();
  }
});

// How often is the DENIED line lost? It depends on when the client writes.
test('measure: DENIED lost by clients that write at once vs after 50 ms (20 tries each)', { skip }, async (t) => {
  const r = await startNetnsRedis();
  try {
    const cases = [
      { name: 'one write at connect', send: resp('PING'), writeDelayMs: 0 },
      { name: 'two writes at connect', send: [resp('HELLO', '3'), resp('PING')], writeDelayMs: 0 },
      { name: 'two writes after 50 ms', send: [resp('HELLO', '3'), resp('PING')], writeDelayMs: 50 },
      { name: 'no write (listen only)', send: [], writeDelayMs: 0 },
    ];
    const results: Record<string, { denied: number; lost: number; errors: Record<string, number> }> = {};
    for (const c of cases) {
      const res = { denied: 0, lost: 0, errors: {} as Record<string, number> };
      for (let i = 0; i < 20; i++) {
        const x = await tryOnce(r, Array.isArray(c.send) ? c.send : [c.send], c.writeDelayMs);
        if (x.data.startsWith('-DENIED')) res.denied++;
        else res.lost++;
        const k = x.error ?? 'none';
        res.errors[k] = (res.errors[k] ?? 0) + 1;
      }
      results[c.name] = res;
      t.diagnostic(`${c.name}: DENIED ${res.denied}/20, lost ${res.lost}/20, errors ${JSON.stringify(res.errors)}`);
    }
    // What is reliable: a client that listens first always hears the refusal.
    assert.equal(results['two writes after 50 ms'].denied, 20);
    assert.equal(results['no write (listen only)'].denied, 20);
  } finally {
    await r.destroy();
  }
});

// Connect, write each of `writes` as its own socket.write(), collect until close.
async function tryOnce(r: NetnsRedis, writes: string[], delayMs: number) {
  const sock = net.connect(r.port, r.host);
  let data = '';
  let error: string | undefined;
  sock.on('data', (d: Buffer) => (data += d.toString('latin1')));
  sock.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
  const closed = new Promise((res) => sock.once('close', res)); // once() would reject on 'error'
  await once(sock, 'connect');
  if (delayMs) await new Promise((res) => setTimeout(res, delayMs));
  for (const w of writes) if (!sock.destroyed) sock.write(w);
  await closed;
  return { data, error };
}

test('namespaces are unique per call and destroy() removes them', { skip }, () => {
  const [a, b] = [createNetns(), createNetns()];
  try {
    assert.notEqual(a.name, b.name);
    assert.notEqual(a.nsIp, b.nsIp);
    assert.ok(`${a.name}-h`.length <= 15);
    assert.ok(nsExists(a.name) && nsExists(b.name));
    assert.match(a.exec('ip', '-4', 'addr', 'show'), new RegExp(a.nsIp.replace(/\./g, '\\.')));
  } finally {
    a.destroy();
    b.destroy();
  }
  assert.ok(!nsExists(a.name) && !nsExists(b.name));
  assert.notEqual(spawnSync('ip', ['link', 'show', `${a.name}-h`], { stdio: 'ignore' }).status, 0);
});

test(
  'blackhole(on) with iptables: a real half-open socket; off: TCP delivers again',
  { skip: netnsSkipReason(true) },
  async () => {
    const r = await startNetnsRedis({ protectedMode: false });
    try {
      const sock = net.connect(r.port, r.host);
      let data = '';
      let closed = false;
      sock.on('data', (d: Buffer) => (data += d.toString('latin1')));
      sock.on('error', () => {});
      sock.on('close', () => (closed = true));
      await once(sock, 'connect');
      sock.write(resp('PING'));
      await waitFor(() => data === '+PONG\r\n');
      r.blackhole(true);
      r.blackhole(true); // idempotent
      sock.write(resp('ECHO', 'after'));
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(data, '+PONG\r\n', 'nothing gets through');
      assert.equal(closed, false, 'and nothing tells the client');
      const fresh = await rawExchange(r, { send: resp('PING'), timeoutMs: 500 });
      assert.equal(fresh.ended, 'timeout', 'a new connect hangs (SYN dropped)');
      assert.equal(await r.server.cli('PING'), 'PONG', 'loopback inside the namespace is untouched');
      r.blackhole(false);
      // The kernel retransmits the ECHO (RTO backoff: within a few seconds).
      assert.ok(await waitFor(() => data.endsWith('after\r\n'), 10000), `got ${JSON.stringify(data)}`);
      sock.destroy();
    } finally {
      await r.destroy();
    }
  },
);

async function waitFor(cond: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

test('a namespace and its server are removed when the test process exits', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'romaine-selftest-'));
  const script = join(dir, 'forget.ts');
  const mod = join(__dirname, '../../src/testing/netns.ts').replace(/\\/g, '/');
  writeFileSync(
    script,
    `import { startNetnsRedis } from ${JSON.stringify(mod)};\n` +
      `(async () => { const r = await startNetnsRedis(); console.log(r.netns.name, r.server.pid); })();\n`,
  );
  const out = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30000 });
  rmSync(dir, { recursive: true, force: true });
  const [name, pid] = out.stdout.trim().split(' ');
  assert.match(name ?? '', /^rmn\d+$/, `child said: ${out.stdout} ${out.stderr}`);
  assert.equal(nsExists(name), false);
  assert.ok(await waitFor(() => spawnSync('ip', ['link', 'show', `${name}-h`], { stdio: 'ignore' }).status !== 0));
  assert.ok(
    await waitFor(
      () =>
        spawnSync('kill', ['-0', pid]).status !== 0 ||
        /\) Z/.test(spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout),
    ),
  );
});
