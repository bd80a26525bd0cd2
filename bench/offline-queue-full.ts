/**
 * What a rejection costs while the offline queue is full (issue 9, item 5).
 *
 *   npx tsx bench/offline-queue-full.ts [queued=100000] [extra=2000]
 *
 * A client pointed at a port where nothing listens keeps retrying (onInitialFailure 'retry'), so
 * every command waits in the offline queue. The queue is filled to its bound, then `extra` more
 * commands are issued: each is rejected with OfflineQueueFullError, synchronously, inside the
 * call. The figure is the event-loop time those calls block, in total and per rejection. Then
 * the same again with half of the queue timed out (their slots must be found without a walk per
 * call).
 */
import { createServer } from 'node:net';
import { createClient } from '../src/index';

const queued = Number(process.argv[2] ?? 100_000);
const extra = Number(process.argv[3] ?? 2_000);

async function freeClosedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function main(): Promise<void> {
  const port = await freeClosedPort();
  const client = createClient({
    host: '127.0.0.1',
    port,
    offlineQueue: { maxLength: queued },
    reconnect: { onInitialFailure: 'retry', initialTimeoutMs: 600_000, baseDelayMs: 1000, maxDelayMs: 1000 },
  });
  client.on('error', () => undefined);
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < queued; i++) pending.push(client.get(`k${i}`).catch(() => undefined));

  let rejected = 0;
  const t0 = performance.now();
  for (let i = 0; i < extra; i++) {
    client.get(`x${i}`).catch(() => rejected++);
  }
  const blocked = performance.now() - t0;
  await new Promise((r) => setImmediate(r));
  console.log(
    `full queue (${queued} queued, none settled): ${extra} extra commands blocked the event loop ${blocked.toFixed(1)} ms ` +
      `(${((blocked * 1000) / extra).toFixed(2)} µs per rejection), ${rejected} rejected`,
  );

  // Half the queue settles early (commandTimeoutMs passes for the older half), then the bound must
  // admit that many again without walking the queue on every call.
  const client2 = createClient({
    host: '127.0.0.1',
    port,
    commandTimeoutMs: 1500,
    offlineQueue: { maxLength: queued },
    reconnect: { onInitialFailure: 'retry', initialTimeoutMs: 600_000, baseDelayMs: 1000, maxDelayMs: 1000 },
  });
  client2.on('error', () => undefined);
  for (let i = 0; i < queued / 2; i++) pending.push(client2.get(`k${i}`).catch(() => undefined));
  await new Promise((r) => setTimeout(r, 1000));
  for (let i = queued / 2; i < queued; i++) pending.push(client2.get(`k${i}`).catch(() => undefined));
  await new Promise((r) => setTimeout(r, 700)); // the first half has timed out, the second has not
  let rejected2 = 0;
  const t1 = performance.now();
  const n2 = queued / 2 + extra;
  for (let i = 0; i < n2; i++) client2.get(`y${i}`).catch(() => rejected2++);
  const blocked2 = performance.now() - t1;
  await new Promise((r) => setImmediate(r));
  console.log(
    `half settled: ${n2} more commands (${queued / 2} fit, ${extra} do not) blocked ${blocked2.toFixed(1)} ms ` +
      `(${((blocked2 * 1000) / n2).toFixed(2)} µs per command), ${rejected2} rejected`,
  );
  client.destroy();
  client2.destroy();
  await Promise.all(pending);
}

void main();
