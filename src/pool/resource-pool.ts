import { ClientClosedError, PoolTimeoutError } from '../errors';

/** How a pool makes, checks, resets and ends its resources. */
export interface ResourceFactory<T> {
  /** Makes a resource (synchronously: a client connects by itself, on first use). */
  create(): T;
  /** Whether an idle resource may be lent out (a client that failed for good may not). */
  usable(resource: T): boolean;
  /**
   * Called when a resource comes back, with the error its user ended with (if any). Resets what can
   * be reset and says what to do: 'reuse', 'close' (gracefully: work still on it finishes) or
   * 'destroy' (now).
   */
  recycle(resource: T, error: unknown): 'reuse' | 'close' | 'destroy';
  close(resource: T): Promise<void>;
  destroy(resource: T): void;
  /** Gets a resource kept for `min` ready (a client connects). */
  warm?(resource: T): void;
}

export interface ResourcePoolOptions {
  /** Resources kept even when idle (made at once, and again when one is discarded). */
  min: number;
  /** Most resources at once; acquiring beyond waits. */
  max: number;
  /** How long acquire() waits for a free resource before PoolTimeoutError (Infinity: forever). */
  acquireTimeoutMs: number;
  /** Idle resources above `min` are closed after this long (Infinity: never). */
  idleTimeoutMs: number;
}

interface Waiter<T> {
  resolve(resource: T): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface PoolStats {
  /** Resources in the pool: idle + busy. */
  size: number;
  idle: number;
  busy: number;
  /** Callers waiting for a resource. */
  waiting: number;
}

/**
 * A bounded pool. Every resource is in exactly one collection, `idle` or `busy`, and moves between
 * them (or out) only through `move()`. Callers beyond `max` wait in arrival order, each with its
 * own deadline. `close()` lets busy resources come back first; `destroy()` does not wait.
 */
export class ResourcePool<T> {
  /** Most recently returned last: acquire takes the warmest one. */
  private readonly idle: T[] = [];
  private readonly busy = new Set<T>();
  private readonly idleTimers = new Map<T, ReturnType<typeof setTimeout>>();
  /** Insertion-ordered, and a waiter that times out leaves from the middle in O(1). */
  private readonly waiters = new Set<Waiter<T>>();
  private state: 'open' | 'closing' | 'closed' = 'open';
  /** Graceful closes under way. */
  private readonly ending = new Set<Promise<void>>();
  private drained: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly factory: ResourceFactory<T>,
    private readonly options: ResourcePoolOptions,
  ) {
    this.fillToMin();
  }

  stats(): PoolStats {
    return {
      size: this.idle.length + this.busy.size,
      idle: this.idle.length,
      busy: this.busy.size,
      waiting: this.waiters.size,
    };
  }

  /** Lends a resource to `fn` and takes it back however `fn` ends. */
  async use<R>(fn: (resource: T) => Promise<R>): Promise<R> {
    const resource = await this.acquire();
    let failure: unknown;
    try {
      return await fn(resource);
    } catch (err) {
      failure = err ?? new Error('the callback threw a nullish value');
      throw err;
    } finally {
      this.release(resource, failure);
    }
  }

