// A plain JavaScript program running a Lua script in batches, as a user without TypeScript writes
// it: numbers as arguments, pipeline().runScript() in a loop, multi().runScript(), script.run(),
// and calls that would send something wrong (a string where the Script goes, keys as a string, the
// wrong number of keys), each refused with InvalidArgumentError before anything is sent.
// Run with REDIS_URL set to a server, or to one node of a cluster with the argument `cluster`
// (test/client/scripting.integration.test.ts and test/cluster/scripts.integration.test.ts).
'use strict';
const { createClient, createCluster, defineScript, InvalidArgumentError } = require('../../../src/index');

async function main() {
  const onCluster = process.argv[2] === 'cluster';
  const { hostname, port } = new URL(process.env.REDIS_URL);
  const redis = onCluster
    ? createCluster([{ host: hostname, port: Number(port) }])
    : createClient(process.env.REDIS_URL);
  await redis.connect();
  const addTo = defineScript("return redis.call('INCRBY', KEYS[1], ARGV[1])", { numberOfKeys: 1 });
  const keys = ['js:a', 'js:b', 'js:c', 'js:{t}n'];
  for (const key of keys) await redis.del(key);

  const p = redis.pipeline();
  for (let i = 0; i < 3; i++) p.runScript(addTo, [keys[i]], [i + 1]).get(keys[i]);
  const piped = (await p.exec()).map(([err, value]) => (err === null ? value : err.code));

  const block = await redis.multi().runScript(addTo, ['js:{t}n'], [5]).incr('js:{t}n').exec();
  const tx = block.map(([err, value]) => (err === null ? value : err.code));

  const refused = [];
  const wrongCalls = [
    () => redis.pipeline().runScript("return redis.call('GET', KEYS[1])", ['js:a']),
    () => redis.pipeline().runScript(addTo, 'js:a', '1'),
    () => redis.multi().runScript(addTo, ['js:a', 'js:b'], [1]),
  ];
  for (const call of wrongCalls) {
    try {
      call();
      refused.push('accepted');
    } catch (err) {
      refused.push(err instanceof InvalidArgumentError ? err.code : String(err));
    }
  }
  // script.run(target): a client and its batches; on a cluster, a typed error naming runScript().
  const run = await addTo.run(redis, ['js:a'], [100]).catch((err) => err.code);
  const direct = await redis.runScript(addTo, ['js:a'], [1000]);
  await redis.close();
  console.log(JSON.stringify({ piped, tx, refused, run, direct }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
