import {
  ClientClosedError,
  ClientFailedError,
  ConnectionError,
  ConnectionLostError,
  OfflineQueueFullError,
  type RomaineError,
} from '../errors';
import type { Command } from '../connection/command';
import { commandStart, publishableArgs, reconnectingChannel, stateChannel } from '../diagnostics';
import type { ConnectionHooks, Leftovers } from '../connection/connection';
import { backoffDelay, type BackoffOptions } from './backoff';
import { classifyFailure } from './classify';
import type { Clock, TimerHandle } from './clock';
import { armDeadline, type DeadlineHooks } from './deadlines';
import { HealthMonitor, type HealthOptions, type HealthTarget } from './health';
import type { ProbeFinding } from '../connection/probe';
import { defaultDecision, initialGiveUpError, type FailureHook, type Phase } from './policy';
import { sortLeftovers, type RetryInFlight } from './replay';
import { nextState, type LifecycleEvent, type State } from './states';
import { OfflineQueue } from './offline-queue';

/** The part of a Connection the lifecycle drives (a fake one in unit tests). */
export interface ConnectionLike extends HealthTarget {
  /** What the handshake learned; `role` is 'master' or 'replica' when the server said. */
  readonly server?: { role?: string; protocol?: 2 | 3; id?: number };
  send(cmd: Command): void;
  /** Settles the oldest command owed a reply with `value`, if it is `cmd` (see Connection.settleOldest). */
  settleOldest?(cmd: Command, value: unknown): boolean;
  destroy(cause: Error): void;
  end(): Promise<void>;
  internalCall(name: string, args: readonly (string | number)[]): Promise<unknown>;
}

export interface AttemptInfo {
  /** 1-based count of attempts since the connection was last stable. */
  attempt: number;
  phase: Phase;
  /** Read-only listening time before the handshake is written (see ConnectionConfig.listenFirstMs). */
  listenFirstMs: number;
}

export interface ReconnectPolicy extends BackoffOptions {
  maxAttempts: number;
  initialTimeoutMs: number;
  onInitialFailure: 'fail-fast' | 'retry';
  /** A connection ready for this long counts as stable: the attempt count and backoff start over. */
  resetAfterMs: number;
  decide: FailureHook | undefined;
}

export interface LifecycleEvents {
  stateChange(payload: { from: State; to: State; reason?: RomaineError }): void;
  reconnecting(payload: { attempt: number; delayMs: number; reason: ConnectionError }): void;
  ready(payload: { reconnected: boolean }): void;
  /** A failure worth telling about (only emitted by the client when someone listens). */
  error(error: ConnectionError): void;
}

export interface LifecycleConfig {
  clock: Clock;
  random?: () => number;
  /** Opens one connection (socket + handshake) for one attempt; rejects with why it failed. */
  open(info: AttemptInfo, hooks: ConnectionHooks): Promise<ConnectionLike>;
  /** Runs after the handshake and before `ready` (pub/sub resubscription, tracking). */
  restore?: (conn: ConnectionLike) => Promise<void>;
  /**
   * One deadline for every step of an attempt: socket, TLS, handshake and restore (plus the
   * attempt's listen-first time). Undefined: no deadline of the lifecycle's own.
   */
  attemptTimeoutMs?: number;
  /**
   * Opens a second connection to the server of `conn` and asks about `conn` (connection/probe.ts):
   * the health check's confirmation before it condemns a silent connection. Never counted as an
   * attempt. Without it, silence alone condemns.
   */
  probe?: (conn: ConnectionLike) => Promise<ProbeFinding>;
  onPush?: (frame: unknown[]) => void;
  claimReply?: (reply: unknown) => boolean;
  endpoint: string;
  sentPassword: boolean;
  reconnect: ReconnectPolicy | false;
  offlineQueue: { enabled: boolean; maxLength: number };
  retryInFlight: RetryInFlight;
  healthCheck: HealthOptions | false;
  commandTimeoutMs: number;
  events: LifecycleEvents;
  /** Who owns this lifecycle (the client), named in diagnostics_channel messages. */
  owner?: unknown;
}

/** How long the attempt after a silent reset listens before writing: long enough for a `-DENIED` line. */
export const LISTEN_FIRST_MS = 200;

/**
 * While the connection is being opened, the attempt's deadline waits this much longer: the
 * transport and the handshake have timers of their own on the same budget, whose errors say more
 * precisely what did not answer. It only catches an open that never settles.
 */
