// Which nodes a sentinel client's next attempt avoids and which it tries first, from the failover
// events it heard (SentinelDiscovery.fence / switched / lift), when the events of two failovers in a
// row interleave. Seen on a loaded machine (test/sentinel/failover, "never goes back"): the
// sentinels failed over the new primary R1 too, one second after switching to it; the late
// +switch-master P1 -> R1 of the first failover's leader lifted the fence of that second failover,
// and the client went back to R1, which was about to be replaced.
//
// No sentinel answers here (its port refuses), so an attempt's candidates are the node the events
// named, minus the nodes they fence: what `openNode` is asked for is exactly that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SentinelDiscovery } from '../../src/sentinel/discovery';
import { resolveSentinel, type SentinelAddress } from '../../src/sentinel/options';
import { freePort } from '../../src/testing/ports';

const P1 = { host: '127.0.0.1', port: 7001 };
const R1 = { host: '127.0.0.1', port: 7002 };
const R2 = { host: '127.0.0.1', port: 7003 };

async function setup() {
  const opts = resolveSentinel({ sentinels: [{ host: '127.0.0.1', port: await freePort() }], name: 'mymaster' })!;
  const now = 0;
  const d = new SentinelDiscovery(opts, { connectTimeoutMs: 1000, keepAliveMs: 0, now: () => now });
  d.failoverTimeoutMs = 3000;
  /** The nodes the next attempt would try, in order (none: it fails with "a failover is under way"). */
  const tries = async (): Promise<number[]> => {
    const asked: number[] = [];
    await d
      .open((at: SentinelAddress) => {
        asked.push(at.port);
        return Promise.reject(new Error('not a real node'));
      })
      .catch(() => undefined);
    return asked;
  };
  return { d, tries };
}

test('the first failover: the old primary is fenced, the selected replica tried first', async () => {
  const { d, tries } = await setup();
  d.fence('S1', P1, R1); // +selected-slave R1 @ P1
  assert.deepEqual(await tries(), [R1.port]);
  d.switched(P1, R1); // +switch-master P1 R1
  assert.deepEqual(await tries(), [R1.port]);
});

test('a late +switch-master of the first failover does not lift the fence of a failover of its new primary', async () => {
  const { d, tries } = await setup();
  d.fence('S1', P1, R1);
  d.switched(P1, R1); // from S2 and S3, who learned it first
  d.fence('S3', R1, undefined); // +try-failover master R1: the sentinels replace R1 too
  assert.deepEqual(await tries(), [], 'R1 is being replaced: nothing to try yet');
  d.switched(P1, R1); // the first failover's leader S1 says +switch-master last
  assert.deepEqual(await tries(), [], 'still nothing: R1 stays fenced');
  d.fence('S3', R1, R2); // +selected-slave R2 @ R1
  assert.deepEqual(await tries(), [R2.port]);
  d.switched(R1, R2);
  assert.deepEqual(await tries(), [R2.port]);
  d.switched(P1, R1); // a stale one again, after the second switch
  assert.deepEqual(await tries(), [R2.port], 'R1 is neither expected nor allowed');
});
