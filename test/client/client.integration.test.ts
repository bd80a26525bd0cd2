import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { internals } from '../../src/client/internals';
import {
  createClient,
  AbortError,
  AuthError,
  CommandTimeoutError,
  ConnectionError,
  ConnectionLostError,
  ClientClosedError,
  InvalidArgumentError,
  ReplyError,
  VERSION,
} from '../../src/index';
import { RedisServer } from '../support/redis-server';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start({ unixSocket: true, args: ['--unixsocketperm', '700'] });
});
after(async () => {
  await server?.destroy();
});

function clientInfo(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split(' ')
      .map((kv) => kv.split('=') as [string, string]),
  );
}

describe('handshake', () => {
  for (const protocol of [3, 2] as const) {
    test(`RESP${protocol}: name, database and library are set in one handshake`, async () => {
      const client = createClient({ port: server.port, protocol, database: 3, clientName: 'worker-1' });
      try {
        await client.connect();
        assert.equal(client.server?.protocol, protocol);
        assert.match(client.server?.version ?? '', /^\d+\.\d+/);
        const info = clientInfo(String(await client.call('CLIENT', 'INFO')));
        assert.equal(info.name, 'worker-1');
        assert.equal(info.db, '3');
        assert.equal(info.resp, String(protocol));
        // CLIENT SETINFO arrived in Redis 7.2; older servers ignore it and the handshake goes on.
        if (info['lib-name'] !== undefined) {
          assert.equal(info['lib-name'], 'romaine');
          assert.equal(info['lib-ver'], VERSION);
        }
      } finally {
        client.destroy();
      }
    });
  }

  test('Unix socket (unix:// URL)', async () => {
    const client = createClient(`unix://${server.socketPath}?db=2`);
    try {
      assert.equal(await client.ping(), 'PONG');
      assert.equal(clientInfo(String(await client.call('CLIENT', 'INFO'))).db, '2');
    } finally {
      client.destroy();
    }
  });

  test('ACL user with a password, through the URL', async () => {
    const admin = createClient({ port: server.port });
    await admin.call('ACL', 'SETUSER', 'app', 'on', '>app-secret', '~*', '+@all');
    const client = createClient(`redis://app:app-secret@127.0.0.1:${server.port}`);
    try {
      await client.connect();
      assert.equal(await client.call('ACL', 'WHOAMI'), 'app');
      const wrong = createClient(`redis://app:nope@127.0.0.1:${server.port}`);
      await assert.rejects(
        wrong.connect(),
        (err: unknown) => err instanceof AuthError && !err.message.includes('nope'),
      );
      wrong.destroy();
    } finally {
      client.destroy();
      await admin.call('ACL', 'DELUSER', 'app');
      admin.destroy();
    }
  });

  test('a database that does not exist fails connect() at once (kind handshake)', async () => {
    const client = createClient({ port: server.port, database: 999 });
    await assert.rejects(
      client.connect(),
      (err: unknown) => err instanceof ConnectionError && err.kind === 'handshake',
    );
    assert.equal(client.state, 'failed');
    client.destroy();
  });
});

