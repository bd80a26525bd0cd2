// Pub/Sub against real servers, on RESP3 (subscriptions on the client's own connection, push
// frames) and RESP2 (subscriptions on a subscriber connection of their own): delivery, the main
// connection staying usable, unsubscribing, and surviving CLIENT KILL and server restarts.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ClientClosedError,
  CommandTimeoutError,
  InvalidArgumentError,
  createClient,
  type RedisClient,
} from '../../src/index';
import type { ResubscribedEvent } from '../../src/index';
import { RedisServer, sleep, waitFor } from '../support';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };
let shared: RedisServer;
let admin: RedisClient;

before(async () => {
  shared = await RedisServer.start();
  admin = createClient({ host: shared.host, port: shared.port });
});
after(async () => {
  admin?.destroy();
  await shared?.destroy();
});

function collector(): { got: string[]; listener: (message: string, channel: string, pattern?: string) => void } {
  const got: string[] = [];
  return { got, listener: (message, channel, pattern) => got.push(`${pattern ?? ''}|${channel}:${message}`) };
}

/** The last 'resubscribed' event. */
function latest(client: RedisClient): { get(): ResubscribedEvent | undefined; reset(): void } {
  let last: ResubscribedEvent | undefined;
  client.on('resubscribed', (e) => (last = e));
  return { get: () => last, reset: () => (last = undefined) };
}

async function numsub(client: RedisClient, ...channels: string[]): Promise<number[]> {
  const reply = (await client.call('PUBSUB', 'NUMSUB', ...channels)) as unknown[] | Record<string, number>;
  if (Array.isArray(reply)) return channels.map((_, i) => Number(reply[2 * i + 1]));
  return channels.map((c) => Number(reply[c]));
}

