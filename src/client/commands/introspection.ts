import { def, id, variadic, withOptions, type RedisKey, type RedisValue } from '../command-def';
import type { Arg } from '../../protocol/types';
import { camelCase, setOwn, toNumber, toObject } from './reply';

/** How a command finds its keys (COMMAND INFO's key specifications), Redis' fields in camelCase. */
export interface CommandKeySpec {
  flags: string[];
  beginSearch: { type: string; spec: Record<string, string | number> };
  findKeys: { type: string; spec: Record<string, string | number> };
  notes?: string;
}

/** One command, as COMMAND INFO describes it. */
export interface CommandInfo {
  name: string;
  /** The number of arguments, the name included; negative: at least that many. */
  arity: number;
  flags: string[];
  firstKey: number;
  lastKey: number;
  step: number;
  aclCategories: string[];
  /** The command tips ('request_policy:all_shards', 'nondeterministic_output', ...), which a cluster client routes by. */
  tips: string[];
  keySpecs: CommandKeySpec[];
  subcommands: CommandInfo[];
}

/** One argument of a command, as COMMAND DOCS describes it. */
export interface CommandArgumentDoc {
  name: string;
  type: string;
  displayText?: string;
  keySpecIndex?: number;
  token?: string;
  summary?: string;
  since?: string;
  /** 'optional', 'multiple', 'multiple_token'. */
  flags?: string[];
  deprecatedSince?: string;
  arguments?: CommandArgumentDoc[];
}

/** One command's documentation, as COMMAND DOCS gives it (Redis' field names in camelCase). */
export interface CommandDoc {
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  module?: string;
  /** 'deprecated', 'syscmd'. */
  docFlags?: string[];
  deprecatedSince?: string;
  /** The replacement of a deprecated command, in Redis' words. */
  replacedBy?: string;
  /** [version, what changed]. */
  history?: [string, string][];
  arguments?: CommandArgumentDoc[];
  /** By full name ('client|list'). */
  subcommands?: Record<string, CommandDoc>;
}

/** COMMAND LIST FILTERBY: one filter. */
export interface CommandListFilter {
  MODULE?: string;
  ACLCAT?: string;
  PATTERN?: string;
}

function camelKeys(reply: unknown, convert: (key: string, value: unknown) => unknown): Record<string, unknown> {
  const raw = toObject<unknown>(reply);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) setOwn(out, camelCase(key), convert(key, raw[key]));
  return out;
}

function toKeySpec(reply: unknown): CommandKeySpec {
  const search = (v: unknown): { type: string; spec: Record<string, string | number> } => {
    const o = toObject<unknown>(v);
    return { type: String(o.type), spec: toObject<string | number>(o.spec) };
  };
  return camelKeys(reply, (key, value) =>
    key === 'begin_search' || key === 'find_keys' ? search(value) : value,
  ) as unknown as CommandKeySpec;
}

function toCommandInfo(reply: unknown): CommandInfo | null {
  if (reply === null) return null;
  const r = reply as unknown[];
  return {
    name: String(r[0]),
    arity: toNumber(r[1]),
    flags: (r[2] as unknown[]).map(String),
    firstKey: toNumber(r[3]),
    lastKey: toNumber(r[4]),
    step: toNumber(r[5]),
    aclCategories: ((r[6] as unknown[] | undefined) ?? []).map(String),
    tips: ((r[7] as unknown[] | undefined) ?? []).map(String),
    keySpecs: ((r[8] as unknown[] | undefined) ?? []).map(toKeySpec),
    subcommands: ((r[9] as unknown[] | undefined) ?? []).map((s) => toCommandInfo(s) as CommandInfo),
  };
}

function toArgumentDoc(reply: unknown): CommandArgumentDoc {
  return camelKeys(reply, (key, value) =>
    key === 'arguments' ? (value as unknown[]).map(toArgumentDoc) : value,
  ) as unknown as CommandArgumentDoc;
}

