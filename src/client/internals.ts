/**
 * What romaine's own modules need from a RedisClient and its users must not reach: the command
 * funnel, the epochs that guard WATCH and cached scripts, the subscriptions engine. They live in a
 * `#private` field of the client, so they are neither on its public type (nor in the API docs)
 * nor reachable by name from plain JavaScript (`client.sendCommand` is undefined); client/,
 * pool/, and a cluster layer get them through `internals(client)`.
 */
import type { Command, CommandOptions } from '../connection/command';
import type { Arg } from '../protocol/types';
import type { RedisClient } from './client';
import type { CommandDef, Transform } from './command-def';
import type { Subscriptions } from './pubsub';

/** Where and how a built command runs (what dispatch() works out for a typed method). */
export interface Route {
  transform?: Transform<unknown>;
  returnBuffers?: boolean;
  /** How long the server may hold the reply (ms, Infinity = forever); 0 or absent: not blocking. */
  blockingMs?: number;
  /** A blocking command that must stay on the caller's connection (WAIT). */
  sameConnection?: boolean;
}

export interface ClientInternals {
  /** The funnel every command goes through: validates the arguments, makes the command, hands it to the lifecycle. */
  sendCommand<T = unknown>(
    name: string,
    args: readonly Arg[],
    transform?: Transform<T>,
    options?: CommandOptions,
  ): Promise<T>;
  /** How a typed method sends: cache, state tracking, blocking commands to a dedicated connection. */
  dispatch(d: CommandDef, args: unknown[], buffers: boolean): Promise<unknown>;
  /** A built command, routed as given (blocking ones to a dedicated connection): the entry point for a cluster layer. */
  route(name: string, args: readonly Arg[], route: Route): Promise<unknown>;
  /** call(): a raw command with every check and rule of `client.call()` (`method` names the caller in errors). */
  call(name: string, args: Arg[], returnBuffers: boolean, method?: string): Promise<unknown>;
  /**
   * News that the server may be back (a cluster's fresh slot map, a peer node that came back): an
   * attempt waiting out its reconnect backoff starts now (the lifecycle's retryNow()).
   */
  retryNow(): void;
  /** Runs a prepared command object (pipelines and transactions). */
  submit(cmd: Command): void;
  /** Marks a prepared command as blocking for `ms` (health allowance; commandTimeoutMs counts from its end). */
  markBlocking(cmd: Command, ms: number): void;
  /** A transform that records what SELECT, CLIENT SETNAME, WATCH or UNWATCH did once the server said OK. */
  trackState(name: string, args: readonly Arg[]): Transform<unknown> | undefined;
  /** The subscriptions engine of this client's own connection (see PubSubRouter). */
  ownSubscriptions(mode: 'push' | 'reply'): Subscriptions;
  /** Counts connections made ready; a WATCH from an earlier one is void. */
  connectionEpoch: number;
  /**
   * Changes whenever the scripts cached on the server behind this client's connection may be gone:
   * a new connection was made ready, or this client sent SCRIPT FLUSH (client/scripts.ts).
   */
  scriptEpoch: number;
  /** Commands handed to this client's connection (or its offline queue) so far: the lifecycle's submittedCount. */
  submittedCount(): number;
  /** The connectionEpoch at the last WATCH, until EXEC, DISCARD or UNWATCH. */
  watchEpoch: number | undefined;
  /** Replies a feature takes before they are matched to commands, on every connection opened from now on (MONITOR's feed). */
  claimReplies(claim: (reply: unknown) => boolean): void;
  /** Set on the dedicated and pooled connections themselves: their blocking commands run on them. */
  isolatedConnection: boolean;
  /** Set by a cluster layer: the server dropped a shard channel of this client (its slot moved). */
  shardChannelDropped?: (channel: string) => void;
}

let read: ((client: RedisClient) => ClientInternals) | undefined;

/** Called once by RedisClient (from inside the class, where its private field is visible). */
export function provideInternals(reader: (client: RedisClient) => ClientInternals): void {
  read = reader;
}

/** The internals of a client. */
export function internals(client: RedisClient): ClientInternals {
  return read!(client);
}
