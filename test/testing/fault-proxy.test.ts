// Self-tests of src/testing/fault-proxy.ts: each fault against a real redis-server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { RedisServer, stopAll } from '../../src/testing/redis-server';
import { FaultProxy, type ProxiedConnection } from '../../src/testing/fault-proxy';
import { rawExchange, rawCommand, resp } from '../support/raw';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(stopAll);

const PING = resp('PING');

// A long-lived raw connection for tests that act while a socket is open.
async function open(port: number) {
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  const st = { data: '', chunks: 0, error: undefined as string | undefined, ended: false, closed: false };
  sock.on('data', (d: Buffer) => {
    st.chunks++;
    st.data += d.toString('latin1');
  });
  sock.on('error', (e: NodeJS.ErrnoException) => (st.error = e.code));
  sock.on('end', () => (st.ended = true));
  sock.on('close', () => (st.closed = true));
  const waitFor = async (cond: () => boolean, ms = 3000) => {
    const deadline = Date.now() + ms;
    while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return cond();
  };
  return { sock, st, waitFor };
}

test('pass: forwards both ways; counters and onConnection hook', async () => {
  const p = await FaultProxy.start(server);
  const seen: ProxiedConnection[] = [];
  p.onConnection((c) => seen.push(c));
  assert.equal(p.url, `redis://127.0.0.1:${p.port}`);
  assert.equal(await rawCommand(p, 'PING'), '+PONG');
  assert.equal(await rawCommand(p, 'ECHO', 'hello'), '$5');
  assert.equal(p.accepted, 2);
  assert.equal(seen.length, 2);
  assert.equal(seen[0].id, 1);
  const c = await open(p.port);
  // The two short-lived ones go away asynchronously (FIN relayed both ways).
  assert.ok(await c.waitFor(() => p.connections === 1));
  c.sock.end();
  assert.ok(await c.waitFor(() => p.connections === 0));
  await p.close();
});

test('blackhole: accepts and reads, forwards nothing, passes no FIN/RST; pass again resumes', async () => {
  const p = await FaultProxy.start(server);
  const c = await open(p.port);
  c.sock.write(resp('CLIENT', 'SETNAME', 'victim'));
  assert.ok(await c.waitFor(() => c.st.data === '+OK\r\n'));
  p.setMode('blackhole');
  c.sock.write(PING);
  assert.equal(await c.waitFor(() => c.st.data.length > 5, 300), false, 'no reply in a black hole');
  // A fresh connect is still accepted, and still gets nothing.
  const fresh = await rawExchange(p, { send: PING, timeoutMs: 300 });
  assert.equal(fresh.ended, 'timeout');
  // The server closes the victim: the FIN must not reach the client while black-holed.
  assert.ok(Number(await server.cli('CLIENT', 'KILL', 'SKIPME', 'yes', 'USER', 'default')) >= 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(c.st.closed, false);
  assert.equal(c.st.error, undefined);
  p.setMode('pass'); // now the deferred close goes through
  assert.ok(await c.waitFor(() => c.st.closed));
  assert.equal(c.st.data, '+OK\r\n');
  // New connections work again.
  assert.equal(await rawCommand(p, 'PING'), '+PONG');
  await p.close();
});

test('delay: every chunk waits, order is preserved', async () => {
  const p = await FaultProxy.start(server);
  p.delay(150, 'down');
  const t0 = Date.now();
  assert.equal(await rawCommand(p, 'PING'), '+PONG');
  assert.ok(Date.now() - t0 >= 140, `took ${Date.now() - t0} ms`);
  p.delay(20, 'both');
  const c = await open(p.port);
  const n = 30;
  for (let i = 0; i < n; i++) c.sock.write(resp('ECHO', String(i))); // separate chunks
  assert.ok(await c.waitFor(() => c.st.data.split('\r\n').length >= 2 * n + 1));
  const values = c.st.data.split('\r\n').filter((_, i) => i % 2 === 1);
  assert.deepEqual(
    values,
    Array.from({ length: n }, (_, i) => String(i)),
  );
  c.sock.destroy();
  p.delay(0);
  await p.close();
});

test('splitBytes: one byte per write in both directions, the server still understands', async () => {
  const p = await FaultProxy.start(server);
  p.splitBytes(true);
  const r = await rawExchange(p, { send: resp('SET', 'split', 'value') + resp('GET', 'split'), until: /value\r\n$/ });
  assert.equal(r.data, '+OK\r\n$5\r\nvalue\r\n');
  assert.ok(r.chunks > 5, `client saw ${r.chunks} chunks`);
  p.splitBytes(false);
  await p.close();
});

test('cutAfter(n, down): exactly n bytes of the reply arrive, then the connection closes', async () => {
  const p = await FaultProxy.start(server);
  p.cutAfter(3, 'down');
  const r = await rawExchange(p, { send: resp('ECHO', 'abcdef'), until: /never/ });
  assert.equal(r.data, '$6\r');
  assert.equal(r.ended, 'closed');
  assert.equal(await rawCommand(p, 'PING'), '+PONG', 'one-shot: the next connection is fine');
  await p.close();
});

test('cutAfter(n, up): the server gets half a command, the client is closed', async () => {
  const p = await FaultProxy.start(server);
  await server.cli('DEL', 'cut-up');
  p.cutAfter(10, 'up');
  const r = await rawExchange(p, { send: resp('SET', 'cut-up', '1'), until: /never/ });
  assert.equal(r.ended, 'closed');
  assert.equal(r.data, '');
  assert.equal(await server.cli('EXISTS', 'cut-up'), '0');
  await p.close();
});

test('resetAll: the client sees ECONNRESET', async () => {
  const p = await FaultProxy.start(server);
  const c = await open(p.port);
  c.sock.write(PING);
  assert.ok(await c.waitFor(() => c.st.data === '+PONG\r\n'));
  p.resetAll();
  assert.ok(await c.waitFor(() => c.st.closed));
  assert.equal(c.st.error, 'ECONNRESET');
  await p.close();
});

test('closeAll: the client sees a clean EOF (FIN), no error', async () => {
  const p = await FaultProxy.start(server);
  const c = await open(p.port);
  p.closeAll();
  assert.ok(await c.waitFor(() => c.st.ended));
  assert.equal(c.st.error, undefined);
  c.sock.destroy();
  await p.close();
});

test('refuse: connects get ECONNREFUSED, then the same port listens again', async () => {
  const p = await FaultProxy.start(server);
  const c = await open(p.port);
  await p.refuse(true);
  const r = await rawExchange(p, { send: PING });
  assert.equal(r.error, 'ECONNREFUSED');
  c.sock.write(PING); // open connections are not affected
  assert.ok(await c.waitFor(() => c.st.data === '+PONG\r\n'));
  await p.refuse(false);
  assert.equal(await rawCommand(p, 'PING'), '+PONG');
  c.sock.destroy();
  await p.close();
});

test('a dead target: the client is reset; close() ends everything', async () => {
  const s = await RedisServer.start();
  const p = await FaultProxy.start(s);
  const c = await open(p.port);
  await s.stop();
  assert.ok(await c.waitFor(() => c.st.closed), 'server shutdown reaches the client');
  const r = await rawExchange(p, { send: PING });
  assert.equal(r.error, 'ECONNRESET');
  const c2 = await open(p.port);
  await p.close();
  assert.ok(await c2.waitFor(() => c2.st.closed));
  assert.equal((await rawExchange(p, { send: PING })).error, 'ECONNREFUSED');
});
