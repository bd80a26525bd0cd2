// THE invariant under faults: thousands of INCRs and GETs on one counter while the proxy resets
// every connection at random moments, then a clean pass. Every promise settles, and the counter on
// the server (read through a fresh direct client) is explained exactly by the outcomes:
//   resolved <= V <= resolved + rejected-with-maybeExecuted
// so nothing ran twice, and nothing that was reported "not executed" ran.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, RomaineError } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { FaultProxy } from '../support/fault-proxy';
import { sleep, waitFor } from '../support/wait';

const TOTAL_INCRS = 3000;
const BATCH = 50;
const BATCH_EVERY_MS = 70;
const RESETS = 40;
const KEY = 'invariant:counter';
/** Liveness guard, not a timing assertion: a promise still pending after this is a hang. */
const SETTLE_DEADLINE_MS = 60_000;

describe('the command contract under random connection resets', () => {
  test(`${TOTAL_INCRS} INCRs + GETs under up to ${RESETS} random resets: all settle, resolved <= V <= resolved + maybeExecuted`, async () => {
    const server = await RedisServer.start();
    const proxy = await FaultProxy.start({ host: server.host, port: server.port });
    const client = createClient({ host: '127.0.0.1', port: proxy.port, reconnect: { baseDelayMs: 5, maxDelayMs: 50 } });
    const direct = createClient({ host: server.host, port: server.port });
    let reconnects = 0;
    client.on('reconnecting', () => reconnects++);
    try {
      await direct.connect();
      await direct.del(KEY);
      await client.connect();

      const incrs: Array<Promise<number>> = [];
      const gets: Array<Promise<string | null>> = [];
      let settledCount = 0;
      const track = <T>(p: Promise<T>): Promise<T> => {
        p.then(
          () => settledCount++,
          () => settledCount++,
        );
        return p;
      };

      // Replies spend a few ms in the proxy, so that resets catch more commands in flight.
      proxy.delay(25, 'down');
      const t0 = performance.now();
      let producing = true;
      const produce = async () => {
        for (let i = 0; i < TOTAL_INCRS; i += BATCH) {
          for (let j = 0; j < BATCH && i + j < TOTAL_INCRS; j++) incrs.push(track(client.incr(KEY)));
          gets.push(track(client.get(KEY)));
          await sleep(BATCH_EVERY_MS);
        }
        producing = false;
      };
      let resets = 0;
      const inject = async () => {
        // Up to RESETS resets while commands are being issued, each 30-80 ms after the connection
        // became ready, so that it carries traffic (a reset during a reconnect only tests the handshake).
        while (resets < RESETS && producing) {
          while (client.state !== 'ready') await sleep(1);
          await sleep(30 + Math.random() * 50);
          if (!producing) break;
          proxy.resetAll();
          resets++;
          // The client learns of the reset a moment later: wait for that, not for the old 'ready'.
          await waitFor('the client to notice the reset', () => client.state !== 'ready', SETTLE_DEADLINE_MS);
        }
      };
      await Promise.all([produce(), inject()]);
      const faultsEndedAt = performance.now();
      // Clean pass from here on: the proxy forwards everything, without delay.
      proxy.delay(0);
      await waitFor('ready after the last reset', () => client.state === 'ready', SETTLE_DEADLINE_MS);

      const all = [...incrs, ...gets];
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'deadline'>((r) => (timer = setTimeout(() => r('deadline'), SETTLE_DEADLINE_MS)));
      const result = await Promise.race([Promise.allSettled(all), deadline]);
      clearTimeout(timer);
      assert.notEqual(
        result,
        'deadline',
        `${all.length - settledCount} of ${all.length} commands still pending ${SETTLE_DEADLINE_MS} ms after the faults ended (state ${client.state})`,
      );
      const settledAt = performance.now();

      const incrOutcomes = await Promise.allSettled(incrs);
      const getOutcomes = await Promise.allSettled(gets);
      let resolved = 0;
      let maybe = 0;
      let notExecuted = 0;
      const values = new Set<number>();
      const errorKinds = new Map<string, number>();
      for (const o of incrOutcomes) {
        if (o.status === 'fulfilled') {
          resolved++;
          assert.ok(!values.has(o.value), `two INCRs answered ${o.value}`);
          values.add(o.value);
          continue;
        }
        const err = o.reason as unknown;
        assert.ok(err instanceof RomaineError, `INCR rejected with a foreign error: ${String(err)}`);
        const flag = (err as { maybeExecuted?: unknown }).maybeExecuted;
        assert.equal(
          typeof flag,
          'boolean',
          `every rejection says whether it may have run: ${err.name}: ${err.message}`,
        );
        if (flag === true) maybe++;
        else notExecuted++;
        const k = `${err.code}/${String(flag)}`;
        errorKinds.set(k, (errorKinds.get(k) ?? 0) + 1);
      }
      const getRejected = getOutcomes.filter((o) => o.status === 'rejected').length;

      const V = Number(await direct.get(KEY));
      console.log(
        `# invariant: ${TOTAL_INCRS} INCR -> resolved ${resolved}, rejected maybeExecuted ${maybe}, rejected not executed ${notExecuted}; ` +
          `counter V = ${V} (${V - resolved} of the maybe-executed ran); ${gets.length} GETs, ${getRejected} rejected; ` +
          `${resets} resets, ${reconnects} reconnecting events, ${proxy.accepted} proxied connections; ` +
          `faults for ${(faultsEndedAt - t0).toFixed(0)} ms, all settled ${(settledAt - faultsEndedAt).toFixed(0)} ms after they ended; ` +
          `errors: ${[...errorKinds].map(([k, n]) => `${k} x${n}`).join(', ') || 'none'}`,
      );
      assert.equal(resolved + maybe + notExecuted, TOTAL_INCRS);
      assert.ok(resolved <= V, `resolved ${resolved} <= V ${V}: an INCR reported done did not run?`);
      assert.ok(
        V <= resolved + maybe,
        `V ${V} <= resolved ${resolved} + maybeExecuted ${maybe}: something ran twice, or ran although reported not executed`,
      );
      for (const v of values) assert.ok(v >= 1 && v <= V, `INCR answer ${v} within 1..${V}`);
      for (const o of getOutcomes) {
        if (o.status === 'fulfilled') assert.ok(o.value === null || Number(o.value) <= V, `GET answered ${o.value}`);
      }
      assert.ok(resets >= 10 && reconnects >= resets, `the faults really happened (${resets} resets)`);
      assert.ok(maybe > 0, 'and some caught INCRs in flight (otherwise this test proves little)');
      assert.equal(client.state, 'ready');
      assert.equal(await client.incr(KEY), V + 1, 'the client works after the storm');
    } finally {
      client.destroy();
      direct.destroy();
      await proxy.close();
      await server.destroy();
    }
  });
});
