// The credentials of createCluster() reach every node: a cluster whose nodes all have
// requirepass/masterauth, reached with a password, a credentials provider (asked per node and per
// connection attempt, so a rotation reaches every node), a redis:// URL with the password, and a
// wrong password refused at once at the seed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, createCluster, AuthError, type Credentials } from '../../src/index';
import { RedisCluster } from '../support';

const PASSWORD = 'cluster-s3cret';
let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start({ primaries: 3, replicas: 1, password: PASSWORD });
});
after(() => cluster?.destroy());

/** Writes and reads keys of every slot range: every primary was reached and authenticated. */
async function everyPrimaryServes(
  c: { set(k: string, v: string): Promise<unknown>; get(k: string): Promise<unknown> },
  tag: string,
) {
  const keys = Array.from({ length: 200 }, (_, i) => `${tag}:${i}`);
  await Promise.all(keys.map((k) => c.set(k, k)));
  assert.deepEqual(await Promise.all(keys.map((k) => c.get(k))), keys);
}

test('password: every node of a requirepass cluster is authenticated', async () => {
  await using c = createCluster({ nodes: [cluster.seeds[0]], password: PASSWORD });
  await everyPrimaryServes(c, 'pw');
  assert.equal(c.primaries.length, 3);
});

test('a redis:// seed URL with the password (plain JavaScript): its credentials apply to every node', async () => {
  const createAny = createCluster as any;
  await using c = createAny({ nodes: [`redis://:${PASSWORD}@127.0.0.1:${cluster.seeds[1].port}`] });
  await everyPrimaryServes(c, 'url');
});

test('a wrong password is refused at once at the seed, with AuthError and no secret in the message', async () => {
  const c = createCluster({ nodes: [cluster.seeds[0]], password: 'wrong-one' });
  const t0 = Date.now();
  await assert.rejects(c.connect(), (e: unknown) => e instanceof AuthError && !e.message.includes('wrong-one'));
  assert.ok(Date.now() - t0 < 5000);
  c.destroy();
});

test('the credentials provider is asked for every node, and again after a rotation on every node', async () => {
  let current: Credentials = { password: PASSWORD };
  let asked = 0;
  await using c = createCluster({
    nodes: [cluster.seeds[0]],
    credentials: () => {
      asked++;
      return current;
    },
    reconnect: { baseDelayMs: 20, maxDelayMs: 100 },
  });
  await everyPrimaryServes(c, 'cred');
  assert.ok(asked >= 3, `asked ${asked} times for 3 primaries (plus the seed)`);

  // Rotation: every node gets the new password, then every other client connection is dropped.
  const rotated = 'rotated-s3cret';
  current = { password: rotated };
  const before = asked;
  for (const s of cluster.servers.filter((x) => x.running)) {
    await using admin = createClient({ port: s.port, password: PASSWORD });
    assert.equal(await admin.call('CONFIG', 'SET', 'masterauth', rotated), 'OK');
    assert.equal(await admin.call('CONFIG', 'SET', 'requirepass', rotated), 'OK');
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
  }
  await everyPrimaryServes(c, 'rotated');
  assert.ok(asked - before >= 3, `asked again for each node after the rotation (${asked - before} times)`);
});
