// Protocol garbage. A tiny fake server in the test process answers the handshake like Redis 7
// (HELLO -> RESP3 map) and then sends bytes that are not RESP; and a real redis-server whose reply
// breaks a decoder limit. The command that got the garbage must reject (not be sent again and
// again), the connection must be dropped and replaced (kind 'protocol'), and in the initial phase
// a handshake answered with garbage must make connect() reject at once.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { createClient, ConnectionError, ConnectionLostError, ProtocolError, type RedisClient } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { waitFor, settleWithin, type Outcome } from '../support/wait';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };
/** Liveness guard, not a timing assertion: a command still pending after this is a hang. */
const SETTLE_DEADLINE_MS = 5000;

const HELLO_MAP =
  '%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n$5\r\nproto\r\n:3\r\n' +
  '$2\r\nid\r\n:42\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n';

interface Fake {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Every command received, upper-cased name first. */
  received: string[][];
  close(): Promise<void>;
}

/** A fake Redis on loopback: `answer` gives the raw bytes to send back for each command. */
async function fakeRedis(answer: (cmd: string[]) => string): Promise<Fake> {
  const sockets = new Set<net.Socket>();
  const fake: Fake = {
    port: 0,
    connections: 0,
    received: [],
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = net.createServer((sock) => {
    fake.connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const { cmds, used } = parseCommands(buf);
      buf = buf.subarray(used);
      let out = '';
      for (const cmd of cmds) {
        cmd[0] = cmd[0].toUpperCase();
        fake.received.push(cmd);
        out += answer(cmd);
      }
      if (out !== '' && !sock.destroyed) sock.write(out, 'latin1');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.port = (server.address() as net.AddressInfo).port;
  return fake;
}

/** Complete RESP arrays of bulk strings at the start of `buf` (what clients send). */
function parseCommands(buf: Buffer): { cmds: string[][]; used: number } {
  const cmds: string[][] = [];
  let pos = 0;
  for (;;) {
    if (pos >= buf.length) break;
    if (buf[pos] !== 0x2a)
      throw new Error(`fake server: expected '*', got ${JSON.stringify(buf.toString('latin1', pos, pos + 20))}`);
    const nl = buf.indexOf('\r\n', pos);
    if (nl < 0) break;
    const n = Number(buf.toString('latin1', pos + 1, nl));
    let p = nl + 2;
    const args: string[] = [];
    for (let i = 0; i < n; i++) {
      const nl2 = buf.indexOf('\r\n', p);
      if (nl2 < 0) return { cmds, used: pos };
      const len = Number(buf.toString('latin1', p + 1, nl2));
      if (nl2 + 2 + len + 2 > buf.length) return { cmds, used: pos };
      args.push(buf.toString('utf8', nl2 + 2, nl2 + 2 + len));
      p = nl2 + 2 + len + 2;
    }
    cmds.push(args);
    pos = p;
  }
  return { cmds, used: pos };
}

/** Answers like Redis 7 for the handshake; `get` decides GET replies. */
function redisLike(get: (key: string) => string): (cmd: string[]) => string {
  return (cmd) => {
    switch (cmd[0]) {
      case 'HELLO':
        return HELLO_MAP;
      case 'PING':
        return '+PONG\r\n';
      case 'GET':
        return get(cmd[1]);
      default:
        return '+OK\r\n';
    }
  };
}

/** A ProtocolError, or a ConnectionLostError whose cause (or its cause) is one / is of kind 'protocol'. */
function isProtocolFailure(err: unknown): boolean {
  if (err instanceof ProtocolError) return true;
  if (!(err instanceof ConnectionLostError)) return false;
  const cause = err.cause;
  if (cause instanceof ProtocolError) return true;
  return cause instanceof ConnectionError && (cause.kind === 'protocol' || cause.cause instanceof ProtocolError);
}

function describeOutcome(o: Outcome<unknown>): string {
  if (o.status === 'pending') return 'still pending';
  if (o.status === 'fulfilled') return `resolved ${JSON.stringify(o.value)}`;
  const e = o.reason as Error & { cause?: unknown };
  return `rejected ${e.name}: ${e.message} (cause: ${String(e.cause)})`;
}

describe('protocol garbage', () => {
  test('runtime phase: garbage in reply to a GET -> the GET rejects, the connection is replaced (kind protocol)', async () => {
    const fake = await fakeRedis(redisLike((key) => (key === 'poison' ? '@this is not RESP\r\n' : '$2\r\nok\r\n')));
    const client: RedisClient = createClient({
      host: '127.0.0.1',
      port: fake.port,
      reconnect: fast,
      healthCheck: false,
    });
    const kinds: string[] = [];
    client.on('reconnecting', (e) => kinds.push(e.reason.kind));
    try {
      await client.connect();
      assert.equal(client.server?.id, 42, 'the fake handshake was understood');
      assert.equal(await client.get('fine'), 'ok');

      const outcome = await settleWithin(client.get('poison'), SETTLE_DEADLINE_MS);
      // The reconnection may still be under way when the GET rejects.
      await waitFor('a new connection', () => fake.connections >= 2 && client.state === 'ready').catch(() => undefined);
      const poisonSent = fake.received.filter((c) => c[0] === 'GET' && c[1] === 'poison').length;
      console.log(
        `# protocol garbage (runtime): the GET ${describeOutcome(outcome)}; it was sent ${poisonSent} time(s) over ${fake.connections} connection(s); ` +
          `reconnecting kinds: ${[...new Set(kinds)].join(',')}`,
      );
      assert.ok(
        kinds.includes('protocol'),
        `the connection was dropped for a protocol error (kinds: ${kinds.join(',')})`,
      );
      assert.equal(
        outcome.status,
        'rejected',
        `the GET that got garbage must settle with an error, not be sent again and again: ${describeOutcome(outcome)}`,
      );
      assert.ok(isProtocolFailure((outcome as { reason: unknown }).reason), describeOutcome(outcome));
      assert.equal(poisonSent, 1, 'not re-sent');
      assert.ok(fake.connections >= 2, 'the connection was replaced');
      await waitFor('ready on the new connection', () => client.state === 'ready');
      assert.equal(await client.get('fine'), 'ok', 'the new connection works');
      assert.equal(fake.connections, 2, 'one new connection was enough');
    } finally {
      client.destroy();
      await fake.close();
    }
  });

  test('initial phase: HELLO answered with garbage -> connect() rejects at once with kind protocol, one attempt', async () => {
    const fake = await fakeRedis((cmd) => (cmd[0] === 'HELLO' ? '?garbage\r\n' : '+OK\r\n'));
    const client = createClient({ host: '127.0.0.1', port: fake.port, reconnect: fast });
    const kinds: string[] = [];
    client.on('reconnecting', (e) => kinds.push(e.reason.kind));
    try {
      const t0 = performance.now();
      const err = await client.connect().then(
        () => 'resolved',
        (e: unknown) => e,
      );
      const ms = performance.now() - t0;
      assert.ok(err instanceof ConnectionError, String(err));
      assert.equal(err.kind, 'protocol');
      assert.match(err.message, /not RESP/);
      assert.equal(client.state, 'failed');
      assert.deepEqual(kinds, [], 'no retry');
      assert.equal(fake.connections, 1, 'one attempt');
      console.log(`# protocol garbage (initial): connect() rejected after ${ms.toFixed(1)} ms: ${err.message}`);
    } finally {
      client.destroy();
      await fake.close();
    }
  });

  test('real server: a reply over the decoder limit (maxBulkLength) rejects its command instead of looping; others keep working', async () => {
    const server = await RedisServer.start();
    const direct = createClient({ host: server.host, port: server.port });
    const client = createClient({
      host: server.host,
      port: server.port,
      reconnect: fast,
      healthCheck: false,
      limits: { maxBulkLength: 100 },
    });
    const kinds: string[] = [];
    client.on('reconnecting', (e) => kinds.push(e.reason.kind));
    try {
      await direct.connect();
      await direct.set('limit:big', 'x'.repeat(1000));
      await direct.set('limit:small', 'y');
      await client.connect();
      const before = Number(/total_connections_received:(\d+)/.exec(await server.cli('INFO', 'stats'))?.[1]);

      const outcome = await settleWithin(client.get('limit:big'), SETTLE_DEADLINE_MS);
      const after = Number(/total_connections_received:(\d+)/.exec(await server.cli('INFO', 'stats'))?.[1]);
      // Minus the second redis-cli connection itself.
      const reconnections = after - before - 1;
      console.log(
        `# decoder limit (real server): the GET ${describeOutcome(outcome)}; ${reconnections} reconnection(s) meanwhile`,
      );
      assert.ok(kinds.includes('protocol'), `kinds: ${kinds.join(',')}`);
      assert.equal(
        outcome.status,
        'rejected',
        `a reply over a limit must fail its command, not loop: ${describeOutcome(outcome)}`,
      );
      assert.ok(isProtocolFailure((outcome as { reason: unknown }).reason), describeOutcome(outcome));
      await waitFor('ready again', () => client.state === 'ready');
      assert.equal(await client.get('limit:small'), 'y');
    } finally {
      client.destroy();
      direct.destroy();
      await server.destroy();
    }
  });
});
