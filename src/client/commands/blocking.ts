/**
 * How long a blocking command may legitimately wait for its reply, read from its built arguments.
 * The client runs a command with a nonzero figure on a dedicated connection (so it never stalls the
 * others) and does not count the wait against health checks. Infinity = may wait forever.
 *
 * The readers of the commands whose timeout answer is a null (BLPOP, BZPOPMIN, XREAD BLOCK...) can
 * also write the wait back (`withWait`): a command unblocked on a server that is being replaced is
 * sent again to the new one with what is left of its wait (lifecycle/retirements.ts).
 */
import type { Arg } from '../../protocol/types';

/** Reads a blocking command's wait (ms) from its arguments. */
export interface BlockingTime {
  (args: Arg[]): number;
  /** The arguments with the wait set to `ms` (finite, at least 1); absent where that is not known. */
  readonly withWait?: (args: readonly Arg[], ms: number) => Arg[];
}

const replaced = (args: readonly Arg[], i: number, value: string): Arg[] => {
  const out = [...args];
  out[i] = value;
  return out;
};

/** A timeout in seconds (may be fractional) at `index` (negative: from the end); 0 = forever. */
export function secondsAt(index: number): BlockingTime {
  const at = (args: readonly Arg[]) => (index < 0 ? args.length + index : index);
  const read = (args: Arg[]): number => {
    const seconds = Number(args[at(args)]);
    return seconds === 0 ? Infinity : seconds * 1000;
  };
  // Fractional seconds need Redis 6.0; a connection that can be unblocked said HELLO, so it is one.
  return Object.assign(read, {
    withWait: (args: readonly Arg[], ms: number) => replaced(args, at(args), (Math.max(1, ms) / 1000).toFixed(3)),
  });
}

/** A timeout in milliseconds at `index`; 0 = forever. */
export function millisecondsAt(index: number): BlockingTime {
  const at = (args: readonly Arg[]) => (index < 0 ? args.length + index : index);
  const read = (args: Arg[]): number => {
    const ms = Number(args[at(args)]);
    return ms === 0 ? Infinity : ms;
  };
  return Object.assign(read, {
    withWait: (args: readonly Arg[], ms: number) => replaced(args, at(args), String(Math.max(1, Math.ceil(ms)))),
  });
}

/** The index of XREAD / XREADGROUP's BLOCK value (before STREAMS, where key names start), or -1. */
function blockIndex(args: readonly Arg[]): number {
  for (let i = 0; i < args.length; i++) {
    const token = typeof args[i] === 'string' ? (args[i] as string).toUpperCase() : '';
    if (token === 'STREAMS') return -1;
    if (token === 'BLOCK') return i + 1;
  }
  return -1;
}

/**
 * XREAD / XREADGROUP: the BLOCK option, 0 = forever; without BLOCK the command does not block at
 * all (0).
 */
export const streamBlock: BlockingTime = Object.assign(
  (args: Arg[]): number => {
    const i = blockIndex(args);
    if (i < 0) return 0;
    const ms = Number(args[i]);
    return ms === 0 ? Infinity : ms;
  },
  {
    withWait: (args: readonly Arg[], ms: number): Arg[] => {
      const i = blockIndex(args);
      return i < 0 ? [...args] : replaced(args, i, String(Math.max(1, Math.ceil(ms))));
    },
  },
);
