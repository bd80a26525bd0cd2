// cluster.isolated(keys, fn): a connection of its own to the owner of the keys' slot, for WATCH /
// MULTI / EXEC and other work that must not share a connection. The keys name the slot before
// anything is sent (keys of several slots: ClusterCrossSlotError, fn never called); the router
// waits for the slot's owner like for any command, then the node's own isolated() lends one of its
// dedicated connections. What fn does is fn's: nothing of it is re-run by the cluster. A MOVED
// from inside it (the owner changed while the block held the old one's connection) becomes a
// ClusterSlotMovedError (the command that got it did not run), and the map is updated so that the
// next block goes to the new owner. An ASK (the slot is being migrated, the key moved already)
// becomes a ClusterSlotMigratingError and leaves the map alone: the block cannot follow it (ASKING
// covers one command, not a WATCH/MULTI/EXEC, and the slot's keys are split until the migration
// ends), and the slot stays the source's until then. A MOVED or ASK for a command queued inside
// MULTI reaches fn as EXEC's EXECABORT (Redis discarded the transaction; the redirection is its
// `cause`): the same errors, with `inTransaction`, since nothing of the transaction ran.
import type { RedisClient } from '../client/client';
import type { RedisKey } from '../client/command-def';
import {
  ClusterCrossSlotError,
  ClusterSlotMigratingError,
  ClusterSlotMovedError,
  InvalidArgumentError,
  ReplyError,
} from '../errors';
import type { Arg } from '../protocol/types';
import { keySlot, type CommandSlot } from './key-slot';
import { parseRedirection } from './redirection';
import type { Send } from './router';
import { nodeKey, type NodeAddress } from './slot-map';

export interface IsolatedHost {
  route(name: string, where: CommandSlot, send: Send, args?: readonly Arg[], read?: boolean): Promise<unknown>;
  /** A MOVED seen outside the router: the slot's owner in the map, and a refresh. */
  moved(slot: number, to: NodeAddress): void;
}

/** What fn threw: carried through the router untouched (never a redirection or a retry for it). */
class Thrown extends Error {
  constructor(
    readonly err: unknown,
    readonly node: RedisClient,
  ) {
    super('thrown by the isolated() block');
  }
}

export async function clusterIsolated<T>(
  host: IsolatedHost,
  keys: RedisKey | RedisKey[],
  fn: (conn: RedisClient) => Promise<T>,
): Promise<T> {
  const list = Array.isArray(keys) ? keys : [keys];
  if (list.length === 0 || typeof fn !== 'function')
    throw new InvalidArgumentError(
      `isolated(keys, fn): give the key(s) the block works on (they choose the node) and a function, e.g. cluster.isolated('{user:42}:balance', async (conn) => ...)`,
    );
  const slots = [...new Set(list.map((k) => keySlot(typeof k === 'string' || Buffer.isBuffer(k) ? k : String(k))))];
  if (slots.length > 1) throw new ClusterCrossSlotError('isolated', slots);
  const slot = slots[0];
  let result: T;
  try {
    result = (await host.route('ISOLATED', { slot }, (node) =>
      node.isolated(fn).catch((err: unknown) => {
        throw new Thrown(err, node);
      }),
    )) as T;
  } catch (e) {
    if (!(e instanceof Thrown)) throw e;
    const from = e.node.options;
    const at = { host: from.host ?? '127.0.0.1', port: from.port ?? 6379 };
    // EXECABORT's cause is the first command the server refused to queue (client/pipeline.ts).
    const inTransaction = e.err instanceof ReplyError && e.err.code === 'EXECABORT';
    const r = parseRedirection(inTransaction ? (e.err as { cause?: unknown }).cause : e.err, at);
    if (r?.kind === 'moved') {
      host.moved(r.slot, r.address);
      throw new ClusterSlotMovedError(r.slot, nodeKey(at), nodeKey(r.address), e.err, inTransaction);
    }
    // A migration under way: the map stays as it is (the slot is still `at`'s until it ends).
    if (r?.kind === 'ask')
      throw new ClusterSlotMigratingError(r.slot, nodeKey(at), nodeKey(r.address), e.err, inTransaction);
    throw e.err;
  }
  return result;
}
