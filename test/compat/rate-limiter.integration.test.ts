// rate-limiter-flexible 11's RateLimiterRedis in its ioredis mode (defineCommand, multi with
// set(k, v, 'EX', n), pttl) through romaine/compat/ioredis, against a real redis-server; then
// across a server restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Redis } from '../../src/compat/ioredis/index';
import { RedisServer } from '../support/redis-server';
import { sleep, waitFor } from '../support/wait';

const fast = { reconnect: { baseDelayMs: 20, maxDelayMs: 200 } };

/** consume() resolves with a RateLimiterRes, and rejects with one once the points are spent. */
async function outcome(p: Promise<RateLimiterRes>): Promise<'allowed' | 'blocked'> {
  try {
    await p;
    return 'allowed';
  } catch (err) {
    if (err instanceof RateLimiterRes) return 'blocked';
    throw err;
  }
}

describe('rate-limiter-flexible through romaine/compat/ioredis', { timeout: 60_000 }, () => {
  let server: RedisServer;
  let redis: Redis;
  before(async () => {
    server = await RedisServer.start();
    redis = new Redis({ port: server.port, enableOfflineQueue: true, romaine: fast });
  });
  after(async () => {
    await redis?.quit();
    await server?.destroy();
  });

  test('consume until blocked; the key expires after the duration; block() sets a TTL', async () => {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'rl', points: 3, duration: 2 });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await outcome(limiter.consume('user-1')));
    assert.deepEqual(results, ['allowed', 'allowed', 'allowed', 'blocked']);
    const ttl = await redis.pttl('rl:user-1');
    assert.ok(ttl > 0 && ttl <= 2000, `the counter has the duration as TTL, got ${ttl} ms`);
    const res = await limiter.get('user-1');
    assert.equal(res?.consumedPoints, 4);

    // The TTL is respected: after the duration the user is served again.
    await sleep(2100);
    assert.equal(await outcome(limiter.consume('user-1')), 'allowed');

    // block(): multi().set(k, v, 'EX', n).pttl(k) -- the TTL must be set, or the user is blocked forever.
    await limiter.block('user-2', 1);
    assert.equal(await outcome(limiter.consume('user-2')), 'blocked');
    const blockedTtl = await redis.pttl('rl:user-2');
    assert.ok(blockedTtl > 0 && blockedTtl <= 1000, `block() set a TTL of 1 s, got ${blockedTtl} ms`);
    await sleep(1100);
    assert.equal(await outcome(limiter.consume('user-2')), 'allowed');
  });

  test('a server restart: a call during the outage waits and is served after recovery; rejectIfRedisNotReady reads the status', async () => {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'rr', points: 5, duration: 60 });
    assert.equal(await outcome(limiter.consume('svc')), 'allowed');
    await server.stop();
    await waitFor('the connection to notice', () => redis.status !== 'ready', 10_000);
    const strict = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: 'rr',
      points: 5,
      duration: 60,
      rejectIfRedisNotReady: true,
    });
    await assert.rejects(strict.consume('svc'), /Redis connection is not ready/);
    // Issued during the outage: it waits for the server (romaine's offline queue), no crash, no lost counter.
    const during = outcome(limiter.consume('svc'));
    await sleep(200);
    await server.restart();
    assert.equal(await during, 'allowed');
    await waitFor('ready again', () => redis.status === 'ready', 10_000);
    assert.equal(await outcome(limiter.consume('svc')), 'allowed');
    const res = await limiter.get('svc');
    // The server restarted empty (no persistence): the counter restarted with the calls after it.
    assert.ok(res !== null && res.consumedPoints >= 2, `consumed ${res?.consumedPoints}`);
  });
});
