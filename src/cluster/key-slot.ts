// Which slot a command belongs to, from its arguments. Key positions come from @ioredis/commands
// (generated from the server's COMMAND output, with the movable-key commands such as EVAL,
// ZUNIONSTORE, XREAD and MIGRATE handled), so the typed methods and call() route the same way
// from the same arguments; see docs/cluster.md for why not a per-definition field.
import * as commands from '@ioredis/commands';
import calculateSlot from 'cluster-key-slot';
import type { Arg } from '../protocol/types';

/**
 * Container commands whose key is their second argument and that @ioredis/commands lists with no
 * key (it only knows the container's own key spec). Checked against Redis 7's COMMAND INFO.
 */
const SUBCOMMAND_KEY: Record<string, ReadonlySet<string>> = {
  object: new Set(['encoding', 'freq', 'idletime', 'refcount']),
  memory: new Set(['usage']),
  xgroup: new Set(['create', 'setid', 'destroy', 'createconsumer', 'delconsumer']),
  xinfo: new Set(['stream', 'groups', 'consumers']),
};

/** The slot of one key (hash tags `{...}` honoured). */
export function keySlot(key: string | Buffer): number {
  return calculateSlot(key);
}

/** The positions in `args` (after the command name) that hold keys; [] for a keyless or unknown command. */
export function keyIndexes(name: string, args: readonly Arg[]): number[] {
  const lower = name.toLowerCase();
  const sub = SUBCOMMAND_KEY[lower];
  if (sub !== undefined) return args.length > 1 && sub.has(String(args[0]).toLowerCase()) ? [1] : [];
  if (!commands.exists(lower)) return [];
  try {
    return commands.getKeyIndexes(lower, args as (string | Buffer | number)[]);
  } catch {
    // Malformed arguments (EVAL with a bad numkeys): the server will say what is wrong.
    return [];
  }
}

/** The command's slot: a number, 'none' for a keyless command, or 'cross' with the slots seen. */
export type CommandSlot = { slot: number } | { slot: 'none' } | { slot: 'cross'; slots: number[] };

export function commandSlot(name: string, args: readonly Arg[]): CommandSlot {
  const idx = keyIndexes(name, args);
  // Most commands have one key, or keys in one slot: no set unless a second slot shows up.
  let first: number | undefined;
  let others: Set<number> | undefined;
  for (const i of idx) {
    const k = args[i];
    if (k === undefined) continue;
    const slot = keySlot(
      typeof k === 'string' || Buffer.isBuffer(k) ? k : k instanceof Uint8Array ? Buffer.from(k) : String(k),
    );
    if (first === undefined) first = slot;
    else if (slot !== first) (others ??= new Set([first])).add(slot);
  }
  if (first === undefined) return { slot: 'none' };
  if (others === undefined) return { slot: first };
  return { slot: 'cross', slots: [...others] };
}
