/**
 * The cluster clients under test (the bench's cluster workloads): romaine's createCluster, ioredis
 * `Cluster` and node-redis `createCluster`, each with its default options and one seed (each finds
 * the other nodes itself), behind the same BenchClient interface as the single-server clients.
 *
 * The pipeline workload's batches: ioredis refuses a pipeline whose keys are not all served by one
 * node, and node-redis sends a cluster pipeline to the node of its first key, so each batch's keys
 * get one hash tag (one slot per batch, the batches spread over the nodes) for every client alike.
 */
import { HOST } from './server';
import type { BenchClient, ClientSpec } from './clients';

type RomaineModule = typeof import('../../src/index');

function version(pkg: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return '?';
  }
}

const tagged = new WeakMap<readonly string[], string[]>();
/** The batch's keys with one hash tag (the batch's first key): one slot per batch. */
function oneSlot(keys: readonly string[]): string[] {
  let t = tagged.get(keys);
  if (t === undefined) {
    const tag = `{${keys[0]}}`;
    t = keys.map((k) => tag + k);
    tagged.set(keys, t);
  }
  return t;
}

function unwrap(results: [Error | null, unknown][] | null): unknown[] {
  if (results === null) throw new Error('pipeline returned null');
  return results.map(([err, value]) => {
    if (err !== null) throw err;
    return value;
  });
}

export function romaineCluster(): ClientSpec {
  return {
    id: 'romaine-cluster',
    label: 'romaine createCluster',
    describe: () => 'romaine createCluster, src/ through tsx, default options, one seed',
    async create(port) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require('../../src/index') as RomaineModule;
      const c = mod.createCluster({ nodes: [{ host: HOST, port }] });
      await c.connect();
      return {
        set: (k, v) => c.set(k, v),
        get: (k) => c.get(k),
        async pipeline(keys, values) {
          const ks = oneSlot(keys);
          const p = c.pipeline();
          for (let i = 0; i < ks.length; i++) p.set(ks[i], values[i]);
          for (let i = 0; i < ks.length; i++) p.get(ks[i]);
          return unwrap(await p.exec());
        },
        close: () => c.close(),
      } satisfies BenchClient;
    },
  };
}

export function ioredisCluster(): ClientSpec {
  return {
    id: 'ioredis-cluster',
    label: 'ioredis Cluster',
    describe: () => `ioredis ${version('ioredis')} Cluster, default options, one seed`,
    async create(port) {
      const { Cluster } = await import('ioredis');
      const c = new Cluster([{ host: HOST, port }], { lazyConnect: true });
      await c.connect();
      return {
        set: (k, v) => c.set(k, v),
        get: (k) => c.get(k),
        async pipeline(keys, values) {
          const ks = oneSlot(keys);
          const p = c.pipeline();
          for (let i = 0; i < ks.length; i++) p.set(ks[i], values[i]);
          for (let i = 0; i < ks.length; i++) p.get(ks[i]);
          return unwrap(await p.exec());
        },
        close: async () => {
          await c.quit();
        },
      };
    },
  };
}

export function nodeRedisCluster(): ClientSpec {
  return {
    id: 'node-redis-cluster',
    label: 'node-redis createCluster',
    describe: () => `redis (node-redis) ${version('redis')} createCluster, default options, one root node`,
    async create(port) {
      const { createCluster } = await import('redis');
      const c = createCluster({ rootNodes: [{ url: `redis://${HOST}:${port}` }] });
      c.on('error', (err: Error) => {
        throw err;
      });
      await c.connect();
      return {
        set: (k, v) => c.set(k, v),
        get: (k) => c.get(k),
        async pipeline(keys, values) {
          const ks = oneSlot(keys);
          const m = c.multi();
          for (let i = 0; i < ks.length; i++) m.set(ks[i], values[i]);
          for (let i = 0; i < ks.length; i++) m.get(ks[i]);
          return await m.execAsPipeline();
        },
        close: async () => {
          await c.close();
        },
      };
    },
  };
}
