// Waiting in tests: a plain sleep, polling a condition with a deadline, and the outcome of a
// promise within a time limit (to tell "settled" from "hangs" without hanging the test).

import { sleep } from '../../src/testing/wait';

// sleep and pollUntil live with the harness (src/testing/wait.ts), which polls servers with them.
export { sleep, pollUntil } from '../../src/testing/wait';

/** Polls `cond` every 5 ms; rejects naming `what` if it is still false after `timeoutMs`. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export type Outcome<T> =
  { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown } | { status: 'pending' };

/** The promise's outcome if it settles within `ms` (0: by the next macrotask), else 'pending'. */
export async function settleWithin<T>(p: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<Outcome<T>>((r) => (timer = setTimeout(() => r({ status: 'pending' }), ms)));
  const settled = p.then(
    (value): Outcome<T> => ({ status: 'fulfilled', value }),
    (reason: unknown): Outcome<T> => ({ status: 'rejected', reason }),
  );
  try {
    return await Promise.race([settled, pending]);
  } finally {
    clearTimeout(timer);
  }
}
