// Lua scripts on a cluster. A script runs where its keys are: EVALSHA is routed by the slot of its
// keys (all in one slot, else ClusterCrossSlotError before anything is sent; a script with no key
// goes to a ready primary), and NOSCRIPT is handled on the node that answered it: EVAL there runs
// the script and caches it on that node. Each node's script cache is its own (Redis 7 replicates a
// script's effects, not the script), so the node that answers NOSCRIPT is the one that needs it:
// a primary that never ran it, a replica promoted by a failover, a node after a restart or a
// SCRIPT FLUSH. MOVED and ASK are followed like any command; after an ASK, ASKING goes before the
// EVAL too (the migration target refuses it otherwise).
import type { RedisKey, RedisValue } from '../client/command-def';
import type { Script } from '../client/scripts';
import { InvalidArgumentError, ReplyError } from '../errors';
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
  if (script.numberOfKeys !== undefined && keys.length !== script.numberOfKeys) {
    return Promise.reject(
      new InvalidArgumentError(
        `script ${script.sha1.slice(0, 8)} takes ${script.numberOfKeys} key(s), got ${keys.length}`,
      ),
    );
  }
  const evalsha = script.readOnly ? 'EVALSHA_RO' : 'EVALSHA';
  const evalName = script.readOnly ? 'EVAL_RO' : 'EVAL';
  const rest: Arg[] = [keys.length, ...keys, ...args];
  const shaArgs: Arg[] = [script.sha1, ...rest];
  return host.route(
    evalsha,
    commandSlot(evalsha, shaArgs),
    (node, asking, signal) => {
      if (asking) sendBuilt(node, 'ASKING', [], undefined, false).catch(() => undefined);
      return sendBuilt(node, evalsha, shaArgs, undefined, returnBuffers, undefined, signal).catch((err: unknown) => {
        if (!(err instanceof ReplyError) || err.code !== 'NOSCRIPT') throw err;
        if (asking) sendBuilt(node, 'ASKING', [], undefined, false).catch(() => undefined);
        return sendBuilt(node, evalName, [script.source, ...rest], undefined, returnBuffers, undefined, signal);
      });
    },
    shaArgs,
    script.readOnly,
  );
}
