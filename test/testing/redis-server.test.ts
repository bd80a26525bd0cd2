// Self-tests of src/testing/redis-server.ts against real redis-server processes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import { RedisServer, freePort, stopAll } from '../../src/testing/redis-server';
import { rawCommand, rawExchange, resp } from '../support/raw';
import { tlsFixtures } from '../../src/testing/tls';

after(stopAll);

// Running, and not a zombie waiting for its (new) parent to reap it.
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

test('start: a fresh server on a free loopback port answers PING', async () => {
  const [a, b] = await Promise.all([RedisServer.start(), RedisServer.start()]);
  assert.notEqual(a.port, b.port);
  assert.notEqual(a.port, 6379);
  assert.equal(a.host, '127.0.0.1');
  assert.equal(a.url, `redis://127.0.0.1:${a.port}`);
  assert.ok(alive(a.pid));
  assert.equal(await rawCommand(a, 'PING'), '+PONG');
  assert.equal(await a.cli('CONFIG', 'GET', 'save'), 'save\n');
  assert.equal(await a.cli('CONFIG', 'GET', 'appendonly'), 'appendonly\nno');
  await Promise.all([a.stop(), b.stop()]);
});

test('args, cli() authenticates, restart() keeps port and data and can change args', async () => {
  const s = await RedisServer.start({ args: ['--requirepass', 'old-pw'] });
  assert.match(await rawCommand(s, 'PING'), /^-NOAUTH/);
  assert.equal(await s.cli('SET', 'k', 'v'), 'OK');
  assert.equal(await s.cli('SAVE'), 'OK');
  const port = s.port;
  const pid = s.pid;
  await s.restart({ args: ['--requirepass', 'new-pw'] }); // a password rotation
  assert.equal(s.port, port);
  assert.notEqual(s.pid, pid);
  assert.equal(await s.cli('GET', 'k'), 'v'); // dump.rdb loaded from the kept dir
  const r = await rawExchange(s, { send: resp('AUTH', 'old-pw') });
  assert.match(r.data, /^-WRONGPASS/);
  await s.restart(); // keeps the current args
  assert.equal(await s.cli('CONFIG', 'GET', 'requirepass'), 'requirepass\nnew-pw');
  await s.stop();
});

test('stop() and kill() end the process; connects are then refused', async () => {
  const s = await RedisServer.start();
  const pid = s.pid;
  await s.stop();
  assert.equal(s.running, false);
  assert.equal(alive(pid), false);
  const r = await rawExchange(s, { send: resp('PING') });
  assert.equal(r.error, 'ECONNREFUSED');
  await s.restart();
  const pid2 = s.pid;
  await s.kill();
  assert.equal(alive(pid2), false);
  await s.stop(); // idempotent
});

test('a server that cannot start rejects with its log', async () => {
  await assert.rejects(
    RedisServer.start({ args: ['--no-such-directive', 'x'] }),
    /failed to start[\s\S]*no-such-directive/,
  );
  const blocker = net.createServer().listen(await freePort(), '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const port = (blocker.address() as net.AddressInfo).port;
  await assert.rejects(RedisServer.start({ port }), /Address already in use/);
  blocker.close();
});

test('pause(ms) holds every reply for ms, then they all come', async () => {
  const s = await RedisServer.start();
  await s.pause(800);
  const pending = rawExchange(s, { send: resp('PING'), timeoutMs: 5000 });
  const held = await rawExchange(s, { send: resp('PING'), timeoutMs: 300 });
  assert.equal(held.ended, 'timeout');
  assert.equal((await pending).data, '+PONG\r\n');
  await s.stop();
});

test('unixSocket: the server also listens on a unix socket in its dir', async () => {
  const s = await RedisServer.start({ unixSocket: true });
  assert.ok(s.socketPath?.startsWith(s.dir));
  const r = await rawExchange({}, { path: s.socketPath, send: resp('PING') });
  assert.equal(r.data, '+PONG\r\n');
  await s.stop();
});

test('tls: true serves plain TCP on port and TLS on tlsPort; tls only serves TLS', async () => {
  const ca = tlsFixtures().ca.pem;
  const s = await RedisServer.start({ tls: true });
  assert.ok(s.tlsPort && s.tlsPort !== s.port);
  assert.equal(s.tlsUrl, `rediss://127.0.0.1:${s.tlsPort}`);
  assert.equal(await rawCommand(s, 'PING'), '+PONG');
  const r = await rawExchange({ port: s.tlsPort }, { send: resp('PING'), tls: { ca } });
  assert.equal(r.data, '+PONG\r\n');
  const o = await RedisServer.start({ tls: 'only' });
  assert.equal(o.url, `rediss://127.0.0.1:${o.port}`);
  assert.equal(await o.cli('PING'), 'PONG');
  assert.equal((await rawExchange(o, { send: resp('PING'), tls: { ca } })).data, '+PONG\r\n');
  await Promise.all([s.stop(), o.stop()]);
});

test('restartLoading(): the server answers -LOADING, then serves the data', async () => {
  const s = await RedisServer.start();
  await s.cli('SET', 'mine', '1');
  await s.restartLoading(1500);
  const first = await rawExchange(s, { send: resp('GET', 'mine') });
  assert.match(first.data, /^-LOADING /);
  const deadline = Date.now() + 15000;
  let reply = first.data;
  while (reply.startsWith('-LOADING') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    reply = (await rawExchange(s, { send: resp('GET', 'mine') })).data;
  }
  assert.equal(reply, '$1\r\n1\r\n');
  assert.equal(await s.cli('DBSIZE'), '2049'); // 2048 big:N keys + ours
  // A plain restart afterwards loads at full speed (the slow args were one-shot).
  await s.restart();
  assert.equal(await rawCommand(s, 'EXISTS', 'big:0'), ':1');
  await s.stop();
});

test('loadBigDataset(mb) writes about mb MiB and an uncompressed RDB', async () => {
  const s = await RedisServer.start();
  const { keys, rdbBytes } = await s.loadBigDataset(4);
  assert.equal(keys, 4096);
  assert.ok(rdbBytes > 4 * 1024 * 1024, `rdb is ${rdbBytes} bytes`);
  assert.equal(await s.cli('DBSIZE'), '4096');
  await s.restart({ wait: 'listening' }); // resolves before the load ends
  await s.stop();
});

test('servers a test forgets are killed when the test process exits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'romaine-selftest-'));
  const script = join(dir, 'forget.ts');
  const mod = join(__dirname, '../../src/testing/redis-server.ts').replace(/\\/g, '/');
  writeFileSync(
    script,
    `import { RedisServer } from ${JSON.stringify(mod)};\n` +
      `(async () => { const s = await RedisServer.start(); console.log(s.pid, s.dir); })();\n`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30000 });
  rmSync(dir, { recursive: true, force: true });
  const [pidText, serverDir] = r.stdout.trim().split(' ');
  const pid = Number(pidText);
  assert.ok(pid > 0, `child said: ${r.stdout} ${r.stderr}`);
  // SIGKILL was sent at exit; give the kernel a moment to reap it.
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(alive(pid), false);
  assert.equal(existsSync(serverDir), false, 'temp dir removed');
});
