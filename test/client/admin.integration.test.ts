// The admin and introspection commands typed for the whole command surface (ROLE, SLOWLOG,
// LATENCY, MEMORY, MODULE, COMMAND, PUBSUB, ACL, CLIENT TRACKINGINFO/GETREDIR/UNBLOCK, FUNCTION
// DUMP/RESTORE/STATS, XSETID), under RESP3 and RESP2 with the same typed results.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

for (const protocol of [3, 2] as const) {
  describe(`admin and introspection commands over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client));

    test('role, slowlog, latency, memory, modules', async () => {
      const role = await c.role();
      assert.equal(same(role.role), 'master');
      if (role.role === 'master') assert.deepEqual(same(role.replicas), []);
      await c.configSet('slowlog-log-slower-than', '0');
      await c.set('admin:slow', '1');
      const slow = await c.slowlogGet(5);
      assert.ok(slow.length > 0);
      assert.equal(typeof slow[0].durationMicros, 'number');
      assert.ok(Array.isArray(slow[0].args));
      assert.equal(typeof (await c.slowlogLen()), 'number');
      assert.equal(await c.slowlogReset(), 'OK');
      await c.configSet('slowlog-log-slower-than', '10000');
      assert.ok(Array.isArray(await c.latencyLatest()));
      assert.deepEqual(same(await c.latencyHistory('command')), []);
      const histogram = await c.latencyHistogram('set');
      assert.equal(typeof histogram.set.calls, 'number');
      assert.equal(typeof Object.values(histogram.set.histogramUsec)[0], 'number');
      assert.equal(typeof (await c.latencyDoctor()), 'string');
      const stats = await c.memoryStats();
      assert.equal(typeof stats['peak.allocated'], 'number');
      assert.equal(typeof stats['dataset.percentage'], 'number');
      assert.equal(typeof (await c.memoryDoctor()), 'string');
      assert.equal(same(await c.memoryPurge()), 'OK');
      assert.deepEqual(same(await c.moduleList()), []);
      // The other protocol's run shares this server: its background save may still be running.
      while (/rdb_bgsave_in_progress:1/.test(String(await c.call('INFO', 'persistence'))))
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(same(await c.bgsave({ SCHEDULE: true })).startsWith('Background saving'), true);
    });

    test('command info, docs, list, getkeys', async () => {
      const [get, none] = await c.commandInfo('get', 'no-such-command');
      assert.equal(same(get?.name), 'get');
      assert.equal(same(get?.arity), 2);
      assert.ok(get?.flags.includes('readonly'));
      assert.deepEqual(same(get?.aclCategories), ['@read', '@string', '@fast']);
      assert.equal(same(get?.keySpecs[0].beginSearch.type), 'index');
      assert.equal(none, null);
      const [dbsize] = await c.commandInfo('dbsize');
      assert.ok(same(dbsize?.tips ?? []).includes('request_policy:all_shards'));
      const docs = await c.commandDocs('zrangebyscore', 'client');
      assert.equal(same(docs.zrangebyscore.docFlags?.includes('deprecated')), true);
      assert.match(same(docs.zrangebyscore.replacedBy) ?? '', /ZRANGE/);
      assert.equal(same(docs.client.subcommands?.['client|list'].group), 'connection');
      assert.equal(same(docs.zrangebyscore.arguments?.[0].name), 'key');
      const names = await c.commandList({ PATTERN: 'zrange*' });
      assert.deepEqual(same(names.sort()), ['zrange', 'zrangebylex', 'zrangebyscore', 'zrangestore']);
      assert.deepEqual(same(await c.commandGetkeys('mset', 'a', '1', 'b', '2')), ['a', 'b']);
      assert.deepEqual(same(await c.commandGetkeysandflags('set', 'k', 'v')), [{ key: 'k', flags: ['OW', 'update'] }]);
    });

    test('pubsub channels, numsub, numpat, shard channels', async () => {
      const sub = c.duplicate();
      try {
        await sub.subscribe(`admin:ch${protocol}`, () => undefined);
        await sub.ssubscribe(`admin:sh${protocol}`, () => undefined);
        assert.ok((await c.pubsubChannels('admin:*')).includes(`admin:ch${protocol}`));
        assert.deepEqual(await c.pubsubNumsub(`admin:ch${protocol}`, 'admin:none'), {
          [`admin:ch${protocol}`]: 1,
          'admin:none': 0,
        });
        assert.equal(typeof (await c.pubsubNumpat()), 'number');
        assert.ok((await c.pubsubShardchannels()).includes(`admin:sh${protocol}`));
        assert.deepEqual(await c.pubsubShardnumsub(`admin:sh${protocol}`), { [`admin:sh${protocol}`]: 1 });
      } finally {
        await sub.close();
      }
    });

    test('acl users, getuser, dryrun, log', async () => {
      const user = `admin-user-${protocol}`;
      assert.equal(await c.aclSetuser(user, 'on', '>secret-pass', '~app:*', '+get'), 'OK');
      assert.ok((await c.aclUsers()).includes(user));
      const info = await c.aclGetuser(user);
      assert.ok(info?.flags.includes('on'));
      assert.equal(info?.passwords.length, 1);
      assert.notEqual(info?.passwords[0], 'secret-pass');
      assert.equal(info?.keys, '~app:*');
      assert.equal(await c.aclGetuser('admin-nobody'), null);
      assert.equal(same(await c.aclDryrun(user, 'get', 'app:1')), 'OK');
      assert.match(await c.aclDryrun(user, 'set', 'app:1', 'v'), /no permissions/);
      assert.equal(same(await c.aclWhoami()), 'default');
      assert.equal(same((await c.aclGenpass(128)).length), 32);
      assert.ok((await c.aclCat()).includes('read'));
      assert.ok(Array.isArray(await c.aclLog(1)));
      assert.equal(await c.aclDeluser(user), 1);
    });

    test('client trackinginfo, getredir, unblock', async () => {
      const info = await c.clientTrackinginfo();
      assert.deepEqual(same(info), { flags: ['off'], redirect: -1, prefixes: [] });
      assert.equal(same(await c.clientGetredir()), -1);
      let id: number | undefined;
      const waiting = c.isolated(async (conn) => {
        id = await conn.clientId();
        return conn.blpop(`admin:empty${protocol}`, 0);
      });
      let unblocked = false;
      for (let i = 0; i < 400 && !unblocked; i++) {
        if (id !== undefined) unblocked = await c.clientUnblock(id);
        if (!unblocked) await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(unblocked, true);
      assert.equal(await waiting, null);
      assert.equal(same(await c.clientUnblock(id!)), false);
    });

    test('function dump / restore / stats, script kill, xsetid', async () => {
      await c.functionFlush();
      await c.functionLoad("#!lua name=adminlib\nredis.register_function('adminf', function() return 1 end)");
      const dump = await c.functionDump();
      assert.ok(Buffer.isBuffer(dump));
      await c.functionFlush();
      assert.equal(await c.functionRestore(dump), 'OK');
      assert.equal((await c.functionList())[0].libraryName, 'adminlib');
      const stats = await c.functionStats();
      assert.deepEqual(same(stats), {
        runningScript: null,
        engines: { LUA: { librariesCount: 1, functionsCount: 1 } },
      });
      await assert.rejects(c.scriptKill(), /NOTBUSY/);
      await assert.rejects(c.functionKill(), /NOTBUSY/);
      await c.xadd(`admin:s`, '*', { a: '1' });
      assert.equal(same(await c.xsetid('admin:s', '9999999999999-0')), 'OK');
      assert.equal(same((await c.xinfoStream('admin:s')).lastGeneratedId), '9999999999999-0');
      await c.functionFlush();
    });
  });
}

resp.compare();
