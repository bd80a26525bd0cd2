// romaine/testing from the user's side: what a service's own test suite does with it, through the
// public entry point only (the subpath, as a user imports it), with a romaine client as the service.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, CommandTimeoutError, InvalidArgumentError, type RedisClient } from 'romaine';
import {
  startRedis,
  faultProxy,
  protectedModeServer,
  RedisNotInstalledError,
  ProtectedModeUnavailableError,
} from 'romaine/testing';

const clients: RedisClient[] = [];
function client(url: string, options: Parameters<typeof createClient>[1] = {}): RedisClient {
  const c = createClient(url, options);
  clients.push(c);
  return c;
}
after(() => {
  for (const c of clients) c.destroy();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('startRedis: a server on a free loopback port that a client survives a restart, a kill and new args of', async () => {
  await using redis = await startRedis();
  assert.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(redis.url, `redis://${redis.host}:${redis.port}`);
  assert.ok(redis.port >= 10000 && redis.port < 32768, `port ${redis.port} is outside the ephemeral range`);
  assert.ok(alive(redis.pid));
  const c = client(redis.url);
  await c.set('k', 'v');
  assert.equal(await redis.cli('GET', 'k'), 'v');

  const firstPid = redis.pid;
  await redis.restart();
  assert.notEqual(redis.pid, firstPid, 'a new process');
  assert.ok(!alive(firstPid), 'the old process is gone');
  assert.equal(await c.incr('n'), 1, 'the client reconnected (nothing was persisted)');

  await redis.kill();
  assert.equal(redis.running, false);
  await redis.restart(['--requirepass', 'rotated']);
  assert.equal(await redis.cli('PING'), 'PONG', 'cli() authenticates with the new --requirepass');
  assert.match(await redis.cli('CONFIG', 'GET', 'requirepass'), /rotated/);
});

test('startRedis: pause() holds commands, loading() makes the server answer -LOADING for a while', async () => {
  await using redis = await startRedis();
  const c = client(redis.url);
  await c.ping();
  await redis.pause(400);
  const t0 = Date.now();
  assert.equal(await c.ping(), 'PONG');
  assert.ok(Date.now() - t0 >= 300, `PING answered after ${Date.now() - t0} ms during a 400 ms pause`);

  await redis.loading(1500);
  assert.match(await redis.cli('PING'), /^LOADING/, 'the server is loading right after loading() resolves');
  assert.equal(await c.get('big:0'), 'v'.repeat(1024), 'the client waits the load out, then reads the data');
});

test('startRedis: close() kills by pid and removes nothing else; idempotent; options are validated', async () => {
  const redis = await startRedis({ args: ['--maxmemory', '10mb'] });
  assert.match(await redis.cli('CONFIG', 'GET', 'maxmemory'), /10485760/);
  const pid = redis.pid;
  await redis.close();
  await redis.close();
  assert.ok(!alive(pid), 'the process is gone after close()');

  await assert.rejects(startRedis({ argz: [] } as never), (err: unknown) => {
    assert.ok(err instanceof InvalidArgumentError, String(err));
    assert.match(err.message, /unknown option 'argz' \(did you mean 'args'\?\)/);
    return true;
  });
  await assert.rejects(startRedis({ args: '--port 1' } as never), /'args' must be an array of strings/);
  await assert.rejects(startRedis({ tls: true } as never), /'tls' must be 'only'/);
  await assert.rejects(startRedis('redis://x' as never), /options must be an object/);
});

test('startRedis: a missing redis-server is one line naming the install command', () => {
  // A user's process whose PATH has node but no redis-server.
  const script = `
    const { startRedis, RedisNotInstalledError } = require('romaine/testing');
    startRedis().then(() => console.log('started?!'), (err) => {
      console.log(JSON.stringify({ name: err.name, code: err.code, program: err.program, message: err.message, typed: err instanceof RedisNotInstalledError }));
    });`;
  const bin = mkdtempSync(join(tmpdir(), 'romaine-nopath-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: join(__dirname, '..', '..'),
    env: { PATH: bin, HOME: process.env.HOME ?? '/tmp' },
    encoding: 'utf8',
  });
  rmSync(bin, { recursive: true, force: true });
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  assert.equal(out.typed, true, r.stdout + r.stderr);
  assert.equal(out.code, 'EREDISNOTINSTALLED');
  assert.equal(out.program, 'redis-server');
  assert.doesNotMatch(String(out.message), /\n/);
  assert.match(String(out.message), /apt-get install redis-server/);
  assert.match(String(out.message), /brew install redis/);
  assert.ok(RedisNotInstalledError.prototype instanceof Error);
});

test('faultProxy: blackhole() is a half-open network that a command timeout and the health check see; heal() ends it', async () => {
  await using redis = await startRedis();
  await using proxy = await faultProxy(redis);
  const c = client(proxy.url, {
    commandTimeoutMs: 500,
    healthCheck: { intervalMs: 200, timeoutMs: 300, probeTimeoutMs: 300 },
    connectTimeoutMs: 500,
    reconnect: { baseDelayMs: 50, maxDelayMs: 200 },
  });
  await c.set('k', 'v');
  assert.equal(proxy.connections, 1);
  assert.equal(proxy.accepted, 1);

  const declaredDead = new Promise<void>((resolve) => {
    c.on('stateChange', ({ to }) => {
      if (to === 'reconnecting') resolve();
    });
  });
  await proxy.blackhole();
  await assert.rejects(c.get('k'), CommandTimeoutError);
  await declaredDead; // the health check found the silent connection dead
  await proxy.heal();
  const t0 = Date.now();
  for (;;) {
    try {
      assert.equal(await c.get('k'), 'v');
      break;
    } catch (err) {
      if (!(err instanceof CommandTimeoutError) || Date.now() - t0 > 10_000) throw err;
    }
  }
  assert.ok(proxy.accepted >= 2, `the client reconnected through the proxy (${proxy.accepted} accepted)`);
});

test('faultProxy: reset(), cut(), cut(afterBytes), split() and delay() from a client', async () => {
  await using redis = await startRedis();
  await using proxy = await faultProxy(redis.url);
  assert.match(proxy.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
  const c = client(proxy.url, { reconnect: { baseDelayMs: 20 } });
  await c.set('big', 'x'.repeat(10_000));

  let lost = 0;
  c.on('stateChange', ({ to }) => {
    if (to === 'reconnecting') lost++;
  });
  proxy.reset();
  assert.equal(await c.ping(), 'PONG');
  proxy.cut();
  assert.equal(await c.ping(), 'PONG');
  proxy.cut(100); // in the middle of the 10 kB reply
  assert.equal((await c.get('big'))?.length, 10_000, 'GET is retried after the cut');
  assert.equal(lost, 3, 'three connections were lost');
  assert.equal(proxy.accepted, 4);

  proxy.split(7);
  assert.equal((await c.get('big'))?.length, 10_000, 'a reply in 7-byte pieces');
  proxy.split(0);
  proxy.delay(300, 'down');
  const t0 = Date.now();
  await c.ping();
  assert.ok(Date.now() - t0 >= 250, `PING took ${Date.now() - t0} ms with a 300 ms delay`);
  await proxy.heal();
  const t1 = Date.now();
  await c.ping();
  assert.ok(Date.now() - t1 < 250, 'heal() removed the delay');

  assert.throws(() => proxy.delay(-1), InvalidArgumentError);
  assert.throws(() => proxy.cut(5, 'sideways' as never), InvalidArgumentError);
  await assert.rejects(faultProxy('http://127.0.0.1:1'), InvalidArgumentError);
  await assert.rejects(faultProxy({ host: '127.0.0.1' } as never), InvalidArgumentError);
});

test('protectedModeServer: -DENIED from a real non-loopback peer, or a typed skip reason', async (t) => {
  let server;
  try {
    server = await protectedModeServer();
  } catch (err) {
    assert.ok(err instanceof ProtectedModeUnavailableError, String(err));
    assert.equal(err.code, 'EPROTECTEDMODEUNAVAILABLE');
    t.skip(err.reason);
    return;
  }
  await using s = server;
  assert.doesNotMatch(s.host, /^127\./);
  const c = client(s.url, { reconnect: false });
  await assert.rejects(c.connect(), (err: Error) => /protected mode|DENIED/i.test(err.message));
  assert.equal(await s.server.cli('PING'), 'PONG', 'cli() reaches it over the namespace loopback');
  const pid = s.server.pid;
  await s.close();
  assert.ok(!alive(pid));
});

test('a test process that forgets close() leaves no server behind: on exit, and on SIGTERM', async () => {
  const script = (ending: string) => `
    const { startRedis, faultProxy } = require('romaine/testing');
    (async () => {
      const a = await startRedis();
      const b = await startRedis();
      await faultProxy(a);
      console.log(JSON.stringify([a.pid, b.pid]));
      ${ending}
    })();`;
  const run = (ending: string) =>
    new Promise<{ pids: number[]; signal: string | null }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', script(ending)], {
        cwd: join(__dirname, '..', '..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n') && ending === 'setInterval(() => {}, 1000);') child.kill('SIGTERM');
      });
      child.on('error', reject);
      child.on('close', (_code, signal) => resolve({ pids: JSON.parse(out.trim()) as number[], signal }));
    });
  // SIGKILL is sent at exit; give the kernel a moment to reap them.
  const survivors = async (pids: number[]) => {
    for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
    return pids.filter(alive);
  };
  const ended = await run('');
  assert.equal(ended.pids.length, 2);
  assert.deepEqual(await survivors(ended.pids), [], 'killed when the process ended on its own');
  const killed = await run('setInterval(() => {}, 1000);');
  assert.equal(killed.signal, 'SIGTERM', 'the signal is re-raised: the exit status stays honest');
  assert.deepEqual(await survivors(killed.pids), [], 'killed on SIGTERM');
});

test("startRedis({ tls: 'only' }): a rediss:// server with the harness' test certificates", async () => {
  await using redis = await startRedis({ tls: 'only' });
  assert.match(redis.url, /^rediss:\/\/127\.0\.0\.1:\d+$/);
  const c = client(redis.url, { tls: { rejectUnauthorized: false } });
  assert.equal(await c.ping(), 'PONG');
  assert.equal(await redis.cli('PING'), 'PONG', 'cli() speaks TLS to it');
});
