// nodeAddressMap against a real cluster that announces addresses the client cannot reach (the
// NAT / Docker problem, ioredis #693 #1173): every node announces a port where nothing listens,
// and the client reaches each node only through a FaultProxy on another port, mapped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, ClusterUnavailableError, type NodeAddress } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { FaultProxy, RedisCluster, freePort, type RedisServer } from '../support';

let cluster: RedisCluster;
/** announced 'host:port' -> the proxy in front of that node. */
const proxies = new Map<string, FaultProxy>();
const announcedOf = new Map<RedisServer, string>();

before(async () => {
  cluster = await RedisCluster.start({ primaries: 3, replicas: 0 });
  for (const s of cluster.servers) {
    // Announce a port nobody listens on (the "inside" address); keep the bus where it is.
    const fake = await freePort();
    assert.equal(await s.cli('CONFIG', 'SET', 'cluster-announce-bus-port', String(s.port + 10000)), 'OK');
    assert.equal(await s.cli('CONFIG', 'SET', 'cluster-announce-port', String(fake)), 'OK');
    const key = `127.0.0.1:${fake}`;
    proxies.set(key, await FaultProxy.start({ host: '127.0.0.1', port: s.port }));
    announcedOf.set(s, key);
  }
  // Every node sees every other node at its new announced port.
  const wanted = new Set(announcedOf.values());
  for (;;) {
    let seen = 0;
    for (const s of cluster.servers) {
      const nodes = await s.cli('CLUSTER', 'NODES');
      seen += [...wanted].filter((k) => nodes.includes(`${k}@`)).length;
    }
    if (seen === wanted.size * cluster.servers.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
});
after(async () => {
  for (const p of proxies.values()) await p.close();
  await cluster?.destroy();
});

const mapObject = (): Record<string, NodeAddress> =>
  Object.fromEntries([...proxies].map(([k, p]) => [k, { host: '127.0.0.1', port: p.port }]));
const seed = (): NodeAddress => ({ host: '127.0.0.1', port: [...proxies.values()][0].port });

test('without nodeAddressMap the announced addresses are unreachable: commands fail, naming them', async () => {
  await using c = createCluster({
    nodes: [seed()],
    reconnect: { initialTimeoutMs: 300, baseDelayMs: 20, maxDelayMs: 50 },
    unavailableTimeoutMs: 500,
  });
  await c.connect(); // the seed itself is reachable and gives the map
  const err = await c.set('nat:k', 'v').then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ClusterUnavailableError, 'the command could not reach an announced address');
  assert.match(err.message, new RegExp([...proxies.keys()].map((k) => k.replace(/\./g, '\\.')).join('|')));
});

test('nodeAddressMap as an object: every slot is served through the proxies, MOVED targets mapped too', async () => {
  await using c = createCluster({ nodes: [seed()], nodeAddressMap: mapObject() });
  await c.connect();
  assert.deepEqual(c.primaries.sort(), [...proxies.keys()].sort(), 'nodes keep their announced names');
  const before = new Map([...proxies].map(([k, p]) => [k, p.accepted]));
  const keys = Array.from({ length: 300 }, (_, i) => `nat:${i}`);
  await Promise.all(keys.map((k, i) => c.set(k, String(i))));
  assert.deepEqual(
    await Promise.all(keys.map((k) => c.get(k))),
    keys.map((_, i) => String(i)),
  );
  for (const [k, p] of proxies) assert.ok(p.accepted > 0, `${k} was reached through its proxy`);

  // A slot moves: the old owner answers MOVED with the new owner's *announced* address.
  const slot = keySlot('nat:moved');
  await c.set('nat:moved', 'v1');
  const from = await cluster.primaryFor(slot);
  const to = cluster.servers.find((s) => s !== from)!;
  await cluster.moveSlot(slot, to);
  assert.equal(await c.get('nat:moved'), 'v1');
  assert.equal(await c.set('nat:moved', 'v2'), 'OK');
  assert.equal(await to.cli('GET', 'nat:moved'), 'v2');
  assert.ok(
    [...proxies.values()].reduce((n, p) => n + p.accepted, 0) >= [...before.values()].reduce((n, a) => n + a, 0),
  );
});

test('nodeAddressMap as a function (plain JavaScript, the node-redis style of translating)', async () => {
  const byAnnounced = mapObject();
  const seen: string[] = [];
  const createAny = createCluster as any;
  await using c = createAny({
    nodes: [`redis://127.0.0.1:${seed().port}`],
    nodeAddressMap: (a: { host: string; port: number }) => {
      seen.push(`${a.host}:${a.port}`);
      return byAnnounced[`${a.host}:${a.port}`];
    },
  });
  const keys = Array.from({ length: 100 }, (_, i) => `natf:${i}`);
  await Promise.all(keys.map((k) => c.set(k, 'x')));
  assert.deepEqual([...new Set(await Promise.all(keys.map((k) => c.get(k))))], ['x']);
  for (const k of proxies.keys()) assert.ok(seen.includes(k), `the function was asked about ${k}`);
});

test('a nodeAddressMap function that throws: a warning naming the address, the router keeps going', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  const byAnnounced = mapObject();
  const [broken] = proxies.keys();
  try {
    await using c = createCluster({
      nodes: [seed()],
      unavailableTimeoutMs: 300,
      nodeAddressMap: (a) => {
        if (`${a.host}:${a.port}` === broken) throw new Error('no route in my table');
        return byAnnounced[`${a.host}:${a.port}`];
      },
    });
    await c.connect();
    const outcomes = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => c.set(`natw:${i}`, 'x')));
    assert.ok(
      outcomes.some((o) => o.status === 'fulfilled'),
      'the mapped nodes serve their slots',
    );
    assert.ok(outcomes.some((o) => o.status === 'rejected' && o.reason instanceof ClusterUnavailableError));
    await new Promise((r) => setImmediate(r));
    assert.ok(
      warnings.some((w) => w.includes(broken) && w.includes('no route in my table')),
      warnings.join('\n'),
    );
  } finally {
    process.off('warning', onWarning);
  }
});

test('nodeAddressMap is validated at createCluster(), naming the option', () => {
  const createAny = createCluster as any;
  const nodes = [seed()];
  assert.throws(() => createAny({ nodes, nodeAddressMap: 'nat' }), /nodeAddressMap/);
  assert.throws(() => createAny({ nodes, nodeAddressMap: { '10.0.0.1': { port: 1 } } }), /host:port/);
  assert.throws(() => createAny({ nodes, nodeAddressMap: { '10.0.0.1:6379': { port: 'x' } } }), /nodeAddressMap/);
  assert.throws(() => createAny({ nodes, nodeAddressMap: { '10.0.0.1:6379': '127.0.0.1:1' } }), /\{ host, port \}/);
  assert.doesNotThrow(() => createAny({ nodes, nodeAddressMap: { '[::1]:6379': { host: 'localhost' } } }));
});
