/** Time as the lifecycle sees it: injected so that tests walk every transition without sleeping. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The longest delay a Node timer honours (about 24.8 days): a longer one fires after 1 ms. Options
 * are checked against it at createClient(); a deadline computed past it means no deadline.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof setTimeout>;

/**
 * Real time. Timers keep the process alive (a client waiting to reconnect must not let Node exit
 * under it); the health check unrefs its own, since a live socket already holds the process.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