describe('commands', () => {
  test('SELECT and CLIENT SETNAME made with call() survive a reconnect', async () => {
    const client = createClient({ port: server.port, reconnect: { baseDelayMs: 10, maxDelayMs: 50 } });
    const admin = createClient({ port: server.port });
    try {
      await client.call('SELECT', 5);
      await client.call('CLIENT', 'SETNAME', 'renamed');
      await client.set('where', 'db5');
      const id = await client.call('CLIENT', 'ID');
      const ready = new Promise<void>((r) => client.once('ready', () => r()));
      await admin.call('CLIENT', 'KILL', 'ID', String(id));
      await ready;
      const info = clientInfo(String(await client.call('CLIENT', 'INFO')));
      assert.equal(info.db, '5');
      assert.equal(info.name, 'renamed');
      assert.equal(await client.get('where'), 'db5');
    } finally {
      client.destroy();
      admin.destroy();
    }
  });

  test('bad arguments reject before anything is sent, naming the command and the argument', async () => {
    const client = createClient({ port: server.port });
    try {
      await assert.rejects(
        client.call('SET', 'k', undefined as never),
        (e: unknown) => e instanceof InvalidArgumentError && /SET: argument 2/.test(e.message),
      );
      await assert.rejects(client.call('SET', 'k', Number.NaN), InvalidArgumentError);
      await assert.rejects(client.call('SET', 'k', {} as never), InvalidArgumentError);
      assert.equal(await client.ping(), 'PONG', 'the connection is unharmed');
    } finally {
      client.destroy();
    }
  });

  test('server errors are ReplyErrors with the server code and the command name', async () => {
    const client = createClient({ port: server.port });
    try {
      await client.set('str', 'x');
      await assert.rejects(
        client.call('LPUSH', 'str', 'a'),
        (e: unknown) => e instanceof ReplyError && e.code === 'WRONGTYPE' && e.command === 'LPUSH',
      );
    } finally {
      client.destroy();
    }
  });

  test('binary safety: Buffers in, Buffers out through client.buffers and callBuffer', async () => {
    const client = createClient({ port: server.port });
    try {
      const bytes = Buffer.from([0, 255, 13, 10, 36, 42, 128]);
      await client.set('bin', bytes);
      assert.deepEqual(await client.buffers.get('bin'), bytes);
      assert.deepEqual(await client.callBuffer('GET', 'bin'), bytes);
      assert.equal(await client.get('missing'), null);
      const big = Buffer.alloc(3 * 1024 * 1024, 7);
      await client.set('big', big);
      assert.ok(big.equals((await client.buffers.get('big')) as Buffer));
      assert.equal(await client.set('utf', 'héllo ✓'), 'OK');
      assert.equal(await client.get('utf'), 'héllo ✓');
    } finally {
      client.destroy();
    }
  });

  test('an aborted command that was sent still consumes its reply: the next reply goes to the next command', async () => {
    const client = createClient({ port: server.port, healthCheck: false });
    const admin = createClient({ port: server.port });
    try {
      await client.set('a', 'A');
      await client.set('b', 'B');
      await admin.call('CLIENT', 'PAUSE', 300, 'ALL');
      const ac = new AbortController();
      const aborted = internals(client).sendCommand('GET', ['a'], undefined, { signal: ac.signal });
      const next = client.get('b');
      await new Promise((r) => setTimeout(r, 50));
      ac.abort();
      await assert.rejects(aborted, (e: unknown) => e instanceof AbortError && e.maybeExecuted);
      assert.equal(await next, 'B');
      assert.equal(await client.get('a'), 'A');
    } finally {
      client.destroy();
      admin.destroy();
    }
  });

  test('a per-command timeout rejects with CommandTimeoutError and the FIFO stays aligned', async () => {
    const client = createClient({ port: server.port, healthCheck: false });
    const admin = createClient({ port: server.port });
    try {
      await client.set('t', 'T');
      await admin.call('CLIENT', 'PAUSE', 400, 'ALL');
      const slow = internals(client).sendCommand('GET', ['t'], undefined, { timeoutMs: 100 });
      await assert.rejects(slow, (e: unknown) => e instanceof CommandTimeoutError && e.maybeExecuted);
      assert.equal(await client.get('t'), 'T');
    } finally {
      client.destroy();
      admin.destroy();
    }
  });

  test('100 commands issued in one tick all arrive, in order', async () => {
    const client = createClient({ port: server.port });
    try {
      await client.del('order');
      const all = Array.from({ length: 100 }, (_, i) => client.call('RPUSH', 'order', i));
      assert.deepEqual(
        await Promise.all(all),
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        await client.call('LRANGE', 'order', 0, -1),
        Array.from({ length: 100 }, (_, i) => String(i)),
      );
    } finally {
      client.destroy();
    }
  });
});

describe('transactions and isolation', () => {
  test('MULTI/EXEC returns each result; an error inside stays in its place', async () => {
    const client = createClient({ port: server.port });
    try {
      await client.set('tx:s', 'text');
      const res = await client.multi().set('tx:a', 1).incr('tx:a').incr('tx:s').get('tx:a').exec();
      assert.ok(res !== null);
      assert.deepEqual(res[0], [null, 'OK']);
      assert.deepEqual(res[1], [null, 2]);
      assert.ok(res[2][0] instanceof ReplyError && res[2][0].command === 'INCR');
      assert.deepEqual(res[3], [null, '2']);
    } finally {
      client.destroy();
    }
  });

  test('WATCH on an isolated connection: a concurrent change aborts EXEC (null)', async () => {
    const client = createClient({ port: server.port });
    try {
      await client.set('w', '1');
      const result = await client.isolated(async (conn) => {
        await conn.watch('w');
        await client.set('w', 'changed-by-someone-else');
        return conn.multi().set('w', 'mine').exec();
      });
      assert.equal(result, null);
      assert.equal(await client.get('w'), 'changed-by-someone-else');
    } finally {
      await client.close();
    }
  });

  test('WATCH then the connection is replaced: EXEC is refused instead of running unprotected', async () => {
    const client = createClient({ port: server.port, reconnect: { baseDelayMs: 10, maxDelayMs: 20 } });
    const admin = createClient({ port: server.port });
    try {
      await client.set('w2', '1');
      await client.isolated(async (conn) => {
        await conn.watch('w2');
        const id = await conn.call('CLIENT', 'ID');
        const ready = new Promise<void>((r) => conn.once('ready', () => r()));
        await admin.call('CLIENT', 'KILL', 'ID', String(id));
        await ready;
        await assert.rejects(
          conn.multi().set('w2', 'unprotected').exec(),
          (e: unknown) => e instanceof ConnectionLostError && !e.maybeExecuted,
        );
      });
      assert.equal(await client.get('w2'), '1');
    } finally {
      client.destroy();
      admin.destroy();
    }
  });
});

