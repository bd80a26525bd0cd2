import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, type RedisClient } from '../../src/index';
import { defineScript } from '../../src/client/scripts';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

const LIBRARY = `#!lua name=mylib
redis.register_function('knock', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)
redis.register_function{function_name='peek', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads'}
`;

for (const protocol of [3, 2] as const) {
  describe(`scripting over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client), {
      setup: async (client) => {
        await client.scriptFlush();
        await client.functionFlush();
      },
    });

    test('eval / evalsha / evalRo / evalshaRo; scriptLoad / scriptExists / scriptFlush', async () => {
      const src = "return {KEYS[1], ARGV[1], redis.call('INCRBY', KEYS[1], ARGV[1])}";
      assert.deepEqual(same(await c.eval(src, ['sc:n'], [5])), ['sc:n', '5', 5]);
      assert.equal(same(await c.eval('return 42')), 42);
      const sha = await c.scriptLoad(src);
      assert.match(same(sha), /^[0-9a-f]{40}$/);
      assert.deepEqual(same(await c.scriptExists(sha, '0'.repeat(40))), [true, false]);
      assert.deepEqual(same(await c.evalsha(sha, ['sc:n'], [1])), ['sc:n', '1', 6]);
      assert.equal(same(await c.evalRo("return redis.call('GET', KEYS[1])", ['sc:n'])), '6');
      const ro = await c.scriptLoad("return redis.call('GET', KEYS[1])");
      assert.equal(same(await c.evalshaRo(ro, ['sc:n'])), '6');
      await assert.rejects(c.evalRo("return redis.call('SET', KEYS[1], 'x')", ['sc:n']), { name: 'ReplyError' });
      assert.equal(same(await c.scriptFlush('SYNC')), 'OK');
      await assert.rejects(c.evalsha(sha, ['sc:n'], [1]), { code: 'NOSCRIPT' });
    });

    test('functionLoad / fcall / fcallRo / functionList / functionDelete / functionFlush', async () => {
      assert.equal(same(await c.functionLoad(LIBRARY)), 'mylib');
      await assert.rejects(c.functionLoad(LIBRARY), { name: 'ReplyError' });
      assert.equal(same(await c.functionLoad(LIBRARY, { REPLACE: true })), 'mylib');
      assert.equal(same(await c.fcall('knock', ['sc:f'], [3])), 3);
      assert.equal(same(await c.fcallRo('peek', ['sc:f'])), '3');
      const [lib] = await c.functionList();
      assert.deepEqual(same({ ...lib, functions: [...lib.functions].sort((a, b) => a.name.localeCompare(b.name)) }), {
        libraryName: 'mylib',
        engine: 'LUA',
        functions: [
          { name: 'knock', description: null, flags: [] },
          { name: 'peek', description: 'reads', flags: ['no-writes'] },
        ],
      });
      const [withCode] = await c.functionList({ LIBRARYNAME: 'my*', WITHCODE: true });
      assert.equal(same(withCode.libraryCode), LIBRARY);
      assert.deepEqual(same(await c.functionList({ LIBRARYNAME: 'other*' })), []);
      assert.equal(same(await c.functionDelete('mylib')), 'OK');
      assert.equal(same(await c.functionFlush('SYNC')), 'OK');
    });

    test('defineScript: EVALSHA with a transparent EVAL fallback on NOSCRIPT', async () => {
      const incr = defineScript("return redis.call('INCRBY', KEYS[1], ARGV[1])", { numberOfKeys: 1 });
      assert.match(incr.sha1, /^[0-9a-f]{40}$/);
      assert.equal(same(await incr.run(c, ['sc:s'], [2])), 2); // NOSCRIPT, then EVAL
      assert.deepEqual(await c.scriptExists(incr.sha1), [true]);
      assert.equal(same(await incr.run(c, ['sc:s'], [2])), 4); // EVALSHA
      await c.scriptFlush();
      assert.equal(same(await incr.run(c, ['sc:s'], [2])), 6); // NOSCRIPT again after a flush
      await assert.rejects(incr.run(c, [], []), InvalidArgumentError);
      await assert.rejects(defineScript('return redis.call("NOPE")').run(c), { name: 'ReplyError' });
      const reader = defineScript("return redis.call('GET', KEYS[1])", { readOnly: true });
      assert.equal(same(await reader.run(c, ['sc:s'])), '6');
      await reader.load(c);
      assert.equal(same(await reader.run(c, ['sc:s'])), '6');
    });

    test('a Script in pipelines and transactions', async () => {
      const incr = defineScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
      await c.scriptFlush();
      // Not known to be cached on this connection: the pipeline carries EVAL.
      const first = await incr.run(c.pipeline(), ['sc:p'], [1]).get('sc:p').exec();
      assert.deepEqual(same(first), [
        [null, 1],
        [null, '1'],
      ]);
      await incr.run(c, ['sc:p'], [1]);
      // Known to be cached now: EVALSHA.
      await c.configResetstat();
      const second = await incr.run(c.multi(), ['sc:p'], [10]).get('sc:p').exec();
      assert.deepEqual(same(second), [
        [null, 12],
        [null, '12'],
      ]);
      const stats = (await c.info('commandstats')).commandstats;
      assert.match(String(stats.cmdstat_evalsha), /^calls=1,/);
      assert.equal(stats.cmdstat_eval, undefined);
      assert.throws(() => defineScript('return 1', { numberOfKeys: 2 }).run(c.pipeline(), ['a']), InvalidArgumentError);
    });

    test('buffers view: script replies as Buffers', async () => {
      assert.deepEqual(
        await c.buffers.eval('return ARGV[1]', [], [Buffer.from([0xff, 0x01])]),
        Buffer.from([0xff, 0x01]),
      );
    });
  });
}

resp.compare();
