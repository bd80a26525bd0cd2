// Lua scripts on a cluster. A script runs where its keys are: EVALSHA is routed by the slot of its
// keys (all in one slot, else ClusterCrossSlotError before anything is sent; a script with no key
// goes to a ready primary), and NOSCRIPT is handled on the node that answered it: EVAL there runs
// the script and caches it on that node. Each node's script cache is its own (Redis 7 replicates a
// script's effects, not the script), so the node that answers NOSCRIPT is the one that needs it:
// a primary that never ran it, a replica promoted by a failover, a node after a restart or a
// SCRIPT FLUSH. MOVED and ASK are followed like any command; after an ASK, ASKING goes before the
// EVAL too (the migration target refuses it otherwise).
import type { RedisKey, RedisValue } from '../client/command-def';
import { isNoscript, scriptCallError, type Script } from '../client/scripts';
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
    scriptSend(script, shaArgs, returnBuffers, false),
    shaArgs,
    script.readOnly,
  );
}

/**
 * How a script's EVALSHA (`shaArgs`: sha1, numkeys, keys, args) is sent to a node: with `preload`
 * (a pipeline's), SCRIPT LOAD first on that node when the script is not known to be cached there,
 * handed to the node with the EVALSHA (in the same write, before it: the EVALSHA runs in its place
 * among the pipeline's commands for that node); after an ASK, ASKING right before the EVALSHA (any
 * command in between would use it up). A NOSCRIPT answer gets EVAL on the same node (ASKING before
 * it too), which runs the script and caches it there.
 */
export function scriptSend(script: Script, shaArgs: readonly Arg[], returnBuffers: boolean, preload: boolean): Send {
  return (node, asking, signal) => {
    if (preload) script.preload(node);
    if (asking) sendBuilt(node, 'ASKING', [], undefined, false).catch(() => undefined);
    return sendBuilt(node, script.evalshaName, shaArgs, undefined, returnBuffers, undefined, signal).then(
      (reply) => {
        script.ranOn(node);
        return reply;
      },
      (err: unknown) => {
        if (!isNoscript(err)) throw err;
        if (asking) sendBuilt(node, 'ASKING', [], undefined, false).catch(() => undefined);
        return script.evalAfterNoscript(node, shaArgs, returnBuffers, signal);
      },
    );
  };
}
