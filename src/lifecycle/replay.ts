import * as commands from '@ioredis/commands';
import type { Command } from '../connection/command';
import type { Leftovers } from '../connection/connection';
import { ConnectionLostError } from '../errors';
import type { Arg } from '../protocol/types';

export type RetryInFlight = 'idempotent' | 'always' | 'never';

/**
 * Writes that may be sent a second time after a lost reply because running them twice changes
 * neither the data nor the reply the caller sees. Each entry is reviewed; anything not here and
 * not read-only is rejected with ConnectionLostError { maybeExecuted: true } instead.
 *
 * Deliberately absent: SET with NX (a replay answers nil to the caller who took the lock), GET
 * (answers the new value instead of the old) or EX/PX (a relative expiry restarts later); DEL,
 * UNLINK, SADD, HSET, ZADD, PFADD (a replay answers a smaller count); INCR and friends; EXPIRE
 * (relative); PUBLISH (delivers twice); SETBIT (answers the new bit instead of the old).
 */
export const REPLAY_SAFE_WRITES: Readonly<Record<string, { why: string; when?: (args: readonly Arg[]) => boolean }>> = {
  set: {
    why: 'SET key value [XX] [EXAT|PXAT ts] [KEEPTTL] leaves the same value and absolute expiry and answers OK (or nil for XX on a missing key) both times',
    when: (args) => args.slice(2).every((a) => SAFE_SET_OPTIONS.has(String(a).toUpperCase()) || isNumeric(a)),
  },
  mset: { why: 'sets the same values and answers OK both times' },
  hmset: { why: 'sets the same fields and answers OK both times' },
  lset: { why: 'sets the same element and answers OK both times' },
  setrange: { why: 'writes the same bytes at the same offset and answers the same length both times' },
  select: { why: 'selects the same database and answers OK both times' },
  script: {
    why: 'SCRIPT LOAD stores the same script and answers the same SHA1 both times',
    when: (args) => String(args[0]).toUpperCase() === 'LOAD',
  },
};

const SAFE_SET_OPTIONS = new Set(['XX', 'EXAT', 'PXAT', 'KEEPTTL']);

/** Read-only subcommands of container commands, which @ioredis/commands does not flag. */
const READONLY_SUBCOMMANDS: Readonly<Record<string, ReadonlySet<string>>> = {
  client: new Set(['ID', 'INFO', 'LIST', 'GETNAME', 'GETREDIR', 'TRACKINGINFO']),
  config: new Set(['GET']),
  xinfo: new Set(['STREAM', 'GROUPS', 'CONSUMERS']),
  object: new Set(['ENCODING', 'FREQ', 'IDLETIME', 'REFCOUNT']),
  memory: new Set(['USAGE', 'STATS', 'DOCTOR']),
  script: new Set(['EXISTS']),
  function: new Set(['LIST', 'DUMP', 'STATS']),
  pubsub: new Set(['CHANNELS', 'NUMSUB', 'NUMPAT', 'SHARDCHANNELS', 'SHARDNUMSUB']),
  command: new Set(['COUNT', 'DOCS', 'INFO', 'LIST', 'GETKEYS']),
  cluster: new Set(['INFO', 'NODES', 'SLOTS', 'SHARDS', 'MYID', 'KEYSLOT', 'COUNTKEYSINSLOT']),
  acl: new Set(['WHOAMI', 'LIST', 'USERS', 'GETUSER', 'CAT']),
  slowlog: new Set(['GET', 'LEN']),
};

/** Commands without the readonly flag that only read: safe to send twice. */
const READONLY_EXTRA = new Set(['ping', 'echo', 'info', 'time', 'lastsave', 'role', 'dbsize']);

/** Connection-state commands that must never be replayed on another connection. */
const NEVER = new Set([
  'multi',
  'exec',
  'discard',
  'watch',
  'unwatch',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
  'monitor',
  'reset',
  'quit',
  'hello',
  'auth',
]);

function isNumeric(a: Arg): boolean {
  return typeof a === 'number' || typeof a === 'bigint' || /^\d+$/.test(String(a));
}

/** Whether running `cmd` a second time can change neither the data nor the caller's reply. */
export function isIdempotent(name: string, args: readonly Arg[]): boolean {
  const lower = name.toLowerCase();
  if (NEVER.has(lower)) return false;
  if (READONLY_EXTRA.has(lower)) return true;
  const sub = READONLY_SUBCOMMANDS[lower];
  if (sub !== undefined && args.length > 0 && sub.has(String(args[0]).toUpperCase())) return true;
  const safe = REPLAY_SAFE_WRITES[lower];
  if (safe !== undefined) return safe.when === undefined || safe.when(args);
  return commands.exists(lower) && commands.hasFlag(lower, 'readonly');
}

/** Whether a written-but-unanswered command may be sent again on the next connection. */
export function mayReplay(cmd: Command, mode: RetryInFlight): boolean {
  if (cmd.internal || mode === 'never') return false;
  if (NEVER.has(cmd.name.toLowerCase()) && cmd.group === undefined) return false;
  if (cmd.group !== undefined) {
    // A MULTI ... EXEC block goes again only as a whole, and only if every command in it may.
    return cmd.group.commands.every(
      (c) => ['multi', 'exec'].includes(c.name.toLowerCase()) || mode === 'always' || isIdempotent(c.name, c.args),
    );
  }
  return mode === 'always' || isIdempotent(cmd.name, cmd.args);
}

/**
 * What becomes of a dead connection's commands: those written but unanswered go again only when
 * `mayReplay` allows it, the others fail with ConnectionLostError { maybeExecuted: true }; those
 * never written go again (ConnectionLostError { maybeExecuted: false } when there is no offline
 * queue to hold them). Returns the commands to send again, in their original order.
 *
 * A command goes again at most once: one that was in flight on two consecutive connection deaths
 * fails (maybeExecuted: true). A command that kills every connection it is sent on (a reply the
 * decoder refuses, a proxy that drops it, a server bug) would otherwise keep the client
 * reconnecting forever, and with it every command queued behind it.
 */
export function sortLeftovers(leftovers: Leftovers, canQueue: boolean, mode: RetryInFlight, cause: Error): Command[] {
  const requeue: Command[] = [];
  for (const cmd of leftovers.written) {
    if (cmd.resent) {
      cmd.fail(new ConnectionLostError(cmd.name, true, cause, 'twice'));
    } else if (canQueue && mayReplay(cmd, mode)) {
      cmd.stage = 'queued';
      cmd.resent = true;
      requeue.push(cmd);
    } else {
      cmd.fail(new ConnectionLostError(cmd.name, true, cause));
    }
  }
  for (const cmd of leftovers.unwritten) {
    if (canQueue) requeue.push(cmd);
    else cmd.fail(new ConnectionLostError(cmd.name, false, cause));
  }
  return requeue;
}
