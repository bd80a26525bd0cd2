export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  jitter: Jitter;
}

/**
 * The delay before reconnect attempt `attempt` (1-based). Exponential from baseDelayMs, capped at
 * maxDelayMs, with the jitter kinds of the AWS architecture blog "Exponential Backoff And Jitter":
 *   none          base * 2^(n-1), capped
 *   full          random in [0, capped)
 *   equal         capped/2 + random in [0, capped/2)
 *   decorrelated  random in [base, previous * 3), capped
 * `random` returns [0, 1) and is injected for tests.
 */
export function backoffDelay(
  attempt: number,
  previousDelayMs: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exp = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.min(attempt - 1, 52));
  switch (opts.jitter) {
    case 'none':
      return exp;
    case 'full':
      return Math.floor(random() * exp);
    case 'equal':
      return Math.floor(exp / 2 + random() * (exp / 2));
    case 'decorrelated': {
      const prev = Math.max(previousDelayMs, opts.baseDelayMs);
      const upper = Math.max(opts.baseDelayMs, prev * 3);
      return Math.min(opts.maxDelayMs, Math.floor(opts.baseDelayMs + random() * (upper - opts.baseDelayMs)));
    }
  }
}
