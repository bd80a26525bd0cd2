// The examples in docs/pubsub.md, docs/caching.md and docs/pool.md run against a real server and
// print what the docs say they do (see doc-examples.ts for how they are run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RedisServer } from '../support';
import { docExamples, runDocExample } from './doc-examples';

/** Each tagged example of each page, and the summary line it must print. */
const expected: Record<string, Record<string, RegExp>> = {
  'pubsub.md': {
    'pubsub-basic': /^pubsub: 1 receiver, orders: order 42 paid \| audit\.\* audit\.login: ada$/m,
    keyspace:
      /^keyspace: session:ada set, session:ada expire, session:ada del, session:grace set, session:grace expire, session:grace expired$/m,
  },
  'caching.md': {
    caching: /^caching: ada, ada, grace; 1 hit, 2 misses, 1 invalidation$/m,
  },
  'pool.md': {
    pool: /^pool: stock 9 after 1 sale, 1 connection open$/m,
  },
};

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(async () => {
  await server?.destroy();
});

for (const [page, examples] of Object.entries(expected)) {
  test(`docs/${page} has exactly the examples this test knows`, () => {
    assert.deepEqual([...docExamples(page).keys()].sort(), Object.keys(examples).sort());
  });
  for (const [name, line] of Object.entries(examples)) {
    test(`docs/${page}: example ${name} runs and prints its summary`, async () => {
      await server.cli('FLUSHALL');
      const source = docExamples(page).get(name);
      assert.ok(source !== undefined, `no example ${name} in docs/${page}`);
      const run = await runDocExample(source, server.url);
      assert.equal(run.signal, null, `the example was killed (${run.signal}): it hung\n${run.output}`);
      assert.equal(run.code, 0, `the example exited with ${run.code}:\n${run.output}`);
      assert.match(run.output, line, `the example printed:\n${run.output}`);
    });
  }
}
