// readFrom: where a read-only command goes. 'primary' (the default) sends everything to the
// slot's primary. 'preferReplica' sends reads to a ready replica of the slot's shard (in turn),
// the primary when none is ready. 'replica' sends them to replicas only: when none of the shard's
// replicas is ready, the read waits for one within its budget, like any command whose node is
// not there. A read is a command that @ioredis/commands (generated from the server's COMMAND)
// flags `readonly`: GET, MGET, HGETALL, EXISTS, XREAD, SCAN, EVAL_RO, FCALL_RO ...
import * as commands from '@ioredis/commands';
import type { RedisClient } from '../client/client';
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
      if (r.health !== 'online') continue;
      const client = this.replicas.clientFor(r);
      if (client.state === 'ready') {
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
          : `no replica of slot ${slot} is ready (${list.map((r) => `${r.key} ${r.health}`).join(', ')})`,
    };
  }
}
