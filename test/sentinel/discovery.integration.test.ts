// createClient({ sentinel }) against a real deployment (1 primary, 2 replicas, 3 sentinels; one
// for the whole file, each test leaves it healthy for the next; the primary SIGKILL comes last).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ConnectionError, ConnectionLostError, RomaineError } from '../../src/index';
import { RedisSentinel } from '../support/sentinel';
import { freePort } from '../support/redis-server';
import { sleep, waitFor } from '../support/wait';

let d: RedisSentinel;
before(async () => {
  d = await RedisSentinel.start();
});
after(() => d?.destroy());

const noHealth = { healthCheck: false as const };

test("role 'primary': the client connects to the primary the sentinels name, and is an ordinary RedisClient", async () => {
  const client = createClient({ sentinel: { sentinels: d.sentinels, name: d.name }, ...noHealth });
  try {
    await client.connect();
    await client.set('discovered', 'yes');
    assert.equal(await (await d.primary()).cli('GET', 'discovered'), 'yes');
    assert.equal(client.server?.role, 'master');
    assert.equal(
      await client
        .pipeline()
        .incr('p')
        .incr('p')
        .exec()
        .then((r) => r.length),
      2,
    );
    assert.match(String(client.lastError ?? ''), /^$/);
  } finally {
    await client.close();
  }
});

test('duplicate(), blocking commands and RESP2 pub/sub of a sentinel client go to the primary too', async () => {
  const client = createClient({
    sentinel: { sentinels: d.sentinels, name: d.name, username: 'default', password: 'any' },
    protocol: 2,
    ...noHealth,
  });
  const copy = client.duplicate();
  try {
    await client.connect();
    assert.equal(copy.options.sentinel?.name, d.name);
    assert.equal(copy.options.sentinel?.password, 'any');
    await copy.connect();
    assert.equal(((await copy.call('ROLE')) as unknown[])[0], 'master');
    const popped = client.blpop('sentinel:q', 5);
    await sleep(50);
    await copy.rpush('sentinel:q', 'x');
    assert.deepEqual(await popped, { key: 'sentinel:q', element: 'x' });
    let resolveGot: (m: string) => void = () => {};
    const got = new Promise<string>((resolve) => (resolveGot = resolve));
    // subscribe() resolves once the server confirmed it: publishing after a sleep instead lost the
    // message on a loaded machine (the subscription was not there yet) and the test hung.
    await client.subscribe('sentinel:ch', (m) => resolveGot(String(m)));
    assert.equal(await copy.publish('sentinel:ch', 'hello'), 1);
    assert.equal(await got, 'hello');
  } finally {
    await Promise.all([client.close(), copy.close()]);
  }
});

test("role 'replica': the client reads from a replica that is up, and a write there is refused as READONLY", async () => {
  await (await d.primary()).cli('SET', 'on-primary', '1');
  const client = createClient({ sentinel: { sentinels: d.sentinels, name: d.name, role: 'replica' }, ...noHealth });
  try {
    await client.connect();
    const role = (await client.call('ROLE')) as unknown[];
    assert.equal(role[0], 'slave');
    // Replication is asynchronous: the write may need a moment to arrive.
    let seen: string | null = null;
    for (let i = 0; i < 200 && seen !== '1'; i++) {
      seen = await client.get('on-primary');
      if (seen !== '1') await sleep(10);
    }
    assert.equal(seen, '1');
    await assert.rejects(client.set('x', '1'), /READONLY/);
  } finally {
    await client.close();
  }
});

test('an unknown master name rejects connect() at once, naming the masters the sentinels know', async () => {
  // A typo in the master name, the most likely way to get here.
  const client = createClient({ sentinel: { sentinels: d.sentinels, name: 'mymastr' } });
  const t0 = performance.now();
  const err = await client.connect().then(
    () => assert.fail('connect() resolved'),
    (e: unknown) => e,
  );
  const ms = performance.now() - t0;
  console.log(`# unknown master name: connect() rejected after ${ms.toFixed(0)} ms`);
  assert.ok(err instanceof ConnectionError);
  assert.equal(err.code, 'ESENTINELMASTER');
  assert.equal(err.kind, 'handshake');
  assert.match(err.message, /no sentinel monitors a master named 'mymastr'/);
  assert.match(err.message, /they monitor: 'mymaster'/);
  assert.equal(client.state, 'failed');
});

