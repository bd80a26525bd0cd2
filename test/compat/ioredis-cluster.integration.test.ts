// romaine/compat/ioredis' Redis.Cluster against a real Redis Cluster (3 primaries, 1 replica each,
// requirepass on every node): ioredis' constructor and options (redisOptions.password, scaleReads,
// natMap), reply shapes, batches, scripts, pub/sub bytes, nodes(role), duplicate, status and
// events; then BullMQ (hash-tagged prefix) and rate-limiter-flexible's RateLimiterRedis through it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { InvalidArgumentError, ReplyError } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { Cluster, Redis } from '../../src/compat/ioredis/index';
import { FaultProxy, RedisCluster } from '../support';
import { pollUntil, waitFor } from '../support/wait';
import { waitReplicated } from '../../src/testing/replication';

const PASSWORD = 'cluster-pw';
let cluster: RedisCluster;
let redis: any;
before(async () => {
  cluster = await RedisCluster.start({ primaries: 3, replicas: 1, password: PASSWORD });
  redis = new Redis.Cluster([cluster.seeds[0]], { redisOptions: { password: PASSWORD } });
  await once(redis, 'ready');
});
after(async () => {
  await redis?.quit();
  await cluster?.destroy();
});

/** INFO commandstats' calls of one command on one node. */
async function callsOn(port: number, command: string): Promise<number> {
  const info = String(await cluster.server(port).cli('INFO', 'commandstats'));
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
}

describe('Redis.Cluster: constructor, options, status', () => {
  test('Redis.Cluster is the named export Cluster; isCluster; status and events to the end', async () => {
    assert.equal(Redis.Cluster, Cluster);
    const c = new Cluster([`127.0.0.1:${cluster.seeds[1].port}`], { redisOptions: { password: PASSWORD } });
    const seen: string[] = [];
    for (const e of ['connect', 'ready', 'close', 'end']) c.on(e, () => seen.push(`${e}:${c.status}`));
    assert.equal(c.isCluster, true);
    assert.equal(c.status, 'connecting');
    await once(c, 'ready');
    assert.equal(await c.ping(), 'PONG');
    assert.equal(await c.quit(), 'OK');
    assert.deepEqual(seen, ['connect:connect', 'ready:ready', 'close:close', 'end:end']);
    // ioredis connects again after quit().
    await c.connect();
    assert.equal(c.status, 'ready');
    assert.equal(await c.set('again', 1), 'OK');
    c.disconnect();
    await waitFor('end', () => c.status === 'end');
  });

  test('lazyConnect; a wrong password fails connect() at once (romaine fails fast on configuration errors)', async () => {
    const c = new Cluster(cluster.seeds, { lazyConnect: true, redisOptions: { password: 'wrong' } });
    assert.equal(c.status, 'wait');
    await assert.rejects(c.connect(), (err: Error) =>
      /WRONGPASS|invalid|auth/i.test(`${err.message} ${String(err.cause)}`),
    );
    assert.equal(c.status, 'end');
    assert.ok(!JSON.stringify(c.options).includes('wrong'), 'the password is not in cluster.options');
    assert.equal(c.options.redisOptions?.password, 'wrong', 'but readable, as in ioredis');
  });

  test('options it cannot honour are refused, naming them', () => {
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ clusterRetryStrategy: () => 100 }, /'clusterRetryStrategy'.*initialTimeoutMs/],
      [{ scaleReads: 'all' }, /'scaleReads' 'all'.*preferReplica/],
      [{ scaleReads: () => 'x' }, /'scaleReads'/],
      [{ keyPrefix: 'app:' }, /'keyPrefix'/],
      [{ slotsRefreshTimeout: 1000 }, /'slotsRefreshTimeout'/],
      [{ dnsLookup: () => undefined }, /'dnsLookup'/],
      [{ redisOptions: { db: 2 } }, /redisOptions\.db.*only database 0/],
      [{ redisOptions: { sentinels: [] } }, /in redisOptions, option 'sentinels'/],
      [{ natMap: 'nope' }, /'natMap'/],
      [{ clusterMode: true }, /unknown option 'clusterMode'/],
    ];
    for (const [options, message] of refused) {
      assert.throws(
        () => new Cluster(cluster.seeds, { lazyConnect: true, ...options }),
        (err: Error) => err instanceof InvalidArgumentError && message.test(err.message),
        JSON.stringify(Object.keys(options)),
      );
    }
    assert.throws(() => new Cluster([] as never), InvalidArgumentError);
    assert.throws(() => new Cluster([{ host: 5 }] as never), /startup node 1/);
  });

  test('natMap: an announced address is reached where the map says (a proxy in front of one primary)', async () => {
    const primaries = (await cluster.nodes()).filter((n) => n.role === 'primary');
    const target = primaries[0];
    const proxy = await FaultProxy.start({ host: '127.0.0.1', port: target.port });
    const seed = primaries[1];
    const mapped: string[] = [];
    const c = new Cluster([{ host: '127.0.0.1', port: seed.port }], {
      redisOptions: { password: PASSWORD },
      natMap: (key: string) => {
        mapped.push(key);
        return key === `127.0.0.1:${target.port}` ? { host: '127.0.0.1', port: proxy.port } : null;
      },
    });
    try {
      await once(c, 'ready');
      // A key of a slot the proxied primary owns.
      const [from] = target.slots[0];
      let key = 'n0';
      for (let i = 0; keySlot(key) < from || keySlot(key) > target.slots[0][1]; i++) key = `n${i}`;
      assert.equal(await c.set(key, 'via proxy'), 'OK');
      assert.equal(await c.get(key), 'via proxy');
      assert.ok(proxy.accepted > 0, 'the connection to that primary went through the proxy');
      assert.ok(
        mapped.includes(`127.0.0.1:${target.port}`),
        `natMap was asked with 'host:port' (${mapped.join(', ')})`,
      );
    } finally {
      c.disconnect();
      await proxy.close();
    }
  });
});

