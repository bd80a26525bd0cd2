// Following failovers under an INCR load, against a real deployment (1 primary, 2 replicas, 3
// sentinels; one for the file, each test leaves it healthy). The counter invariant: every INCR the
// client acknowledged is in the counter on the new primary once the old one was demoted and
// resynced (0 lost), and none ran twice (value <= acknowledged + maybe-executed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, RomaineError, type RedisClient, type SentinelSwitch } from '../../src/index';
import { RedisSentinel } from '../support/sentinel';
import { sleep, waitFor } from '../support/wait';

let d: RedisSentinel;
/** The new primaries the sentinels announced (+switch-master), as 'host:port', since the test began. */
const announced = new Set<string>();
let watchers: RedisClient[] = [];
before(async () => {
  d = await RedisSentinel.start();
  watchers = await Promise.all(
    d.sentinelServers.map(async (s) => {
      const c = createClient({ port: s.port, healthCheck: false });
      await c.connect();
      await c.subscribe('+switch-master', (m) => {
        const [, , , host, port] = String(m).split(' ');
        announced.add(`${host}:${port}`);
      });
      return c;
    }),
  );
});
after(async () => {
  for (const w of watchers) w.destroy();
  await d?.destroy();
});

const hostPort = (a: { host: string; port: number }) => `${a.host}:${a.port}`;

/**
 * The client followed the sentinels: it left `old` first, went only to primaries they announced
 * (+switch-master), never back to `old`, and is on the primary they name now.
 *
 * More than one switch is allowed, for this reason: on a loaded machine (CI's 2 cores, or this one
 * under a CPU hog) the sentinels (down-after-milliseconds 1000) have replaced the new primary too,
 * before it answered their first PINGs (seen: +odown and +try-failover for it 1.04 s after
 * +switch-master to it, then a second promotion). That is a real failover, and the client must
 * follow it as well; "2 !== 1" in CI was that.
 */
async function assertFollowed(switches: SentinelSwitch[], old: { host: string; port: number }): Promise<void> {
  const story = `switches ${JSON.stringify(switches)}; announced ${[...announced].join(', ')}`;
  assert.ok(switches.length >= 1, `no switch: ${story}`);
  assert.deepEqual(switches[0].from, { host: old.host, port: old.port }, story);
  switches.forEach((s, i) => {
    assert.notEqual(hostPort(s.to), hostPort(old), `never back to the old primary: ${story}`);
    assert.ok(announced.has(hostPort(s.to)), `switch ${i} went where the sentinels sent it: ${story}`);
    if (i > 0) assert.deepEqual(s.from, switches[i - 1].to, story);
  });
  assert.deepEqual(switches[switches.length - 1].to, await d.primaryAddress(), `on the primary now: ${story}`);
}

/** 20 workers doing INCR on `key` until stopped; counts what the client said about each. */
function incrLoad(client: RedisClient, key: string, workers = 20) {
  const s = { acked: 0, maybe: 0, notRun: 0, errors: [] as string[], running: true };
  const one = async () => {
    while (s.running) {
      try {
        await client.incr(key);
        s.acked++;
      } catch (err) {
        if (!(err instanceof RomaineError)) throw err;
        if ((err as { maybeExecuted?: boolean }).maybeExecuted === true) s.maybe++;
        else s.notRun++;
        s.errors.push(`${err.code}: ${err.message}`);
        await sleep(5);
      }
    }
  };
  const all = Array.from({ length: workers }, one);
  return {
    s,
    stop: async () => {
      s.running = false;
      await Promise.all(all);
    },
  };
}

async function counterCheck(
  label: string,
  key: string,
  s: { acked: number; maybe: number; notRun: number; errors: string[] },
) {
  const value = Number(await (await d.primary()).cli('GET', key));
  const lost = Math.max(0, s.acked - value);
  const duplicates = Math.max(0, value - s.acked - s.maybe);
  console.log(
    `# ${label}: ${s.acked} acknowledged, ${s.maybe} maybe-executed, ${s.notRun} not run, counter ${value}: ${lost} lost, ${duplicates} duplicates`,
  );
  assert.equal(lost, 0, `${lost} acknowledged writes lost`);
  assert.equal(duplicates, 0);
  return value;
}

