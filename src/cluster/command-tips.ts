// Where a keyless command goes on a cluster, from the server's own command tips: Redis 7's
// `COMMAND INFO` says, per command, `request_policy:all_shards` (every primary) or `all_nodes`
// (every node, replicas too) and how the replies make one (`response_policy:agg_sum`,
// `all_succeeded`, ...). This is a table generated from those tips, not tips read from the server
// at connect (see docs/cluster.md, "Keyless commands", for why); test/cluster/command-tips
// compares it with a live server's COMMAND INFO, so a server that changes a tip fails the suite.
//
// Left out on purpose (the test lists them too):
// - request_policy:multi_shard (DEL, EXISTS, MGET, MSET, ...): commands with keys, routed by them
//   (keys in several slots are refused with ClusterCrossSlotError, not split).
// - request_policy:special (SCAN): cluster.scanIterator() walks every primary.
// - response_policy:special (INFO, MEMORY STATS, LATENCY DOCTOR, FUNCTION STATS, ...): there is
//   no one way to merge them; they go to one primary, like a command with no tip, and
//   cluster.nodes() asks each.
// - WAIT (all_shards, agg_min): it counts the replicas that acknowledged the writes of the
//   connection that sends it, so sent elsewhere it proves nothing; it runs on one node.
import type { Arg } from '../protocol/types';

/** `request_policy`: which nodes a keyless command goes to. */
export type RequestPolicy = 'all_shards' | 'all_nodes';

/**
 * `response_policy`: how the nodes' replies become one. `undefined` (no tip) on a command sent to
 * several nodes: array replies are concatenated (KEYS), RANDOMKEY takes any node's non-null key.
 */
export type ResponsePolicy =
  | 'agg_sum'
  | 'agg_min'
  | 'agg_max'
  | 'agg_logical_and'
  | 'agg_logical_or'
  | 'all_succeeded'
  | 'one_succeeded'
  | undefined;

export interface CommandTip {
  readonly request: RequestPolicy;
  readonly response: ResponsePolicy;
}

const tip = (request: RequestPolicy, response?: ResponsePolicy): CommandTip => ({ request, response });

/**
 * Generated from Redis 7.0 `COMMAND INFO` (commands and subcommands, `name` or `container|sub`)
 * whose request_policy is all_shards or all_nodes and whose response_policy is not special.
 */
export const COMMAND_TIPS: Readonly<Record<string, CommandTip>> = {
  dbsize: tip('all_shards', 'agg_sum'),
  flushall: tip('all_shards', 'all_succeeded'),
  flushdb: tip('all_shards', 'all_succeeded'),
  keys: tip('all_shards'),
  ping: tip('all_shards', 'all_succeeded'),
  randomkey: tip('all_shards'),
  'config|set': tip('all_nodes', 'all_succeeded'),
  'function|delete': tip('all_shards', 'all_succeeded'),
  'function|flush': tip('all_shards', 'all_succeeded'),
  'function|kill': tip('all_shards', 'one_succeeded'),
  'function|load': tip('all_shards', 'all_succeeded'),
  'function|restore': tip('all_shards', 'all_succeeded'),
  'latency|reset': tip('all_nodes', 'all_succeeded'),
  'memory|purge': tip('all_shards', 'all_succeeded'),
  'script|exists': tip('all_shards', 'agg_logical_and'),
  'script|flush': tip('all_nodes', 'all_succeeded'),
  'script|kill': tip('all_shards', 'one_succeeded'),
  'script|load': tip('all_nodes', 'all_succeeded'),
  'slowlog|get': tip('all_nodes'),
  'slowlog|len': tip('all_nodes', 'agg_sum'),
  'slowlog|reset': tip('all_nodes', 'all_succeeded'),
};

const CONTAINERS = new Set(['config', 'function', 'latency', 'memory', 'script', 'slowlog']);

/** The tip of a keyless command (`name` as sent, `args` after it), or undefined: one primary. */
export function commandTip(name: string, args: readonly Arg[]): CommandTip | undefined {
  const lower = name.toLowerCase();
  const sub = args[0];
  const key = !CONTAINERS.has(lower) ? lower : sub === undefined ? undefined : `${lower}|${String(sub).toLowerCase()}`;
  // Own keys only: `call('constructor')` must not find Object's.
  return key !== undefined && Object.hasOwn(COMMAND_TIPS, key) ? COMMAND_TIPS[key] : undefined;
}

/** One reply per node asked, in the order asked: a value, or the error that node answered. */
export type NodeOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Makes one reply from every node's outcome, per the response policy. Throws the first error
 * where the policy needs every node (all_succeeded, the aggregates), or when no node succeeded.
 */
export function aggregate(name: string, policy: ResponsePolicy, outcomes: readonly NodeOutcome[]): unknown {
  const ok: unknown[] = [];
  let firstError: Error | undefined;
  for (const o of outcomes) {
    if (o.ok) ok.push(o.value);
    else firstError ??= o.error instanceof Error ? o.error : new Error(String(o.error));
  }
  if (policy === 'one_succeeded') {
    if (ok.length > 0 || firstError === undefined) return ok[0];
    throw firstError;
  }
  if (firstError !== undefined) throw firstError;
  switch (policy) {
    case 'agg_sum':
      return ok.reduce((a: number, v) => a + Number(v), 0);
    case 'agg_min':
      return ok.reduce((a: number, v) => Math.min(a, Number(v)), Infinity);
    case 'agg_max':
      return ok.reduce((a: number, v) => Math.max(a, Number(v)), -Infinity);
    case 'agg_logical_and':
    case 'agg_logical_or':
      return elementwise(ok, policy === 'agg_logical_and');
    case 'all_succeeded':
      return ok[0];
    case undefined:
      if (name.toLowerCase() === 'randomkey') return ok.find((v) => v !== null && v !== undefined) ?? null;
      return ok.flatMap((v): unknown[] => (Array.isArray(v) ? (v as unknown[]) : [v]));
  }
}

/** SCRIPT EXISTS a b: per position, true only if every node has it (AND) / any node (OR). */
function elementwise(replies: unknown[], and: boolean): unknown {
  if (!replies.every(Array.isArray)) {
    const truthy = replies.map((v) => v === true || Number(v) === 1);
    return and ? truthy.every(Boolean) : truthy.some(Boolean);
  }
  const arrays = replies as unknown[][];
  return arrays[0].map((first, i) => {
    const values = arrays.map((a) => a[i]);
    const yes = (v: unknown) => v === true || Number(v) === 1;
    const pick = and ? values.every(yes) : values.some(yes);
    // Keeps the reply's own type: booleans for scriptExists(), 0/1 for call('SCRIPT', 'EXISTS', ...).
    return typeof first === 'boolean' ? pick : pick ? 1 : 0;
  });
}
