// client.monitor() against a real server: MONITOR on a connection of its own, as an async
// iterator, closed when the loop ends or the client closes, and sent again after a reconnect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ConnectionError, type MonitorEvent, type RedisClient } from '../../src/index';
import { RedisServer } from '../support/redis-server';

let server: RedisServer;
let client: RedisClient;

before(async () => {
  server = await RedisServer.start();
  client = createClient(server.url, { clientName: 'monitored' });
  await client.connect();
});

after(async () => {
  await client?.close();
  await server?.stop();
});

/** Connections in MONITOR mode (flag O in CLIENT LIST). */
async function monitorConnections(c: RedisClient): Promise<number[]> {
  return (await c.clientList()).filter((i) => String(i.flags).includes('O')).map((i) => i.id);
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Repeats `act` until the monitor shows a command with these arguments (MONITOR may not be sent yet). */
async function seen(
  it: AsyncIterator<MonitorEvent>,
  args: string[],
  act: () => Promise<unknown>,
): Promise<MonitorEvent> {
  const deadline = Date.now() + 20_000;
  const acts = setInterval(() => void act().catch(() => undefined), 100);
  try {
    for (;;) {
      const r = await Promise.race([
        it.next(),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_000)),
      ]);
      if (r !== undefined) {
        assert.equal(r.done, false, 'the iteration ended');
        if (JSON.stringify(r.value.args) === JSON.stringify(args)) return r.value;
      }
      if (Date.now() > deadline) assert.fail(`never saw ${args.join(' ')}`);
    }
  } finally {
    clearInterval(acts);
  }
}

test('every command the server runs, parsed; break closes the monitor connection', async () => {
  const events: MonitorEvent[] = [];
  const writer = client.duplicate({ database: 2 });
  await writer.connect();
  let started = false;
  const loop = (async () => {
    for await (const event of client.monitor()) {
      events.push(event);
      if (event.args[0] === 'SET' && event.args[1] === 'last') break;
    }
  })();
  // The monitor is on its own connection: the client's commands go on meanwhile.
  await until('the monitor connection', async () => (started = (await monitorConnections(client)).length === 1));
  assert.ok(started);
  await writer.set('with space', 'x"y\n\u00e9');
  await writer.set('last', '1');
  await loop;
  const set = events.find((e) => e.args[1] === 'with space');
  assert.ok(set !== undefined, JSON.stringify(events));
  assert.deepEqual(set.args, ['SET', 'with space', 'x"y\n\u00e9']);
  assert.equal(set.db, 2);
  assert.match(set.source, /^127\.0\.0\.1:\d+$/);
  assert.ok(Math.abs(set.timestamp - Date.now() / 1000) < 120);
  await until('the monitor connection to close', async () => (await monitorConnections(client)).length === 0);
  await writer.close();
});

test('closing the client ends an open iteration and its connection', async () => {
  const other = client.duplicate();
  await other.connect();
  const it = other.monitor();
  await seen(it, ['SET', 'close-me', '1'], () => client.set('close-me', '1'));
  const next = it.next();
  await other.close();
  assert.deepEqual(await next, { value: undefined, done: true });
  await until('no monitor connection', async () => (await monitorConnections(client)).length === 0);
});

test('after its connection is killed, the monitor reconnects and the feed goes on', async () => {
  const it = client.monitor();
  await seen(it, ['SET', 'before', '1'], () => client.set('before', '1'));
  const [id] = await monitorConnections(client);
  assert.equal(await client.clientKill({ ID: id }), 1);
  // The SETs are seen again once MONITOR was sent on the new connection.
  await seen(it, ['SET', 'after', '1'], () => client.set('after', '1'));
  await it.return();
  await until('no monitor connection', async () => (await monitorConnections(client)).length === 0);
});

test('a monitor whose first connection fails rejects the first next() with the connection error', async () => {
  const offline = createClient({ port: 1, reconnect: false });
  const it = offline.monitor();
  await assert.rejects(it.next(), (err: unknown) => err instanceof ConnectionError);
  assert.deepEqual(await it.next(), { value: undefined, done: true });
  offline.destroy();
});
