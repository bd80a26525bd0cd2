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
 *   romaine:cluster:redirection { cluster, command, kind, slot, from, to } a MOVED or ASK was followed
 *   romaine:cluster:topology    { cluster, reason, added, removed, movedSlots, shards }  the slot map changed
 *   romaine:cluster:node        { cluster, node, event, from?, to? }     a node's client came, went, changed state
 *   romaine:sentinel:switch { client, name, from, to, trigger, sentinel } a sentinel client moved to another node
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
export const clusterRedirectionChannel = channel('romaine:cluster:redirection');
export const clusterTopologyChannel = channel('romaine:cluster:topology');
export const clusterNodeChannel = channel('romaine:cluster:node');

/** `romaine:cluster:redirection`: a command was redirected by MOVED or ASK. */
export interface ClusterRedirectionMessage {
  /** The ClusterClient. */
  cluster: unknown;
  command: string;
  kind: 'moved' | 'ask';
  slot: number;
  /** The node that answered MOVED/ASK, and the node it sent the command to (announced host:port). */
  from: string;
  to: string;
}

/** `romaine:cluster:topology`: the slot map was swapped and something changed (the `topologyChanged` event). */
export interface ClusterTopologyMessage {
  cluster: unknown;
  /** Why the map was refreshed: 'connected', 'periodic', 'MOVED', 'CLUSTERDOWN', 'node host:port is reconnecting'... */
  reason: string;
  /** Primaries that appeared / disappeared (announced host:port). */
  added: string[];
  removed: string[];
  /** Slots whose primary changed. */
  movedSlots: number;
  /** One line per shard after the change. */
  shards: string[];
}

/** `romaine:cluster:node`: a node's client was added, removed, or changed state (the `node` event). */
export interface ClusterNodeMessage {
  cluster: unknown;
  /** Announced host:port. */
  node: string;
  event: 'added' | 'removed' | 'stateChange';
  from?: string;
  to?: string;
}
export const sentinelSwitchChannel = channel('romaine:sentinel:switch');

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
