/**
 * Sentinel faults under load (issue 11 goals), against a real deployment on loopback (1 primary,
 * 2 replicas, 3 sentinels; down-after-milliseconds 1000, failover-timeout 3000):
 *
 *   npx tsx bench/sentinel-faults.ts [failovers=10] [kills=3] [watch=all]
 *
 * - SENTINEL FAILOVER under an INCR load from 20 workers, `failovers` times: acknowledged writes
 *   lost = INCRs the client acknowledged minus the counter on the new primary, read once the old
 *   primary was demoted and resynced (the harness waits for it). The SENTINEL FAILOVER goes to
 *   the sentinels in turn, so the client's watch of the leader is not a given.
 * - primary SIGKILL (its writes held and replicated first, so only the client's losses count),
 *   `kills` times: ms from the first +switch-master any sentinel published (a subscriber of its
 *   own on every sentinel) to the client's first acknowledged write after it.
 * - `watch`: the client's `sentinel.watch` ('all' or 'one'), to compare the windows they leave.
 * - unknown master name: connect() rejection time; no sentinel reachable: rejection time with
 *   reconnect.initialTimeoutMs 2000, and whether the message names each sentinel.
 */
import { createClient, RomaineError, type RedisClient } from '../src/index';
import { RedisSentinel } from '../test/support/sentinel';
import { freePort } from '../test/support/redis-server';
import { sleep, waitFor } from '../test/support/wait';

const failovers = Number(process.argv[2] ?? 10);
const kills = Number(process.argv[3] ?? 3);
const watch = (process.argv[4] ?? 'all') as 'all' | 'one';

function load(client: RedisClient, key: string) {
  /** `since`: when set, `firstAckAfter` records the first acknowledgement after it (`movedAt`: `firstAckAfterMove`). */
  const s = {
    acked: 0,
    maybe: 0,
    notRun: 0,
    since: 0,
    firstAckAfter: 0,
    movedAt: 0,
    firstAckAfterMove: 0,
    running: true,
  };
  const one = async () => {
    while (s.running) {
      try {
        await client.incr(key);
        s.acked++;
        const now = performance.now();
        if (s.since > 0 && s.firstAckAfter === 0 && now > s.since) s.firstAckAfter = now;
        if (s.movedAt > 0 && s.firstAckAfterMove === 0 && now > s.movedAt) s.firstAckAfterMove = now;
      } catch (err) {
        if (!(err instanceof RomaineError)) throw err;
        if ((err as { maybeExecuted?: boolean }).maybeExecuted === true) s.maybe++;
        else s.notRun++;
        await sleep(5);
      }
    }
  };
  const workers = Array.from({ length: 20 }, one);
  return { s, stop: () => ((s.running = false), Promise.all(workers)) };
}