describe('closing', () => {
  test('close() waits for pending replies; destroy() rejects pending ones at once', async () => {
    const client = createClient({ port: server.port, healthCheck: false });
    const admin = createClient({ port: server.port });
    try {
      await client.connect();
      await admin.call('CLIENT', 'PAUSE', 200, 'ALL');
      const pending = client.ping();
      await client.close();
      assert.equal(await pending, 'PONG');
      assert.equal(client.state, 'closed');
      await assert.rejects(client.ping(), ClientClosedError);

      const other = createClient({ port: server.port, healthCheck: false });
      await other.connect();
      await admin.call('CLIENT', 'PAUSE', 200, 'ALL');
      const lost = other.ping();
      await new Promise((r) => setTimeout(r, 30)); // written, waiting for the paused server
      other.destroy();
      await assert.rejects(lost, (e: unknown) => e instanceof ClientClosedError && e.maybeExecuted);
      const unsent = createClient({ port: server.port });
      await unsent.connect();
      const never = unsent.ping();
      unsent.destroy(); // same tick: still unwritten
      await assert.rejects(never, (e: unknown) => e instanceof ClientClosedError && !e.maybeExecuted);
    } finally {
      admin.destroy();
    }
  });

  test('await using closes the client', async () => {
    let ref: ReturnType<typeof createClient> | undefined;
    {
      await using client = createClient({ port: server.port });
      ref = client;
      assert.equal(await client.ping(), 'PONG');
    }
    assert.equal(ref.state, 'closed');
  });
});

describe('typed-method routing', () => {
  test('typed select() is remembered across a reconnect, like call("SELECT")', async () => {
    const client = createClient({ port: server.port, reconnect: { baseDelayMs: 10, maxDelayMs: 50 } });
    const admin = createClient({ port: server.port });
    try {
      await client.select(4);
      await client.set('typed-select', 'db4');
      const id = await client.call('CLIENT', 'ID');
      const ready = new Promise<void>((r) => client.once('ready', () => r()));
      await admin.call('CLIENT', 'KILL', 'ID', String(id));
      await ready;
      assert.equal(await client.get('typed-select'), 'db4');
    } finally {
      client.destroy();
      admin.destroy();
    }
  });

  test('a blocking command through the buffers view does not hold the main connection', async () => {
    const client = createClient({ port: server.port });
    try {
      await client.del('bq');
      const popped = client.buffers.blpop(['bq'], 2);
      assert.equal(await client.ping(), 'PONG');
      await client.rpush('bq', 'x');
      const got = await popped;
      assert.ok(got !== null && Buffer.isBuffer(got.element));
    } finally {
      await client.close();
    }
  });

  test('inside isolated(), a blocking command runs on the isolated connection itself', async () => {
    const client = createClient({ port: server.port });
    try {
      await client.del('iq');
      const name = await client.isolated(async (conn) => {
        await conn.call('CLIENT', 'SETNAME', 'iso');
        await client.rpush('iq', 'y');
        await conn.blpop(['iq'], 1);
        return conn.call('CLIENT', 'GETNAME');
      });
      assert.equal(name, 'iso');
      const list = String(await client.call('CLIENT', 'LIST'));
      assert.equal(
        list.split('\n').filter((l) => l.includes('name=iso')).length,
        1,
        'one isolated connection, no extra one',
      );
    } finally {
      await client.close();
    }
  });
});

describe('batches', () => {
  test('a pipeline with an invalid argument sends nothing and rejects naming it', async () => {
    const client = createClient({ port: server.port });
    try {
      await client.del('pv');
      await assert.rejects(
        client
          .pipeline()
          .incr('pv')
          .call('SET', 'pv', undefined as never)
          .exec(),
        /SET: argument 2/,
      );
      assert.equal(await client.get('pv'), null, 'the INCR before it was not sent either');
    } finally {
      client.destroy();
    }
  });

  test('a transaction the server refuses to queue rejects with EXECABORT, caused by the refusal', async () => {
    const client = createClient({ port: server.port });
    try {
      await assert.rejects(client.multi().set('x', 1).call('GET').exec(), (e: unknown) => {
        assert.ok(e instanceof ReplyError && e.code === 'EXECABORT');
        assert.ok(e.cause instanceof ReplyError && /wrong number of arguments/.test(e.cause.message));
        return true;
      });
    } finally {
      client.destroy();
    }
  });
});
