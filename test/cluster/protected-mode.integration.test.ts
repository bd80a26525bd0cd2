// A cluster node that starts refusing us at runtime (protected mode switched on, our connection
// dropped): the seed's story on a cluster. Its node's client keeps retrying with backoff (runtime
// phase), commands for its slots wait, the other slots go on, and when the node accepts us again
// everything resumes on its own: no error for the commands that waited, the cluster client never
// 'failed'. The nodes run in a network namespace, so the test process is a remote peer to them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, ProtectedModeError } from '../../src/index';
import { keySlot } from '../../src/cluster/key-slot';
import { RedisCluster, createNetns, netnsSkipReason, ownsSlot, waitFor } from '../support';
import { IncrLoad, spreadKeys } from './incr-load';

test(
  'a node in protected mode at runtime: its slots wait while it refuses us, the others go on, it resumes without an error',
  { skip: netnsSkipReason() },
  async () => {
    const ns = createNetns();
    let cluster: RedisCluster | undefined;
    try {
      cluster = await RedisCluster.start({ netns: ns, args: ['--protected-mode', 'no'] });
      await using c = createCluster({ nodes: cluster.seeds, unavailableTimeoutMs: 30_000 });
      const refusals: string[] = [];
      const states: string[] = [];
      c.on('reconnecting', (e) => {
        if (e.reason instanceof ProtectedModeError) refusals.push(e.node);
      });
      c.on('stateChange', (e) => states.push(e.to));
      await c.connect();
      const load = new IncrLoad(c, spreadKeys('pm:', 20));
      await load.start();
      await load.progress();
      const victim = await cluster.primaryFor(keySlot(load.keys[0]));
      const victimKey = `${victim.host}:${victim.port}`;
      const me = (await cluster.nodes()).find((n) => n.id === cluster!.idOf(victim))!;
      const onVictim = (k: string) => ownsSlot(me, keySlot(k));

      assert.equal((await victim.cli('CONFIG', 'SET', 'protected-mode', 'yes')).trim(), 'OK');
      await victim.cli('CLIENT', 'KILL', 'TYPE', 'normal'); // our connection (not the replica's link)
      await waitFor('the node to refuse a reconnection with DENIED', () => refusals.includes(victimKey), 20_000);
      // Refused, and still retried: the other slots keep working meanwhile.
      await load.progress(20, 30_000, (k) => !onVictim(k));
      await waitFor('a second refusal (the node is retried)', () => refusals.length >= 2, 20_000);
      assert.notEqual(c.state, 'failed');

      assert.equal((await victim.cli('CONFIG', 'SET', 'protected-mode', 'no')).trim(), 'OK');
      await load.progress(20, 30_000);
      const r = await load.stop();
      console.log(
        `# node in protected mode at runtime: refused ${refusals.length} reconnections; ${r.acked} INCRs acknowledged; ` +
          `${r.failed.length} errors (${r.maybeExecuted} maybeExecuted); longest stall ${r.longestStall} ms; ${r.kinds}`,
      );
      assert.equal(c.state, 'ready');
      assert.ok(!states.includes('failed'), 'the cluster client never failed');
      assert.equal(r.duplicates, 0, 'no INCR ran twice');
      assert.equal(r.lost, 0, 'no acknowledged INCR was lost');
      assert.ok(
        r.failed.every((f) => (f.err as { maybeExecuted?: boolean }).maybeExecuted === true),
        `only INCRs in flight when the connection was dropped failed: ${r.kinds}`,
      );
    } finally {
      await cluster?.destroy();
      ns.destroy();
    }
  },
);
