// createCluster over TLS against a real TLS-only cluster (every node serves TLS only, and the
// nodes talk TLS to each other: tls-cluster, tls-replication; joined by the harness with CLUSTER
// MEET / ADDSLOTSRANGE / REPLICATE). The client finds every node from one seed, checks each
// node's certificate against the right name, routes commands to every primary, follows a MOVED,
// and refuses an untrusted certificate at the seed at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerCertificate } from 'node:tls';
import { checkServerIdentity } from 'node:tls';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createCluster, ConnectionError } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, tlsFixtures, type RedisServer } from '../support';

let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start({ primaries: 3, replicas: 1, tls: true });
});
after(() => cluster?.destroy());

const seed = (): { host: string; port: number } => cluster.seeds[0];

test('the harness built a TLS-only cluster: slots covered, replicas linked, no plain-TCP port', async () => {
  const nodes = await cluster.nodes();
  assert.equal(nodes.length, 6);
  assert.equal(nodes.filter((n) => n.role === 'primary' && n.slots.length > 0).length, 3);
  assert.equal(nodes.filter((n) => n.role === 'replica').length, 3);
  const s = cluster.servers[0];
  assert.match(await s.cli('CONFIG', 'GET', 'port'), /^port\n0$/);
  assert.match(await s.cli('CONFIG', 'GET', 'tls-cluster'), /yes/);
});

test('createCluster with tls and the CA: every node checked by its address, commands on every primary', async () => {
  const checked: string[] = [];
  await using c = createCluster({
    nodes: [seed()],
    tls: {
      ca: tlsFixtures().ca.pem,
      checkServerIdentity: (host: string, cert: PeerCertificate) => {
        checked.push(host);
        return checkServerIdentity(host, cert);
      },
    },
  });
  await c.connect();
  const keys = Array.from({ length: 300 }, (_, i) => `tls:${i}`);
  await Promise.all(keys.map((k, i) => c.set(k, String(i))));
  assert.deepEqual(
    await Promise.all(keys.map((k) => c.get(k))),
    keys.map((_, i) => String(i)),
  );
  const p = c.pipeline();
  for (const k of keys) p.incr(k);
  assert.deepEqual(
    (await p.exec()).map(([e, v]) => e ?? v),
    keys.map((_, i) => i + 1),
  );
  const primaries = c.nodes('primary');
  assert.equal(primaries.length, 3);
  const sizes = await Promise.all(primaries.map((n) => n.dbsize()));
  assert.ok(
    sizes.every((n) => n > 50),
    `keys on every primary: ${sizes.join(', ')}`,
  );
  assert.equal(
    sizes.reduce((a, b) => a + b, 0),
    300,
  );
  // One check per TLS connection made: the seed's and each primary's, each against 127.0.0.1.
  assert.ok(checked.length >= 3, `certificates checked: ${checked.length}`);
  assert.deepEqual([...new Set(checked)], ['127.0.0.1']);
});

test('a seed given by name: every node is checked against that name (the servername per node)', async () => {
  const checked: string[] = [];
  await using c = createCluster({
    nodes: [{ host: 'localhost', port: seed().port }],
    tls: {
      ca: tlsFixtures().ca.pem,
      checkServerIdentity: (host: string, cert: PeerCertificate) => {
        checked.push(host);
        return checkServerIdentity(host, cert);
      },
    },
  });
  await c.connect();
  await Promise.all(Array.from({ length: 60 }, (_, i) => c.set(`tlsname:${i}`, 'v')));
  assert.equal(c.nodes('primary').length, 3);
  assert.ok(checked.length >= 3, `certificates checked: ${checked.length}`);
  assert.deepEqual([...new Set(checked)], ['localhost']);
});

test('over TLS, a MOVED is followed to the new owner and the map follows', async () => {
  await using c = createCluster({ nodes: [seed()], tls: { ca: tlsFixtures().ca.pem }, refreshIntervalMs: 0 });
  await c.connect();
  const slot = keySlot('{tlsmoved}');
  const from = await cluster.primaryFor(slot);
  const nodes = await cluster.nodes();
  const to = nodes.find((n) => n.role === 'primary' && n.server !== from && n.slots.length > 0)!.server as RedisServer;
  await cluster.moveSlot(slot, to); // an empty slot: no MIGRATE needed; the client still believes the old owner
  const seen: { kind: string; to: string }[] = [];
  const on = (m: unknown): void => void seen.push(m as { kind: string; to: string });
  subscribe('romaine:cluster:redirection', on);
  try {
    assert.equal(await c.set('{tlsmoved}k', 'v'), 'OK');
    assert.equal(await c.get('{tlsmoved}k'), 'v');
  } finally {
    unsubscribe('romaine:cluster:redirection', on);
  }
  assert.deepEqual(
    seen.map((r) => [r.kind, r.to]),
    [['moved', `127.0.0.1:${to.port}`]],
  );
  assert.equal(await to.cli('GET', '{tlsmoved}k'), 'v');
});

test('a CA the nodes were not signed by: connect() rejects at once with a TLS error naming the seed', async () => {
  const c = createCluster({ nodes: [seed()], tls: { ca: tlsFixtures().otherCa.pem } });
  const t0 = Date.now();
  const err = await c.connect().then(
    () => assert.fail('connect() resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConnectionError, String(err));
  assert.equal(err.kind, 'tls');
  assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${seed().port}`));
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  c.destroy();
});