export const OPEN_GRACE_MS = 250;

/**
 * Owns the current connection and answers "what now?" for every failure: retry or not, when, and
 * what happens to queued and in-flight commands. Every state change goes through `move()`, which
 * checks it against the transition table in states.ts.
 */
export class Lifecycle {
  private current: State = 'idle';
  /** Whether the client has ever been ready: the phase the failure policy reads. */
  private everReady = false;
  private conn: ConnectionLike | undefined;
  private health: HealthMonitor | undefined;
  /**
   * Commands waiting for a connection. While the client is connecting or reconnecting, every
   * unsettled command it accepted is here (a ready connection takes them all, and every other
   * state empties it): so a command settled by its deadline then was settled in this queue.
   */
  private readonly offline = new OfflineQueue();
  /** Attempts started since connect() or since the ready connection died: numbering and maxAttempts. */
  private attempts = 0;
  /**
   * Steps up the exponential backoff. Unlike `attempts` it survives a reconnect that does not last:
   * it goes back to 0 only once a connection stayed ready for reconnect.resetAfterMs, so a
   * flapping server is not hammered.
   */
  private backoffStep = 0;
  private lastDelay = 0;
  private readySince = 0;
  private initialDeadline = Infinity;
  private retryTimer: TimerHandle | undefined;
  /** The deadline of the attempt under way (attemptTimeoutMs). */
  private attemptTimer: TimerHandle | undefined;
  /** Bumped whenever pending attempts must be disowned (close, destroy, a new connect). */
  private generation = 0;
  private listenFirst = false;
  private lastFailure: ConnectionError | undefined;
  private connectWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closePromise: Promise<void> | undefined;
  /** Learned from the first ready connection: a client that found a primary expects one. */
  private expectPrimary = false;

  constructor(private readonly config: LifecycleConfig) {}

  get state(): State {
    return this.current;
  }

  get phase(): Phase {
    return this.everReady ? 'runtime' : 'initial';
  }

  /** The failure that caused the last retry or the `failed` state. */
  get lastError(): ConnectionError | undefined {
    return this.lastFailure;
  }

  /** Commands waiting in the offline queue (not counting those that settled there). */
  get offlineQueueLength(): number {
    return this.offline.length;
  }

  /**
   * Lets a layer above claim replies before they are matched to commands, on every connection
   * opened from now on (a RESP2 connection in subscriber mode, where messages are replies).
   */
  claimReplies(claim: (reply: unknown) => boolean): void {
    this.config.claimReply = claim;
  }

  /** The ready connection, if any (for features that must talk to it directly). */
  get connection(): ConnectionLike | undefined {
    return this.current === 'ready' ? this.conn : undefined;
  }

  private move(event: LifecycleEvent, reason?: RomaineError): void {
    const from = this.current;
    const to = nextState(from, event);
    if (to === undefined) throw new Error(`romaine internal error: no transition from '${from}' on '${event}'`);
    this.current = to;
    if (from === to) return;
    this.config.events.stateChange(reason === undefined ? { from, to } : { from, to, reason });
    if (stateChannel.hasSubscribers) stateChannel.publish({ client: this.config.owner, from, to, reason });
  }

  connect(): Promise<void> {
    switch (this.current) {
      case 'ready':
        return Promise.resolve();
      case 'closing':
      case 'closed':
        return Promise.reject(new ClientClosedError('connect() called on a closed client: create a new one'));
      case 'connecting':
      case 'reconnecting':
        return this.waitForReady();
      case 'idle':
      case 'failed': {
        const promise = this.waitForReady();
        this.move('connect');
        this.attempts = 0;
        this.backoffStep = 0;
        this.lastDelay = 0;
        const timeout = this.config.reconnect === false ? Infinity : this.config.reconnect.initialTimeoutMs;
        this.initialDeadline = this.config.clock.now() + timeout;
        this.startAttempt();
        return promise;
      }
    }
  }

