// What the application changed on its connection with a command comes back after a reconnect:
// READONLY / READWRITE (a client of its own on a cluster replica) and CLIENT NO-EVICT. Before,
// both were lost silently: the replica answered MOVED after a reconnect, and the client became
// evictable again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type RedisClient } from '../../src/index';
import { RedisCluster, RedisServer } from '../support';

let server: RedisServer;
let cluster: RedisCluster;
before(async () => {
  [server, cluster] = await Promise.all([RedisServer.start(), RedisCluster.start({ primaries: 3, replicas: 1 })]);
});
after(async () => {
  await Promise.all([server?.destroy(), cluster?.destroy()]);
});

/** Kills the client's connection from the server side and waits until it is ready again on a new one. */
async function reconnected(client: RedisClient, admin: RedisClient): Promise<void> {
  const id = await client.clientId();
  const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
  assert.equal(await admin.clientKill({ ID: id }), 1);
  await ready;
  assert.notEqual(await client.clientId(), id);
}

test('CLIENT NO-EVICT ON (typed or through call()) is sent again after a reconnect; OFF is remembered too', async () => {
  await using client = createClient({ port: server.port });
  await using admin = createClient({ port: server.port });
  const flags = async (): Promise<string> => String((await client.clientInfo()).flags);
  assert.equal(await client.clientNoEvict(true), 'OK');
  assert.match(await flags(), /e/);
  await reconnected(client, admin);
  assert.match(await flags(), /e/, 'NO-EVICT is on again on the new connection');
  await client.call('client', 'no-evict', 'off');
  await reconnected(client, admin);
  assert.doesNotMatch(await flags(), /e/);
  await client.call('CLIENT', 'NO-EVICT', 'ON');
  await reconnected(client, admin);
  assert.match(await flags(), /e/);
});

test('READONLY on a cluster replica survives a reconnect (reads keep being served there); READWRITE too', async () => {
  const primary = await cluster.primaryFor(0);
  const [replica] = await cluster.replicasOf(primary);
  const key = '{06S}k'; // slot 0
  await primary.cli('SET', key, 'v');
  await using admin = createClient({ port: replica.port });
  await using client = createClient({ port: replica.port });
  // Replication is asynchronous: wait until the replica has the key.
  for (let i = 0; i < 200 && (await admin.call('READONLY').then(() => admin.get(key))) !== 'v'; i++)
    await new Promise((r) => setTimeout(r, 25));
  await assert.rejects(client.get(key), /MOVED/);
  assert.equal(await client.readonly(), 'OK');
  assert.equal(await client.get(key), 'v');
  await reconnected(client, admin);
  assert.equal(await client.get(key), 'v', 'READONLY was sent again by the handshake');
  assert.equal(await client.readwrite(), 'OK');
  await reconnected(client, admin);
  await assert.rejects(client.get(key), /MOVED/, 'READWRITE was remembered: no READONLY after the reconnect');
});
