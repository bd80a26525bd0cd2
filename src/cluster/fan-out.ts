// Commands about the whole cluster rather than a key: sent to every primary (request_policy
// all_shards) or every node (all_nodes) and their replies made one (command-tips.ts), and SCAN
// walked primary by primary as one iterator.
//
// Each primary is reached through the router by a slot it serves, not by its address: the
// command then waits (within its budget) while that primary fails over and goes to the replica
// that took over its slots, in order with the commands issued before it for that slot and node.
// A primary that serves no slot and the replicas (all_nodes) are sent to directly, with the
// cluster's budget as their timeout.
import type { RedisClient } from '../client/client';
import type { Transform } from '../client/command-def';
import { COMMANDS } from '../client/commands';
import { scanIterator, type KeyScanIteratorOptions } from '../client/scan';
import type { Arg } from '../protocol/types';
import { aggregate, type CommandTip, type NodeOutcome } from './command-tips';
import type { CommandSlot } from './key-slot';
import { sendBuilt } from './node-seam';
import type { Replicas } from './replicas';
import type { Send } from './router';
import { nodeKey, type SlotMap } from './slot-map';
import type { Topology } from './topology';

export interface FanOutHost {
  connect(): Promise<void>;
  route(name: string, where: CommandSlot, send: Send): Promise<unknown>;
}

export interface FanOutParts {
  readonly topo: Topology;
  readonly replicas: Replicas;
  /** The cluster's budget for a command: commandTimeoutMs, else unavailableTimeoutMs. */
  readonly budgetMs: number;
}

/** One slot of each shard that serves any (the router reaches the shard's current primary by it). */
function shardSlots(map: SlotMap): number[] {
  const out: number[] = [];
  for (const s of map.shards) {
    const ranges = map.rangesOf(s);
    if (ranges.length > 0) out.push(ranges[0][0]);
  }
  return out;
}

/** Runs a keyless command on every primary (and every replica for all_nodes) and merges the replies. */
export async function fanOut(
  host: FanOutHost,
  parts: FanOutParts,
  name: string,
  args: readonly Arg[],
  tip: CommandTip,
  transform: Transform<unknown> | undefined,
  returnBuffers: boolean,
): Promise<unknown> {
  await host.connect();
  const map = parts.topo.map!;
  const direct = (c: RedisClient) => sendBuilt(c, name, args, transform, returnBuffers, parts.budgetMs);
  const sends: Promise<unknown>[] = shardSlots(map).map((slot) =>
    host.route(name, { slot }, (node) => sendBuilt(node, name, args, transform, returnBuffers)),
  );
  for (const s of map.shards) {
    // A primary with no slot yet (a node being added) still takes FLUSHALL, SCRIPT LOAD ...;
    // a failed one with no slot (replaced, not forgotten yet) is left alone.
    if (s.primary.health === 'online' && map.rangesOf(s).length === 0)
      sends.push(direct(parts.topo.clientFor(s.primary)));
  }
  if (tip.request === 'all_nodes') {
    for (const r of parts.replicas.known) if (r.health === 'online') sends.push(direct(parts.replicas.clientFor(r)));
  }
  const outcomes = await Promise.all(
    sends.map((p) =>
      p.then(
        (value): NodeOutcome => ({ ok: true, value }),
        (error: unknown): NodeOutcome => ({ ok: false, error }),
      ),
    ),
  );
  return aggregate(name, tip.response, outcomes);
}

/**
 * Every key of the cluster: SCAN on each primary in turn (one shard after the other), each page
 * sent through the router by a slot of that shard. When a page finds the shard served by another
 * node than the page before (a failover mid-scan), that shard's scan starts over on the new
 * primary: keys present throughout are still all returned, some of them twice.
 */
export function clusterScan(
  host: FanOutHost,
  parts: Pick<FanOutParts, 'topo'>,
  opts?: KeyScanIteratorOptions,
): AsyncGenerator<string, void, undefined> {
  const d = COMMANDS.scan;
  // Checks the options now (throws like client.scanIterator()); this one never runs.
  void scanIterator({ scan: () => Promise.reject(new Error('unused')) }, opts);
  async function* walk(): AsyncGenerator<string, void, undefined> {
    await host.connect();
    for (const slot of shardSlots(parts.topo.map!)) {
      let served: string | undefined;
      const shard = {
        scan: (cursor: string | number, o?: Parameters<typeof d.build>[1]) =>
          host.route('SCAN', { slot }, (node) => {
            const at = nodeKey(node.options);
            const from = served !== undefined && served !== at ? '0' : String(cursor);
            served = at;
            return sendBuilt(node, d.name, d.build(from, o), d.transform, false);
          }) as ReturnType<RedisClient['scan']>,
      };
      yield* scanIterator(shard, opts);
    }
  }
  return walk();
}