  private waitForReady(): Promise<void> {
    return new Promise((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
  }

  private settleWaiters(error?: Error): void {
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    for (const w of waiters) {
      if (error === undefined) w.resolve();
      else w.reject(error);
    }
  }

  // ---------------------------------------------------------------- attempts

  private startAttempt(): void {
    const generation = this.generation;
    this.attempts++;
    const info: AttemptInfo = {
      attempt: this.attempts,
      phase: this.phase,
      listenFirstMs: this.listenFirst ? LISTEN_FIRST_MS : 0,
    };
    let opened: ConnectionLike | undefined;
    // One deadline for the whole attempt; once it passed (`over`), whatever the attempt's steps
    // bring later is discarded and its connection destroyed.
    let step: 'open' | 'restore' = 'open';
    let over = false;
    const clock = this.config.clock;
    const budgetMs =
      this.config.attemptTimeoutMs === undefined ? undefined : this.config.attemptTimeoutMs + info.listenFirstMs;
    const startedAt = clock.now();
    const expire = (): void => {
      this.attemptTimer = undefined;
      if (generation !== this.generation) return;
      over = true;
      const error =
        step === 'open'
          ? new ConnectionError(
              'network',
              `connecting to ${this.config.endpoint} (socket, TLS, handshake) did not finish within ${budgetMs} ms (connectTimeoutMs): retrying`,
            )
          : new ConnectionError(
              'network',
              `${this.config.endpoint} completed the handshake but did not answer the restore of subscriptions and client-side-cache tracking ` +
                `within the attempt's ${budgetMs} ms (connectTimeoutMs): the server went silent; retrying with a new connection`,
            );
      opened?.destroy(error);
      this.attemptFailed(error);
    };
    if (budgetMs !== undefined) this.attemptTimer = clock.setTimeout(expire, budgetMs + OPEN_GRACE_MS);
    const settleDeadline = (): void => {
      if (this.attemptTimer !== undefined) clock.clearTimeout(this.attemptTimer);
      this.attemptTimer = undefined;
    };
    const hooks: ConnectionHooks = {
      onPush: this.config.onPush,
      claimReply: this.config.claimReply,
      onClose: (cause, leftovers) => this.connectionDied(opened, cause, leftovers),
      onReadOnly: () => {
        if (this.expectPrimary && opened !== undefined && opened === this.conn) {
          opened.destroy(
            new ConnectionError(
              'readonly',
              `${opened.endpoint} answered READONLY: the primary was demoted (a failover?); reconnecting, resolving the host name again`,
            ),
          );
        }
      },
    };
    this.config.open(info, hooks).then(
      async (conn) => {
        opened = conn;
        if (over) {
          conn.destroy(new ConnectionError('network', 'the attempt passed its deadline before the connection opened'));
          return;
        }
        if (generation !== this.generation) {
          settleDeadline();
          conn.destroy(new ClientClosedError());
          return;
        }
        if (this.config.restore !== undefined) {
          step = 'restore';
          if (budgetMs !== undefined) {
            settleDeadline();
            this.attemptTimer = clock.setTimeout(expire, Math.max(1, startedAt + budgetMs - clock.now()));
          }
          try {
            await this.config.restore(conn);
          } catch (err) {
            if (over) return;
            settleDeadline();
            conn.destroy(err instanceof Error ? err : new Error(String(err)));
            if (generation === this.generation) this.attemptFailed(err);
            return;
          }
          if (over) return;
        }
        settleDeadline();
        if (generation !== this.generation) {
          conn.destroy(new ClientClosedError());
          return;
        }
        if (this.expectPrimary && conn.server?.role !== undefined && conn.server.role !== 'master') {
          const error = new ConnectionError(
            'readonly',
            `${conn.endpoint} is a ${conn.server.role}, but this client had a primary there: waiting for the name to point at the new primary`,
          );
          conn.destroy(error);
          this.attemptFailed(error);
          return;
        }
        this.attemptSucceeded(conn);
      },
      (err: unknown) => {
        if (over) return;
        settleDeadline();
        if (generation === this.generation) this.attemptFailed(err);
      },
    );
  }

  private attemptSucceeded(conn: ConnectionLike): void {
    const reconnected = this.everReady;
    if (!this.everReady) this.expectPrimary = conn.server?.role === 'master';
    this.conn = conn;
    this.everReady = true;
    this.listenFirst = false;
    this.readySince = this.config.clock.now();
    this.move('handshake-done');
    if (this.config.healthCheck !== false) {
      const probe = this.config.probe;
      this.health = new HealthMonitor(
        conn,
        this.config.clock,
        this.config.healthCheck,
        (err) => conn.destroy(err),
        probe === undefined ? undefined : () => probe(conn),
      );
      this.health.start();
    }
    // Commands that waited go first, in the order they were issued.
    for (const cmd of this.offline.drain()) if (!cmd.settled) conn.send(cmd);
    this.config.events.ready({ reconnected });
    this.settleWaiters();
  }

  private attemptFailed(raw: unknown): void {
    const error = classifyFailure(raw, { endpoint: this.config.endpoint, sentPassword: this.config.sentPassword });
    this.lastFailure = error;
    // A handshake that died of a reset or EOF before a single byte came back may have lost a
    // refusal (-DENIED) to the reset: the next attempt listens before it writes.
    const failure = raw as { stage?: string; bytesRead?: number };
    this.listenFirst = error.kind === 'network' && failure.stage === 'handshake' && failure.bytesRead === 0;
    this.config.events.error(error);
    if (this.current !== 'connecting' && this.current !== 'reconnecting') return;
    const policy = this.config.reconnect;
    if (policy === false) return this.giveUp(error);
    const phase = this.phase;
    let decision = policy.decide?.({ error, kind: error.kind, phase, attempt: this.attempts });
    decision ??= defaultDecision(error.kind, phase, policy.onInitialFailure);
    if (decision === 'fail') return this.giveUp(error);
    if (phase === 'runtime' && this.attempts >= policy.maxAttempts) return this.giveUp(error);
    const delay = this.nextDelay();
    const now = this.config.clock.now();
    if (phase === 'initial' && now + delay >= this.initialDeadline) {
      const elapsed = now - (this.initialDeadline - policy.initialTimeoutMs);
      return this.giveUp(
        initialGiveUpError(error, this.attempts, elapsed, policy.initialTimeoutMs, policy.onInitialFailure),
      );
    }
    this.scheduleAttempt('retry', delay, error);
  }

  private nextDelay(): number {
    const policy = this.config.reconnect;
    if (policy === false) return 0;
    this.backoffStep++;
    this.lastDelay = backoffDelay(this.backoffStep, this.lastDelay, policy, this.config.random);
    return this.lastDelay;
  }

  private scheduleAttempt(event: 'retry' | 'socket-died', delayMs: number, reason: ConnectionError): void {
    this.move(event, reason);
    this.config.events.reconnecting({ attempt: this.attempts + 1, delayMs, reason });
    if (reconnectingChannel.hasSubscribers) {
      reconnectingChannel.publish({ client: this.config.owner, attempt: this.attempts + 1, delayMs, reason });
    }
    const generation = this.generation;
    this.retryTimer = this.config.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (generation !== this.generation) return;
      this.move('timer');
      this.startAttempt();
    }, delayMs);
  }