for (const protocol of [3, 2] as const) {
  describe(`pub/sub on RESP${protocol}`, () => {
    test('subscribe, psubscribe and ssubscribe deliver; the client keeps running commands; unsubscribe stops delivery', async () => {
      const client = createClient({ host: shared.host, port: shared.port, protocol, reconnect: fast });
      const { got, listener } = collector();
      try {
        await client.subscribe(['t1:a', 't1:b'], listener);
        await client.psubscribe('t1:news.*', listener);
        await client.ssubscribe('t1:shard', listener);
        assert.equal(client.subscriptionCount, 4);
        // The client's own connection still answers ordinary commands.
        assert.equal(await client.set('t1:k', 'v'), 'OK');
        assert.equal(await client.get('t1:k'), 'v');
        assert.equal(await client.publish('t1:a', 'one'), 1);
        assert.equal(await client.publish('t1:news.tech', 'two'), 1);
        assert.equal(await client.spublish('t1:shard', 'three'), 1);
        await waitFor('three messages', () => got.length === 3);
        assert.deepEqual(got, ['|t1:a:one', 't1:news.*|t1:news.tech:two', '|t1:shard:three']);
        assert.deepEqual(await numsub(admin, 't1:a', 't1:b'), [1, 1]);

        await client.unsubscribe('t1:a');
        assert.equal(await client.publish('t1:a', 'not delivered'), 0);
        assert.deepEqual(await numsub(admin, 't1:a', 't1:b'), [0, 1]);
        await client.unsubscribe(); // every channel
        await client.punsubscribe();
        await client.sunsubscribe();
        assert.equal(client.subscriptionCount, 0);
        assert.equal(await client.publish('t1:b', 'x'), 0);
        assert.equal(await client.publish('t1:news.x', 'x'), 0);
        assert.equal(await client.get('t1:k'), 'v');
        await sleep(20);
        assert.equal(got.length, 3, 'nothing delivered after unsubscribing');
      } finally {
        await client.close();
      }
    });

    test('listeners: two on one channel, removing one keeps the other; the last one unsubscribes', async () => {
      const client = createClient({ host: shared.host, port: shared.port, protocol, reconnect: fast });
      const first = collector();
      const second = collector();
      try {
        await client.subscribe('t2:c', first.listener);
        await client.subscribe('t2:c', second.listener); // already subscribed: no new SUBSCRIBE needed
        assert.equal(await client.publish('t2:c', 'both'), 1, 'one connection subscribed, two listeners');
        await waitFor('both listeners', () => first.got.length === 1 && second.got.length === 1);
        await client.unsubscribe('t2:c', first.listener);
        assert.equal(await client.publish('t2:c', 'second only'), 1);
        await waitFor('the second listener', () => second.got.length === 2);
        assert.equal(first.got.length, 1);
        await client.unsubscribe('t2:c', second.listener);
        assert.equal(await client.publish('t2:c', 'nobody'), 0);
      } finally {
        await client.close();
      }
    });

    test("'resubscribed' says reconnected: false on the first connection (subscribe() before connect()) and true after a reconnect", async () => {
      // The docs suggest the event as a gap detector: only a reconnect can have lost messages.
      const client = createClient({ host: shared.host, port: shared.port, protocol, reconnect: fast });
      const events: ResubscribedEvent[] = [];
      client.on('resubscribed', (e) => events.push(e));
      try {
        const subscribed = client.subscribe('t3r:a', () => undefined);
        await client.connect();
        await subscribed;
        await waitFor('the first restore', () => events.length === 1);
        assert.equal((events[0] as unknown as { reconnected?: unknown }).reconnected, false);
        await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
        await waitFor('resubscription after CLIENT KILL', () => events.length === 2);
        assert.equal(events[1].reconnected, true);
        assert.deepEqual(events[1].channels, ['t3r:a']);
      } finally {
        await client.close();
      }
    });

    test('CLIENT KILL of the subscribed connection: resubscribed (before ready), and a message published after recovery arrives', async () => {
      const client = createClient({ host: shared.host, port: shared.port, protocol, reconnect: fast });
      const { got, listener } = collector();
      const order: string[] = [];
      const events: ResubscribedEvent[] = [];
      client.on('resubscribed', (e) => {
        events.push(e);
        order.push('resubscribed');
      });
      client.on('ready', (e) => order.push(`ready:${e.reconnected}`));
      try {
        await client.subscribe(['t3:a', 't3:b'], listener);
        await client.psubscribe('t3:p.*', listener);
        events.length = 0;
        order.length = 0;
        const killed = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
        assert.ok(killed >= 1, `killed ${killed}`);
        await waitFor('resubscription', () => events.length === 1);
        assert.deepEqual(events[0].channels.sort(), ['t3:a', 't3:b']);
        assert.deepEqual(events[0].patterns, ['t3:p.*']);
        assert.deepEqual(events[0].failed, []);
        if (protocol === 3) {
          // The subscriptions live on the client's connection: restored before it reports ready.
          await waitFor('ready', () => order.includes('ready:true'));
          assert.deepEqual(order, ['resubscribed', 'ready:true']);
        }
        assert.equal(await admin.publish('t3:b', 'after'), 1);
        assert.equal(await admin.publish('t3:p.1', 'pattern after'), 1);
        await waitFor('the messages published after recovery', () => got.length === 2);
        assert.deepEqual(got, ['|t3:b:after', 't3:p.*|t3:p.1:pattern after']);
      } finally {
        await client.close();
      }
    });

    test('server restart: every subscription comes back and a message published after recovery arrives', async () => {
      const server = await RedisServer.start();
      const client = createClient({ host: server.host, port: server.port, protocol, reconnect: fast });
      const { got, listener } = collector();
      const resubscribed = latest(client);
      try {
        await client.subscribe('t4:a', listener);
        await client.ssubscribe('t4:s', listener);
        resubscribed.reset();
        await server.stop();
        await sleep(100);
        await server.restart();
        await waitFor('resubscription after the restart', () => resubscribed.get() !== undefined, 15_000);
        assert.deepEqual(resubscribed.get()?.channels, ['t4:a']);
        assert.deepEqual(resubscribed.get()?.shardChannels, ['t4:s']);
        const publisher = createClient({ host: server.host, port: server.port });
        assert.equal(await publisher.publish('t4:a', 'back'), 1);
        assert.equal(await publisher.spublish('t4:s', 'shard back'), 1);
        publisher.destroy();
        await waitFor('the messages', () => got.length === 2);
        assert.deepEqual(got, ['|t4:a:back', '|t4:s:shard back']);
      } finally {
        client.destroy();
        await server.destroy();
      }
    });

    test('during an outage: an unsubscribe is honoured and a new subscribe made, both after recovery', async () => {
      const server = await RedisServer.start();
      const client = createClient({ host: server.host, port: server.port, protocol, reconnect: fast });
      const { got, listener } = collector();
      const resubscribed = latest(client);
      try {
        await client.subscribe(['t5:stay', 't5:gone'], listener);
        resubscribed.reset();
        const failures: unknown[] = [];
        client.on('error', (e) => failures.push(e)); // also the subscriber connection's, on RESP2
        await server.stop();
        await waitFor('the client to notice the outage', () => failures.length > 0);
        await client.unsubscribe('t5:gone'); // nothing to tell a server that is not there: resolves now
        const subscribed = client.subscribe('t5:new', listener); // settles once restored
        await sleep(50);
        await server.restart();
        await subscribed;
        assert.deepEqual(resubscribed.get()?.channels.sort(), ['t5:new', 't5:stay']);
        const publisher = createClient({ host: server.host, port: server.port });
        try {
          assert.deepEqual(await numsub(publisher, 't5:stay', 't5:gone', 't5:new'), [1, 0, 1]);
          assert.equal(await publisher.publish('t5:gone', 'nobody'), 0);
          assert.equal(await publisher.publish('t5:new', 'hello'), 1);
          assert.equal(await publisher.publish('t5:stay', 'still'), 1);
        } finally {
          publisher.destroy();
        }
        await waitFor('two messages', () => got.length === 2);
        assert.deepEqual(got, ['|t5:new:hello', '|t5:stay:still']);
      } finally {
        client.destroy();
        await server.destroy();
      }
    });

    test('10,000 channels restore in bounded round trips (batches of 1000 channels per SUBSCRIBE)', async () => {
      const server = await RedisServer.start();
      const client = createClient({ host: server.host, port: server.port, protocol, reconnect: fast });
      const serverAdmin = createClient({ host: server.host, port: server.port });
      const channels = Array.from({ length: 10_000 }, (_, i) => `t6:channel:${i}`);
      const { got, listener } = collector();
      const resubscribed = latest(client);
      try {
        let t = performance.now();
        await client.subscribe(channels, listener);
        const subscribeMs = performance.now() - t;
        resubscribed.reset();
        await serverAdmin.call('CONFIG', 'RESETSTAT');
        t = performance.now();
        assert.ok(Number(await serverAdmin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')) >= 1);
        await waitFor('resubscription', () => resubscribed.get() !== undefined, 20_000);
        const wallMs = performance.now() - t;
        assert.equal(resubscribed.get()?.channels.length, 10_000);
        const stats = String(await serverAdmin.call('INFO', 'commandstats'));
        const calls = Number(/cmdstat_subscribe:calls=(\d+)/.exec(stats)?.[1]);
        assert.equal(calls, 10, `SUBSCRIBE commands used for the restore: ${calls}`);
        assert.equal(await serverAdmin.publish('t6:channel:9999', 'last'), 1);
        await waitFor('the message', () => got.length === 1);
        console.log(
          `# RESP${protocol}: 10,000 channels: first subscribe ${subscribeMs.toFixed(0)} ms; after CLIENT KILL, ` +
            `resubscribed in ${resubscribed.get()?.durationMs.toFixed(1)} ms (first SUBSCRIBE written to last confirmation), ` +
            `${wallMs.toFixed(0)} ms from the kill to the event, ${calls} SUBSCRIBE commands`,
        );
      } finally {
        client.destroy();
        serverAdmin.destroy();
        await server.destroy();
      }
    });

    test('a channel the server refuses after an ACL change is dropped and reported; the rest of its batch is restored', async () => {
      const user = `t10user${protocol}`;
      await admin.call('ACL', 'SETUSER', user, 'on', '>pw', 'allchannels', '~*', '+@all');
      const client = createClient({
        host: shared.host,
        port: shared.port,
        username: user,
        password: 'pw',
        protocol,
        reconnect: fast,
      });
      const { got, listener } = collector();
      const resubscribed = latest(client);
      try {
        await client.subscribe([`t10:ok:${protocol}:1`, `t10:secret:${protocol}`, `t10:ok:${protocol}:2`], listener);
        resubscribed.reset();
        // Channels allowed from now on: t10:ok:* only. The server drops our subscribed connection.
        await admin.call('ACL', 'SETUSER', user, 'resetchannels', '&t10:ok:*');
        await admin.call('CLIENT', 'KILL', 'USER', user).catch(() => undefined);
        await waitFor('resubscription', () => resubscribed.get() !== undefined);
        const event = resubscribed.get() as ResubscribedEvent;
        assert.deepEqual(event.channels.sort(), [`t10:ok:${protocol}:1`, `t10:ok:${protocol}:2`]);
        assert.deepEqual(
          event.failed.map((f) => [f.kind, f.name, f.error.code]),
          [['channels', `t10:secret:${protocol}`, 'NOPERM']],
        );
        assert.equal(client.subscriptionCount, 2);
        assert.equal(await admin.publish(`t10:ok:${protocol}:2`, 'still here'), 1);
        await waitFor('the message', () => got.length === 1);
        assert.equal(await admin.publish(`t10:secret:${protocol}`, 'x'), 0);
      } finally {
        client.destroy();
        await admin.call('ACL', 'DELUSER', user);
      }
    });

    test('commandTimeoutMs bounds a subscribe made during an outage; the subscription stays and is restored', async () => {
      const server = await RedisServer.start();
      const client = createClient({
        host: server.host,
        port: server.port,
        protocol,
        reconnect: fast,
        commandTimeoutMs: 200,
      });
      const { got, listener } = collector();
      const resubscribed = latest(client);
      const failures: unknown[] = [];
      client.on('error', (e) => failures.push(e));
      try {
        await client.subscribe('t11:a', listener);
        await server.stop();
        await waitFor('the client to notice the outage', () => failures.length > 0);
        resubscribed.reset();
        await assert.rejects(client.subscribe('t11:b', listener), CommandTimeoutError);
        assert.equal(client.subscriptionCount, 2, 'still registered');
        await server.restart();
        await waitFor('resubscription', () => resubscribed.get() !== undefined, 15_000);
        assert.deepEqual(resubscribed.get()?.channels.sort(), ['t11:a', 't11:b']);
        const publisher = createClient({ host: server.host, port: server.port });
        assert.equal(await publisher.publish('t11:b', 'late but there'), 1);
        publisher.destroy();
        await waitFor('the message', () => got.length === 1);
      } finally {
        client.destroy();
        await server.destroy();
      }
    });

    test('a subscription made while idle connects; after close() subscribing is refused', async () => {
      const client = createClient({ host: shared.host, port: shared.port, protocol, reconnect: fast });
      const { got, listener } = collector();
      await client.subscribe('t7:a', listener);
      assert.equal(await admin.publish('t7:a', 'm'), 1);
      await waitFor('the message', () => got.length === 1);
      await client.close();
      await assert.rejects(client.subscribe('t7:b', listener), ClientClosedError);
      assert.equal(client.subscriptionCount, 0);
      await client.unsubscribe('t7:a'); // nothing left: resolves
    });
  });
}

describe('pub/sub: guard rails', () => {
  test('call("SUBSCRIBE") is refused (confirmations are not replies); bad arguments reject', async () => {
    const client = createClient({ host: shared.host, port: shared.port });
    try {
      await assert.rejects(client.call('SUBSCRIBE', 'x'), InvalidArgumentError);
      await assert.rejects(client.call('punsubscribe'), InvalidArgumentError);
      await assert.rejects(
        client.subscribe([], () => undefined),
        InvalidArgumentError,
      );
      await assert.rejects(client.subscribe('x', undefined as never), InvalidArgumentError);
      assert.equal(await client.ping(), 'PONG');
    } finally {
      await client.close();
    }
  });

  test('RESP3: subscribe and unsubscribe interleaved with 2,000 commands keep every reply with its command', async () => {
    const client = createClient({ host: shared.host, port: shared.port });
    try {
      await client.set('t8:k', 'v');
      const ops: Promise<unknown>[] = [];
      const gets: Promise<string | null>[] = [];
      for (let i = 0; i < 2000; i++) {
        gets.push(client.get('t8:k'));
        if (i % 100 === 0) ops.push(client.subscribe([`t8:c${i}`, `t8:d${i}`], () => undefined));
        if (i % 100 === 50) ops.push(client.unsubscribe(`t8:c${i - 50}`));
        if (i % 250 === 0) ops.push(client.publish(`t8:d${i - (i % 100)}`, 'x'));
      }
      await Promise.all(ops);
      assert.deepEqual(new Set(await Promise.all(gets)), new Set(['v']));
      assert.equal(client.subscriptionCount, 20);
      assert.equal(await client.echo('still in step'), 'still in step');
    } finally {
      await client.close();
    }
  });

  test('a listener that throws does not stop the others or the connection', async () => {
    const client = createClient({ host: shared.host, port: shared.port });
    const got: string[] = [];
    const thrown: unknown[] = [];
    const onUncaught = (err: unknown) => thrown.push(err);
    const previous = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      await client.subscribe('t9:a', () => {
        throw new Error('listener bug');
      });
      await client.subscribe('t9:a', (m) => got.push(m));
      await admin.publish('t9:a', 'one');
      await waitFor('the second listener', () => got.length === 1);
      await waitFor('the error, rethrown on its own', () => thrown.length === 1);
      assert.equal(await client.get('t9:missing'), null);
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const l of previous) process.on('uncaughtException', l);
      await client.close();
    }
  });
});
