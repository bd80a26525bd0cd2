// `romaine doctor` on a Redis Cluster: a healthy 3 + 3 cluster (state, slots, roles, every node
// reached), the same cluster announcing addresses this machine cannot reach (the NAT / Docker
// problem: the doctor names them and says nodeAddressMap), and --cluster on a standalone server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RedisCluster, RedisServer, freePort } from '../support';
import { romaine } from './run-cli';

interface Step {
  id: string;
  verdict: string;
  summary: string;
  notes?: string[];
  details?: any;
  problem?: { code: string; what: string; fix: string[] };
}

let cluster: RedisCluster;
let standalone: RedisServer;
before(async () => {
  [cluster, standalone] = await Promise.all([RedisCluster.start({ primaries: 3, replicas: 1 }), RedisServer.start()]);
});
after(async () => {
  await cluster?.destroy();
  await standalone?.destroy();
});

async function doctor(url: string, ...extra: string[]): Promise<{ code: number | null; steps: Step[]; text: string }> {
  const r = await romaine(['doctor', url, '--json', ...extra]);
  const report = JSON.parse(r.stdout) as { steps: Step[] };
  const text = (await romaine(['doctor', url, ...extra])).stdout;
  return { code: r.code, steps: report.steps, text };
}
const stepOf = (steps: Step[], id: string): Step => {
  const s = steps.find((x) => x.id === id);
  assert.ok(s, `no step '${id}' in ${steps.map((x) => x.id).join(', ')}`);
  return s;
};

test('a healthy cluster: state ok, every slot covered, shards with their roles, every node reachable', async () => {
  const seed = cluster.seeds[0];
  const { code, steps, text } = await doctor(`redis://127.0.0.1:${seed.port}`);
  assert.equal(code, 0, text);
  const overview = stepOf(steps, 'cluster');
  assert.equal(overview.verdict, 'ok', JSON.stringify(overview.notes));
  assert.equal(overview.details.state, 'ok');
  assert.equal(overview.details.slotsCovered, 16384);
  assert.equal(overview.details.shards.length, 3);
  for (const s of overview.details.shards) assert.equal(s.replicas.length, 1);
  assert.equal(overview.details.thisNode.announced, `127.0.0.1:${seed.port}`);
  const nodes = stepOf(steps, 'cluster-nodes');
  assert.equal(nodes.verdict, 'ok');
  assert.equal(nodes.details.nodes.length, 6);
  assert.deepEqual(nodes.details.nodes.map((n: { role: string }) => n.role).sort(), [
    'primary',
    'primary',
    'primary',
    'replica',
    'replica',
    'replica',
  ]);
  assert.ok(nodes.details.nodes.every((n: { reachable: boolean }) => n.reachable));
  assert.match(text, /cluster_state:ok, 16384 of 16384 slots covered, 3 primaries, 3 replicas/);
  assert.match(text, /all 6 announced nodes reachable from here/);
  // Steps in order: the cluster's after the server's, the latency sample last.
  assert.deepEqual(steps.map((s) => s.id).slice(-3), ['cluster', 'cluster-nodes', 'latency']);
});

test('--cluster on a standalone server fails and says to use createClient(); without it no cluster step', async () => {
  const plain = await doctor(standalone.url);
  assert.equal(plain.code, 0, plain.text);
  assert.ok(!plain.steps.some((s) => s.id.startsWith('cluster')));
  const forced = await doctor(standalone.url, '--cluster');
  assert.equal(forced.code, 1);
  const s = stepOf(forced.steps, 'cluster');
  assert.equal(s.problem?.code, 'cluster-disabled');
  assert.match(forced.text, /createClient\(\)/);
});

test('announced addresses this machine cannot reach (NAT / Docker): named, with nodeAddressMap as the fix', async () => {
  // Every node announces a port where nothing listens (its "inside" address); the bus stays.
  const announced: string[] = [];
  for (const s of cluster.servers) {
    const fake = await freePort();
    assert.equal(await s.cli('CONFIG', 'SET', 'cluster-announce-bus-port', String(s.port + 10000)), 'OK');
    assert.equal(await s.cli('CONFIG', 'SET', 'cluster-announce-port', String(fake)), 'OK');
    announced.push(`127.0.0.1:${fake}`);
  }
  const seed = cluster.servers[0];
  for (;;) {
    const nodes = await seed.cli('CLUSTER', 'NODES');
    if (announced.every((a) => nodes.includes(`${a}@`))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const { code, steps, text } = await doctor(`redis://127.0.0.1:${seed.port}`, '--timeout', '1000');
  assert.equal(code, 1, text);
  const nodes = stepOf(steps, 'cluster-nodes');
  assert.equal(nodes.verdict, 'fail');
  assert.equal(nodes.problem?.code, 'cluster-announced-unreachable');
  for (const a of announced) assert.ok(nodes.problem.what.includes(a), `${a} named in: ${nodes.problem.what}`);
  assert.match(nodes.problem.what, new RegExp(`calls itself ${announced[0].replace(/\./g, '\\.')}`));
  assert.match(nodes.problem.fix.join('\n'), /nodeAddressMap/);
  assert.match(text, /nodeAddressMap/);
  assert.match(stepOf(steps, 'cluster').notes!.join('\n'), /announces itself as/);
});