describe('Redis.Cluster: commands, batches, scripts, nodes, pub/sub', () => {
  test('commands across slots with ioredis reply shapes; errors are ReplyError', async () => {
    assert.equal(await redis.set('a', 1, 'EX', 60), 'OK');
    assert.equal(await redis.incr('b'), 1);
    await redis.hset('{h}obj', { x: '1', y: '2' });
    assert.deepEqual(await redis.hgetall('{h}obj'), { x: '1', y: '2' });
    assert.equal(await redis.mset({ '{m}1': 'a', '{m}2': 'b' }), 'OK');
    assert.deepEqual(await redis.mget('{m}1', '{m}2'), ['a', 'b']);
    assert.ok(Buffer.isBuffer(await redis.getBuffer('a')));
    await assert.rejects(redis.lpush('a', 'x'), ReplyError);
    assert.equal(await redis.call('GET', 'a'), '1');
  });

  test('pipeline and multi on one slot: [err, value] pairs; a script goes as EVALSHA once loaded on every node', async () => {
    assert.deepEqual(await redis.pipeline().set('{p}a', 1).incr('{p}a').hgetall('{h}none').exec(), [
      [null, 'OK'],
      [null, 2],
      [null, {}],
    ]);
    assert.deepEqual(await redis.multi().set('{p}b', 1).incr('{p}b').exec(), [
      [null, 'OK'],
      [null, 2],
    ]);
    redis.defineCommand('bump', {
      numberOfKeys: 1,
      lua: `return redis.call('INCRBY', KEYS[1], ARGV[1]) -- ${Date.now()}`,
    });
    assert.equal(await redis.bump('{s}n', 5), 5);
    const owner = await cluster.primaryFor(keySlot('{s}n'));
    const before = await callsOn(owner.port, 'evalsha');
    assert.deepEqual(await redis.pipeline().bump('{s}n', 1).bump('{s}n', 2).exec(), [
      [null, 6],
      [null, 8],
    ]);
    assert.equal((await callsOn(owner.port, 'evalsha')) - before, 2, 'EVALSHA in the pipeline');
    // SCRIPT FLUSH on every node, behind the facade's back: still right.
    for (const s of cluster.servers) await s.cli('SCRIPT', 'FLUSH');
    assert.deepEqual(await redis.pipeline().bump('{s}n', 10).exec(), [[null, 18]]);
    // The Buffer form of a defined command in a cluster pipeline: the reply's bytes.
    redis.defineCommand('firstKey', { numberOfKeys: 1, lua: `return KEYS[1] -- ${Date.now()}` });
    const [[err, bytes]] = await redis.pipeline().firstKeyBuffer('{s}n').exec();
    assert.equal(err, null);
    assert.deepEqual(bytes, Buffer.from('{s}n'));
    assert.throws(() => redis.pipeline().getBuffer('{p}a'), /Redis\.Cluster pipeline/);
  });

  test("nodes('master' | 'slave' | 'all'): one object per node with the command methods; no quit()", async () => {
    const masters = redis.nodes('master');
    const slaves = redis.nodes('slave');
    assert.equal(masters.length, 3);
    assert.equal(slaves.length, 3);
    assert.equal(redis.nodes().length, 6);
    for (const m of masters) assert.equal(m.role, 'master');
    const ports = new Set(cluster.servers.map((s) => s.port));
    for (const n of redis.nodes()) assert.ok(ports.has(n.options.port));
    const roles = await Promise.all(masters.map((m: any) => m.call('ROLE')));
    assert.deepEqual(
      roles.map((r) => r[0]),
      ['master', 'master', 'master'],
    );
    const lists = await Promise.all(masters.map((m: any) => m.client('LIST')));
    assert.ok(lists.every((l) => typeof l === 'string' && l.includes('addr=')));
    const keys = (await Promise.all(masters.map((m: any) => m.dbsize()))).reduce((a: number, b: number) => a + b, 0);
    assert.equal(keys, await redis.dbsize(), 'DBSIZE of the cluster is the sum of its primaries');
    await assert.rejects(masters[0].quit(), /the cluster owns its nodes' connections/);
    assert.throws(() => redis.nodes('replica'), /'all', 'master' or 'slave'/);
  });

  test("scaleReads 'slave': reads go to replicas (READONLY), writes to primaries", async () => {
    const c = new Cluster(cluster.seeds, { scaleReads: 'slave', redisOptions: { password: PASSWORD } });
    try {
      await once(c, 'ready');
      await c.set('{r}k', 'v');
      const primary = await cluster.primaryFor(keySlot('{r}k'));
      const [replica] = await cluster.replicasOf(primary);
      await waitReplicated(primary, [replica]);
      const before = [await callsOn(primary.port, 'get'), await callsOn(replica.port, 'get')];
      await pollUntil('a replica to answer the read', async () => (await c.get('{r}k')) === 'v' || undefined, 10_000);
      for (let i = 0; i < 5; i++) assert.equal(await c.get('{r}k'), 'v');
      const after = [await callsOn(primary.port, 'get'), await callsOn(replica.port, 'get')];
      assert.equal(after[0] - before[0], 0, 'no GET on the primary');
      assert.ok(after[1] - before[1] >= 5, 'the GETs ran on the replica');
    } finally {
      c.disconnect();
    }
  });

  test('scanStream walks every primary (a SCAN cursor belongs to one node)', async () => {
    const wanted = ['sc:{a}', 'sc:{b}', 'sc:{c}', 'sc:{d}', 'sc:{e}', 'sc:{f}'];
    for (const k of wanted) await redis.set(k, 1);
    const keys: string[] = [];
    for await (const page of redis.scanStream({ match: 'sc:*', count: 4 })) {
      assert.ok(Array.isArray(page) && page.length <= 4);
      keys.push(...(page as string[]));
    }
    assert.deepEqual(keys.sort(), wanted);
    const owners = new Set(await Promise.all(wanted.map(async (k) => (await cluster.primaryFor(keySlot(k))).port)));
    assert.ok(owners.size >= 2, 'the keys live on several primaries');
  });

  test('duplicate() keeps the options; ioredis Cluster.duplicate(nodes, { redisOptions }) as BullMQ calls it', async () => {
    const d = redis.duplicate();
    const e = redis.duplicate(undefined, { redisOptions: { password: PASSWORD, connectionName: 'dup' } });
    try {
      await Promise.all([once(d, 'ready'), once(e, 'ready')]);
      assert.equal(d.isCluster, true);
      assert.equal(await d.get('a'), '1');
      assert.match(await e.client('GETNAME'), /dup/);
    } finally {
      d.disconnect();
      e.disconnect();
    }
  });

  test('pub/sub: message and messageBuffer (exact bytes), smessageBuffer at the slot owner', async () => {
    const sub = redis.duplicate();
    try {
      await once(sub, 'ready');
      const payload = Buffer.from([0xff, 0xfe, 0x00, 0x7f]);
      const got: Record<string, unknown[]> = {};
      for (const e of ['message', 'messageBuffer', 'smessage', 'smessageBuffer'])
        sub.on(e, (...args: unknown[]) => (got[e] ??= []).push(args));
      assert.equal(await sub.subscribe('cnews'), 1);
      assert.equal(await sub.ssubscribe('{sh}news'), 1);
      await redis.publish('cnews', payload);
      await redis.spublish('{sh}news', payload);
      await waitFor('four deliveries', () => Object.keys(got).length === 4);
      const [[, m]] = got.messageBuffer as [Buffer, Buffer][];
      const [[, s]] = got.smessageBuffer as [Buffer, Buffer][];
      assert.deepEqual([...m], [...payload]);
      assert.deepEqual([...s], [...payload]);
      assert.deepEqual(got.message, [['cnews', payload.toString()]]);
      assert.equal(await sub.unsubscribe(), 0);
    } finally {
      sub.disconnect();
    }
  });
});

describe('libraries through Redis.Cluster', { timeout: 120_000 }, () => {
  test('BullMQ 6 with a hash-tagged prefix: Queue + Worker (blocking waits) + QueueEvents, a plain and a retried job', async () => {
    const connection = new Redis.Cluster(cluster.seeds, {
      redisOptions: { password: PASSWORD, maxRetriesPerRequest: null },
    });
    const prefix = '{bull}';
    const queue = new Queue('cq', { connection, prefix });
    const events = new QueueEvents('cq', { connection, prefix });
    const runs = new Map<string, number>();
    const worker = new Worker(
      'cq',
      // eslint-disable-next-line @typescript-eslint/require-await -- a processor that throws must reject
      async (job: Job) => {
        const n = (runs.get(job.name) ?? 0) + 1;
        runs.set(job.name, n);
        if (job.name === 'flaky' && n < 2) throw new Error('first attempt fails');
        return (job.data as { n: number }).n + 1;
      },
      { connection, prefix },
    );
    const errors: Error[] = [];
    worker.on('error', (err) => errors.push(err));
    try {
      await events.waitUntilReady();
      await worker.waitUntilReady();
      const plain = await queue.add('plain', { n: 1 });
      const flaky = await queue.add('flaky', { n: 2 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
      assert.equal(await plain.waitUntilFinished(events, 30_000), 2);
      assert.equal(await flaky.waitUntilFinished(events, 30_000), 3);
      assert.equal(runs.get('flaky'), 2);
      assert.deepEqual(await queue.getJobCounts('completed', 'failed', 'wait'), { completed: 2, failed: 0, wait: 0 });
      // Every key the queue made lives in the {bull} slot, on one primary.
      const owner = await cluster.primaryFor(keySlot('{bull}'));
      assert.ok((await owner.cli('KEYS', '{bull}:cq:*')).length > 0);
      assert.deepEqual(errors, []);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      await connection.quit();
    }
  });

  test("rate-limiter-flexible 11's RateLimiterRedis with the cluster as storeClient: consume until blocked, block() sets a TTL", async () => {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'crl', points: 2, duration: 5 });
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(
        await limiter.consume('u1').then(
          () => 'allowed',
          (r: unknown) => {
            if (r instanceof RateLimiterRes) return 'blocked';
            throw r;
          },
        ),
      );
    }
    assert.deepEqual(outcomes, ['allowed', 'allowed', 'blocked']);
    const ttl = await redis.pttl('crl:u1');
    assert.ok(ttl > 0 && ttl <= 5000, `TTL ${ttl}`);
    await limiter.block('u2', 2);
    const blocked = await redis.pttl('crl:u2');
    assert.ok(blocked > 0 && blocked <= 2000, `block() TTL ${blocked}`);
    await assert.rejects(limiter.consume('u2'), RateLimiterRes);
  });
});
