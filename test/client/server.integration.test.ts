import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

for (const protocol of [3, 2] as const) {
  describe(`server and connection commands over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client), { client: { clientName: 'main' } });

    test('ping / echo / dbsize / flushdb / time / lastsave', async () => {
      assert.equal(same(await c.ping()), 'PONG');
      assert.equal(same(await c.ping('hi')), 'hi');
      assert.equal(same(await c.echo('hello')), 'hello');
      await c.set('srv:a', '1');
      assert.equal(same(await c.dbsize()), 1);
      assert.equal(same(await c.flushdb('SYNC')), 'OK');
      assert.equal(same(await c.dbsize()), 0);
      const [seconds, micros] = await c.time();
      assert.ok(Math.abs(seconds - Date.now() / 1000) < 60);
      assert.ok(micros >= 0 && micros < 1_000_000);
      assert.equal(typeof (await c.lastsave()), 'number');
    });

    test('info: sections of fields, numbers where numeric; infoRaw: the text', async () => {
      const info = await c.info();
      assert.equal(same(info.server.redis_version), c.server?.version);
      assert.equal(same(info.server.tcp_port), resp.server.port);
      assert.equal(typeof info.server.uptime_in_seconds, 'number');
      assert.equal(same(info.server.redis_mode), 'standalone');
      assert.equal(typeof info.memory.used_memory, 'number');
      assert.equal(typeof info.memory.mem_fragmentation_ratio, 'number');
      assert.equal(same(info.replication.role), 'master');
      const only = await c.info('server', 'clients');
      assert.deepEqual(same(Object.keys(only)), ['server', 'clients']);
      const raw = await c.infoRaw('server');
      assert.match(raw, /^# Server\r\n/);
      assert.match(raw, /\r\nredis_version:\d/);
      const buffers = await c.buffers.info('server');
      assert.deepEqual(buffers.server.redis_version, Buffer.from(c.server!.version));
      assert.equal(buffers.server.tcp_port, resp.server.port);
    });

    test('select / swapdb / flushall', async () => {
      const other = c.duplicate({ database: 10 + protocol });
      try {
        await other.set('srv:here', 'x');
        assert.equal(same(await other.select(12 + protocol)), 'OK');
        assert.equal(await other.get('srv:here'), null);
        assert.equal(same(await other.swapdb(10 + protocol, 12 + protocol)), 'OK');
        assert.equal(same(await other.get('srv:here')), 'x');
      } finally {
        await other.close();
      }
      assert.equal(same(await c.flushall()), 'OK');
    });

    test('config get / set; command count; memory usage', async () => {
      assert.deepEqual(same(await c.configGet('maxmemory-policy')), { 'maxmemory-policy': 'noeviction' });
      assert.equal(same(await c.configSet('maxmemory-policy', 'allkeys-lru')), 'OK');
      assert.equal(same(await c.configSet({ 'maxmemory-policy': 'noeviction', 'slowlog-max-len': 200 })), 'OK');
      assert.deepEqual(same(await c.configGet('maxmemory-policy', 'slowlog-max-len')), {
        'maxmemory-policy': 'noeviction',
        'slowlog-max-len': '200',
      });
      assert.deepEqual(same(await c.configGet('no-such-parameter')), {});
      assert.equal(same(await c.configResetstat()), 'OK');
      assert.ok((await c.commandCount()) > 100);
      await c.set('srv:m', 'x'.repeat(100));
      assert.ok((await c.memoryUsage('srv:m'))! > 100);
      assert.ok((await c.memoryUsage('srv:m', { SAMPLES: 0 }))! > 100);
      assert.equal(same(await c.memoryUsage('srv:none')), null);
    });

    test('client id / info / list / getname / setname / no-evict / pause', async () => {
      const myId = await c.clientId();
      assert.equal(typeof myId, 'number');
      const me = await c.clientInfo();
      assert.equal(me.id, myId);
      assert.equal(same(me.name), 'main');
      assert.equal(me.db, protocol);
      assert.equal(me.resp, protocol);
      assert.match(me.addr, /^127\.0\.0\.1:\d+$/);
      const list = await c.clientList();
      assert.ok(list.some((entry) => entry.id === myId && entry.name === 'main'));
      assert.ok(list.every((entry) => typeof entry.id === 'number' && typeof entry.flags === 'string'));
      assert.deepEqual(same((await c.clientList({ ID: [myId] })).map((e) => e.name)), ['main']);
      assert.ok((await c.clientList({ TYPE: 'normal' })).length >= 1);
      assert.equal(same(await c.clientGetname()), 'main');
      assert.equal(same(await c.clientNoEvict(true)), 'OK');
      assert.equal(same(await c.clientNoEvict(false)), 'OK');
      assert.equal(same(await c.clientPause(20, 'WRITE')), 'OK');
      assert.equal(same(await c.clientUnpause()), 'OK');
      const [bufferMe] = await c.buffers.clientList({ ID: [myId] });
      assert.deepEqual(bufferMe.name, Buffer.from('main'));
      assert.equal(bufferMe.id, myId);
    });

    test('client setname on a separate connection; client kill with filters', async () => {
      const victim = c.duplicate({ reconnect: false, clientName: undefined });
      try {
        await victim.connect();
        assert.equal(same(await victim.clientSetname('victim')), 'OK');
        assert.equal(same(await victim.clientGetname()), 'victim');
        const id = await victim.clientId();
        assert.equal(same(await c.clientKill({ ID: id, TYPE: 'pubsub' })), 0); // filters combine with AND
        assert.equal(same(await c.clientKill({ ID: id, SKIPME: true })), 1);
        assert.equal(same(await c.clientKill({ ID: id })), 0);
      } finally {
        victim.destroy();
      }
    });

    test("wait runs on the caller's own connection, after its writes, and is allowed its timeout", async () => {
      assert.equal(same(await c.wait(0, 100)), 0);
      // WAIT counts the writes of the connection that sends it, so it must not move elsewhere:
      // the SET before it and the GET after it go in order on the same connection.
      const order: string[] = [];
      const set = c.set('wait:k', 'v').then(() => order.push('set'));
      const waiting = c.wait(1, 300).then((n) => (order.push('wait'), n));
      const get = c.get('wait:k').then((v) => (order.push('get'), v));
      assert.equal(same(await waiting), 0, 'no replica acknowledged within the timeout');
      await Promise.all([set, get]);
      assert.deepEqual(order, ['set', 'wait', 'get']);
    });
  });
}

resp.compare();
