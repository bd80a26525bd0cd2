/**
 * Every error romaine produces. Each class has a stable string `code` (what programs
 * match on) and a `name` equal to the class name (what people read). Messages say what
 * happened and what to do; they never contain credentials.
 *
 * The list of codes is documented in docs/errors.md, and a test checks that the two agree.
 */

/** The kinds of connection failure the failure policy knows. See docs/resilience.md. */
export type FailureKind =
  'network' | 'protected-mode' | 'auth' | 'tls' | 'loading' | 'protocol' | 'health' | 'handshake' | 'readonly';

export class RomaineError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Thrown synchronously for a bad option, URL or argument: the fault is in the caller's code. */
export class InvalidArgumentError extends RomaineError {
  constructor(message: string) {
    super('EINVALIDARG', message);
  }
}

/**
 * The server answered with an error. `code` is the first word of the server's message
 * (`WRONGTYPE`, `ERR`, `NOSCRIPT`, ...), so `err.code === 'WRONGTYPE'` works; the full text is
 * in `message`. `command` names the command that got the answer (never its arguments).
 */
export class ReplyError extends RomaineError {
  command: string | undefined;
  constructor(message: string, command?: string) {
    super(replyCode(message), message);
    this.command = command;
  }
}

function replyCode(message: string): string {
  const space = message.indexOf(' ');
  const word = space === -1 ? message : message.slice(0, space);
  return /^[A-Z][A-Z0-9_-]*$/.test(word) ? word : 'ERR';
}

/** A connection attempt failed, or an established connection died; `kind` classifies why. */
export class ConnectionError extends RomaineError {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'ECONNECTION', message, options);
    this.kind = kind;
  }
}

/** The server refused us because it runs in protected mode (`-DENIED ...`). */
export class ProtectedModeError extends ConnectionError {
  constructor(serverMessage: string, endpoint: string) {
    super(
      'protected-mode',
      `${endpoint} refused the connection: Redis is running in protected mode (server said: ${truncate(serverMessage, 160)}). ` +
        'Protected mode accepts only loopback clients while the default user has no password. Fix it on the server, one of: ' +
        '(1) set a password (requirepass, or an ACL user) and give it to the client — the right fix, because it keeps the server safe on any interface; ' +
        '(2) bind to the interface clients use (bind 10.0.0.5) so that you chose who can reach it; ' +
        '(3) disable protected mode (protected-mode no) — only on a network you fully trust, as it exposes an unauthenticated server.',
      { code: 'EPROTECTEDMODE' },
    );
  }
}

/** The server refused our credentials, or a handshake command lacked permission. */
export class AuthError extends ConnectionError {
  constructor(serverMessage: string, endpoint: string, hint: string) {
    super('auth', `${endpoint} refused authentication (server said: ${truncate(serverMessage, 160)}). ${hint}`, {
      code: 'EAUTH',
    });
  }
}

/** The server sent bytes that are not RESP, or a reply broke a limit. The connection is dropped. */
export class ProtocolError extends RomaineError {
  /** The bytes were a TLS record: the server expects TLS (a plain-text client on a TLS port). */
  readonly looksLikeTls: boolean;
  constructor(message: string, looksLikeTls = false) {
    super('EPROTOCOL', message);
    this.looksLikeTls = looksLikeTls;
  }
}

/** `commandTimeoutMs` (or the command's own `timeoutMs`) passed before the reply came. */
export class CommandTimeoutError extends RomaineError {
  readonly command: string;
  /** true when the command had been written to the socket: it may have run on the server. */
  readonly maybeExecuted: boolean;
  constructor(command: string, timeoutMs: number, maybeExecuted: boolean) {
    super(
      'ETIMEDOUT',
      `${command} got no reply within ${timeoutMs} ms` +
        (maybeExecuted ? ' (it was sent, so it may have run on the server)' : ' (it was never sent)'),
    );
    this.command = command;
    this.maybeExecuted = maybeExecuted;
  }
}

/** The command's AbortSignal fired before the reply came. */
export class AbortError extends RomaineError {
  readonly command: string;
  readonly maybeExecuted: boolean;
  constructor(command: string, maybeExecuted: boolean, reason?: unknown) {
    super(
      'EABORTED',
      `${command} was aborted` +
        (maybeExecuted ? ' after it was sent (it may have run on the server)' : ' before it was sent'),
      { cause: reason },
    );
    this.command = command;
    this.maybeExecuted = maybeExecuted;
  }
}

/**
 * The socket died after the command was written and before its reply came, and the command
 * was not safe to send again. `maybeExecuted` is true: the server may or may not have run it.
 */
