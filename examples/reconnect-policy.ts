// Choosing a reconnect policy. romaine tells two phases apart: before the first successful
// connection a configuration error fails connect() at once, a transient one is retried until a
// deadline; after it, every failure is retried with backoff, forever by default.
// Run: REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/reconnect-policy.ts
import { AuthError, ConnectionError, createClient } from 'romaine';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// 1. Wrong credentials: a deployment mistake. connect() rejects at once, without a retry loop.
let started = performance.now();
const wrong = createClient(url, { username: 'nobody', password: 'not-the-password' });
const authError = await wrong.connect().catch((err: unknown) => err);
console.log(
  `wrong credentials: ${authError instanceof AuthError ? authError.code : String(authError)} ` +
    `after ${Math.round(performance.now() - started)} ms, state ${wrong.state}`,
);

// 2. Nothing listening yet: transient, retried until reconnect.initialTimeoutMs (default 10 s).
//    A worker that may start before its Redis would rather wait: onInitialFailure: 'retry'.
started = performance.now();
const early = createClient('redis://127.0.0.1:1', { reconnect: { initialTimeoutMs: 300, baseDelayMs: 50 } });
let attempts = 0;
early.on('reconnecting', () => attempts++);
const networkError = await early.connect().catch((err: unknown) => err);
console.log(
  `nothing listening: ${networkError instanceof ConnectionError ? networkError.kind : String(networkError)} ` +
    `after ${attempts} retries and ${Math.round(performance.now() - started)} ms`,
);

// 3. At runtime, the connection dies: the client reconnects with backoff and commands issued
//    meanwhile wait in the offline queue. Here: retry forever, but give up on refused credentials
//    after 20 attempts (a rotation that never completes), and say what happens.
const client = createClient(url, {
  reconnect: {
    baseDelayMs: 50, // first delay
    maxDelayMs: 2000, // cap of the exponential backoff
    jitter: 'equal', // half fixed, half random: a crowd of clients spreads out
    decide: ({ kind, attempt }) => (kind === 'auth' && attempt > 20 ? 'fail' : undefined), // undefined: the default
  },
});
client.on('stateChange', ({ from, to, reason }) =>
  console.log(`  ${from} -> ${to}${reason ? ` (${reason.code})` : ''}`),
);
client.on('reconnecting', ({ attempt, delayMs, reason }) =>
  console.log(`  reconnect attempt ${attempt} in ${delayMs} ms: ${reason.kind}`),
);
await client.connect();

// Kill our own connection from the server side, as a restart or a network blip would.
const admin = createClient(url);
const id = await client.clientId();
const down = new Promise<void>((resolve) => {
  const onState = ({ to }: { to: string }): void => {
    if (to !== 'reconnecting') return;
    client.off('stateChange', onState);
    resolve();
  };
  client.on('stateChange', onState);
});
const recovered = new Promise<boolean>((resolve) => client.once('ready', ({ reconnected }) => resolve(reconnected)));
await admin.clientKill({ ID: id });
await down;
// Issued while reconnecting: waits in the offline queue and is sent once the client is ready.
// (An INCR already on the wire when the socket died would instead reject with ConnectionLostError
// and maybeExecuted: true, because running it twice is not safe: see docs/resilience.md.)
const value = await client.incr('example:reconnect:counter');
const reconnected = await recovered;

await Promise.all([client.close(), admin.close()]);
wrong.destroy();
early.destroy();
console.log(`reconnect policy: recovered=${reconnected}, INCR answered ${value} after the outage`);
