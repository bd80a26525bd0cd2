// Quick start: connect, write and read a few keys, handle an error, close.
// Run: REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/quick-start.ts
import { createClient, ReplyError } from 'romaine';

const client = createClient(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  commandTimeoutMs: 2000, // no command waits longer than this (default: no limit)
});

// Rejects at once on a configuration error (protected mode, wrong password, TLS); transient
// errors (nothing listening yet) are retried for up to 10 s first.
await client.connect();
console.log(`connected to Redis ${client.server?.version} over RESP${client.server?.protocol}`);

await client.set('example:greeting', 'hello', { EX: 60 });
const greeting = await client.get('example:greeting');

await client.hset('example:user:1', { name: 'Ada', visits: 1 });
await client.hincrby('example:user:1', 'visits', 1);
const user = await client.hgetall('example:user:1');

try {
  await client.incr('example:greeting'); // not a number
} catch (err) {
  if (err instanceof ReplyError) console.log(`the server refused INCR: ${err.code}`);
}

await client.close(); // graceful: waits for every command already sent
console.log(`quick start: ${greeting}, ${user.name} visited ${user.visits} times`);
