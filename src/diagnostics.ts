/**
 * romaine on `node:diagnostics_channel`, so that APM tools instrument it without monkey-patching.
 * Channels are created once; every publish is guarded by `hasSubscribers`, and a payload is built
 * only when someone listens, so nobody listening costs a property read per command.
 *
 *   romaine:command:start   { command, args, client, startTime }          a command was accepted
 *   romaine:command:end     the same object, plus { reply }               it succeeded
 *   romaine:command:error   the same object, plus { error }               it failed (any typed error)
 *   romaine:state           { client, from, to, reason? }                 a lifecycle transition
 *   romaine:reconnecting    { client, attempt, delayMs, reason }          a reconnect attempt was scheduled
 *
 * The start, end and error messages of one command are the same object, so a subscriber can keep
 * its span on it. `args` is the command's own array (do not mutate it); for commands that carry
 * credentials (AUTH, HELLO, MIGRATE, ACL SETUSER, CONFIG SET ...pass) it is replaced by ['?'].
 * See docs/observability.md.
 */
import { channel } from 'node:diagnostics_channel';
import type { Arg } from './protocol/types';

export const commandStart = channel('romaine:command:start');
export const commandEnd = channel('romaine:command:end');
export const commandError = channel('romaine:command:error');
export const stateChannel = channel('romaine:state');
export const reconnectingChannel = channel('romaine:reconnecting');

/** The message of one command's start, end and error. */
export interface CommandMessage {
  command: string;
  args: readonly Arg[];
  /** The RedisClient (or pool connection) that sent it. */
  client: unknown;
  /** performance.now() when the command was accepted. */
  startTime: number;
  reply?: unknown;
  error?: Error;
}

const SECRET_COMMANDS = new Set(['AUTH', 'HELLO', 'MIGRATE']);

/** The arguments as published: commands that may carry a password show none. */
export function publishableArgs(name: string, args: readonly Arg[]): readonly Arg[] {
  const upper = name.toUpperCase();
  if (SECRET_COMMANDS.has(upper)) return ['?'];
  if ((upper === 'ACL' || upper === 'CONFIG') && args.length > 0) {
    const sub = String(args[0]).toUpperCase();
    if (sub === 'SETUSER' || sub === 'SET') return [args[0], '?'];
  }
  return args;
}
