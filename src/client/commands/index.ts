import { ACL } from './acl';
import { ADMIN } from './admin';
import { BITMAPS } from './bitmaps';
import { CLIENTS } from './clients';
import { CLUSTER } from './cluster';
import { GEO } from './geo';
import { HASHES } from './hashes';
import { HYPERLOGLOG } from './hyperloglog';
import { INTROSPECTION } from './introspection';
import { KEYS } from './keys';
import { LISTS } from './lists';
import { SCRIPTING } from './scripting';
import { SERVER } from './server';
import { SETS } from './sets';
import { SORTED_SETS } from './sorted-sets';
import { STREAMS } from './streams';
import { STRINGS } from './strings';

/**
 * Every typed command, by method name. Each family lives in its own file; this table is what the
 * client, pipelines and transactions build their methods from (see command-def.ts).
 *
 * Method names are the command's words in camelCase (`CLIENT NO-EVICT` -> `clientNoEvict`,
 * `FCALL_RO` -> `fcallRo`). Where one command has replies of different shapes depending on an
 * argument, each shape is its own method: `lpop` / `lpopCount`, `zrange` / `zrangeWithScores`,
 * `zadd` / `zaddIncr`, `xclaim` / `xclaimJustid`, `xpending` / `xpendingRange`.
 */
export const COMMANDS = {
  ...STRINGS,
  ...KEYS,
  ...HASHES,
  ...LISTS,
  ...SETS,
  ...SORTED_SETS,
  ...STREAMS,
  ...HYPERLOGLOG,
  ...BITMAPS,
  ...GEO,
  ...SERVER,
  ...CLIENTS,
  ...SCRIPTING,
  ...ADMIN,
  ...INTROSPECTION,
  ...ACL,
  ...CLUSTER,
};

export type CommandTable = typeof COMMANDS;

/** The families, by name (the docs test and tooling walk these). */
export const FAMILIES = {
  strings: STRINGS,
  keys: KEYS,
  hashes: HASHES,
  lists: LISTS,
  sets: SETS,
  sortedSets: SORTED_SETS,
  streams: STREAMS,
  hyperloglog: HYPERLOGLOG,
  bitmaps: BITMAPS,
  geo: GEO,
  server: SERVER,
  clients: CLIENTS,
  scripting: SCRIPTING,
  admin: ADMIN,
  introspection: INTROSPECTION,
  acl: ACL,
  cluster: CLUSTER,
} as const;

export type { SetOptions, GetExOptions, LcsIdxOptions, LcsMatch, LcsIdx, KeyValues } from './strings';
export type { MigrateOptions } from './keys';
export type { ExpireCondition, KeyType, CopyOptions, RestoreOptions, SortOptions, ScanOptions, ScanPage } from './keys';
export type { HashScanPage } from './hashes';
export type { ListEnd, LposOptions, KeyElement, KeyElements } from './lists';
export type { SetScanPage } from './sets';
export type {
  ScoredMember,
  ZMember,
  RangeBound,
  ZAddOptions,
  ZRangeOptions,
  ZCombineOptions,
  KeyScoredMember,
  KeyScoredMembers,
  SortedSetScanPage,
} from './sorted-sets';
export type {
  StreamTrimOptions,
  XAddOptions,
  StreamOffset,
  XReadOptions,
  XReadGroupOptions,
  XClaimOptions,
} from './streams';
export type {
  StreamMessage,
  PendingStreamMessage,
  StreamMessages,
  PendingStreamMessages,
  AutoClaimResult,
  AutoClaimJustIdResult,
  PendingSummary,
  PendingEntry,
  StreamInfo,
  StreamGroupInfo,
  StreamConsumerInfo,
} from './stream-replies';
export type { BitRange, BitfieldEncoding, BitfieldOffset, BitfieldOperation } from './bitmaps';
export type {
  GeoUnit,
  GeoCoordinates,
  GeoMember,
  GeoAddOptions,
  GeoSearchFrom,
  GeoSearchBy,
  GeoSearchOptions,
  GeoSearchWithOptions,
  GeoSearchResult,
} from './geo';
export type { InfoSections } from './server';
export type { ClientInfo, ClientKillFilters, TrackingInfo } from './clients';
export type { FunctionInfo, LibraryInfo, FunctionStats } from './scripting';
export type {
  RoleInfo,
  SlowlogEntry,
  LatencyEvent,
  LatencyHistogram,
  MemoryStats,
  ModuleInfo,
  ShutdownOptions,
  FailoverOptions,
} from './admin';
export type { CommandKeySpec, CommandInfo, CommandArgumentDoc, CommandDoc, CommandListFilter } from './introspection';
export type { AclUser, AclLogEntry } from './acl';
export type { ClusterNodeLine, ClusterShardNode, ClusterShard, ClusterLink, ClusterSetslotAction } from './cluster';
