/**
 * How long a blocking command may legitimately wait for its reply, read from its built arguments.
 * The client runs a command with a nonzero figure on a dedicated connection (so it never stalls the
 * others) and does not count the wait against health checks. Infinity = may wait forever.
 */
import type { Arg } from '../../protocol/types';

/** A timeout in seconds (may be fractional) at `index` (negative: from the end); 0 = forever. */
export function secondsAt(index: number): (args: Arg[]) => number {
  return (args) => {
    const seconds = Number(args[index < 0 ? args.length + index : index]);
    return seconds === 0 ? Infinity : seconds * 1000;
  };
}

/** A timeout in milliseconds at `index`; 0 = forever. */
export function millisecondsAt(index: number): (args: Arg[]) => number {
  return (args) => {
    const ms = Number(args[index < 0 ? args.length + index : index]);
    return ms === 0 ? Infinity : ms;
  };
}

/**
 * XREAD / XREADGROUP: the BLOCK option (before STREAMS, where key names start), 0 = forever;
 * without BLOCK the command does not block at all (0).
 */
export function streamBlock(args: Arg[]): number {
  for (let i = 0; i < args.length; i++) {
    const token = typeof args[i] === 'string' ? (args[i] as string).toUpperCase() : '';
    if (token === 'STREAMS') return 0;
    if (token === 'BLOCK') {
      const ms = Number(args[i + 1]);
      return ms === 0 ? Infinity : ms;
    }
  }
  return 0;
}
