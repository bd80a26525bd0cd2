import type { Command } from '../connection/command';
import type { ConnectionHooks } from '../connection/connection';
import type { ProbeFinding } from '../connection/probe';
import type { ConnectionError, RomaineError } from '../errors';
import type { Arg } from '../protocol/types';
import type { BackoffOptions } from './backoff';
import type { Clock } from './clock';
import type { HealthOptions, HealthTarget } from './health';
import type { FailureHook, Phase } from './policy';
import type { RetryInFlight } from './replay';
import type { State } from './states';

// What a Lifecycle is given and what it drives: the contract between lifecycle/ and the layers
// that build one (client/, sentinel/, cluster/), kept apart from the state machine itself.

/** The part of a Connection the lifecycle drives (a fake one in unit tests). */
export interface ConnectionLike extends HealthTarget {
  /** What the handshake learned; `role` is 'master' or 'replica' and `mode` 'standalone', 'cluster' or 'sentinel' when the server said. */
  readonly server?: { role?: string; protocol?: 2 | 3; id?: number; mode?: string };
  send(cmd: Command): void;
  /** Decode pub/sub messages with Buffers (see Connection.pushBuffers); absent on test doubles. */
  pushBuffers?: boolean;
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
  /**
   * Unblocks a blocking command on a connection the lifecycle is leaving for a new server
   * (retire()): `open` sends `CLIENT UNBLOCK <id> TIMEOUT` for `conn` from a second connection to
   * the same server, and `withWait` gives the command's arguments with its wait set to what is left
   * of it (undefined: this command cannot be sent again). See retirements.ts.
   */
  unblock?: {
    open(conn: ConnectionLike): Promise<void>;
    withWait(cmd: Command, ms: number): readonly Arg[] | undefined;
  };
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
  /** A lifecycle of romaine's own (the sentinel event watches): publishes nothing on diagnostics channels. */
  quiet?: boolean;
}
