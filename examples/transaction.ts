// MULTI/EXEC with WATCH (optimistic locking): move money between two accounts, retrying when
// another client changed a balance between our read and our EXEC.
// Run: REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/transaction.ts
import { createClient, type RedisClient } from 'romaine';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const client = createClient(url);
const other = createClient(url); // plays "someone else" writing at the worst moment
await client.connect();
await client.mset({ 'example:acct:alice': 100, 'example:acct:bob': 0 });

let attempts = 0;

async function transfer(from: string, to: string, amount: number): Promise<void> {
  for (;;) {
    attempts++;
    // WATCH is a property of a connection: isolated() lends one that nobody else writes on.
    const done = await client.isolated(async (conn: RedisClient) => {
      await conn.watch(from, to);
      const balance = Number(await conn.get(from));
      if (balance < amount) {
        await conn.unwatch();
        throw new Error(`insufficient funds: ${balance} < ${amount}`);
      }
      if (attempts === 1) await other.incrby(from, 5); // a concurrent deposit invalidates our WATCH
      // exec() resolves with null when a watched key changed: nothing ran.
      const results = await conn.multi().decrby(from, amount).incrby(to, amount).exec();
      return results !== null;
    });
    if (done) return;
  }
}

await transfer('example:acct:alice', 'example:acct:bob', 30);
const [alice, bob] = await client.mget('example:acct:alice', 'example:acct:bob');
await Promise.all([client.close(), other.close()]);
console.log(`transaction: alice ${alice}, bob ${bob} after ${attempts} attempts`);
