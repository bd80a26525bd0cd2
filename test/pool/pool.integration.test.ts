// createPool() against a real server: bounded waiting with PoolTimeoutError, release however the
// callback ends, WATCH reset before reuse, connections with state a reset cannot undo are not lent
// out again, close() waits for connections in use and destroy() does not.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { internals } from '../../src/client/internals';
import {
  ClientClosedError,
  CommandTimeoutError,
  InvalidArgumentError,
  PoolTimeoutError,
  createClient,
  createPool,
  type RedisClient,
} from '../../src/index';
import { RedisServer, settleWithin, sleep, waitFor } from '../support';

let server: RedisServer;
let admin: RedisClient;

before(async () => {
  server = await RedisServer.start();
  admin = createClient({ host: server.host, port: server.port });
});
after(async () => {
  admin?.destroy();
  await server?.destroy();
});

const url = () => server.url;

describe('createPool', () => {
  test('bounded waiting: past max, use() waits its turn, and rejects with PoolTimeoutError after acquireTimeoutMs', async () => {
    // The timeout is long enough that a loaded machine (CI running many servers) cannot let the
    // waiter time out before the test has looked at it; the test never sleeps to sync.
    const acquireTimeoutMs = 1000;
    const pool = createPool(url(), { max: 2, acquireTimeoutMs });
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let acquired = 0;
      const hold = () => pool.use((c) => (acquired++, gate.then(() => c.ping())));
      const holders = [hold(), hold()];
      await waitFor('both holders to have a connection', () => acquired === 2);
      assert.deepEqual(pool.stats(), { size: 2, idle: 0, busy: 2, waiting: 0 });
      const started = performance.now();
      const third = pool.use((c) => c.echo('third'));
      const waiting = assert.rejects(
        third,
        (err: unknown) => err instanceof PoolTimeoutError && err.code === 'EPOOLTIMEOUT',
      );
      assert.equal(pool.stats().waiting, 1, 'the third use() waits (synchronously counted)');
      await waiting;
      assert.ok(performance.now() - started >= acquireTimeoutMs - 10, 'waited acquireTimeoutMs');
      assert.equal(pool.stats().waiting, 0);
      // A waiter that is served in time gets the connection released by a holder.
      const served = pool.use((c) => c.echo('served'));
      release();
      assert.deepEqual(await Promise.all(holders), ['PONG', 'PONG']);
      assert.equal(await served, 'served');
      assert.equal(pool.stats().size, 2, 'never more than max connections');
    } finally {
      await pool.close();
    }
  });

  test('release however the callback ends: a throw gives the connection back (and it is reused)', async () => {
    const pool = createPool(url(), { max: 1 });
    try {
      const ids: number[] = [];
      await assert.rejects(
        pool.use(async (c) => {
          ids.push(Number(await c.call('CLIENT', 'ID')));
          throw new Error('application bug');
        }),
        /application bug/,
      );
      await assert.rejects(
        pool.use(async (c) => {
          ids.push(Number(await c.call('CLIENT', 'ID')));
          await c.call('NOSUCHCOMMAND'); // a server error: the connection is fine
        }),
        /unknown command/,
      );
      ids.push(await pool.use(async (c) => Number(await c.call('CLIENT', 'ID'))));
      assert.equal(new Set(ids).size, 1, `one connection throughout: ${ids.join(', ')}`);
      assert.deepEqual(pool.stats(), { size: 1, idle: 1, busy: 0, waiting: 0 });
    } finally {
      await pool.close();
    }
  });

  test('a connection left in WATCH is reset with UNWATCH before the next user gets it', async () => {
    const pool = createPool(url(), { max: 1 });
    try {
      await admin.set('p3:k', '0');
      await pool.use(async (c) => {
        await c.watch('p3:k'); // and forgets to EXEC or UNWATCH
      });
      await admin.set('p3:k', 'changed by someone else'); // would abort the next user's EXEC if still watched
      const result = await pool.use((c) => c.multi().set('p3:other', 'x').exec());
      assert.deepEqual(result, [[null, 'OK']], 'the EXEC ran: the old WATCH was gone');
    } finally {
      await pool.close();
    }
  });

  test('not lent out again: a connection that timed out, one left subscribed, one on another database', async () => {
    const pool = createPool({ host: server.host, port: server.port }, { max: 1 });
    try {
      const id = (c: RedisClient) => c.call('CLIENT', 'ID').then(Number);
      const first = await pool.use(id);
      await assert.rejects(
        pool.use((c) =>
          internals(c).sendCommand('BLPOP', ['p4:never', 0], undefined, { timeoutMs: 50, blockingMs: Infinity }),
        ),
        CommandTimeoutError,
      );
      const second = await pool.use(id);
      assert.notEqual(second, first, 'the connection stuck in BLPOP was dropped');
      await pool.use((c) => c.subscribe('p4:ch', () => undefined));
      const third = await pool.use(id);
      assert.notEqual(third, second, 'the subscribed connection was closed');
      await pool.use((c) => c.select(1));
      const fourth = await pool.use(async (c) => {
        assert.equal(c.selectedDatabase, 0);
        return id(c);
      });
      assert.notEqual(fourth, third, 'the connection on database 1 was closed');
    } finally {
      await pool.close();
    }
  });

  test('close() waits for connections in use; destroy() does not', async () => {
    const pool = createPool(url(), { max: 2, min: 1 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const busy = pool.use(async (c) => {
      await gate;
      return c.echo('finished during close');
    });
    await sleep(10);
    const closing = pool.close();
    assert.equal((await settleWithin(closing, 100)).status, 'pending', 'close() waits for the busy connection');
    await assert.rejects(
      pool.use((c) => c.ping()),
      ClientClosedError,
    );
    release();
    assert.equal(await busy, 'finished during close');
    await closing;
    assert.equal(pool.stats().size, 0);

    const pool2 = createPool(url(), { max: 1 });
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const stuck = pool2.use(async (c) => {
      started();
      return c.blpop('p5:never', 0);
    });
    const waiter = pool2.use((c) => c.ping());
    await running;
    await sleep(20);
    pool2.destroy();
    await assert.rejects(stuck, ClientClosedError);
    await assert.rejects(waiter, ClientClosedError);
    assert.equal(pool2.stats().size, 0);
    pool2.destroy(); // idempotent
    await pool2.close();
  });

  test('min connections are opened up front; options are checked', async () => {
    const named = async () => {
      const list = String(await admin.call('CLIENT', 'LIST'));
      return list.split('\n').filter((line) => line.includes('name=p6-pool ')).length;
    };
    const pool = createPool({ host: server.host, port: server.port, clientName: 'p6-pool' }, { min: 2, max: 3 });
    try {
      const deadline = Date.now() + 10_000;
      while ((await named()) < 2 && Date.now() < deadline) await sleep(10);
      assert.equal(await named(), 2, 'min connections opened without any use()');
      assert.deepEqual(pool.stats(), { size: 2, idle: 2, busy: 0, waiting: 0 });
    } finally {
      await pool.close();
    }
    assert.throws(() => createPool(url(), { min: 3, max: 2 }), InvalidArgumentError);
    assert.throws(() => createPool(url(), { max: 0 }), InvalidArgumentError);
    assert.throws(() => createPool(url(), { maxx: 1 } as never), /unknown pool option 'maxx'/);
    assert.throws(() => createPool('http://x'), InvalidArgumentError);
  });
});