function toCommandDoc(reply: unknown): CommandDoc {
  return camelKeys(reply, (key, value) => {
    if (key === 'arguments') return (value as unknown[]).map(toArgumentDoc);
    if (key === 'subcommands') return toCommandDocs(value);
    if (key === 'history') return (value as unknown[][]).map((h) => [h[0], h[1]]);
    return value;
  }) as unknown as CommandDoc;
}

function toCommandDocs(reply: unknown): Record<string, CommandDoc> {
  return toObject(reply, toCommandDoc);
}

/** PUBSUB NUMSUB / SHARDNUMSUB: channel -> subscribers. */
function toCounts(reply: unknown): Record<string, number> {
  return toObject(reply, (v) => toNumber(v));
}

/** The server's description of its commands, and of its pub/sub channels. */
export const INTROSPECTION = {
  /** COMMAND INFO [name ...]: each command's arity, flags, keys, ACL categories and tips (null for an unknown name; every command without names). */
  commandInfo: variadic(
    def(
      'COMMAND',
      (...names: string[]) => ['INFO', ...names],
      (r: unknown[]) => r.map(toCommandInfo),
    ),
  ),
  /** COMMAND DOCS [name ...]: each command's documentation, by name (every command without names) (Redis 7). */
  commandDocs: variadic(def('COMMAND', (...names: string[]) => ['DOCS', ...names], toCommandDocs)),
  /** COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]: the command names (Redis 7). */
  commandList: withOptions(
    def(
      'COMMAND',
      (filter?: CommandListFilter): Arg[] => {
        if (filter?.MODULE !== undefined) return ['LIST', 'FILTERBY', 'MODULE', filter.MODULE];
        if (filter?.ACLCAT !== undefined) return ['LIST', 'FILTERBY', 'ACLCAT', filter.ACLCAT];
        if (filter?.PATTERN !== undefined) return ['LIST', 'FILTERBY', 'PATTERN', filter.PATTERN];
        return ['LIST'];
      },
      id<string[]>(),
    ),
    ['MODULE', 'ACLCAT', 'PATTERN'],
  ),
  /** COMMAND GETKEYS command arg ...: the keys a full command names. */
  commandGetkeys: variadic(
    def('COMMAND', (command: string, ...args: RedisValue[]) => ['GETKEYS', command, ...args], id<string[]>()),
  ),
  /** COMMAND GETKEYSANDFLAGS command arg ...: the keys with what the command does to each ('RW', 'access', ...) (Redis 7). */
  commandGetkeysandflags: variadic(
    def(
      'COMMAND',
      (command: string, ...args: RedisValue[]) => ['GETKEYSANDFLAGS', command, ...args],
      (r: unknown[][]) => r.map((k) => ({ key: k[0] as string, flags: (k[1] as unknown[]).map(String) })),
    ),
  ),
  /** PUBSUB CHANNELS [pattern]: the channels with at least one subscriber. */
  pubsubChannels: def(
    'PUBSUB',
    (pattern?: string): Arg[] => (pattern === undefined ? ['CHANNELS'] : ['CHANNELS', pattern]),
    id<string[]>(),
  ),
  /** PUBSUB NUMSUB [channel ...]: subscribers per channel ({ channel: count }). */
  pubsubNumsub: variadic(def('PUBSUB', (...channels: RedisKey[]) => ['NUMSUB', ...channels], toCounts)),
  /** PUBSUB NUMPAT: how many patterns are subscribed (by all clients). */
  pubsubNumpat: def('PUBSUB', () => ['NUMPAT'], id<number>()),
  /** PUBSUB SHARDCHANNELS [pattern]: the shard channels with at least one subscriber (Redis 7). */
  pubsubShardchannels: def(
    'PUBSUB',
    (pattern?: string): Arg[] => (pattern === undefined ? ['SHARDCHANNELS'] : ['SHARDCHANNELS', pattern]),
    id<string[]>(),
  ),
  /** PUBSUB SHARDNUMSUB [channel ...]: subscribers per shard channel (Redis 7). */
  pubsubShardnumsub: variadic(def('PUBSUB', (...channels: RedisKey[]) => ['SHARDNUMSUB', ...channels], toCounts)),
};
