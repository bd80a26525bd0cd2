// A command in the router's hands (router.ts): what it carries from one try to the next, and the
// rules that say whether a failure means "route it again". Split from the router, which decides
// where and when; this says what a failure allows.
import type { RedisClient } from '../client/client';
import { AbortError, ClientClosedError, ClientFailedError, ConnectionLostError } from '../errors';
import { isIdempotent } from '../lifecycle/replay';
import type { Arg } from '../protocol/types';
import type { ResolvedClusterOptions } from './options';
import type { NodeAddress } from './slot-map';

/**
 * Hands the command to `node`. `signal` is set when the node is a replica serving a read
 * (readFrom): aborted when that replica is lost, so the read comes back to be routed again.
 */
export type Send = (node: RedisClient, asking: boolean, signal?: AbortSignal) => Promise<unknown>;

export interface Pending {
  readonly seq: number;
  readonly name: string;
  readonly slot: number | undefined;
  readonly send: Send;
  /** The command's arguments, when known (not for a MULTI block): for the in-flight rule on a retired node. */
  readonly args: readonly Arg[] | undefined;
  /** Sent again once after its retired node failed it while in flight: never a second time. */
  replayed: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
  start: number;
  budget: number;
  /** The redirections followed so far (made at the first one: most commands never meet one). */
  hops: string[] | undefined;
  ask: NodeAddress | undefined;
  lastError: unknown;
  why: string;
  /** Backoff after a failed try (10 ms doubling to 200 ms): not tried again before notBefore. */
  delay: number;
  notBefore: number;
  /** The server refused it once (TRYAGAIN, CLUSTERDOWN, never ran): its next tries are probes. */
  refused: boolean;
  /** A read-only command that readFrom may send to a replica. */
  read: boolean;
}

/** A command as it enters the router (its first try not made yet, or made on a batch's fast path). */
export function newPending(
  seq: number,
  name: string,
  slot: number | undefined,
  send: Send,
  args: readonly Arg[] | undefined,
  read: boolean,
  budget: number,
  resolve: (value: unknown) => void,
  reject: (err: unknown) => void,
): Pending {
  return {
    seq,
    name,
    slot,
    send,
    args,
    replayed: false,
    resolve,
    reject,
    start: 0,
    budget,
    hops: undefined,
    ask: undefined,
    lastError: undefined,
    why: '',
    delay: 10,
    notBefore: 0,
    refused: false,
    read,
  };
}

/**
 * A command in flight on a node that left the map (`retired`), failed when that node was closed or
 * lost (maybeExecuted): the client's in-flight rule (retryInFlight) says whether it may go again,
 * to the slot's new owner; once (marks it replayed).
 */
export function replayable(
  cmd: Pending,
  err: unknown,
  retired: boolean,
  mode: ResolvedClusterOptions['retryInFlight'],
): boolean {
  if (!(err instanceof ClientClosedError || err instanceof ConnectionLostError) || !err.maybeExecuted) return false;
  if (cmd.replayed || cmd.args === undefined || !retired) return false;
  if (mode === 'never' || (mode !== 'always' && !isIdempotent(cmd.name, cmd.args))) return false;
  cmd.replayed = true;
  return true;
}

/**
 * A failure that says the command never ran (the node was removed or never connected): route it
 * again. A read (readFrom) is routed again however far it got: it changed nothing, and a lost
 * replica's reads are pulled back by aborting them (AbortError). `closed`: the cluster client is.
 */
export function retryable(err: unknown, read: boolean, closed: boolean): boolean {
  if (read && (err instanceof AbortError || err instanceof ConnectionLostError)) return !closed;
  if (err instanceof ClientClosedError) return (read || !err.maybeExecuted) && !closed;
  if (err instanceof ConnectionLostError) return !err.maybeExecuted;
  return err instanceof ClientFailedError;
}