test('credentials the sentinels refuse reject connect() at once as an auth failure of the sentinel', async () => {
  const secret = 'sentinel-pw-Zq9';
  // An ACL user on every sentinel (the harness's own redis-cli keeps the password-less default).
  for (const s of d.sentinelServers)
    assert.equal(await s.cli('ACL', 'SETUSER', 'app', 'on', '>right-one', '+@all'), 'OK');
  const client = createClient({
    sentinel: { sentinels: d.sentinels, name: d.name, username: 'app', password: secret },
  });
  const err = await client.connect().then(
    () => assert.fail('connect() resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConnectionError);
  assert.equal(err.kind, 'auth');
  assert.equal(err.code, 'EAUTH');
  assert.match(err.message, /sentinel/);
  assert.match(err.message, /sentinel\.password/);
  assert.ok(!err.message.includes(secret));
  assert.equal(client.state, 'failed');
  // The right password works: sentinel credentials are separate from the data nodes' (none here).
  const ok = createClient({
    sentinel: { sentinels: d.sentinels, name: d.name, username: 'app', password: 'right-one' },
  });
  await ok.connect();
  await ok.close();
});

test('no sentinel reachable: retried until the initial deadline, then rejected naming each sentinel and why', async () => {
  const dead = [
    { host: '127.0.0.1', port: await freePort() },
    { host: '127.0.0.1', port: await freePort() },
  ];
  const client = createClient({
    sentinel: { sentinels: dead, name: 'mymaster' },
    reconnect: { initialTimeoutMs: 1000 },
  });
  let attempts = 0;
  client.on('reconnecting', () => attempts++);
  const t0 = performance.now();
  const err = await client.connect().then(
    () => assert.fail('connect() resolved'),
    (e: unknown) => e,
  );
  const ms = performance.now() - t0;
  assert.ok(err instanceof ConnectionError);
  assert.equal(err.kind, 'network');
  assert.equal(err.code, 'ESENTINELUNREACHABLE');
  // The last attempt is made at the deadline (it used to give up a backoff before it: ~700-980 ms).
  assert.ok(ms >= 990, `rejected at the 1000 ms deadline, not before: ${ms.toFixed(0)} ms`);
  assert.ok(attempts >= 1, 'retried before giving up');
  assert.match(err.message, /reconnect\.initialTimeoutMs/);
  for (const s of dead) assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${s.port}: nothing accepts connections`));
});

test('the configured sentinel dies after the client learned the others: reconnects still find the primary', async () => {
  const only = d.sentinelServers[0];
  const client = createClient({ sentinel: { sentinels: [{ host: only.host, port: only.port }], name: d.name } });
  try {
    await client.connect();
    await only.kill();
    // Drop the client's connection on the primary: the next attempt must ask a learned sentinel.
    const primary = await d.primary();
    await primary.cli('CLIENT', 'KILL', 'TYPE', 'normal');
    assert.equal(await client.incr('after-configured-sentinel-died'), 1);
    assert.equal(client.state, 'ready');
  } finally {
    await client.close();
    await d.restart(only);
  }
});

test('primary SIGKILL under an INCR load: the client follows the new primary; every promise settles, 0 duplicates, 0 lost acknowledgements', async () => {
  const KEY = 'sentinel:counter';
  const WORKERS = 20;
  const client = createClient({ sentinel: { sentinels: d.sentinels, name: d.name } });
  const readyAfter: number[] = [];
  client.on('ready', () => readyAfter.push(performance.now()));
  await client.connect();
  await client.del(KEY);
  let resolved = 0;
  let maybe = 0;
  let notRun = 0;
  // The longest time without an acknowledged INCR: how long writes stalled.
  let lastOk = 0;
  let stall = 0;
  let switched = false;
  let okAfterSwitch = false;
  let running = true;
  const worker = async () => {
    while (running) {
      try {
        await client.incr(KEY);
        resolved++;
        const now = performance.now();
        if (lastOk > 0) stall = Math.max(stall, now - lastOk);
        lastOk = now;
        if (switched) okAfterSwitch = true;
      } catch (err) {
        if (err instanceof ConnectionLostError && err.maybeExecuted) maybe++;
        else if (err instanceof RomaineError && (err as { maybeExecuted?: boolean }).maybeExecuted === true) maybe++;
        else if (err instanceof RomaineError) notRun++;
        else throw err;
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, worker);
  try {
    await sleep(300);
    // replicated: only what the client did is counted (async replication may drop the last acknowledged writes of a SIGKILLed primary).
    const sw = await d.killPrimary({ replicated: true });
    switched = true;
    await waitFor('writes to succeed on the new primary', () => okAfterSwitch, 30_000);
    await sleep(200);
    running = false;
    await Promise.all(workers);
    const value = Number(await sw.newPrimary.cli('GET', KEY));
    const lost = Math.max(0, resolved - value);
    const duplicates = Math.max(0, value - resolved - maybe);
    console.log(
      `# primary SIGKILL: sentinels switched after ${sw.switchedMs} ms; writes stalled ${stall.toFixed(0)} ms; ` +
        `${resolved} acknowledged, ${maybe} maybe-executed, ${notRun} not run, counter ${value}: ${lost} lost acknowledgements, ${duplicates} duplicates`,
    );
    assert.equal(duplicates, 0);
    assert.equal(lost, 0);
    assert.equal(client.server?.role, 'master');
    assert.ok(readyAfter.length >= 2, 'the client reconnected');
    assert.equal(await client.incr(KEY), value + 1);
    await d.restart(sw.oldPrimary);
  } finally {
    running = false;
    await client.close();
  }
});
