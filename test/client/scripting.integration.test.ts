import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, InvalidArgumentError, ReplyError, type RedisClient } from '../../src/index';
import { defineScript } from '../../src/client/scripts';
import { protocolSuites } from './protocols';
import { join } from 'node:path';
import { runTs } from '../support/run-ts';

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

    test('defineScript: EVALSHA, loaded first where not known to be cached (first use, after a SCRIPT FLUSH)', async () => {
      const incr = defineScript("return redis.call('INCRBY', KEYS[1], ARGV[1])", { numberOfKeys: 1 });
      assert.match(incr.sha1, /^[0-9a-f]{40}$/);
      assert.equal(same(await incr.run(c, ['sc:s'], [2])), 2); // SCRIPT LOAD + EVALSHA
      assert.deepEqual(await c.scriptExists(incr.sha1), [true]);
      assert.equal(same(await incr.run(c, ['sc:s'], [2])), 4); // EVALSHA
      await c.scriptFlush();
      assert.equal(same(await incr.run(c, ['sc:s'], [2])), 6); // loaded again after this client's flush
      await assert.rejects(incr.run(c, [], []), InvalidArgumentError);
      await assert.rejects(defineScript('return redis.call("NOPE")').run(c), { name: 'ReplyError' });
      const reader = defineScript("return redis.call('GET', KEYS[1])", { readOnly: true });
      assert.equal(same(await reader.run(c, ['sc:s'])), '6');
      await reader.load(c);
      assert.equal(same(await reader.run(c, ['sc:s'])), '6');
    });

    /** Calls of EVAL, EVALSHA and SCRIPT LOAD since the last CONFIG RESETSTAT. */
    const scriptCalls = async (): Promise<{ eval: number; evalsha: number; load: number }> => {
      const stats = (await c.info('commandstats')).commandstats;
      const calls = (name: string) => Number(/calls=(\d+)/.exec(String(stats[`cmdstat_${name}`]))?.[1] ?? 0);
      return { eval: calls('eval'), evalsha: calls('evalsha'), load: calls('script|load') };
    };

    test('a Script in a pipeline: SCRIPT LOAD once ahead of the batch, EVALSHA in its place; NOSCRIPT after a flush behind its back gets EVAL; a new connection loads again', async () => {
      const incr = defineScript(`return redis.call('INCRBY', KEYS[1], ARGV[1]) -- pipeline ${protocol}`, {
        numberOfKeys: 1,
      });
      await c.configResetstat();
      // Not known on this connection: SCRIPT LOAD goes first, in the same write; the EVALSHAs run
      // in their places (the GETs between them see each one's effect).
      const first = await c
        .pipeline()
        .runScript(incr, ['sc:p'], [1])
        .get('sc:p')
        .runScript(incr, ['sc:p'], [2])
        .get('sc:p')
        .exec();
      assert.deepEqual(same(first), [
        [null, 1],
        [null, '1'],
        [null, 3],
        [null, '3'],
      ]);
      assert.deepEqual(await scriptCalls(), { eval: 0, evalsha: 2, load: 1 });
      // Known now: EVALSHA only. script.run(pipeline) is the same as pipeline.runScript(script).
      await c.configResetstat();
      assert.deepEqual(same(await incr.run(c.pipeline(), ['sc:p'], [10]).get('sc:p').exec()), [
        [null, 13],
        [null, '13'],
      ]);
      assert.deepEqual(await scriptCalls(), { eval: 0, evalsha: 1, load: 0 });
      // Flushed behind the client's back (another connection): NOSCRIPT, then EVAL, one outcome.
      await using other = createClient({ port: resp.server.port });
      await other.scriptFlush();
      await c.configResetstat();
      assert.deepEqual(same(await c.pipeline().runScript(incr, ['sc:p'], [100]).exec()), [[null, 113]]);
      assert.deepEqual(await scriptCalls(), { eval: 1, evalsha: 1, load: 0 });
      assert.equal(await c.get('sc:p'), '113', 'the script ran once');
      // A new connection (the server may have restarted): loaded again first.
      await other.call('CLIENT', 'KILL', 'ID', String(await c.call('CLIENT', 'ID')));
      await c.ping();
      await c.configResetstat();
      assert.deepEqual(same(await c.pipeline().runScript(incr, ['sc:p'], [1]).exec()), [[null, 114]]);
      assert.deepEqual(await scriptCalls(), { eval: 0, evalsha: 1, load: 1 });
      // A script error stays in its place; the commands around it are unaffected.
      const boom = defineScript(`return redis.error_reply('BOOM no') -- ${protocol}`);
      const [a, b, d] = await c.pipeline().get('sc:p').runScript(boom).runScript(incr, ['sc:p'], [1]).exec();
      assert.deepEqual(a, [null, '114']);
      assert.ok(b[0] instanceof ReplyError && /BOOM no/.test(b[0].message), String(b[0]));
      assert.deepEqual(d, [null, 115]);
    });

    test('a Script in a transaction: EVAL with its source, even where it is cached (a NOSCRIPT inside EXEC would fail it while the rest ran)', async () => {
      const incr = defineScript(`return redis.call('INCRBY', KEYS[1], ARGV[1]) -- multi ${protocol}`);
      await incr.run(c, ['sc:m'], [1]); // cached on this connection now
      await c.configResetstat();
      const block = await c.multi().runScript(incr, ['sc:m'], [10]).get('sc:m').exec();
      assert.deepEqual(same(block), [
        [null, 11],
        [null, '11'],
      ]);
      assert.deepEqual(same(await incr.run(c.multi(), ['sc:m'], [1]).exec()), [[null, 12]]);
      assert.deepEqual(await scriptCalls(), { eval: 2, evalsha: 0, load: 0 });
    });

    test('scripts in batches refuse what would be sent wrong, before anything is sent (plain JavaScript too)', async () => {
      const two = defineScript('return 1', { numberOfKeys: 2 });
      assert.throws(() => c.pipeline().runScript(two, ['a']), /takes 2 key\(s\), got 1/);
      assert.throws(() => two.run(c.multi(), ['a']), InvalidArgumentError);
      const js = c.pipeline() as any;
      assert.throws(() => js.runScript('return 1'), /runScript\(\) takes a Script made by defineScript/);
      assert.throws(
        () => js.runScript(two, 'a', 'b'),
        /keys and args are arrays/,
        'a string would be spread into letters',
      );
      assert.throws(() => js.runScript(two, ['a', 'b'], [], 'extra'), /at most 3 arguments/);
      await assert.rejects((c as any).runScript('return 1'), InvalidArgumentError);
      await assert.rejects((c as any).runScript(two, 'ab'), /keys and args are arrays/);
      // Something that is not a client nor its batch: a typed error that names the API to use.
      await assert.rejects((two as any).run({}, ['a', 'b']), /script\.run\(\) takes a RedisClient/);
      assert.throws(() => (two as any).run({ exec() {} }, ['a', 'b']), /cluster\.pipeline\(\)\.runScript/);
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

test('plain JavaScript: scripts in a pipeline and multi(), wrong calls refused before anything is sent', async () => {
  const run = await runTs(join(__dirname, '..', 'cluster', 'programs', 'script-user.cjs'), {
    cwd: join(__dirname, '..', '..'),
    redisUrl: `redis://127.0.0.1:${resp.server.port}`,
  });
  assert.equal(run.code, 0, run.output);
  assert.deepEqual(JSON.parse(run.output.trim().split('\n').at(-1)!), {
    piped: [1, '1', 2, '2', 3, '3'],
    tx: [5, 6],
    refused: ['EINVALIDARG', 'EINVALIDARG', 'EINVALIDARG'],
    run: 101,
    direct: 1101,
  });
});
