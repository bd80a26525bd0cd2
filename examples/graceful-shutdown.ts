// Graceful shutdown: on SIGTERM (what Kubernetes, systemd and docker stop send), stop taking new
// work, let the commands already issued finish, close the client, and exit with nothing lost.
// Run: REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/graceful-shutdown.ts
import { createClient } from 'romaine';

const client = createClient(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
await client.connect();
await client.del('example:jobs:done');

let accepting = true;
let issued = 0;

// A stand-in for your request handlers or job consumers: work keeps arriving every few ms.
const worker = setInterval(() => {
  if (!accepting) return;
  issued++;
  void client.incr('example:jobs:done').catch((err: unknown) => console.error('job failed:', err));
}, 2);

process.once('SIGTERM', () => {
  void (async () => {
    accepting = false; // 1. stop taking new work (close your HTTP server here too)
    clearInterval(worker);
    // 2. close(): new commands are refused, every command already issued gets its reply, then the
    //    socket closes. destroy() is the impatient version: pending commands reject at once.
    const timer = setTimeout(() => client.destroy(), 5000); // a deadline, in case Redis is away
    await client.close();
    clearTimeout(timer);
    // 3. Everything issued reached Redis: read it back with a short-lived client.
    const check = createClient(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const done = Number(await check.get('example:jobs:done'));
    await check.close();
    console.log(`graceful shutdown: ${issued} jobs issued, ${done} done, client ${client.state}`);
    // 4. Nothing keeps the event loop alive any more: the process exits by itself.
  })();
});

// Simulate the orchestrator: SIGTERM after 200 ms of work.
setTimeout(() => process.kill(process.pid, 'SIGTERM'), 200);
