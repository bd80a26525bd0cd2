// The pages of HSCAN, SSCAN and ZSCAN on a cluster, for the iterators of client/scan.ts. Each page
// is routed by its key like any command (MOVED and ASK followed), with one rule of its own: a
// cursor only means something on the node that gave it. Nodes hash a key's elements with a seed
// of their own, so after the key moved (a slot migration, a failover) the old cursor would skip
// and repeat elements at random on the new node (measured: a 600-field hash moved mid-HSCAN lost
// fields). When a page is served by another node than the previous one, the walk starts again
// from cursor 0 there: every element comes at least once, some may come twice (deduplicate if
// that matters, as with SCAN itself). Pages always go to the primary (a replica in turn per page
// would change node on every page).
import type { RedisClient } from '../client/client';
import type { CommandDef, RedisKey } from '../client/command-def';
import { COMMANDS } from '../client/commands';
import type { ScanIteratorOptions } from '../client/scan';
import type { Arg } from '../protocol/types';
import { commandSlot, type CommandSlot } from './key-slot';
import { sendBuilt } from './node-seam';
import type { Send } from './router';

export interface KeyScanHost {
  route(name: string, where: CommandSlot, send: Send, args?: readonly Arg[], read?: boolean): Promise<unknown>;
}

type PageFn = (key: RedisKey, cursor: string | number, opts?: ScanIteratorOptions) => Promise<never>;

/** An object with hscan/sscan/zscan pages for one iteration (it remembers the node of the last page). */
export function keyScanPages(host: KeyScanHost, buffers: boolean): { hscan: PageFn; sscan: PageFn; zscan: PageFn } {
  let last: RedisClient | undefined;
  const run = async (d: CommandDef, key: RedisKey, cursor: string | number, opts?: ScanIteratorOptions) => {
    const built = d.build(key, cursor, opts);
    let by: RedisClient | undefined;
    const reply = await host.route(
      d.name,
      commandSlot(d.name, built),
      (node, asking) => {
        by = node;
        if (asking) sendBuilt(node, 'ASKING', [], undefined, false).catch(() => undefined);
        return sendBuilt(node, d.name, built, d.transform, buffers || d.binary === true);
      },
      built,
      false,
    );
    return { reply, by };
  };
  const page =
    (d: CommandDef): PageFn =>
    async (key, cursor, opts) => {
      let r = await run(d, key, cursor, opts);
      if (String(cursor) !== '0' && last !== undefined && r.by !== last) r = await run(d, key, '0', opts);
      last = r.by;
      return r.reply as never;
    };
  const table = COMMANDS as unknown as Record<string, CommandDef>;
  return { hscan: page(table.hscan), sscan: page(table.sscan), zscan: page(table.zscan) };
}
