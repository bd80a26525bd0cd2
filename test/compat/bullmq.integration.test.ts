// BullMQ 6 through romaine/compat/ioredis against a real redis-server: a Queue, a Worker (its
// blocking waits run on a dedicated romaine connection), QueueEvents (XREAD BLOCK), a delayed job
// and a failing job retried until it succeeds; then the same flow across a server restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from '../../src/compat/ioredis/index';
import { RedisServer } from '../support/redis-server';
import { pollUntil, waitFor } from '../support/wait';

const fast = { reconnect: { baseDelayMs: 20, maxDelayMs: 200 } };

describe('BullMQ through romaine/compat/ioredis', { timeout: 120_000 }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  });
  after(async () => {
    await server?.destroy();
  });

  test('Queue + Worker + QueueEvents: plain, delayed and retried jobs complete', async () => {
    const connection = new Redis(server.port, '127.0.0.1', { maxRetriesPerRequest: null, romaine: fast });
    const queue = new Queue('flow', { connection });
    const events = new QueueEvents('flow', { connection });
    const attempts = new Map<string, number>();
    const worker = new Worker(
      'flow',
      // eslint-disable-next-line @typescript-eslint/require-await -- a processor that throws must reject
      async (job: Job) => {
        const n = (attempts.get(job.name) ?? 0) + 1;
        attempts.set(job.name, n);
        if (job.name === 'flaky' && n < 3) throw new Error(`flaky attempt ${n}`);
        return { doubled: (job.data as { n: number }).n * 2 };
      },
      { connection, concurrency: 2 },
    );
    const errors: Error[] = [];
    worker.on('error', (err) => errors.push(err));
    const completed = new Map<string, unknown>();
    events.on('completed', ({ jobId, returnvalue }) => completed.set(jobId, returnvalue));
    try {
      await events.waitUntilReady();
      await worker.waitUntilReady();
      const plain = await queue.add('plain', { n: 1 });
      const queuedAt = Date.now();
      const delayed = await queue.add('delayed', { n: 2 }, { delay: 600 });
      const flaky = await queue.add('flaky', { n: 3 }, { attempts: 5, backoff: { type: 'fixed', delay: 50 } });

      assert.deepEqual(await plain.waitUntilFinished(events, 30_000), { doubled: 2 });
      assert.deepEqual(await flaky.waitUntilFinished(events, 30_000), { doubled: 6 });
      assert.deepEqual(await delayed.waitUntilFinished(events, 30_000), { doubled: 4 });
      assert.ok(Date.now() - queuedAt >= 550, 'the delayed job did not run before its delay');
      assert.equal(attempts.get('flaky'), 3, 'the failing job ran until its third attempt succeeded');
      assert.equal((await queue.getJob(flaky.id as string))?.attemptsMade, 3);
      await waitFor('QueueEvents to report the three completions', () => completed.size === 3, 10_000);
      assert.deepEqual(await queue.getJobCounts('completed', 'failed', 'delayed', 'wait'), {
        completed: 3,
        failed: 0,
        delayed: 0,
        wait: 0,
      });
      assert.deepEqual(errors, []);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      await connection.quit();
    }
  });

  test('a server restart in the middle of the flow: jobs in progress, and jobs added during the outage, all complete', async () => {
    const connection = new Redis(server.port, '127.0.0.1', { maxRetriesPerRequest: null, romaine: fast });
    const queue = new Queue('restart', { connection });
    const events = new QueueEvents('restart', { connection });
    const done = new Set<string>();
    const worker = new Worker(
      'restart',
      async (job: Job) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        done.add(job.id as string);
        return job.id;
      },
      // A job whose completion was lost with the connection is found stalled and run again.
      { connection, stalledInterval: 1000, lockDuration: 2000 },
    );
    const states: string[] = [];
    connection.on('close', () => states.push('close'));
    connection.on('ready', () => states.push('ready'));
    worker.on('error', () => undefined);
    events.on('error', () => undefined);
    queue.on('error', () => undefined);
    try {
      await worker.waitUntilReady();
      await events.waitUntilReady();
      // A job whose completion (an EVALSHA) was in flight when the server went away fails that
      // attempt with ConnectionLostError { maybeExecuted: true } -- romaine does not run a write twice
      // behind BullMQ's back -- so the jobs have attempts, as BullMQ recommends.
      const opts = { attempts: 3 };
      const first: Job[] = [];
      for (let i = 0; i < 10; i++) first.push(await queue.add('first', { i }, opts));
      await waitFor('the worker to be in the middle of the first jobs', () => done.size >= 2, 20_000);

      await server.stop();
      await waitFor('the connection to notice', () => connection.status !== 'ready', 10_000);
      // Added while the server is down: they wait in romaine's offline queue.
      const adding = [1, 2, 3, 4, 5].map((i) => queue.add('during', { i }, opts));
      await server.restart();
      const during = await Promise.all(adding);
      const all = [...first, ...during];
      await waitFor('every job to complete', () => all.every((j) => done.has(j.id as string)), 60_000);
      assert.equal(connection.status, 'ready');
      assert.ok(states.includes('close') && states.at(-1) === 'ready', `ioredis events: ${states.join(', ')}`);
      let counts: Record<string, number> = {};
      await pollUntil(
        'the completed count to reach 15',
        async () => {
          counts = await queue.getJobCounts('completed', 'active', 'failed', 'wait', 'delayed');
          return counts.completed === 15 && counts.failed === 0 ? true : undefined;
        },
        30_000,
      ).catch((err: Error) => {
        return queue.getFailed().then((failed) => {
          const reasons = failed.map((j) => `${j.id}: ${j.failedReason}`).join('; ');
          throw new Error(`${err.message}: ${JSON.stringify(counts)} (failed: ${reasons})`);
        });
      });
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      await connection.quit();
    }
  });
});
