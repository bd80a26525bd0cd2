/**
 * The clients under test, each behind the same small interface, each with its default options
 * (one connection, loopback). A client whose package does not load (valkey-glide without a
 * native binary for this platform) is skipped with a reason, never a crash.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ioredisCluster, nodeRedisCluster, romaineCluster } from './cluster-clients';
import { HOST } from './server';

export interface BenchClient {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
  /**
   * One batch through the client's pipeline API: SET keys[i] values[i] for every i, then GET
   * keys[i] for every i. Resolves with every reply in order (the SET replies, then the GETs); a
   * command error rejects.
   */
  pipeline(keys: readonly string[], values: readonly string[]): Promise<unknown[]>;
  close(): Promise<void>;
}

export interface ClientSpec {
  id: string;
  label: string;
  /** What is being measured, for the report (package and version, options). */
  describe(): string;
  create(port: number): Promise<BenchClient>;
}

type RomaineModule = typeof import('../../src/index');
type GlideModule = typeof import('@valkey/valkey-glide');

const root = join(__dirname, '..', '..');
/** Where the built romaine is: dist/cjs, or ROMAINE_DIST (for comparing builds side by side). */
export const distDir = resolve(root, process.env.ROMAINE_DIST ?? join('dist', 'cjs'));

function version(pkg: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return '?';
  }
}

function unwrap(results: [Error | null, unknown][] | null): unknown[] {
  if (results === null) throw new Error('pipeline returned null');
  const out = new Array<unknown>(results.length);
  for (let i = 0; i < results.length; i++) {
    const [err, value] = results[i];
    if (err !== null) throw err;
    out[i] = value;
  }
  return out;
}

/** romaine from the TypeScript source (through tsx, what users of this repo run) or from dist/cjs. */
export function romaine(from: 'src' | 'dist'): ClientSpec {
  return {
    id: from === 'src' ? 'romaine' : 'romaine-dist',
    label: from === 'src' ? 'romaine' : 'romaine (dist)',
    describe: () => `romaine ${from === 'src' ? 'src/ through tsx' : 'dist/cjs (npm run build)'}, default options`,
    async create(port) {
      let mod: RomaineModule;
      if (from === 'src') {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        mod = require('../../src/index') as RomaineModule;
      } else {
        const entry = join(distDir, 'index.js');
        if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        mod = require(entry) as RomaineModule;
      }
      const c = mod.createClient({ host: HOST, port });
      await c.connect();
      return {
        set: (k, v) => c.set(k, v),
        get: (k) => c.get(k),
        async pipeline(keys, values) {
          const p = c.pipeline();
          for (let i = 0; i < keys.length; i++) p.set(keys[i], values[i]);
          for (let i = 0; i < keys.length; i++) p.get(keys[i]);
          return unwrap(await p.exec());
        },
        close: () => c.close(),
      };
    },
  };
}

export function ioredis(autoPipelining: boolean): ClientSpec {
  return {
    id: autoPipelining ? 'ioredis-auto' : 'ioredis',
    label: autoPipelining ? 'ioredis (auto-pipelining)' : 'ioredis',
    describe: () =>
      `ioredis ${version('ioredis')}, ${autoPipelining ? 'enableAutoPipelining: true' : 'default options'}`,
    async create(port) {
      const { Redis } = await import('ioredis');
      const c = new Redis({ host: HOST, port, lazyConnect: true, enableAutoPipelining: autoPipelining });
      await c.connect();
      return {
        set: (k, v) => c.set(k, v),
        get: (k) => c.get(k),
        async pipeline(keys, values) {
          const p = c.pipeline();
          for (let i = 0; i < keys.length; i++) p.set(keys[i], values[i]);
          for (let i = 0; i < keys.length; i++) p.get(keys[i]);
          return unwrap(await p.exec());
        },
        close: async () => {
          await c.quit();
        },
      };
    },
  };
}

export function nodeRedis(): ClientSpec {
  return {
    id: 'node-redis',
    label: 'node-redis',
    describe: () => `redis (node-redis) ${version('redis')}, default options`,
    async create(port) {
      const { createClient } = await import('redis');
      const c = createClient({ socket: { host: HOST, port } });
      c.on('error', (err: Error) => {
        throw err;
      });
      await c.connect();
      return {
        set: (k, v) => c.set(k, v),
        get: (k) => c.get(k),
        async pipeline(keys, values) {
          const m = c.multi();
          for (let i = 0; i < keys.length; i++) m.set(keys[i], values[i]);
          for (let i = 0; i < keys.length; i++) m.get(keys[i]);
          return await m.execAsPipeline();
        },
        close: async () => {
          await c.close();
        },
      };
    },
  };
}

export function glide(): ClientSpec {
  return {
    id: 'valkey-glide',
    label: 'valkey-glide',
    describe: () => `@valkey/valkey-glide ${version('@valkey/valkey-glide')}, default options but requestTimeout 10 s`,
    async create(port) {
      const mod: GlideModule = await import('@valkey/valkey-glide');
      // The default request timeout (250 ms) is a production setting; on 2 shared cores a 100 KB
      // burst can exceed it, and a timeout would fail the run. It does not change the fast path.
      const c = await mod.GlideClient.createClient({ addresses: [{ host: HOST, port }], requestTimeout: 10_000 });
      return {
        set: (k, v) => c.set(k, v),
        get: async (k) => (await c.get(k)) as string | null,
        async pipeline(keys, values) {
          const b = new mod.Batch(false);
          for (let i = 0; i < keys.length; i++) b.set(keys[i], values[i]);
          for (let i = 0; i < keys.length; i++) b.get(keys[i]);
          const out = await c.exec(b, true);
          if (out === null) throw new Error('glide batch returned null');
          return out;
        },
        close: () => {
          c.close();
          return Promise.resolve();
        },
      };
    },
  };
}

/** Every client the benchmark knows, by id. */
export function allSpecs(): Map<string, ClientSpec> {
  const specs = [
    ioredis(false),
    ioredis(true),
    nodeRedis(),
    glide(),
    romaine('src'),
    romaine('dist'),
    romaineCluster(),
    ioredisCluster(),
    nodeRedisCluster(),
  ];
  return new Map(specs.map((s) => [s.id, s]));
}

/** Loads a client's package without connecting: undefined when it loads, else why not. */
export async function unavailable(id: string): Promise<string | undefined> {
  try {
    if (id === 'valkey-glide') await import('@valkey/valkey-glide');
    if (id === 'romaine-dist' && !existsSync(join(distDir, 'index.js'))) return `${distDir}/index.js is not built`;
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
}
