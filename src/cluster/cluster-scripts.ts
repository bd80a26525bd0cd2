// Lua scripts on a cluster. A script runs where its keys are: EVALSHA is routed by the slot of its
// keys (all in one slot, else ClusterCrossSlotError before anything is sent; a script with no key
// goes to a ready primary), with SCRIPT LOAD ahead of it on a node not known to have it cached, so
// that it runs in its place among the commands for that node. Each node's script cache is its own
// (Redis 7 replicates a script's effects, not the script), so it is known per node: a primary
// that never ran it, a replica promoted by a failover, a node after a restart each get it loaded.
// A NOSCRIPT all the same (a SCRIPT FLUSH behind the client's back) is handled on the node that
// answered it, as on a client (client/scripts.ts). MOVED and ASK are followed like any command;
// after an ASK, ASKING goes right before the EVALSHA and the EVAL (the migration target refuses
// them otherwise).
import type { RedisKey, RedisValue } from '../client/command-def';
import { scriptCallError, type Script } from '../client/scripts';
import type { Arg } from '../protocol/types';
import { commandSlot, type CommandSlot } from './key-slot';
import { sendBuilt } from './node-seam';
import type { Send } from './router';

export interface ScriptHost {
  route(name: string, where: CommandSlot, send: Send, args?: readonly Arg[], read?: boolean): Promise<unknown>;
}

/** Runs `script` on the owner of its keys' slot: EVALSHA, then EVAL on that node if it answers NOSCRIPT. */
export function runClusterScript(
  host: ScriptHost,
  script: Script,
  keys: RedisKey[],
  args: RedisValue[],
  returnBuffers = false,
): Promise<unknown> {
  const problem = scriptCallError('runScript', script, keys, args);
  if (problem !== undefined) return Promise.reject(problem);
  const shaArgs: Arg[] = [script.sha1, keys.length, ...keys, ...args];
  const evalsha = script.evalshaName;
  return host.route(
    evalsha,
    commandSlot(evalsha, shaArgs),
    scriptSend(script, shaArgs, returnBuffers),
    shaArgs,
    script.readOnly,
  );
}

/**
 * How a script's EVALSHA (`shaArgs`: sha1, numkeys, keys, args) is sent to a node, in its place
 * among the commands for that node (Script.send): SCRIPT LOAD first when the script is not known
 * to be cached there, handed to the node with the EVALSHA (in the same write, before it); after
 * an ASK, ASKING right before the EVALSHA (any command in between would use it up). A NOSCRIPT
 * answer gets EVAL on the same node (ASKING before it too) when nothing was sent to that node
 * after the EVALSHA, else the run fails with NOSCRIPT saying it did not run.
 */
export function scriptSend(script: Script, shaArgs: readonly Arg[], returnBuffers: boolean): Send {
  return (node, asking, signal) => {
    const before = asking
      ? () => void sendBuilt(node, 'ASKING', [], undefined, false).catch(() => undefined)
      : undefined;
    return script.send(node, shaArgs, returnBuffers, signal, before);
  };
}
