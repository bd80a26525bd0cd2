import {
  ClientClosedError,
  ClientFailedError,
  ConnectionLostError,
  ConnectionError,
  type RomaineError,
} from '../errors';
import type { Command } from '../connection/command';
import type { ReplyError } from '../errors';
import { commandStart, publishableArgs, reconnectingChannel, stateChannel } from '../diagnostics';
import type { Leftovers } from '../connection/connection';
import { Attempt, LISTEN_FIRST_MS, type AttemptOwner } from './attempt';
import { backoffDelay } from './backoff';
import { classifyFailure, refusedUnrun } from './classify';
import type { TimerHandle } from './clock';
import { armDeadline, type DeadlineHooks } from './deadlines';
import { HealthMonitor } from './health';
import type { AttemptInfo, ConnectionLike, LifecycleConfig } from './lifecycle-config';
import { defaultDecision, initialGiveUpError, type Phase } from './policy';
import { sortLeftovers } from './replay';
import { nextState, type LifecycleEvent, type State } from './states';
import { OfflineQueue, offlineRefusal } from './offline-queue';
import { Retirements } from './retirements';

// The types a lifecycle is built from, and the attempt's constants, stay importable from here.
export type {
  AttemptInfo,
  ConnectionLike,
  LifecycleConfig,
  LifecycleEvents,
  ReconnectPolicy,
} from './lifecycle-config';
export { LISTEN_FIRST_MS, OPEN_GRACE_MS } from './attempt';

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
  /** The attempt under way, or the last one (it owns its deadline and its connection's hooks). */
  private attempt: Attempt | undefined;
  /** Bumped whenever pending attempts must be disowned (close, destroy, a new connect). */
  private generation = 0;
  private listenFirst = false;
  private lastFailure: ConnectionError | undefined;
  private connectWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closePromise: Promise<void> | undefined;
  /** Learned from the first ready connection: a client that found a primary expects one. */
  private expectPrimary = false;
  /** Connections left for a new server while still open (retire()); see retirements.ts. */
  private readonly retiring: Retirements;
  /** Set by retryNow() during an attempt: if it fails, the next one starts without backoff. */
  private hurry = false;
  /** Commands submitted so far (accepted or not): see `submittedCount`. */
  private submitted = 0;

  constructor(private readonly config: LifecycleConfig) {
    this.retiring = new Retirements(config.clock, config.attemptTimeoutMs ?? 10_000, config.unblock);
  }

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

  /**
   * How many commands were submitted so far. Commands reach the server in the order they were
   * submitted, so a caller that finds this unchanged since it submitted a command knows that the
   * next command it submits will follow that one directly (a script's EVAL after a NOSCRIPT).
   */
  get submittedCount(): number {
    return this.submitted;
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
    if (stateChannel.hasSubscribers && this.config.quiet !== true)
      stateChannel.publish({ client: this.config.owner, from, to, reason });
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
    const owner: AttemptOwner = {
      isCurrent: () => generation === this.generation,
      expectsPrimary: () => this.expectPrimary,
      succeeded: (conn) => this.attemptSucceeded(conn),
      failed: (raw) => this.attemptFailed(raw),
      connectionClosed: (conn, cause, leftovers) => this.connectionDied(conn, cause, leftovers),
      readOnly: (conn, cmd, reply) => this.readOnly(conn, cmd, reply),
      blockedReply: (conn, cmd, reply) => conn !== undefined && this.retiring.blockedReply(conn, cmd, reply),
    };
    this.attempt = new Attempt(this.config, info, owner);
    this.attempt.start();
  }

  /**
   * A connection of a client that found a primary answered READONLY: the primary was demoted. The
   * lifecycle stops sending to it (retire) and reconnects; the write was refused before it ran
   * (classify.ts `refusedUnrun`), so it is taken back to go to the new primary, never reported as
   * maybe executed. Inside MULTI, or with the offline queue off, the command keeps its reply.
   */
  private readOnly(conn: ConnectionLike | undefined, cmd: Command, reply: ReplyError): boolean {
    if (!this.expectPrimary || conn === undefined) return false;
    if (conn === this.conn) {
      this.retire(
        new ConnectionError(
          'readonly',
          `${conn.endpoint} answered READONLY: the primary was demoted (a failover?); the write did not run and waits for the new primary (reconnecting, resolving the host name again)`,
        ),
      );
    }
    if (!refusedUnrun(reply) || cmd.internal || cmd.group !== undefined || !this.config.offlineQueue.enabled)
      return false;
    return this.retiring.takeBack(conn, cmd);
  }

  /**
   * Stops sending to the ready connection at once and reconnects: for a layer that learned that the
   * server behind it is being replaced (sentinel/: a failover under way), or a READONLY reply. New
   * commands wait in the offline queue; the commands in flight on the old connection get their
   * replies there (those refused unrun with READONLY go to the next connection), then it closes.
   * Returns false when there was no ready connection to leave.
   */
  retire(reason: ConnectionError): boolean {
    const conn = this.conn;
    if (this.current !== 'ready' || conn === undefined) return false;
    this.conn = undefined;
    this.health?.stop();
    this.health = undefined;
    this.lastFailure = reason;
    this.attempts = 0;
    this.retiring.add(conn);
    this.config.events.error(reason);
    this.scheduleAttempt('retire', 0, reason);
    return true;
  }

  /**
   * News about where the server is (a failover finished): an attempt waiting out its backoff starts
   * now, and if one is under way and fails, the next starts without waiting.
   */
  retryNow(): void {
    if (this.current !== 'connecting' && this.current !== 'reconnecting') return;
    const timer = this.retryTimer;
    if (timer === undefined) {
      this.hurry = true;
      return;
    }
    this.config.clock.clearTimeout(timer);
    this.retryTimer = undefined;
    this.move('timer');
    this.startAttempt();
  }

  private attemptSucceeded(conn: ConnectionLike): void {
    this.hurry = false;
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
    this.flushOffline();
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
    let delay = this.hurry ? 0 : this.nextDelay();
    this.hurry = false;
    const now = this.config.clock.now();
    if (phase === 'initial' && now >= this.initialDeadline) {
      const elapsed = now - (this.initialDeadline - policy.initialTimeoutMs);
      return this.giveUp(
        initialGiveUpError(error, this.attempts, elapsed, policy.initialTimeoutMs, policy.onInitialFailure),
      );
    }
    // A backoff that would run past the deadline is cut short: the last attempt is made at the
    // deadline, so a server that comes up before it is found (it used to give up a backoff early).
    if (phase === 'initial') delay = Math.min(delay, this.initialDeadline - now);
    this.scheduleAttempt('retry', delay, error);
  }

  private nextDelay(): number {
    const policy = this.config.reconnect;
    if (policy === false) return 0;
    this.backoffStep++;
    this.lastDelay = backoffDelay(this.backoffStep, this.lastDelay, policy, this.config.random);
    return this.lastDelay;
  }

  private scheduleAttempt(event: 'retry' | 'socket-died' | 'retire', delayMs: number, reason: ConnectionError): void {
    this.move(event, reason);
    this.config.events.reconnecting({ attempt: this.attempts + 1, delayMs, reason });
    if (reconnectingChannel.hasSubscribers && this.config.quiet !== true) {
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
    if (conn !== undefined && this.retiring.has(conn)) return this.retiredClosed(conn, cause, leftovers);
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

  /** A retired connection closed: what it gave back and what it still held go to the next connection. */
  private retiredClosed(conn: ConnectionLike, cause: Error, leftovers: Leftovers): void {
    const returned = this.retiring.closed(conn);
    if (this.current === 'closing' || this.current === 'closed' || this.current === 'failed') {
      const closed = new ClientClosedError('the client was closed before the command could be sent again');
      for (const cmd of returned) cmd.fail(closed);
      this.failLeftovers(leftovers, (cmd, written) =>
        written ? new ConnectionLostError(cmd.name, true, cause) : new ClientClosedError('the client was closed'),
      );
      return;
    }
    const error = classifyFailure(cause, { endpoint: this.config.endpoint, sentPassword: this.config.sentPassword });
    const requeue = sortLeftovers(leftovers, this.config.offlineQueue.enabled, this.config.retryInFlight, error);
    this.offline.unshiftAll([...returned.filter((c) => !c.settled), ...requeue]);
    this.flushOffline();
  }

  /** Sends what waits in the offline queue, in order, once a connection is ready and no retiring one may still give commands back. */
  private flushOffline(): void {
    const conn = this.conn;
    if (this.current !== 'ready' || conn === undefined || this.retiring.size > 0) return;
    for (const cmd of this.offline.drain()) if (!cmd.settled) conn.send(cmd);
  }

  private failLeftovers(leftovers: Leftovers, make: (cmd: Command, written: boolean) => Error): void {
    for (const cmd of leftovers.written) cmd.fail(make(cmd, true));
    for (const cmd of leftovers.unwritten) cmd.fail(make(cmd, false));
  }

  // ---------------------------------------------------------------- commands

  /** Accepts a command: sends it, queues it, or rejects it at once, saying why. */
  submit(cmd: Command): void {
    this.submitted++;
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
      // Behind the commands a retiring connection may still give back (READONLY): they go first.
      if (this.retiring.size === 0 || !this.config.offlineQueue.enabled) (this.conn as ConnectionLike).send(cmd);
      else this.offline.push(cmd);
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
    const refused = offlineRefusal(cmd.name, this.current, this.config.offlineQueue, this.offline.length);
    if (refused !== undefined) {
      cmd.fail(refused);
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
      if (this.current === 'connecting' || this.current === 'reconnecting' || this.retiring.size > 0) {
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
      await Promise.all([conn?.end(), this.retiring.ended()]);
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
    this.retiring.destroyAll(new ClientClosedError('the client was destroyed'));
  }

  private cancelRetry(): void {
    if (this.retryTimer !== undefined) this.config.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempt?.cancel();
  }
}
