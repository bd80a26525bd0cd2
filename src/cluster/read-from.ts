// readFrom: where a read-only command goes. 'primary' (the default) sends everything to the
// slot's primary. 'preferReplica' sends reads to a ready, in-sync replica of the slot's shard (in
// turn), the primary when there is none. 'replica' sends them to replicas only: when none of the
// shard's replicas is ready and in sync, the read waits for one within its budget, like any
// command whose node is not there. In sync: its link to its primary is up (replicas.ts). A read is
// a command that @ioredis/commands (generated from the server's COMMAND) flags `readonly`: GET,
// MGET, HGETALL, EXISTS, XREAD, SCAN, EVAL_RO, FCALL_RO ...
import * as commands from '@ioredis/commands';
import type { RedisClient } from '../client/client';
import { ReplyError } from '../errors';
import type { Replicas } from './replicas';
import type { NodeAddress, SlotMap } from './slot-map';

export type ReadFrom = 'primary' | 'replica' | 'preferReplica';

/** Commands known to @ioredis/commands, by name as called: a finite set, so the cache stays small. */
const readOnly = new Map<string, boolean>();

/** Whether a command only reads (the `readonly` flag of the server's COMMAND table). */
export function isReadOnly(name: string): boolean {
  const cached = readOnly.get(name);
  if (cached !== undefined) return cached;
  const lower = name.toLowerCase();
  if (!commands.exists(lower)) return false;
  const yes = commands.hasFlag(lower, 'readonly');
  readOnly.set(name, yes);
  return yes;
}

/**
 * A replica the slot map lists as 'online' or 'loading' may take reads once its connection is
 * ready and ROLE said its link is up (replicas.ts); a failed one may not. 'loading' is CLUSTER
 * SHARDS' word for a replica whose replication offset, as last gossiped, was 0: the map may keep
 * it long after the replica synced (it is refreshed after a change, not when a sync ends), and
 * ROLE, asked on the connection the reads go to, is the fresher answer.
 */
export function mayServe(health: string): boolean {
  return health === 'online' || health === 'loading';
}

/** Where a read goes: 'primary', a ready replica (with the signal that pulls it back if the replica is lost), or why it waits. */
export type ReadTarget =
  'primary' | { at: NodeAddress; client: RedisClient; signal: AbortSignal } | { at: undefined; why: string };

export class ReadPicker {
  private turn = 0;

  constructor(
    readonly mode: Exclude<ReadFrom, 'primary'>,
    private readonly replicas: Replicas,
    private readonly map: () => SlotMap | undefined,
  ) {}

  pick(slot: number): ReadTarget {
    const shard = this.map()?.shardFor(slot);
    // An uncovered slot: the primary path waits for it and asks for a refresh.
    if (shard === undefined) return 'primary';
    const list = shard.replicas;
    for (let i = 0; i < list.length; i++) {
      const r = list[(this.turn + i) % list.length];
      if (!mayServe(r.health)) continue;
      const client = this.replicas.clientFor(r);
      if (client.state === 'ready' && this.replicas.inSync(r.key)) {
        this.turn++;
        return { at: r, client, signal: this.replicas.signalOf(r.key) };
      }
    }
    if (this.mode === 'preferReplica') return 'primary';
    return {
      at: undefined,
      why:
        list.length === 0
          ? `the shard of slot ${slot} has no replica (readFrom: 'replica' reads from replicas only)`
          : `no replica of slot ${slot} is ready and in sync with its primary (${list.map((r) => this.describe(r.key, r.health)).join(', ')})`,
    };
  }

  /**
   * A read that `replica` answered with an error: true when the error says the replica has no
   * current copy of the data (-LOADING: reloading it; -MASTERDOWN: link to its primary down with
   * replica-serve-stale-data no). The replica leaves the reads' turn until it is in sync again, and
   * the read is routed again (elsewhere) rather than failed: it did not run.
   */
  outOfSync(key: string, replica: RedisClient, err: unknown): boolean {
    if (!(err instanceof ReplyError) || (err.code !== 'LOADING' && err.code !== 'MASTERDOWN')) return false;
    if (this.replicas.clients.get(key) !== replica) return false;
    this.replicas.outOfSync(key);
    return true;
  }

  private describe(key: string, health: string): string {
    if (!mayServe(health)) return `${key} ${health}`;
    const state = this.replicas.clients.get(key)?.state;
    return state === 'ready' ? `${key} syncing with its primary` : `${key} ${state ?? 'not connected'}`;
  }
}
