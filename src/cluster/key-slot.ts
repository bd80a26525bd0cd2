// Which slot a command belongs to, from its arguments. Key positions come from @ioredis/commands
// (generated from the server's COMMAND output, with the movable-key commands such as EVAL,
// ZUNIONSTORE, XREAD and MIGRATE handled), so the typed methods and call() route the same way
// from the same arguments; see docs/cluster.md for why not a per-definition field.
//
// This runs for every cluster command, so the common case is kept cheap: a command with fixed key
// positions (GET, SET, MSET: no movable keys) has them looked up once per name (once per method for
// the typed methods of a pipeline: keyRuleOf) and walked without an array of positions, and one
// reply object per slot is shared (the hash: protocol/key-slot.ts).
import * as commands from '@ioredis/commands';
import { keySlot } from '../protocol/key-slot';
import type { Arg } from '../protocol/types';

export { keySlot };

/** The key positions of a command without movable keys, as COMMAND gives them (1-based; last < 0 counts from the end). */
interface FixedKeys {
  readonly first: number;
  readonly last: number;
  readonly step: number;
}

interface CommandInfo {
  flags: string[];
  keyStart: number;
  keyStop: number;
  step: number;
}

// The table behind @ioredis/commands' getKeyIndexes (its default case reads these same fields).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const INFO = require('@ioredis/commands/built/commands.json') as Record<string, CommandInfo | undefined>;

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

/** A keyless command, or one unknown to the table (a module's): no keys. */
const NO_KEYS: FixedKeys = { first: 0, last: 0, step: 0 };
const NONE: CommandSlot = { slot: 'none' };
/**
 * The replies for one slot, made once each and shared (callers only read them). Filled up front
 * so that the array keeps fast elements: filled as slots come up, it would be a sparse array,
 * which V8 keeps as a dictionary and hashes the index of on every lookup.
 */
const ONE_SLOT = new Array<{ slot: number } | undefined>(16384).fill(undefined);

/** Where a command's keys are, worked out from its name once (keyRuleOf) and reused for each call. */
export type KeyRule = FixedKeys | null;

const fixedKeys = new Map<string, FixedKeys | null>();
const MAX_CACHED_NAMES = 2048;

/** The fixed key positions of a command by name (as given: cached per spelling), or null for the general path. */
export function keyRuleOf(name: string): KeyRule {
  let f = fixedKeys.get(name);
  if (f !== undefined) return f;
  const lower = name.toLowerCase();
  const info = Object.hasOwn(INFO, lower) ? INFO[lower] : undefined;
  if (SUBCOMMAND_KEY[lower] !== undefined || info?.flags.includes('movablekeys') === true) f = null;
  else if (info === undefined || !(info.step > 0)) f = NO_KEYS;
  else f = { first: info.keyStart - 1, last: info.keyStop, step: info.step };
  // Names come from call() too: the cache does not grow without bound.
  if (fixedKeys.size < MAX_CACHED_NAMES) fixedKeys.set(name, f);
  return f;
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
export type CommandSlot =
  { readonly slot: number } | { readonly slot: 'none' } | { readonly slot: 'cross'; readonly slots: number[] };

/** The command's slot; `fixed`: its name's keyRuleOf(), when the caller has it already. */
export function commandSlot(name: string, args: readonly Arg[], fixed: KeyRule = keyRuleOf(name)): CommandSlot {
  // Most commands have one key, or keys in one slot: no set unless a second slot shows up.
  let first = -1;
  let others: Set<number> | undefined;
  if (fixed === NO_KEYS) return NONE;
  if (fixed !== null) {
    // @ioredis/commands' default case, without the array of positions.
    const stop = fixed.last > 0 ? fixed.last : args.length + fixed.last + 1;
    for (let i = fixed.first; i < stop; i += fixed.step) {
      const k = args[i];
      if (k === undefined) continue;
      const slot = argSlot(k);
      if (first === -1) first = slot;
      else if (slot !== first) (others ??= new Set([first])).add(slot);
    }
  } else {
    for (const i of keyIndexes(name, args)) {
      const k = args[i];
      if (k === undefined) continue;
      const slot = argSlot(k);
      if (first === -1) first = slot;
      else if (slot !== first) (others ??= new Set([first])).add(slot);
    }
  }
  if (first === -1) return NONE;
  if (others === undefined) return (ONE_SLOT[first] ??= { slot: first });
  return { slot: 'cross', slots: [...others] };
}

function argSlot(k: Arg): number {
  return typeof k === 'string' || k instanceof Uint8Array ? keySlot(k) : keySlot(String(k));
}
