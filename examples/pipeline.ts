// Pipelines: many commands in one write, one result per command, in order.
// Not atomic (see transaction.ts for that): each command succeeds or fails on its own.
// Run: REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/pipeline.ts
import { createClient } from 'romaine';

const client = createClient(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
await client.connect();

// Queue commands with the same typed methods as the client; exec() sends them together.
const results = await client
  .pipeline()
  .set('example:pipe:a', '1')
  .incr('example:pipe:a')
  .lpush('example:pipe:a', 'x') // fails: the key holds a string, not a list
  .get('example:pipe:a')
  .exec();

// Each result is [error, undefined] or [null, value]: one failure does not stop the others.
for (const [err, value] of results) {
  console.log(err ? `  error: ${err.message.split('\n')[0]}` : `  ok: ${JSON.stringify(value)}`);
}

// You rarely need a pipeline for speed: commands issued in the same tick already share one write.
const many = await Promise.all(Array.from({ length: 100 }, (_, i) => client.set(`example:pipe:${i}`, i)));

await client.close();
const failed = results.filter(([err]) => err !== null).length;
console.log(`pipeline: ${results.length} results, ${failed} failed; ${many.length} auto-pipelined SETs`);
