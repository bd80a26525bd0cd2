// A plain JavaScript program, written the way an Express application sets up its session store:
// connect-redis 9 over romaine/compat/node-redis. Run by connect-redis.integration.test.ts (with
// REDIS_URL); prints one line per step and "connect-redis ok" at the end, exits 1 on a failure.
import assert from 'node:assert/strict';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from '../../../src/compat/node-redis/index.ts';

const client = createClient({ url: process.env.REDIS_URL });
client.on('error', (err) => console.error('redis error', err));
await client.connect();

const store = new RedisStore({ client, prefix: 'sess:', ttl: 600 });
assert.ok(store instanceof session.Store);
const cookie = (seconds) => ({ originalMaxAge: seconds * 1000, expires: new Date(Date.now() + seconds * 1000) });

await store.set('alice', { cookie: cookie(600), user: 'alice' });
await store.set('bob', { cookie: cookie(600), user: 'bob' });
await store.set('short', { cookie: cookie(1), user: 'short-lived' });
assert.deepEqual((await store.get('alice')).user, 'alice');
const ttl = await client.ttl('sess:alice');
assert.ok(ttl > 590 && ttl <= 600, `the session key has its TTL (${ttl})`);
console.log('set/get ok, ttl', ttl);

assert.equal(await store.length(), 3, 'length() counts sessions, not characters');
assert.deepEqual((await store.ids()).sort(), ['alice', 'bob', 'short']);
assert.deepEqual((await store.all()).map((s) => s.user).sort(), ['alice', 'bob', 'short-lived']);
console.log('length/ids/all ok');

await client.expire('sess:bob', 5);
await store.touch('bob', { cookie: cookie(300), user: 'bob' });
const touched = await client.ttl('sess:bob');
assert.ok(touched > 290, `touch() renewed the TTL (${touched})`);
console.log('touch ok');

// The one-second session really expires.
const deadline = Date.now() + 15_000;
while ((await store.get('short')) !== null) {
  assert.ok(Date.now() < deadline, 'the 1 s session never expired');
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log('expiry ok');

await store.destroy('alice'); // del([key]) in connect-redis
assert.equal(await store.get('alice'), null);
assert.equal(await store.length(), 1);
await store.clear();
assert.equal(await store.length(), 0);
console.log('destroy/clear ok');

// The callback style express-session itself uses.
await new Promise((resolve, reject) =>
  store.set('cb', { cookie: cookie(60), user: 'cb' }, (err) => (err ? reject(err) : resolve())),
);
const viaCallback = await new Promise((resolve, reject) =>
  store.get('cb', (err, sess) => (err ? reject(err) : resolve(sess))),
);
assert.equal(viaCallback.user, 'cb');

await client.quit();
console.log('connect-redis ok');
