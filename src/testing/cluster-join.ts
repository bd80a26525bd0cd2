// A TLS-only cluster's nodes: their TLS args (tlsNodeArgs), and how they become one cluster
// without `redis-cli --cluster create` (joinCluster): distinct config epochs, CLUSTER MEET from the
// first node to every other, CLUSTER ADDSLOTSRANGE on each primary (the 16384 slots split evenly,
// as redis-cli splits them), CLUSTER REPLICATE on each replica. Every command goes to one node over
// its own connection (RedisServer.cli(), TLS when the node serves only TLS), and the waits are
// ours, with a message that says what did not happen. Why `redis-cli --cluster create` hung over
// TLS: see tlsNodeArgs.
import type { RedisServer } from './redis-server';
import { tlsFixtures } from './tls';
import { pollUntil } from './wait';

const SLOTS = 16384;

export interface JoinPlan {
  primaries: RedisServer[];
  /** replicas[i]: the replicas of primaries[i]. */
  replicas: RedisServer[][];
  /** Each node's id (CLUSTER MYID). */
  idOf(s: RedisServer): string;
  timeoutMs: number;
}

/** The slots of primary `i` of `n`, inclusive: [first, last]. */
export function slotRange(i: number, n: number): [number, number] {
  return [Math.floor((i * SLOTS) / n), Math.floor(((i + 1) * SLOTS) / n) - 1];
}

/**
 * A TLS node's own args: TLS on the cluster bus and for replication, and the certificate it shows
 * when it connects to another node. The bus always asks for a client certificate (whatever
 * tls-auth-clients says), and without tls-client-cert-file a node shows its server certificate,
 * whose extendedKeyUsage is serverAuth only: the other node's "certificate verify failed" (loglevel
 * verbose) left every CLUSTER MEET in handshake until it timed out, which is how `redis-cli
 * --cluster create` hung waiting for the nodes to join.
 */
export function tlsNodeArgs(): string[] {
  const { client } = tlsFixtures();
  return [
    '--tls-cluster',
    'yes',
    '--tls-replication',
    'yes',
    '--tls-client-cert-file',
    client.certPath,
    '--tls-client-key-file',
    client.keyPath,
  ];
}

export async function joinCluster(plan: JoinPlan): Promise<void> {
  const all = [...plan.primaries, ...plan.replicas.flat()];
  // Distinct epochs up front, so that no two primaries claim their slots with the same epoch
  // (the collision would be settled by the cluster, but later and less predictably).
  await Promise.all(
    all.map((s, i) => expectOk(s.cli('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1)), s, 'SET-CONFIG-EPOCH')),
  );
  const [first, ...others] = all;
  for (const s of others) await expectOk(first.cli('CLUSTER', 'MEET', s.host, String(s.port)), first, 'MEET');
  await pollUntil(
    `every node to know the other ${all.length - 1} (CLUSTER MEET)`,
    async () => {
      for (const s of all) {
        const known = (await s.cli('CLUSTER', 'NODES')).split('\n').filter((l) => l.trim() !== '');
        if (known.length < all.length || known.some((l) => /handshake|noaddr/.test(l))) return undefined;
      }
      return true;
    },
    plan.timeoutMs,
  );
  await Promise.all(
    plan.primaries.map((p, i) => {
      const [a, b] = slotRange(i, plan.primaries.length);
      return expectOk(p.cli('CLUSTER', 'ADDSLOTSRANGE', String(a), String(b)), p, 'ADDSLOTSRANGE');
    }),
  );
  for (const [i, group] of plan.replicas.entries()) {
    const id = plan.idOf(plan.primaries[i]);
    for (const r of group) await expectOk(r.cli('CLUSTER', 'REPLICATE', id), r, 'REPLICATE');
  }
}

async function expectOk(p: Promise<string>, s: RedisServer, what: string): Promise<void> {
  const r = (await p).trim();
  if (r !== 'OK') throw new Error(`CLUSTER ${what} on 127.0.0.1:${s.port}: expected OK, got ${r}`);
}
