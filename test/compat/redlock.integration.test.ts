// redlock 5 (beta) through romaine/compat/ioredis: acquire, extend and release a lock with a quorum
// over three real redis-servers (EVALSHA, with EVAL after NOSCRIPT), and a lock held by another
// owner refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
// redlock's package.json "exports" names no types: its declarations are loaded by path.
import type * as RedlockTypes from '../../node_modules/redlock/dist/index.js' with { 'resolution-mode': 'import' };

const { default: Redlock, ExecutionError } = createRequire(__filename)('redlock') as typeof RedlockTypes;
import { Redis } from '../../src/compat/ioredis/index';
import { RedisServer } from '../support/redis-server';

describe('redlock through romaine/compat/ioredis', { timeout: 60_000 }, () => {
  const servers: RedisServer[] = [];
  const clients: Redis[] = [];
  before(async () => {
    for (let i = 0; i < 3; i++) servers.push(await RedisServer.start());
    // A vote is bounded in time: a server that is down answers "no" after 1 s instead of holding the
    // acquire script in the offline queue until it comes back.
    for (const s of servers) clients.push(new Redis(s.port, '127.0.0.1', { commandTimeout: 1000 }));
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await Promise.all(servers.map((s) => s.destroy()));
  });

  test('acquire, extend, release with a quorum of 3; a second owner is refused while it is held', async () => {
    const redlock = new Redlock(clients as never, { retryCount: 0 });
    const lock = await redlock.acquire(['resource:a'], 2000);
    // redlock settles acquire()/extend() once a quorum (2 of 3) voted; the third vote may still be on
    // its way (a script's first use costs a NOSCRIPT and an EVAL). An attempt's stats promise settles
    // once every server answered.
    assert.equal((await lock.attempts[0])?.votesFor.size, 3, 'every server voted for the lock');
    for (const c of clients) assert.equal(await c.get('resource:a'), lock.value, 'every server holds the lock');

    const other = new Redlock(clients as never, { retryCount: 0 });
    await assert.rejects(other.acquire(['resource:a'], 2000), ExecutionError);

    const extended = await lock.extend(5000);
    assert.equal((await extended.attempts[0])?.votesFor.size, 3, 'every server extended the lock');
    for (const c of clients) {
      const ttl = await c.pttl('resource:a');
      assert.ok(ttl > 2000 && ttl <= 5000, `extend() raised the TTL to 5 s, got ${ttl} ms`);
    }
    await extended.release();
    for (const c of clients) assert.equal(await c.exists('resource:a'), 0, 'release() removed the lock');

    const again = await other.acquire(['resource:a'], 1000);
    await again.release();
  });

  test('a quorum is reached with one server down (2 of 3)', async () => {
    await servers[2].stop();
    try {
      const redlock = new Redlock(clients as never, { retryCount: 0 });
      redlock.on('error', () => undefined);
      const lock = await redlock.acquire(['resource:b'], 2000);
      const stats = await lock.attempts[0];
      assert.equal(stats?.membershipSize, 3);
      assert.equal(stats?.quorumSize, 2);
      assert.equal(stats?.votesFor.size, 2);
      assert.equal(stats?.votesAgainst.size, 1);
      await lock.release().catch(() => undefined);
    } finally {
      await servers[2].restart();
    }
  });
});
