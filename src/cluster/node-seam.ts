// The one place where the cluster reaches into a node's RedisClient below its public API: it
// sends already-built commands (their slot was computed from those very arguments) and lets a
// typed definition run with the node's own rules (dedicated connections for blocking commands).
// The funnel is behind internals(client) (src/client/internals.ts); `internals(node).call()` and
// `.route()` also route raw blocking commands and apply call()'s rules.
import type { RedisClient } from '../client/client';
import { Command } from '../connection/command';
import { internals } from '../client/internals';
import type { CommandDef, Transform } from '../client/command-def';
import type { Arg } from '../protocol/types';

export function sendBuilt(
  node: RedisClient,
  name: string,
  args: readonly Arg[],
  transform: Transform<unknown> | undefined,
  returnBuffers: boolean,
  timeoutMs?: number,
  signal?: AbortSignal,
): Promise<unknown> {
  const options =
    returnBuffers || timeoutMs !== undefined || signal !== undefined
      ? {
          ...(returnBuffers ? { returnBuffers } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          ...(signal !== undefined ? { signal } : {}),
        }
      : undefined;
  return internals(node).sendCommand(name, args, transform, options);
}

/** A node's intake of command objects (what its own pipelines submit to). */
export type Intake = (cmd: Command) => void;

/**
 * The node's intake, for many commands in a row (a cluster pipeline's commands for that node:
 * looked up once, not per command). Each command's arguments must have been checked (argError).
 */
export function intakeOf(node: RedisClient): Intake {
  const funnel = internals(node);
  return (cmd) => funnel.submit(cmd);
}

export function dispatchDef(node: RedisClient, d: CommandDef, args: unknown[], buffers: boolean): Promise<unknown> {
  return internals(node).dispatch(d, args, buffers);
}

/**
 * A node that is reconnecting (or connecting) tries now instead of waiting out its backoff: the
 * cluster has news that it may be back. The node's own lifecycle still decides everything else.
 */
export function retryNow(node: RedisClient): void {
  if (node.state === 'reconnecting' || node.state === 'connecting') internals(node).retryNow();
}

/** A raw command with every rule of `node.call()` (blocking routing, tracked state). */
export function callOn(
  node: RedisClient,
  name: string,
  args: Arg[],
  returnBuffers: boolean,
  method: string,
): Promise<unknown> {
  return internals(node).call(name, args, returnBuffers, method);
}