async function main(): Promise<void> {
  const d = await RedisSentinel.start();
  const out: string[] = [];
  try {
    // ---- SENTINEL FAILOVER
    const lostPerTrial: number[] = [];
    for (let i = 0; i < failovers; i++) {
      const key = `bench:failover:${i}`;
      const client = createClient({ sentinel: { sentinels: d.sentinels, name: d.name, watch } });
      let trigger = '';
      let switchedAt = 0;
      client.on('switch', (e) => {
        trigger = e.trigger;
        switchedAt = performance.now();
      });
      await client.connect();
      const l = load(client, key);
      await waitFor('writes', () => l.s.acked > 500, 20_000);
      await sleep(300);
      // Ask the sentinels in turn: the one asked leads the failover.
      const asked = d.sentinelServers[i % d.sentinelServers.length];
      const t0 = performance.now();
      const r = await asked.cli('SENTINEL', 'FAILOVER', d.name);
      if (r !== 'OK') throw new Error(`SENTINEL FAILOVER: ${r}`);
      await waitFor('the switch', () => trigger !== '', 30_000);
      const acked0 = l.s.acked;
      await waitFor('writes on the new primary', () => l.s.acked > acked0 + 200, 20_000);
      await l.stop();
      await d.waitHealthy(); // the old primary is a replica again, resynced
      const value = Number(await (await d.primary()).cli('GET', key));
      const lost = Math.max(0, l.s.acked - value);
      const dup = Math.max(0, value - l.s.acked - l.s.maybe);
      lostPerTrial.push(lost);
      out.push(
        `failover ${i + 1}: led by sentinel ${i % d.sentinelServers.length}, client ready on the new primary ${(switchedAt - t0).toFixed(0)} ms after SENTINEL FAILOVER (trigger ${trigger}); ` +
          `${l.s.acked} acknowledged, ${l.s.maybe} maybe-executed, ${l.s.notRun} not run, counter ${value}: ${lost} lost, ${dup} duplicates`,
      );
      console.log(out[out.length - 1]);
      await client.close();
    }
    out.push(
      `SENTINEL FAILOVER (watch '${watch}'): acknowledged writes lost per trial: [${lostPerTrial.join(', ')}]; trials with 0 lost: ${lostPerTrial.filter((x) => x === 0).length}/${failovers}`,
    );

    // ---- primary SIGKILL
    const afterSwitch: number[] = [];
    for (let i = 0; i < kills; i++) {
      const key = `bench:kill:${i}`;
      const watchers = await Promise.all(
        d.sentinelServers.map(async (s) => {
          const c = createClient({ port: s.port, healthCheck: false });
          await c.connect();
          return c;
        }),
      );
      const client = createClient({ sentinel: { sentinels: d.sentinels, name: d.name, watch } });
      await client.connect();
      const l = load(client, key);
      // The client's switch event comes once it is ready on the new primary: the first
      // acknowledgement after it is the first write there.
      client.on('switch', () => (l.s.movedAt ||= performance.now()));
      let switchAt = 0;
      for (const w of watchers)
        await w.subscribe('+switch-master', () => {
          if (switchAt === 0) l.s.since = switchAt = performance.now();
        });
      await waitFor('writes', () => l.s.acked > 500, 20_000);
      const sw = await d.killPrimary({ replicated: true });
      await waitFor('+switch-master', () => switchAt > 0, 30_000);
      await waitFor('a write after +switch-master', () => l.s.firstAckAfter > 0, 30_000);
      const firstAck = l.s.firstAckAfter;
      afterSwitch.push(firstAck - switchAt);
      await l.stop();
      // Negative: the client wrote on the new primary before any sentinel said +switch-master (it
      // followed +selected-slave / +promoted-slave).
      const resumed = l.s.firstAckAfterMove === 0 ? NaN : l.s.firstAckAfterMove - switchAt;
      out.push(
        `kill ${i + 1}: sentinels switched ${sw.switchedMs} ms after the kill; first acknowledged write ${(firstAck - switchAt).toFixed(0)} ms after the first +switch-master ` +
          `(the first write on the new primary came ${resumed.toFixed(0)} ms from it)`,
      );
      console.log(out[out.length - 1]);
      await client.close();
      for (const w of watchers) await w.close();
      await d.restart(sw.oldPrimary);
    }
    if (kills > 0)
      out.push(
        `primary SIGKILL: first write after +switch-master: [${afterSwitch.map((x) => x.toFixed(0)).join(', ')}] ms`,
      );

    // ---- wrong configuration at start
    {
      const client = createClient({ sentinel: { sentinels: d.sentinels, name: 'mymastr' } });
      const t0 = performance.now();
      const err = await client.connect().then(
        () => undefined,
        (e: unknown) => e,
      );
      out.push(
        `unknown master name: rejected after ${(performance.now() - t0).toFixed(0)} ms: ${String((err as Error)?.message)}`,
      );
    }
    {
      const dead = [
        { host: '127.0.0.1', port: await freePort() },
        { host: '127.0.0.1', port: await freePort() },
        { host: '127.0.0.1', port: await freePort() },
      ];
      const client = createClient({
        sentinel: { sentinels: dead, name: 'mymaster' },
        reconnect: { initialTimeoutMs: 2000 },
      });
      const t0 = performance.now();
      const err = (await client.connect().then(
        () => undefined,
        (e: unknown) => e,
      )) as Error;
      const named = dead.every((s) => err.message.includes(`127.0.0.1:${s.port}`));
      out.push(
        `no sentinel reachable (initialTimeoutMs 2000): rejected after ${(performance.now() - t0).toFixed(0)} ms, names every sentinel: ${named}`,
      );
    }
  } finally {
    await d.destroy();
  }
  console.log('\n' + out.join('\n'));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
