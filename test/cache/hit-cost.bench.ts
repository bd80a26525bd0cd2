// What a cache hit costs, outside the test runner (no parallel test files competing for the CPU):
//   npx tsx test/cache/hit-cost.bench.ts
// Starts its own redis-server on a free loopback port; prints ns per awaited GET, cached and over
// the network, one at a time and 100 at a time, three rounds each.
import { createClient } from '../../src/index';
import { RedisServer } from '../support/redis-server';

async function perOp(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(n, 5000); i++) await fn(); // warm up
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - t) / n;
}

async function perOpConcurrent(batches: number, fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  for (let i = 0; i < batches; i++) await Promise.all(Array.from({ length: 100 }, fn));
  return Number(process.hrtime.bigint() - t) / (batches * 100);
}

async function main(): Promise<void> {
  const server = await RedisServer.start();
  const cached = createClient({ host: server.host, port: server.port, cache: {} });
  const plain = createClient({ host: server.host, port: server.port });
  try {
    await plain.set('bench:k', 'value');
    await cached.get('bench:k');
    for (let round = 1; round <= 3; round++) {
      const baseline = await perOp(1_000_000, () => Promise.resolve('value'));
      const hit = await perOp(1_000_000, () => cached.get('bench:k'));
      const network = await perOp(30_000, () => plain.get('bench:k'));
      const hit100 = await perOpConcurrent(5_000, () => cached.get('bench:k'));
      const network100 = await perOpConcurrent(300, () => plain.get('bench:k'));
      console.log(
        `round ${round}: cached GET ${hit.toFixed(0)} ns (await of a resolved promise alone: ${baseline.toFixed(0)} ns), ` +
          `network GET ${network.toFixed(0)} ns; 100 at a time: cached ${hit100.toFixed(0)} ns, network ${network100.toFixed(0)} ns`,
      );
    }
    const stats = cached.cache.stats();
    console.log(`cache stats: ${stats.hits} hits, ${stats.misses} miss(es)`);
  } finally {
    await Promise.all([cached.close(), plain.close()]);
    await server.destroy();
  }
}

void main();
