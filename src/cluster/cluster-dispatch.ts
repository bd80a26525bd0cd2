// How a cluster command is sent: a typed method's definition or call()'s raw command is built,
// its slot found, and then either fanned out by its command tip (a keyless command about the whole
// cluster) or routed to the slot's owner through the router (router.ts), with ASKING in front of
// it after an ASK. The typed methods of ClusterClient and of `cluster.buffers` are installed here
// from the client's command table: a command is written once.
import { buildError } from '../client/args';
import { callError, checkFrom } from '../client/call-check';
import { callNameError, callRule } from '../client/call-rules';
import type { CommandDef, Transform } from '../client/command-def';
import { COMMANDS } from '../client/commands';
import type { Arg } from '../protocol/types';
import { commandTip } from './command-tips';
import { fanOut, type FanOutParts } from './fan-out';
import { commandSlot, type CommandSlot } from './key-slot';
import { callOn, dispatchDef, sendBuilt } from './node-seam';
import { isReadOnly } from './read-from';
import type { Send } from './router';

/** What the dispatch needs of the cluster client. */
export interface DispatchHost {
  connect(): Promise<void>;
  route(name: string, where: CommandSlot, send: Send, args?: readonly Arg[], read?: boolean): Promise<unknown>;
  /** The topology, replicas and budget the fan-out helpers use. */
  parts(): FanOutParts;
}

/**
 * call() with the rules of RedisClient.call(): the name checked and commands that would change a
 * connection behind the client's back refused before anything is routed; on the slot's owner
 * the node's own call() runs it (blocking commands on a dedicated connection, SELECT tracked).
 */
export function rawCall(
  host: DispatchHost,
  name: string,
  args: Arg[],
  returnBuffers: boolean,
  method: string,
): Promise<unknown> {
  const badName = callNameError(method, name);
  if (badName !== undefined) return Promise.reject(badName);
  const refused = callRule(name)?.refuse?.(name, args, method);
  if (refused !== undefined) return Promise.reject(refused);
  const where = commandSlot(name, args);
  if (where.slot === 'none') {
    const tip = commandTip(name, args);
    if (tip !== undefined) return fanOut(host, host.parts(), name, args, tip, undefined, returnBuffers);
  }
  // An ordinary read may go to a replica (readFrom); call()'s own rules need the primary's client.
  const read = isReadOnly(name) && callRule(name) === undefined;
  return host.route(
    name,
    where,
    (node, asking, signal) => {
      if (asking) sendBuilt(node, 'ASKING', [], undefined, false).catch(() => undefined);
      return read
        ? sendBuilt(node, name, args, undefined, returnBuffers, undefined, signal)
        : callOn(node, name, args, returnBuffers, method);
    },
    args,
    read,
  );
}

/** How every typed method sends. */
export function runDef(host: DispatchHost, d: CommandDef, args: unknown[], buffers: boolean): Promise<unknown> {
  let built: Arg[];
  try {
    built = d.build(...args);
  } catch (err: unknown) {
    return Promise.reject(buildError(d.name.toLowerCase(), err));
  }
  // A blocking command, or a Map<Buffer, Buffer> reply: the node client's own dispatch sends it.
  const blocking = (d.blockingMs?.(built) ?? 0) > 0 || (buffers && d.bufferMap === true);
  const where = commandSlot(d.name, built);
  if (where.slot === 'none' && !blocking) {
    const tip = commandTip(d.name, built);
    if (tip !== undefined)
      return fanOut(host, host.parts(), d.name, built, tip, d.transform, buffers || d.binary === true);
  }
  return execute(
    host,
    d.name,
    built,
    d.transform,
    buffers || d.binary === true,
    where,
    blocking ? { d, args, buffers } : undefined,
  );
}

/** A built command on the slot's owner (or, keyless, on a ready primary). */
export function execute(
  host: DispatchHost,
  name: string,
  args: readonly Arg[],
  transform: Transform<unknown> | undefined,
  returnBuffers: boolean,
  where: CommandSlot,
  blocking?: { d: CommandDef; args: unknown[]; buffers: boolean },
): Promise<unknown> {
  return host.route(
    name,
    where,
    (node, asking, signal) => {
      // Back to back in one tick: ASKING and the command reach the same connection in order.
      if (asking) sendBuilt(node, 'ASKING', [], undefined, false).catch(() => undefined);
      return blocking === undefined
        ? sendBuilt(node, name, args, transform, returnBuffers, undefined, signal)
        : dispatchDef(node, blocking.d, blocking.args, blocking.buffers);
    },
    args,
    isReadOnly(name),
  );
}

/**
 * One method per command definition on `commands` (the cluster client's prototype) and on
 * `bufferCommands` (its `buffers` view's), as on RedisClient, with the same check of the call's
 * shape for JavaScript callers (see client/call-check.ts).
 */
export function installCommandMethods(
  commands: object,
  bufferCommands: object,
  runOn: (self: unknown, d: CommandDef, args: unknown[], buffers: boolean) => Promise<unknown>,
): void {
  for (const [method, d] of Object.entries(COMMANDS as Record<string, CommandDef>)) {
    const from = checkFrom(d);
    const check = callError;
    for (const [target, buffers] of [
      [commands, false],
      [bufferCommands, true],
    ] as const) {
      (target as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
        if (args.length > from) {
          const invalid = check(method, d, args);
          if (invalid !== undefined) return Promise.reject(invalid);
        }
        return runOn(this, d, args, buffers);
      };
    }
  }
}