  acquire(): Promise<T> {
    if (this.state !== 'open') return Promise.reject(new ClientClosedError('the pool is closed'));
    while (this.idle.length > 0) {
      const resource = this.idle[this.idle.length - 1];
      if (this.factory.usable(resource)) {
        this.move(resource, 'busy');
        return Promise.resolve(resource);
      }
      this.end(resource, 'destroy');
    }
    if (this.busy.size < this.options.max) {
      const resource = this.factory.create();
      this.move(resource, 'busy');
      return Promise.resolve(resource);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject, timer: undefined };
      const timeoutMs = this.options.acquireTimeoutMs;
      if (timeoutMs !== Infinity) {
        waiter.timer = setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new PoolTimeoutError(timeoutMs, this.options.max));
        }, timeoutMs);
      }
      this.waiters.add(waiter);
    });
  }

  /** Takes a resource back; `error` is what its user ended with, if anything. */
  release(resource: T, error?: unknown): void {
    if (!this.busy.has(resource)) return; // released twice, or destroyed meanwhile
    const verdict = this.state === 'closed' ? 'destroy' : this.factory.recycle(resource, error);
    if (verdict === 'reuse') {
      const waiter = this.nextWaiter();
      if (waiter !== undefined) {
        waiter.resolve(resource); // stays busy: handed straight to the next caller
        return;
      }
      if (this.state === 'open') this.move(resource, 'idle');
      else this.end(resource, 'close');
    } else {
      this.end(resource, verdict);
      // A slot freed up: a waiter gets a new resource.
      const waiter = this.state === 'closed' ? undefined : this.nextWaiter();
      if (waiter !== undefined) {
        const created = this.factory.create();
        this.move(created, 'busy');
        waiter.resolve(created);
      }
    }
    if (this.state === 'closing') this.closeIdle();
    this.fillToMin();
  }

  /** Takes a resource out of the pool and ends it; close() waits for graceful ends. */
  private end(resource: T, how: 'close' | 'destroy'): void {
    this.move(resource, 'gone');
    if (how === 'destroy') {
      this.factory.destroy(resource);
      return;
    }
    const ending = this.factory.close(resource).catch(() => undefined);
    this.ending.add(ending);
    void ending.then(() => this.ending.delete(ending));
  }

  private nextWaiter(): Waiter<T> | undefined {
    const first = this.waiters.values().next();
    if (first.done === true) return undefined;
    const waiter = first.value;
    this.waiters.delete(waiter);
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    return waiter;
  }

  /** The one place a resource changes collection. */
  private move(resource: T, to: 'idle' | 'busy' | 'gone'): void {
    this.busy.delete(resource);
    const timer = this.idleTimers.get(resource);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.idleTimers.delete(resource);
    }
    if (to !== 'idle') {
      const i = this.idle.indexOf(resource);
      if (i !== -1) this.idle.splice(i, 1);
    }
    if (to === 'busy') this.busy.add(resource);
    if (to === 'idle') {
      this.idle.push(resource);
      if (this.options.idleTimeoutMs !== Infinity) {
        const idleTimer = setTimeout(() => this.idleExpired(resource), this.options.idleTimeoutMs);
        idleTimer.unref();
        this.idleTimers.set(resource, idleTimer);
      }
    }
  }

  private idleExpired(resource: T): void {
    this.idleTimers.delete(resource);
    if (this.idle.length + this.busy.size <= this.options.min || !this.idle.includes(resource)) return;
    this.end(resource, 'close');
  }

  private fillToMin(): void {
    if (this.state !== 'open') return;
    while (this.idle.length + this.busy.size < this.options.min) {
      const resource = this.factory.create();
      this.move(resource, 'idle');
      this.factory.warm?.(resource);
    }
  }

  /**
   * No new callers; callers already waiting are still served. Resolves once every resource came
   * back and was closed gracefully. `busy: 'destroy'` drops busy resources instead of waiting.
   */
  close(opts?: { busy: 'wait' | 'destroy' }): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    if (this.state === 'closed') return Promise.resolve();
    this.state = 'closing';
    if (opts?.busy === 'destroy') {
      for (const resource of [...this.busy]) this.end(resource, 'destroy');
      this.failWaiters(new ClientClosedError('the pool was closed'));
    }
    this.closing = new Promise<void>((resolve) => {
      this.drained = resolve;
      this.closeIdle();
    });
    return this.closing;
  }

  private closeIdle(): void {
    if (this.busy.size > 0 || this.waiters.size > 0) return;
    for (const resource of [...this.idle]) this.end(resource, 'close');
    this.state = 'closed';
    const drained = this.drained;
    this.drained = undefined;
    void Promise.all(this.ending).then(() => drained?.());
  }

  /** Everything ends now: waiters reject, resources (busy ones too) are dropped. */
  destroy(): void {
    if (this.state === 'closed' && this.drained === undefined) return;
    this.state = 'closed';
    this.failWaiters(new ClientClosedError('the pool was destroyed'));
    for (const resource of [...this.busy, ...this.idle]) this.end(resource, 'destroy');
    const drained = this.drained;
    this.drained = undefined;
    drained?.();
  }

  private failWaiters(error: Error): void {
    for (const waiter of [...this.waiters]) {
      this.waiters.delete(waiter);
      if (waiter.timer !== undefined) clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}
