// Every program in examples/ runs against a throwaway redis-server, the way a reader would run it
// (`node --import tsx examples/NAME.ts` with REDIS_URL set), and must exit 0 and print its last
// line. So the examples cannot rot: an API change that breaks one fails the tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RedisServer } from '../support/redis-server';
import { runTs, type TsRun } from '../support/run-ts';
import { RedisCluster } from '../support/cluster';
import { RedisSentinel } from '../support/sentinel';

const repo = join(__dirname, '..', '..');
const examplesDir = join(repo, 'examples');

/** What each example must print (its summary line). A new example needs a line here. */
const expected: Record<string, RegExp> = {
  'quick-start.ts': /^quick start: hello, Ada visited 2 times$/m,
  'pipeline.ts': /^pipeline: 4 results, 1 failed; 100 auto-pipelined SETs$/m,
  'transaction.ts': /^transaction: alice 75, bob 30 after 2 attempts$/m,
  'graceful-shutdown.ts': /^graceful shutdown: (\d+) jobs issued, \1 done, client closed$/m,
  'reconnect-policy.ts': /^reconnect policy: recovered=true, INCR answered 1 after the outage$/m,
  'opentelemetry.ts': /^opentelemetry: 3 spans, 3 durations recorded$/m,
  'pubsub.ts': /^pubsub: 3 messages received, the last after a reconnect$/m,
  'caching.ts': /^caching: theme is dark after the invalidation$/m,
  'cluster.ts': /^cluster: 3 primaries, items 7\+42=49, Ada visited 2 times$/m,
  'sentinel.ts': /^sentinel: 200 visits counted across a failover$/m,
  // The romaine/testing recipes (docs/testing.md): node:test files that start their own servers.
  'testing-restart.ts': /^recipe restart: 3 hits counted across a restart in \d+ ms$/m,
  'testing-half-open.ts':
    /^recipe half-open: timed out after 1000 ms, replaced by the health check, served again after heal/m,
  'testing-password-rotation.ts':
    /^recipe password rotation: the stale password was refused (once|several times), 2 jobs counted/m,
  'testing-cluster-failover.ts': /^recipe cluster failover: \d+ writes, 0 failed; takeover in \d+ ms/m,
  'testing-sentinel-failover.ts': /^recipe sentinel failover: \d+ increments acknowledged, 0 lost/m,
};

/** The recipes start their own servers (REDIS_URL is not used) and take longer: a cluster, a deployment. */
const isRecipe = (file: string) => file.startsWith('testing-');

/** Examples that need a Redis Cluster: REDIS_URL is then one of its nodes. */
const needsCluster = new Set(['cluster.ts']);

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(async () => {
  await server?.destroy();
});

function runExample(file: string, redisUrl = server.url): Promise<TsRun> {
  return runTs(join('examples', file), { cwd: repo, redisUrl });
}

const files = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.ts'))
  .sort();

test('every example has an expected line', () => {
  assert.deepEqual(files, Object.keys(expected).sort());
});

for (const file of files) {
  test(`examples/${file} runs and prints its summary`, async () => {
    let cluster: RedisCluster | undefined;
    let sentinel: RedisSentinel | undefined;
    let run: TsRun;
    try {
      if (isRecipe(file)) {
        run = await runTs(join('examples', file), { cwd: repo, redisUrl: server.url, timeoutMs: 120_000 });
        console.log(`# examples/${file}: ${/^recipe .*$/m.exec(run.output)?.[0] ?? '(no summary)'}`);
      } else if (file === 'sentinel.ts') {
        // REDIS_URL is one sentinel of a deployment of its own (the example fails it over).
        sentinel = await RedisSentinel.start();
        run = await runExample(file, `redis://127.0.0.1:${sentinel.sentinelServers[0].port}`);
      } else if (needsCluster.has(file)) {
        cluster = await RedisCluster.start();
        run = await runExample(file, `redis://127.0.0.1:${cluster.seeds[0].port}`);
      } else {
        await server.cli('FLUSHALL');
        run = await runExample(file);
      }
    } finally {
      await cluster?.destroy();
      await sentinel?.destroy();
    }
    assert.equal(run.signal, null, `examples/${file} was killed (${run.signal}): it hung\n${run.output}`);
    assert.equal(run.code, 0, `examples/${file} exited with ${run.code}:\n${run.output}`);
    assert.match(run.output, expected[file] ?? /^$/, `examples/${file} printed:\n${run.output}`);
  });
}