test('SENTINEL FAILOVER under an INCR load: the client leaves the old primary before the promotion; 0 acknowledged writes lost, a switch event', async () => {
  const KEY = 'failover:graceful';
  const client = createClient({ sentinel: { sentinels: d.sentinels, name: d.name } });
  const switches: SentinelSwitch[] = [];
  client.on('switch', (e) => switches.push(e));
  await client.connect();
  await client.del(KEY);
  announced.clear();
  const load = incrLoad(client, KEY);
  try {
    await waitFor('the watches to subscribe and some writes', () => load.s.acked > 500, 20_000);
    await sleep(300);
    const sw = await d.failover(); // waits until the old primary is a replica of the new one, resynced
    await waitFor('writes on the new primary', () => switches.length > 0, 20_000);
    const before = load.s.acked;
    await waitFor('more writes', () => load.s.acked > before + 200, 20_000);
    await load.stop();
    await d.waitHealthy();
    await counterCheck('SENTINEL FAILOVER', KEY, load.s);
    assert.deepEqual(load.s.errors, [], 'no write failed');
    await assertFollowed(switches, sw.oldPrimary);
    assert.match(switches[0].trigger, /^\+/, 'a sentinel event moved the client');
  } finally {
    await load.stop();
    await client.close();
  }
});

test('primary SIGKILL under load, then the old primary returns as a replica: the client follows the new primary and never goes back; 0 lost', async () => {
  const KEY = 'failover:kill';
  const client = createClient({ sentinel: { sentinels: d.sentinels, name: d.name } });
  const switches: SentinelSwitch[] = [];
  client.on('switch', (e) => switches.push(e));
  await client.connect();
  await client.del(KEY);
  announced.clear();
  const load = incrLoad(client, KEY);
  try {
    await waitFor('some writes', () => load.s.acked > 500, 20_000);
    const sw = await d.killPrimary({ replicated: true });
    await waitFor('writes on the new primary', () => switches.length > 0, 30_000);
    // The old primary comes back: the sentinels make it a replica of the new one.
    await d.restart(sw.oldPrimary);
    assert.match(await sw.oldPrimary.cli('ROLE'), /^slave/);
    const before = load.s.acked;
    await waitFor('more writes', () => load.s.acked > before + 500, 20_000);
    await load.stop();
    await d.waitHealthy();
    await counterCheck('primary SIGKILL + old primary back', KEY, load.s);
    await assertFollowed(switches, sw.oldPrimary);
    assert.equal(load.s.notRun, 0);
  } finally {
    await load.stop();
    await client.close();
  }
});

test('the configured sentinel dies after the client learned the others: a failover is still followed, 0 lost', async () => {
  const KEY = 'failover:learned';
  const only = d.sentinelServers[0];
  const client = createClient({ sentinel: { sentinels: [{ host: only.host, port: only.port }], name: d.name } });
  const switches: SentinelSwitch[] = [];
  client.on('switch', (e) => switches.push(e));
  await client.connect();
  await client.del(KEY);
  const load = incrLoad(client, KEY);
  try {
    await waitFor('some writes', () => load.s.acked > 300, 20_000);
    await only.kill();
    await sleep(500);
    await d.failover(); // through a sentinel the client learned
    await waitFor('writes on the new primary', () => switches.length > 0, 30_000);
    const before = load.s.acked;
    await waitFor('more writes', () => load.s.acked > before + 200, 20_000);
    await load.stop();
    await counterCheck('failover after the configured sentinel died', KEY, load.s);
    assert.deepEqual(load.s.errors, []);
  } finally {
    await load.stop();
    await client.close();
    await d.restart(only);
  }
});
