// Every typed command family on a standalone server and on a cluster, from one table (issue 10:
// "every typed command family runs on a standalone server and on the cluster"). Each case runs the
// same calls on both targets and its replies must equal the same expected value on both: a
// family that routes wrongly on the cluster (a key to the wrong node: MOVED limit, CROSSSLOT), or
// whose reply the cluster merges or shapes differently, fails here. Single-key cases touch keys of
// several slots (and so of several primaries); multi-key cases put their keys in one hash tag.
// One 3-primary cluster and one server for the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createClient,
  createCluster,
  type ClientCommands,
  type ClusterClient,
  type RedisClient,
} from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, RedisServer } from '../support';

let cluster: RedisCluster;
let server: RedisServer;
const targets: { name: 'standalone' | 'cluster'; c: RedisClient | ClusterClient }[] = [];

before(async () => {
  [cluster, server] = await Promise.all([RedisCluster.start({ primaries: 3, replicas: 0 }), RedisServer.start()]);
  const standalone = createClient({ host: server.host, port: server.port });
  const onCluster = createCluster({ nodes: [cluster.seeds[0]] });
  await Promise.all([standalone.connect(), onCluster.connect()]);
  targets.push({ name: 'standalone', c: standalone }, { name: 'cluster', c: onCluster });
});
after(async () => {
  for (const t of targets) await t.c.close();
  await Promise.all([cluster?.destroy(), server?.stop()]);
});

/** Keys of one family on several slots: `spread(f)` are three keys, each on a slot of its own. */
const spread = (family: string): [string, string, string] => [`${family}:a`, `${family}:b`, `${family}:c`];
/** Keys of one family in one slot (a hash tag), for multi-key commands. */
const tagged = (family: string, name: string): string => `{${family}}:${name}`;

interface Case {
  family: string;
  /** The calls, on `c`; what they return is compared. */
  run(
    c: ClientCommands & { buffers: RedisClient['buffers'] | ClusterClient['buffers'] },
    target: RedisClient | ClusterClient,
  ): Promise<unknown>;
  expect: unknown;
}

const round = (n: number | null | undefined, digits = 3): number | null =>
  n === null || n === undefined ? null : Number(n.toFixed(digits));

