import { InvalidArgumentError, ReplyError, RomaineError } from '../errors';
import type { RedisClient } from '../client/client';
import { internals } from '../client/internals';

/**
 * What a pool does with a client coming back from a user, before anyone else gets it:
 *
 * - reuse it, after UNWATCH if it was left watching keys (sent at once: the next user's commands
 *   queue behind it on the same connection, so no round trip is waited for);
 * - close it gracefully when it carries state that a reset cannot undo cheaply: subscriptions,
 *   or another database than it was made for (RESET would undo those, and also the connection's
 *   AUTH, protocol and name, which the lifecycle set up);
 * - destroy it when its user ended with an error the server did not send (a timeout, an abort, a
 *   lost connection: a command may still be blocking or mid-transaction on the server), when
 *   commands are still unanswered on it (nobody can say when a forgotten BLPOP would return), or
 *   when it failed or was closed.
 */
export function recycleClient(conn: RedisClient, error: unknown): 'reuse' | 'close' | 'destroy' {
  const state = conn.state;
  if (state === 'failed' || state === 'closing' || state === 'closed') return 'destroy';
  const unanswered =
    error instanceof RomaineError && !(error instanceof ReplyError || error instanceof InvalidArgumentError);
  if (unanswered) return 'destroy';
  if (conn.pendingCommands > 0) return 'destroy';
  if (conn.subscriptionCount > 0 || conn.selectedDatabase !== conn.options.database) return 'close';
  if (internals(conn).watchEpoch !== undefined) conn.unwatch().catch(() => undefined);
  return 'reuse';
}

/** Whether an idle client may be lent out: one that failed for good is replaced by a fresh one. */
export function usableClient(conn: RedisClient): boolean {
  return conn.state !== 'failed' && conn.state !== 'closing' && conn.state !== 'closed';
}