export class ConnectionLostError extends RomaineError {
  readonly command: string;
  readonly maybeExecuted: boolean;
  /** `why: 'twice'`: it was safe to re-send, but it was already in flight on the connection before (see docs/resilience.md). */
  constructor(command: string, maybeExecuted: boolean, cause: unknown, why?: 'twice') {
    super(
      'ECONNLOST',
      `the connection was lost before ${command} got its reply` +
        (why === 'twice'
          ? '; it was in flight on two connections in a row that both died, so it is not sent a third time (a command that breaks every connection it is sent on must not keep the client reconnecting); it may have run on the server'
          : maybeExecuted
            ? '; it had been sent, so it may have run on the server, and it was not re-sent because running it twice is not safe'
            : '; it was never sent'),
      { cause },
    );
    this.command = command;
    this.maybeExecuted = maybeExecuted;
  }
}

/** The client was closed or destroyed: the command was never run (or `maybeExecuted` says otherwise). */
export class ClientClosedError extends RomaineError {
  readonly maybeExecuted: boolean;
  constructor(message = 'the client is closed', maybeExecuted = false) {
    super('ECLOSED', message);
    this.maybeExecuted = maybeExecuted;
  }
}

/**
 * The client is in state `failed` (its connection failed for good: a configuration error during
 * `connect()`, or `reconnect.maxAttempts` was reached). `cause` is the ConnectionError that
 * ended it. Call `connect()` again to start over.
 */
export class ClientFailedError extends RomaineError {
  constructor(cause: unknown) {
    super(
      'EFAILED',
      `the client has failed and sends no commands${cause instanceof Error ? `: ${cause.message}` : ''}. Call connect() to try again.`,
      { cause },
    );
  }
}

/** The offline queue is off or full, so a command issued while not ready was rejected unsent. */
export class OfflineQueueFullError extends RomaineError {
  constructor(message: string) {
    super('EQUEUEFULL', message);
  }
}

/** Waiting for a pooled connection took longer than `acquireTimeoutMs`. */
export class PoolTimeoutError extends RomaineError {
  constructor(timeoutMs: number, max: number) {
    super(
      'EPOOLTIMEOUT',
      `no pooled connection became free within ${timeoutMs} ms (max ${max} connections, all in use)`,
    );
  }
}

/** A cluster command's keys hash to different slots: refused before anything is sent. */
export class ClusterCrossSlotError extends RomaineError {
  readonly command: string;
  constructor(command: string, slots: readonly number[]) {
    super(
      'ECROSSSLOT',
      `${command}'s keys hash to different slots (${slots.slice(0, 5).join(', ')}${slots.length > 5 ? ', ...' : ''}): in a cluster every key of one command must be in one slot. Put the common part of the keys in a hash tag, e.g. '{user:42}:name' and '{user:42}:email'`,
    );
    this.command = command;
  }
}

/**
 * A command inside `cluster.isolated()` was answered MOVED: the slot's owner changed (a failover,
 * a finished migration) while the block held a connection to the old one. That command did not
 * run (nor, in a MULTI, the transaction); commands of the block before it ran on the old owner.
 * The cluster's map is updated: running the block again goes to the new owner. (An ASK, a
 * migration under way, is ClusterSlotMigratingError.)
 */
export class ClusterSlotMovedError extends RomaineError {
  readonly slot: number;
  /** The node that served the block (host:port). */
  readonly from: string;
  /** Where the server said the slot is now (host:port). */
  readonly to: string;
  /**
   * Always false: the command answered MOVED did not run, nor (`inTransaction`) the MULTI it was
   * queued in (Redis discarded it: EXECABORT). Commands of the block before it did run.
   */
  readonly maybeExecuted = false;
  /** The MOVED answered a command queued inside MULTI: EXEC answered EXECABORT (the `cause`). */
  readonly inTransaction: boolean;
  constructor(slot: number, from: string, to: string, cause: unknown, inTransaction = false) {
    super(
      'ESLOTMOVED',
      inTransaction
        ? `slot ${slot} moved from ${from} to ${to} while an isolated() block ran on ${from}: a command queued in its MULTI was answered MOVED, so Redis discarded the transaction (EXECABORT) and nothing of it ran; commands of the block before MULTI ran on ${from}. Run the block again: it goes to ${to}`
        : `slot ${slot} moved from ${from} to ${to} while an isolated() block ran on ${from}: the command answered MOVED did not run (nor the transaction it was queued in); commands of the block before it ran on ${from}. Run the block again: it goes to ${to}`,
      { cause },
    );
    this.slot = slot;
    this.from = from;
    this.to = to;
    this.inTransaction = inTransaction;
  }
}

