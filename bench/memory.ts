/**
 * Heap figures, run by bench/run.ts in its own process with --expose-gc:
 *
 * - idle: heap added by one connected, idle client (many clients connected, after gc, divided);
 * - offline queue: heap held by 100,000 GETs waiting in the offline queue of a client pointed at
 *   a port where nothing listens (reconnect.onInitialFailure 'retry'), promises included (the
 *   caller holds them as any caller would), after gc; then destroy().
 *
 *   node --expose-gc --import tsx bench/memory.ts '{"port":1234,"clients":["romaine"],"idleClients":200}'
 *
 * Heap only: valkey-glide keeps its connection state in native (Rust) memory, which no heap
 * figure shows.
 */
import { HOST, freePort } from './lib/server';

export interface MemoryArgs {
  port: number;
  clients: string[];
  idleClients: number;
  queued: number;
}

export interface MemoryResult {
  idle: { client: string; clients: number; bytesPerClient: number }[];
  offline: { client: string; commands: number; bytes: number; bytesPerCommand: number }[];
  /** Heap of the same number of bare pending promises with a catch handler: the caller's share. */
  promiseBaseline: { commands: number; bytes: number; bytesPerCommand: number };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadRomaine = (): typeof import('../src/index') => require('../src/index') as typeof import('../src/index');

const gcFn = (globalThis as { gc?: () => void }).gc;
if (gcFn === undefined) throw new Error('bench/memory.ts needs node --expose-gc');
const gc: () => void = gcFn;

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

interface Idle {
  close(): Promise<unknown>;
}

async function openIdle(id: string, port: number): Promise<() => Promise<Idle>> {
  switch (id) {
    case 'romaine': {
      const { createClient } = loadRomaine();
      return async () => {
        const c = createClient({ host: HOST, port });
        await c.connect();
        return c;
      };
    }
    case 'ioredis': {
      const { Redis } = await import('ioredis');
      return async () => {
        const c = new Redis({ host: HOST, port, lazyConnect: true });
        await c.connect();
        return { close: () => c.quit() };
      };
    }
    case 'node-redis': {
      const { createClient } = await import('redis');
      return async () => {
        const c = createClient({ socket: { host: HOST, port } });
        await c.connect();
        return { close: () => c.close() };
      };
    }
    case 'valkey-glide': {
      const { GlideClient } = await import('@valkey/valkey-glide');
      return async () => {
        const c = await GlideClient.createClient({ addresses: [{ host: HOST, port }] });
        return {
          close: () => {
            c.close();
            return Promise.resolve();
          },
        };
      };
    }
    default:
      throw new Error(`memory: unknown client ${id}`);
  }
}

async function idleHeap(id: string, port: number, n: number): Promise<number> {
  const open = await openIdle(id, port);
  // One client first: module code, lazily built tables and JIT output are not per-client costs.
  await (await open()).close();
  const before = await settledHeap();
  const clients: Idle[] = [];
  for (let i = 0; i < n; i++) clients.push(await open());
  const after = await settledHeap();
  await Promise.all(clients.map((c) => c.close()));
  return (after - before) / n;
}

async function offlineHeap(id: string, commands: number): Promise<number> {
  const deadPort = await freePort();
  const noop = (): void => undefined;
  const held: Promise<unknown>[] = new Array<Promise<unknown>>(commands);
  if (id === 'romaine') {
    const { createClient } = loadRomaine();
    const warm = createClient({ host: HOST, port: deadPort, reconnect: { onInitialFailure: 'retry' } });
    warm.get('bench:k:00000000').catch(noop);
    warm.destroy();
    const before = await settledHeap();
    const c = createClient({ host: HOST, port: deadPort, reconnect: { onInitialFailure: 'retry' } });
    for (let i = 0; i < commands; i++) {
      const p = c.get('bench:k:00000001');
      p.catch(noop);
      held[i] = p;
    }
    const after = await settledHeap();
    if (c.offlineQueueLength !== commands) {
      throw new Error(`romaine queued ${c.offlineQueueLength} commands offline, expected ${commands}`);
    }
    c.destroy();
    await Promise.allSettled(held);
    return after - before;
  }
  if (id === 'ioredis') {
    const { Redis } = await import('ioredis');
    const before = await settledHeap();
    const c = new Redis({ host: HOST, port: deadPort, maxRetriesPerRequest: null });
    c.on('error', noop);
    for (let i = 0; i < commands; i++) {
      const p = c.get('bench:k:00000001');
      p.catch(noop);
      held[i] = p;
    }
    const after = await settledHeap();
    // Disconnected while waiting to retry, ioredis leaves its offline queue pending for good:
    // nothing to await here.
    c.disconnect();
    return after - before;
  }
  throw new Error(`memory: no offline-queue measurement for ${id}`);
}

/** What the caller's side alone costs: `commands` pending promises with a catch handler each. */
async function promiseBaseline(commands: number): Promise<number> {
  const noop = (): void => undefined;
  const held: Promise<unknown>[] = new Array<Promise<unknown>>(commands);
  const resolvers: (() => void)[] = new Array<() => void>(commands);
  const before = await settledHeap();
  for (let i = 0; i < commands; i++) {
    const p = new Promise<void>((resolve) => (resolvers[i] = resolve));
    p.catch(noop);
    held[i] = p;
  }
  const after = await settledHeap();
  // The resolvers array is what keeps a queued command's promise alive; count it like a queue slot.
  for (const r of resolvers) r();
  await Promise.all(held);
  return after - before;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as MemoryArgs;
  const baseline = await promiseBaseline(args.queued);
  const result: MemoryResult = {
    idle: [],
    offline: [],
    promiseBaseline: { commands: args.queued, bytes: baseline, bytesPerCommand: baseline / args.queued },
  };
  for (const id of args.clients) {
    const bytes = await idleHeap(id, args.port, args.idleClients);
    result.idle.push({ client: id, clients: args.idleClients, bytesPerClient: bytes });
  }
  for (const id of args.clients.filter((c) => c === 'romaine' || c === 'ioredis')) {
    const bytes = await offlineHeap(id, args.queued);
    result.offline.push({ client: id, commands: args.queued, bytes, bytesPerCommand: bytes / args.queued });
  }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
