// A restart on the same port when something else holds it for a while (CI: a cluster node's
// restart failed with "Address already in use"), and how ports are picked and reserved so that
// nothing of ours takes them: src/testing/ports.ts and RedisServer.restart().
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import * as net from 'node:net';
import { RedisServer, busyPort, stopAll } from '../../src/testing/redis-server';
import { CLUSTER_BUS_OFFSET, ephemeralRange, freePort, isReserved, tryReserve } from '../../src/testing/ports';
import { PortInUseError } from '../../src/testing/errors';
import { rawCommand } from '../support/raw';
import { sleep } from '../support/wait';

after(stopAll);

const root = join(__dirname, '..', '..');

/** isReserved(port) as another process on this machine sees it. */
function reservedElsewhere(...ports: number[]): boolean[] {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `const { isReserved } = require('./src/testing/ports'); console.log(JSON.stringify(${JSON.stringify(ports)}.map(isReserved)))`,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  return JSON.parse(out.trim()) as boolean[];
}

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(srv));
  });
}
const closeServer = (srv: net.Server) => new Promise<void>((r) => srv.close(() => r()));

const CLUSTER_ARGS = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'];

test('a port and its cluster bus port (+10000) are picked outside the ephemeral range', async () => {
  const [lo, hi] = ephemeralRange();
  const outside = (p: number) => p < lo || p > hi;
  const servers = await Promise.all([1, 2, 3].map(() => RedisServer.start({ args: CLUSTER_ARGS })));
  for (const s of servers) {
    assert.ok(outside(s.port), `port ${s.port} is outside ${lo}-${hi}`);
    assert.ok(outside(s.port + CLUSTER_BUS_OFFSET), `bus port ${s.port + CLUSTER_BUS_OFFSET} is outside ${lo}-${hi}`);
  }
  await Promise.all(servers.map((s) => s.destroy()));
});

test('a server keeps its port and bus port reserved, for other processes too, until destroy()', async () => {
  const s = await RedisServer.start();
  const bus = s.port + CLUSTER_BUS_OFFSET;
  await s.stop(); // stopped: the ports look free, but they are still this server's
  assert.deepEqual([isReserved(s.port), isReserved(bus)], [true, true]);
  assert.deepEqual(reservedElsewhere(s.port, bus), [true, true]);
  assert.equal(tryReserve(s.port), undefined, 'nobody else gets it');
  await s.restart();
  assert.equal(await rawCommand(s, 'PING'), '+PONG');
  await s.destroy();
  assert.deepEqual(reservedElsewhere(s.port, bus), [false, false]);
});

test('the lock of a process that died without releasing it is reclaimed', async () => {
  const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
  const r1 = tryReserve(await freePort());
  assert.ok(r1 !== undefined);
  const port = r1.port;
  r1.release();
  const lockPath = join(tmpdir(), `romaine-ports-${userInfo().uid}`, String(port));
  writeFileSync(lockPath, String(dead)); // what a SIGKILLed test process leaves behind
  try {
    assert.equal(isReserved(port), false, 'a dead owner holds nothing');
    const r2 = tryReserve(port);
    assert.ok(r2 !== undefined, 'reclaimed');
    assert.deepEqual(reservedElsewhere(port), [true]);
    r2.release();
  } finally {
    rmSync(lockPath, { force: true });
  }
});

test('restart() waits while a listener outside the harness holds the port, then starts on it', async () => {
  const s = await RedisServer.start();
  const port = s.port;
  await s.stop();
  const blocker = await listen(port);
  let restarted = false;
  const restart = s.restart().then(() => (restarted = true));
  // Held longer than the old 20 x 100 ms retries lasted, well within the start timeout (15 s).
  await sleep(6000);
  assert.equal(restarted, false, 'not started while the port is taken');
  await closeServer(blocker);
  await restart;
  assert.equal(s.port, port);
  assert.equal(await rawCommand(s, 'PING'), '+PONG');
  await s.destroy();
});

test('restart() of a cluster node waits for its bus port (port + 10000) too', async () => {
  const s = await RedisServer.start({ args: CLUSTER_ARGS });
  await s.stop();
  const blocker = await listen(s.port + CLUSTER_BUS_OFFSET);
  const restart = s.restart();
  await sleep(4000);
  await closeServer(blocker);
  await restart;
  assert.match(await s.cli('CLUSTER', 'INFO'), /cluster_enabled:1|cluster_state/);
  await s.destroy();
});

test('a port that never frees: restart() rejects at the start timeout with PortInUseError naming the port and its holder', async () => {
  const s = await RedisServer.start({ args: CLUSTER_ARGS, startTimeoutMs: 2000 });
  await s.stop();
  const bus = s.port + CLUSTER_BUS_OFFSET;
  const blocker = await listen(bus);
  try {
    const t0 = Date.now();
    const err = await s.restart().then(
      () => assert.fail('restart() succeeded on a taken port'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof PortInUseError, String(err));
    assert.equal(err.code, 'EPORTINUSE');
    assert.equal(err.port, bus);
    assert.match(err.holder, new RegExp(`^pid ${process.pid} \\(node[^)]*\\) listens on it`));
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${bus} \\(Address already in use\\)`));
    assert.match(err.message, /Failed listening on port \d+ \(cluster\)/, 'with the server log');
    assert.ok(Date.now() - t0 >= 1900, 'waited for the start timeout');
  } finally {
    await closeServer(blocker);
  }
  await s.restart(); // freed: the port is still ours
  assert.equal(await rawCommand(s, 'PING'), '+PONG');
  await s.destroy();
});

test('start() on a given port that is taken rejects at once with PortInUseError', async () => {
  const blocker = await listen(await freePort());
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    await assert.rejects(RedisServer.start({ port }), (err: unknown) => {
      assert.ok(err instanceof PortInUseError);
      assert.equal(err.port, port);
      assert.match(err.holder, /listens on it/);
      return true;
    });
  } finally {
    await closeServer(blocker);
  }
});

test('busyPort() reads the port redis-server could not bind from its log', () => {
  const log = (what: string, port: number) =>
    `1:M 01 Dec 2026 04:05:10.904 # Warning: Could not create server TCP listening socket 127.0.0.1:${port}: bind: Address already in use\n1:M # Failed listening on port ${port} (${what}), aborting.`;
  assert.equal(busyPort(log('cluster', 21234), 11234), 21234);
  assert.equal(busyPort(log('TCP', 11234), 11234), 11234);
  assert.equal(
    busyPort('Could not create server TCP listening socket ::1:6380: bind: Address already in use', 1),
    6380,
  );
  assert.equal(busyPort('bind: Address already in use', 7), 7);
  assert.equal(busyPort('FATAL CONFIG FILE ERROR', 7), undefined);
});