/**
 * A command inside `cluster.isolated()` was answered ASK: its slot is being migrated from the node
 * the block runs on (`from`) to `to`, and the key it asked for has moved already. That command did
 * not run (nor, in a MULTI, the transaction); commands of the block before it ran on `from`.
 * isolated() cannot follow an ASK: ASKING lets only the one command after it run at the target, so
 * a WATCH / MULTI / EXEC cannot move there, and the slot's keys are split between the two nodes
 * until the migration ends. The map is not changed (an ASK never changes it): a block run again
 * goes to `from` while the migration lasts; run it again after the migration (a MOVED then
 * teaches the map the new owner).
 */
export class ClusterSlotMigratingError extends RomaineError {
  readonly slot: number;
  /** The node that served the block, the migration's source (host:port). */
  readonly from: string;
  /** The migration's target, where the key is now (host:port). */
  readonly to: string;
  /**
   * Always false: the command answered ASK did not run, nor (`inTransaction`) the MULTI it was
   * queued in (Redis discarded it: EXECABORT). Commands of the block before it did run.
   */
  readonly maybeExecuted = false;
  /** The ASK answered a command queued inside MULTI: EXEC answered EXECABORT (the `cause`). */
  readonly inTransaction: boolean;
  constructor(slot: number, from: string, to: string, cause: unknown, inTransaction = false) {
    super(
      'ESLOTMIGRATING',
      `slot ${slot} is being migrated from ${from} to ${to} and the key had moved already (ASK) while an isolated() block ran on ${from}: ` +
        (inTransaction
          ? `a command queued in its MULTI was answered ASK, so Redis discarded the transaction (EXECABORT) and nothing of it ran; commands of the block before MULTI ran on ${from}. `
          : `the command answered ASK did not run (nor the transaction it was queued in); commands of the block before it ran on ${from}. `) +
        `A WATCH/MULTI block cannot follow an ASK (the slot's keys are split between the two nodes until the migration ends): run the block again after the migration`,
      { cause },
    );
    this.slot = slot;
    this.from = from;
    this.to = to;
    this.inTransaction = inTransaction;
  }
}

/** A cluster command was redirected (MOVED/ASK) more times than `maxRedirections`; `hops` lists where it went. */
export class ClusterRedirectionError extends RomaineError {
  readonly command: string;
  readonly hops: readonly string[];
  constructor(command: string, hops: readonly string[], cause: unknown) {
    super(
      'EREDIRECTIONS',
      `${command} was redirected ${hops.length} times without finding the node that serves its slot (${hops.join(' -> ')}); the cluster's slots are moving or its nodes disagree: check CLUSTER SHARDS on each node, or raise maxRedirections`,
      { cause },
    );
    this.command = command;
    this.hops = hops;
  }
}

/** A seed node answered, but it is not part of a cluster (cluster-enabled no). */
export class ClusterDisabledError extends RomaineError {
  constructor(endpoint: string) {
    super(
      'ECLUSTERDISABLED',
      `cluster support is disabled on ${endpoint}: use createClient() for a standalone server, or give createCluster() the nodes of a cluster (cluster-enabled yes)`,
    );
  }
}

/**
 * A cluster command found no node to serve its slot within its time budget: the slot is not
 * covered, its owner is unreachable, or the cluster answered CLUSTERDOWN/TRYAGAIN throughout.
 */
export class ClusterUnavailableError extends RomaineError {
  readonly command: string;
  readonly slot: number | undefined;
  constructor(command: string, slot: number | undefined, waitedMs: number, why: string, cause?: unknown) {
    super(
      'ECLUSTERDOWN',
      `${command}${slot === undefined ? '' : ` (slot ${slot})`} found no node able to serve it within ${waitedMs} ms: ${why}. Commands wait up to commandTimeoutMs (or the cluster's unavailableTimeoutMs) for the cluster to recover`,
      { cause },
    );
    this.command = command;
    this.slot = slot;
  }
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Every error code romaine defines itself (ReplyError codes come from the server). */
export const ERROR_CODES = [
  'EINVALIDARG',
  'ECONNECTION',
  'EPROTECTEDMODE',
  'EAUTH',
  'EPROTOCOL',
  'ETIMEDOUT',
  'EABORTED',
  'ECONNLOST',
  'ECLOSED',
  'EFAILED',
  'EQUEUEFULL',
  'EPOOLTIMEOUT',
  'ECROSSSLOT',
  'EREDIRECTIONS',
  'ECLUSTERDISABLED',
  'ECLUSTERDOWN',
  'ESENTINELMASTER',
  'ESENTINELUNREACHABLE',
] as const;