const CASES: Case[] = [
  {
    family: 'strings',
    async run(c) {
      const out: unknown[] = [];
      for (const k of spread('str')) {
        out.push(await c.set(k, 'v'), await c.append(k, '12'), await c.get(k), await c.strlen(k));
        out.push(await c.getrange(k, 1, 2), await c.setrange(k, 0, 'w'), await c.getdel(k), await c.get(k));
      }
      const [n] = spread('str:n');
      out.push(await c.incr(n), await c.incrby(n, 10), await c.decrby(n, 3), await c.incrbyfloat(n, 0.5));
      const a = tagged('str', 'a');
      const b = tagged('str', 'b');
      out.push(await c.mset({ [a]: 'ohmytext', [b]: 'mynewtext' }), await c.mget(a, b, tagged('str', 'none')));
      out.push(await c.msetnx({ [a]: 'x', [tagged('str', 'c')]: 'y' }), await c.lcs(a, b));
      out.push(await c.setex(a, 100, 'ex'), await c.getex(a, { PERSIST: true }), await c.ttl(a));
      return out;
    },
    expect: [
      ...['str:a', 'str:b', 'str:c'].flatMap(() => ['OK', 3, 'v12', 3, '12', 3, 'w12', null]),
      1,
      11,
      8,
      8.5,
      'OK',
      ['ohmytext', 'mynewtext', null],
      false,
      'mytext',
      'OK',
      'ex',
      -1,
    ],
  },
  {
    family: 'hashes',
    async run(c) {
      const out: unknown[] = [];
      for (const k of spread('hash')) {
        out.push(await c.hset(k, { f1: 'a', f2: 'b', n: '1' }), await c.hget(k, 'f1'), await c.hmget(k, 'f1', 'zz'));
        out.push(await c.hincrby(k, 'n', 4), await c.hgetall(k), (await c.hkeys(k)).sort(), await c.hlen(k));
        out.push(
          await c.hdel(k, 'f2'),
          await c.hexists(k, 'f2'),
          await c.hstrlen(k, 'f1'),
          await c.hsetnx(k, 'f1', 'z'),
        );
      }
      return out;
    },
    expect: spread('hash').flatMap(() => [
      3,
      'a',
      ['a', null],
      5,
      { f1: 'a', f2: 'b', n: '5' },
      ['f1', 'f2', 'n'],
      3,
      1,
      false,
      1,
      false,
    ]),
  },
  {
    family: 'lists',
    async run(c) {
      const out: unknown[] = [];
      for (const k of spread('list')) {
        out.push(
          await c.rpush(k, 'a', 'b', 'c'),
          await c.lpush(k, 'z'),
          await c.lrange(k, 0, -1),
          await c.lindex(k, 1),
        );
        out.push(await c.lpos(k, 'c'), await c.lpop(k), await c.rpop(k), await c.llen(k), await c.ltrim(k, 0, 0));
      }
      const src = tagged('list', 'src');
      const dst = tagged('list', 'dst');
      await c.rpush(src, '1', '2', '3');
      out.push(await c.lmove(src, dst, 'LEFT', 'RIGHT'), await c.lmpop([tagged('list', 'none'), src], 'RIGHT'));
      out.push(await c.blpop([tagged('list', 'none'), dst], 1), await c.lrange(src, 0, -1));
      return out;
    },
    expect: [
      ...spread('list').flatMap(() => [3, 4, ['z', 'a', 'b', 'c'], 'a', 3, 'z', 'c', 2, 'OK']),
      '1',
      { key: '{list}:src', elements: ['3'] },
      { key: '{list}:dst', element: '1' },
      ['2'],
    ],
  },
  {
    family: 'sets',
    async run(c) {
      const out: unknown[] = [];
      for (const k of spread('set')) {
        out.push(await c.sadd(k, 'a', 'b', 'c'), (await c.smembers(k)).sort(), await c.sismember(k, 'a'));
        out.push(await c.smismember(k, 'a', 'x'), await c.srem(k, 'c'), await c.scard(k));
      }
      const [x, y, z] = ['x', 'y', 'z'].map((n) => tagged('set', n));
      await c.sadd(x, '1', '2', '3');
      await c.sadd(y, '2', '3', '4');
      out.push((await c.sinter(x, y)).sort(), (await c.sunion(x, y)).sort(), await c.sdiff(x, y));
      out.push(await c.sinterstore(z, x, y), await c.sintercard([x, y]), await c.smove(x, z, '1'), await c.scard(z));
      return out;
    },
    expect: [
      ...spread('set').flatMap(() => [3, ['a', 'b', 'c'], true, [true, false], 1, 2]),
      ['2', '3'],
      ['1', '2', '3', '4'],
      ['1'],
      2,
      2,
      true,
      3,
    ],
  },
  {
    family: 'sorted sets',
    async run(c) {
      const out: unknown[] = [];
      for (const k of spread('zset')) {
        out.push(
          await c.zadd(k, [
            { score: 1, value: 'a' },
            { score: 2, value: 'b' },
            { score: 3, value: 'c' },
          ]),
        );
        out.push(await c.zrange(k, 0, -1), await c.zscore(k, 'b'), await c.zincrby(k, 10, 'a'), await c.zrank(k, 'a'));
        out.push(await c.zcount(k, 2, 3), await c.zpopmin(k), await c.zcard(k));
      }
      const [x, y, z] = ['x', 'y', 'z'].map((n) => tagged('zset', n));
      await c.zadd(x, [
        { score: 1, value: 'one' },
        { score: 2, value: 'two' },
      ]);
      await c.zadd(y, [
        { score: 10, value: 'two' },
        { score: 20, value: 'three' },
      ]);
      out.push(await c.zunion([x, y]), await c.zinter([x, y]), await c.zdiff([x, y]), await c.zunionstore(z, [x, y]));
      out.push(await c.zrangeWithScores(z, 0, -1), await c.zmpop([tagged('zset', 'none'), z], 'MIN'));
      out.push(await c.bzpopmin([tagged('zset', 'none'), z], 1));
      return out;
    },
    expect: [
      ...spread('zset').flatMap(() => [3, ['a', 'b', 'c'], 2, 11, 2, 2, [{ value: 'b', score: 2 }], 2]),
      ['one', 'two', 'three'],
      ['two'],
      ['one'],
      3,
      [
        { value: 'one', score: 1 },
        { value: 'two', score: 12 },
        { value: 'three', score: 20 },
      ],
      { key: '{zset}:z', members: [{ value: 'one', score: 1 }] },
      { key: '{zset}:z', value: 'two', score: 12 },
    ],
  },
  {
    family: 'streams',
    async run(c) {
      const out: unknown[] = [];
      for (const k of spread('stream')) {
        out.push(await c.xadd(k, '1-1', { f: 'a' }), await c.xadd(k, '2-1', { f: 'b' }), await c.xlen(k));
        out.push(await c.xrange(k, '-', '+'), await c.xgroupCreate(k, 'g', '0'));
        out.push(await c.xreadgroup('g', 'me', { key: k, id: '>' }, { COUNT: 1 }));
        out.push(await c.xack(k, 'g', '1-1'), await c.xdel(k, '2-1'), await c.xtrim(k, { MAXLEN: 0 }));
      }
      const a = tagged('stream', 'a');
      const b = tagged('stream', 'b');
      await c.xadd(a, '5-0', { x: '1' });
      await c.xadd(b, '6-0', { y: '2' });
      out.push(
        await c.xread([
          { key: a, id: '0' },
          { key: b, id: '0' },
        ]),
      );
      return out;
    },
    expect: [
      ...spread('stream').flatMap((k) => [
        '1-1',
        '2-1',
        2,
        [
          { id: '1-1', fields: { f: 'a' } },
          { id: '2-1', fields: { f: 'b' } },
        ],
        'OK',
        [{ name: k, messages: [{ id: '1-1', fields: { f: 'a' } }] }],
        1,
        1,
        1,
      ]),
      [
        { name: '{stream}:a', messages: [{ id: '5-0', fields: { x: '1' } }] },
        { name: '{stream}:b', messages: [{ id: '6-0', fields: { y: '2' } }] },
      ],
    ],
  },
  {
    family: 'geo',
    async run(c) {
      const out: unknown[] = [];
      const places = [
        { longitude: 13.361389, latitude: 38.115556, member: 'Palermo' },
        { longitude: 15.087269, latitude: 37.502669, member: 'Catania' },
      ];
      for (const k of spread('geo')) {
        out.push(await c.geoadd(k, places), round(await c.geodist(k, 'Palermo', 'Catania', 'km')));
        const [pos] = await c.geopos(k, 'Palermo');
        out.push([round(pos?.longitude), round(pos?.latitude)], await c.geohash(k, 'Palermo'));
        out.push(await c.geosearch(k, { longitude: 15, latitude: 37 }, { radius: 200, unit: 'km' }, { ORDER: 'ASC' }));
      }
      const src = tagged('geo', 'src');
      await c.geoadd(src, places);
      out.push(
        await c.geosearchstore(tagged('geo', 'dst'), src, { member: 'Palermo' }, { radius: 10, unit: 'km' }),
        await c.geosearchstore(tagged('geo', 'dst'), src, { member: 'Palermo' }, { radius: 10, unit: 'km' }),
      );
      return out;
    },
    expect: [
      ...spread('geo').flatMap(() => [2, 166.274, [13.361, 38.116], ['sqc8b49rny0'], ['Catania', 'Palermo']]),
      1,
      1,
    ],
  },
  {
    family: 'hyperloglog',
    async run(c) {
      const out: unknown[] = [];
      for (const k of spread('hll')) out.push(await c.pfadd(k, 'a', 'b', 'c'), await c.pfcount(k));
      const [x, y, z] = ['x', 'y', 'z'].map((n) => tagged('hll', n));
      await c.pfadd(x, '1', '2');
      await c.pfadd(y, '2', '3');
      out.push(await c.pfcount(x, y), await c.pfmerge(z, x, y), await c.pfcount(z));
      return out;
    },
    expect: [...spread('hll').flatMap(() => [true, 3]), 3, 'OK', 3],
  },
  {
    family: 'bitmaps',
    async run(c) {
      const out: unknown[] = [];
      for (const k of spread('bits')) {
        out.push(await c.setbit(k, 7, 1), await c.getbit(k, 7), await c.bitcount(k), await c.bitpos(k, 1));
        out.push(await c.bitfield(k, [{ INCRBY: { encoding: 'u8', offset: 0, increment: 1 } }]));
      }
      const [x, y, z] = ['x', 'y', 'z'].map((n) => tagged('bits', n));
      await c.set(x, 'a');
      await c.set(y, 'b');
      out.push(await c.bitop('OR', z, x, y), await c.get(z));
      return out;
    },
    expect: [...spread('bits').flatMap(() => [0, 1, 1, 7, [2]]), 1, 'c'],
  },
  {
    family: 'keys and expiry',
    async run(c) {
      const out: unknown[] = [];
      for (const k of spread('keys')) {
        await c.set(k, 'v');
        out.push(await c.exists(k), await c.type(k), await c.expire(k, 100), (await c.ttl(k)) > 90, await c.persist(k));
        out.push(await c.pexpire(k, 100_000), (await c.pttl(k)) > 90_000, await c.objectEncoding(k), await c.touch(k));
        const dumped = await c.buffers.dump(k);
        out.push(await c.del(k), await c.restore(k, 0, dumped!), await c.get(k), await c.unlink(k));
      }
      const [a, b, d] = ['a', 'b', 'd'].map((n) => tagged('keys', n));
      await c.mset({ [a]: '1', [b]: '2' });
      out.push(await c.exists(a, b, d), await c.rename(a, d), await c.renamenx(d, b), await c.copy(b, a));
      await c.rpush(tagged('keys', 'list'), '3', '1', '2');
      out.push(await c.sort(tagged('keys', 'list')), await c.del(a, b, d), await c.exists(a, b, d));
      return out;
    },
    expect: [
      ...spread('keys').flatMap(() => [1, 'string', true, true, true, true, true, 'embstr', 1, 1, 'OK', 'v', 1]),
      2,
      'OK',
      false,
      true,
      ['1', '2', '3'],
      3,
      0,
    ],
  },
  {
    family: 'scripting',
    async run(c) {
      const out: unknown[] = [];
      const script = "return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}";
      for (const k of spread('lua')) out.push(await c.eval(script, [k], ['x']), await c.evalRo('return 1', [k]));
      const sha = await c.scriptLoad(script);
      out.push(await c.scriptExists(sha));
      for (const k of spread('lua')) out.push(await c.evalsha(sha, [k], ['y']));
      out.push(
        await c.eval("return redis.call('MSET', KEYS[1], 'a', KEYS[2], 'b')", [tagged('lua', 'x'), tagged('lua', 'y')]),
      );
      const lib =
        "#!lua name=famlib\nredis.register_function('famget', function(keys) return redis.call('GET', keys[1]) end)";
      out.push(await c.functionLoad(lib, { REPLACE: true }));
      for (const k of spread('lua')) out.push(await c.fcall('famget', [k]));
      out.push(await c.functionDelete('famlib'));
      return out;
    },
    expect: [
      ...spread('lua').flatMap((k) => [[k, 'x', 1], 1]),
      [true],
      ...spread('lua').map((k) => [k, 'y', 2]),
      'OK',
      'famlib',
      '2',
      '2',
      '2',
      'OK',
    ],
  },
  {
    family: 'pub/sub',
    async run(_c, target) {
      const got: string[] = [];
      const channel = 'fam:news';
      let resolveAll!: () => void;
      const all = new Promise<void>((r) => (resolveAll = r));
      const listener = (message: string, ch: string): void => {
        got.push(`${ch}=${message}`);
        if (got.length === 2) resolveAll();
      };
      await target.subscribe(channel, listener);
      await target.ssubscribe(tagged('fam', 'shard'), listener);
      // PUBLISH's count is the receivers on the node that took it (not the cluster's): not compared.
      await target.publish(channel, 'hello');
      const spublished = await target.spublish(tagged('fam', 'shard'), 'sharded');
      await all;
      await target.unsubscribe(channel);
      await target.sunsubscribe(tagged('fam', 'shard'));
      return [spublished, got.sort()];
    },
    expect: [1, ['fam:news=hello', '{fam}:shard=sharded']],
  },
  {
    family: 'transactions and pipelines',
    async run(_c, target) {
      const k = tagged('tx', 'n');
      const block = await target.multi().set(k, '1').incr(k).get(k).exec();
      const p = target.pipeline();
      for (const key of spread('pl')) p.set(key, key).get(key);
      p.incr(k);
      return [block, await p.exec()];
    },
    expect: [
      [
        [null, 'OK'],
        [null, 2],
        [null, '2'],
      ],
      [...spread('pl').flatMap((key) => [[null, 'OK'] as const, [null, key] as const]), [null, 3]],
    ],
  },
  {
    family: 'server and introspection',
    async run(c) {
      await c.set('srv:a', '1');
      await c.set('srv:b', '2');
      const time = await c.time();
      return [
        await c.ping(),
        await c.echo('hi'),
        await c.dbsize(),
        Array.isArray(time) && time.length === 2,
        typeof (await c.commandCount()),
        (await c.memoryUsage('srv:a'))! > 0,
        typeof (await c.infoRaw('server')),
      ];
    },
    expect: ['PONG', 'hi', 2, true, 'number', true, 'string'],
  },
];

test('the cases use keys of several slots on the cluster (single-key cases) and one slot (tagged ones)', () => {
  for (const family of ['str', 'hash', 'list', 'set', 'zset', 'stream', 'geo', 'hll', 'bits', 'keys', 'lua', 'pl'])
    assert.equal(new Set(spread(family).map(keySlot)).size, 3, family);
});

for (const kase of CASES) {
  test(`${kase.family}: the same replies on a standalone server and on the cluster`, async () => {
    for (const { name, c } of targets) {
      await c.flushall();
      const got = await kase.run(c, c);
      assert.deepEqual(got, kase.expect, `${kase.family} on the ${name}`);
    }
  });
}