  private giveUp(error: ConnectionError): void {
    this.generation++;
    this.move('give-up', error);
    this.settleWaiters(error);
    const failed = new ClientFailedError(error);
    for (const cmd of this.offline.drain()) cmd.fail(failed);
  }

  // ---------------------------------------------------------------- a ready connection died

  private connectionDied(conn: ConnectionLike | undefined, cause: Error, leftovers: Leftovers): void {
    if (conn === undefined || conn !== this.conn) {
      // Not ours any more (destroyed after close/destroy, or a disowned attempt): settle honestly.
      this.failLeftovers(leftovers, (cmd, written) => new ClientClosedError('the client was closed', written));
      return;
    }
    this.conn = undefined;
    this.health?.stop();
    this.health = undefined;
    const error = classifyFailure(cause, { endpoint: this.config.endpoint, sentPassword: this.config.sentPassword });
    this.lastFailure = error;

    if (this.current === 'closing' || this.current === 'closed') {
      this.failLeftovers(leftovers, (cmd, written) =>
        written ? new ConnectionLostError(cmd.name, true, error) : new ClientClosedError('the client was closed'),
      );
      return;
    }

    // Written but unanswered: replay what is safe, in order, ahead of everything queued since.
    const requeue = sortLeftovers(leftovers, this.config.offlineQueue.enabled, this.config.retryInFlight, error);
    this.offline.unshiftAll(requeue);

    const now = this.config.clock.now();
    const policy = this.config.reconnect;
    this.attempts = 0;
    const stable = policy !== false && now - this.readySince >= policy.resetAfterMs;
    if (stable) {
      this.backoffStep = 0;
      this.lastDelay = 0;
    }
    this.config.events.error(error);
    if (policy === false) {
      this.move('socket-died', error);
      return this.giveUp(error);
    }
    // The first attempt after a stable connection dies goes at once; a flapping one backs off.
    const delay = stable ? 0 : this.nextDelay();
    this.scheduleAttempt('socket-died', delay, error);
  }

