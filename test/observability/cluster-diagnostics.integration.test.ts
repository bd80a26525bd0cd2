// What an operator sees of a cluster on diagnostics_channel and in OpenTelemetry, against a real
// cluster: the topology swap and the nodes at connect, MOVED and ASK with from/to, and commands
// (their messages and spans) naming the node that served them after a redirection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  createCluster,
  type ClusterNodeMessage,
  type ClusterRedirectionMessage,
  type ClusterTopologyMessage,
  type CommandMessage,
  defineScript,
} from '../../src/index';
import { instrumentRomaine } from '../../src/otel/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster } from '../support';

let cluster: RedisCluster;
before(async () => {
  cluster = await RedisCluster.start({ primaries: 3, replicas: 0 });
});
after(() => cluster?.destroy());

/** Subscribes to a channel for the test's duration; returns the messages seen. */
function listen<T>(name: string, t: { after(fn: () => void): void }): T[] {
  const seen: T[] = [];
  const fn = (m: unknown) => seen.push(m as T);
  subscribe(name, fn);
  t.after(() => unsubscribe(name, fn));
  return seen;
}

test('connect publishes the topology (why, what) and every node added and ready', async (t) => {
  const topo = listen<ClusterTopologyMessage>('romaine:cluster:topology', t);
  const nodes = listen<ClusterNodeMessage>('romaine:cluster:node', t);
  await using c = createCluster({ nodes: [cluster.seeds[0]] });
  await c.connect();
  await c.ping();
  assert.equal(topo[0]?.cluster, c);
  assert.equal(topo[0].reason, 'connected');
  assert.equal(topo[0].shards.length, 3);
  assert.deepEqual(new Set(topo[0].added), new Set(c.primaries.filter((p) => topo[0].added.includes(p))));
  for (const p of c.primaries) {
    assert.ok(
      nodes.some((m) => m.cluster === c && m.node === p && (m.event === 'added' || m.to === 'ready')),
      `node ${p} published`,
    );
  }
});

test('MOVED and ASK are published with from and to; the command and its span name the node that served it', async (t) => {
  const redirections = listen<ClusterRedirectionMessage>('romaine:cluster:redirection', t);
  const ends = listen<CommandMessage>('romaine:command:end', t);
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const otel = instrumentRomaine({ tracerProvider });
  t.after(async () => {
    otel.disable();
    await tracerProvider.shutdown();
  });
  await using c = createCluster({ nodes: cluster.seeds, refreshIntervalMs: 0 });
  await c.connect();

  // MOVED: the slot moved behind the client's back.
  const slot = keySlot('obs:moved');
  await c.set('obs:moved', 'v');
  const from = await cluster.primaryFor(slot);
  const to = cluster.servers.find((s) => s !== from)!;
  await cluster.moveSlot(slot, to);
  exporter.reset();
  ends.length = 0;
  assert.equal(await c.get('obs:moved'), 'v');
  const moved = redirections.find((m) => m.kind === 'moved' && m.slot === slot);
  assert.ok(moved, 'MOVED published');
  assert.equal(moved.cluster, c);
  assert.equal(moved.command, 'GET');
  assert.equal(moved.from, `127.0.0.1:${from.port}`);
  assert.equal(moved.to, `127.0.0.1:${to.port}`);
  const served = ends.find((m) => m.command === 'GET');
  assert.equal(
    (served?.client as { options: { port: number } }).options.port,
    to.port,
    'the reply came from the new owner',
  );
  const spans = exporter.getFinishedSpans().filter((s) => s.name === 'GET');
  assert.deepEqual(
    spans.map((s) => [s.attributes['server.port'], s.attributes['error.type'] ?? 'ok']),
    [
      [from.port, 'MOVED'],
      [to.port, 'ok'],
    ],
    'one span per node asked: the old owner answered MOVED, the new one served it',
  );

  // ASK: the key is already on the target of a migration under way.
  const askSlot = keySlot('obs:ask');
  await c.set('obs:ask', 'there');
  const source = await cluster.primaryFor(askSlot);
  const dst = cluster.servers.find((s) => s !== source)!;
  await cluster.beginSlotMigration(askSlot, dst);
  assert.equal((await source.cli('MIGRATE', dst.host, String(dst.port), 'obs:ask', '0', '5000')).trim(), 'OK');
  exporter.reset();
  assert.equal(await c.get('obs:ask'), 'there');
  const ask = redirections.find((m) => m.kind === 'ask' && m.slot === askSlot);
  assert.ok(ask, 'ASK published');
  assert.equal(ask.from, `127.0.0.1:${source.port}`);
  assert.equal(ask.to, `127.0.0.1:${dst.port}`);
  const askSpans = exporter.getFinishedSpans().filter((s) => s.name === 'GET');
  assert.equal(askSpans.at(-1)?.attributes['server.port'], dst.port);
  await cluster.finishSlotMigration(askSlot, source, dst);
});

test('pipeline, runScript, isolated and key scans: each span names the node that served it', async (t) => {
  const ends = listen<CommandMessage>('romaine:command:end', t);
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const otel = instrumentRomaine({ tracerProvider });
  t.after(async () => {
    otel.disable();
    await tracerProvider.shutdown();
  });
  await using c = createCluster({ nodes: cluster.seeds });
  await c.connect();
  // Keys on different primaries.
  const keys: string[] = [];
  const owners = new Set<number>();
  for (let i = 0; owners.size < 3; i++) {
    const port = (await cluster.primaryFor(keySlot(`obs:p${i}`))).port;
    if (!owners.has(port)) {
      owners.add(port);
      keys.push(`obs:p${i}`);
    }
  }
  const ownerOf = async (k: string) => (await cluster.primaryFor(keySlot(k))).port;
  exporter.reset();
  ends.length = 0;
  const p = c.pipeline();
  for (const k of keys) p.set(k, 'v');
  await p.exec();
  await c.runScript(defineScript('return redis.call("GET", KEYS[1])'), [keys[0]]);
  await c.isolated(keys[1], (conn) => conn.get(keys[1]));
  const before = exporter.getFinishedSpans();
  const setKey = `{${keys[2]}}:members`;
  await c.sadd(setKey, 'm1', 'm2');
  exporter.reset();
  ends.length = 0;
  for await (const _ of c.sscanIterator(setKey)) void _;
  const spans = [...before, ...exporter.getFinishedSpans()];
  const setPorts = spans.filter((s) => s.name === 'SET').map((s) => s.attributes['server.port']);
  assert.deepEqual(new Set(setPorts), owners, 'each SET of the pipeline names its own node');
  const byName = (n: string) => spans.filter((s) => s.name === n).map((s) => s.attributes['server.port']);
  assert.deepEqual(byName('EVALSHA').concat(byName('EVAL')).at(-1), await ownerOf(keys[0]));
  assert.ok(byName('GET').includes(await ownerOf(keys[1])), 'the isolated GET names the key owner');
  assert.deepEqual(byName('SSCAN'), [await ownerOf(keys[2])]);
  for (const m of ends.filter((e) => e.command === 'SSCAN'))
    assert.equal((m.client as { options: { port: number } }).options.port, await ownerOf(keys[2]));
});