  private failLeftovers(leftovers: Leftovers, make: (cmd: Command, written: boolean) => Error): void {
    for (const cmd of leftovers.written) cmd.fail(make(cmd, true));
    for (const cmd of leftovers.unwritten) cmd.fail(make(cmd, false));
  }

  // ---------------------------------------------------------------- commands

  /** Accepts a command: sends it, queues it, or rejects it at once, saying why. */
  submit(cmd: Command): void {
    if (commandStart.hasSubscribers) {
      cmd.trace = {
        command: cmd.name,
        args: publishableArgs(cmd.name, cmd.args),
        client: this.config.owner,
        startTime: performance.now(),
      };
      commandStart.publish(cmd.trace);
    }
    if (this.current === 'ready') {
      this.arm(cmd);
      (this.conn as ConnectionLike).send(cmd);
      return;
    }
    switch (this.current) {
      case 'idle':
        this.connect().catch(() => undefined); // the outcome reaches the command through the queue
        break;
      case 'failed':
        cmd.fail(new ClientFailedError(this.lastFailure));
        return;
      case 'closing':
      case 'closed':
        cmd.fail(new ClientClosedError());
        return;
      default:
        break;
    }
    const q = this.config.offlineQueue;
    if (!q.enabled) {
      cmd.fail(
        new OfflineQueueFullError(
          `${cmd.name} was not sent: the client is ${this.current} and the offline queue is off (offlineQueue: false)`,
        ),
      );
      return;
    }
    if (this.offline.length >= q.maxLength) {
      cmd.fail(
        new OfflineQueueFullError(
          `${cmd.name} was not sent: the client is ${this.current} and the offline queue is full (${q.maxLength} commands, offlineQueue.maxLength)`,
        ),
      );
      return;
    }
    this.arm(cmd);
    this.offline.push(cmd);
  }

  /** Starts the command's deadline and abort listener (deadlines.ts). */
  private arm(cmd: Command): void {
    armDeadline(cmd, this.config.clock, this.config.commandTimeoutMs, this.lastReadAt, this.deadlineHooks);
  }

  private readonly lastReadAt = (): number | undefined => this.conn?.lastReadAt;

  private readonly deadlineHooks: DeadlineHooks = {
    // While recovering, a command settled by its deadline was waiting in the offline queue.
    settled: () => {
      if (this.current === 'connecting' || this.current === 'reconnecting') {
        this.offline.settledOne();
      }
    },
    // A timed-out command on a silent connection: ask the health check to look now.
    silentTimeout: () => this.health?.suspect(),
  };

  /** Drops the current socket as if it had died (for READONLY on a demoted primary, and tests). */
  dropConnection(error: ConnectionError): void {
    this.conn?.destroy(error);
  }

  // ---------------------------------------------------------------- closing

  close(): Promise<void> {
    if (this.closePromise !== undefined) return this.closePromise;
    this.closePromise = this.closeNow();
    return this.closePromise;
  }

  private async closeNow(): Promise<void> {
    if (this.current === 'closed') return;
    const closed = new ClientClosedError('the client was closed before the command could be sent');
    this.generation++;
    this.cancelRetry();
    this.move('close');
    this.settleWaiters(new ClientClosedError('close() was called before the client became ready'));
    for (const cmd of this.offline.drain()) cmd.fail(closed);
    if (this.current === 'closing') {
      this.health?.stop();
      const conn = this.conn;
      if (conn !== undefined) await conn.end();
      this.conn = undefined;
      if (this.current === 'closing') this.move('drained');
    }
  }

  destroy(): void {
    if (this.current === 'closed') return;
    this.generation++;
    this.cancelRetry();
    this.move('destroy');
    this.health?.stop();
    this.health = undefined;
    this.settleWaiters(new ClientClosedError('destroy() was called before the client became ready'));
    for (const cmd of this.offline.drain()) cmd.fail(new ClientClosedError('the client was destroyed'));
    const conn = this.conn;
    this.conn = undefined;
    conn?.destroy(new ClientClosedError('the client was destroyed'));
  }

  private cancelRetry(): void {
    if (this.retryTimer !== undefined) this.config.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.attemptTimer !== undefined) this.config.clock.clearTimeout(this.attemptTimer);
    this.attemptTimer = undefined;
  }
}
