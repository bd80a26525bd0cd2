import { def, id, optionKeys, withOptions, arity, variadic, type RedisKey } from '../command-def';
import type { Arg } from '../../protocol/types';
import { streamBlock } from './blocking';
import { toBoolean } from './reply';
import {
  toAutoClaim,
  toAutoClaimJustId,
  toConsumerInfos,
  toGroupInfos,
  toMessages,
  toPendingEntries,
  toPendingSummary,
  toStreamInfo,
  toStreams,
  type PendingStreamMessages,
  type StreamMessage,
} from './stream-replies';
import { flattenPairs, type KeyValues } from './strings';

export interface StreamTrimOptions {
  /** Keep at most this many entries... */
  MAXLEN?: number;
  /** ...or drop entries with an id lower than this. */
  MINID?: string;
  /** Trim approximately ('~'): whole macro nodes only, much cheaper. */
  APPROXIMATE?: true;
  /** With APPROXIMATE: evict at most this many entries. */
  LIMIT?: number;
}

export interface XAddOptions extends StreamTrimOptions {
  /** Do not create the stream if it does not exist (xadd then answers null). */
  NOMKSTREAM?: true;
}

/** A stream to read and the id to read after ('$' = only new entries; '>' for groups = never delivered). */
export type StreamOffset = { key: RedisKey; id: string };

export interface XReadOptions {
  /** At most this many entries per stream. */
  COUNT?: number;
  /** Wait up to this many ms for entries (0 = forever). Makes the command blocking. */
  BLOCK?: number;
}

export interface XReadGroupOptions extends XReadOptions {
  /** Do not add the entries to the pending list (no XACK needed). */
  NOACK?: true;
}

export interface XClaimOptions {
  /** Set the idle time (ms) of the claimed entries. */
  IDLE?: number;
  /** Set the idle time to "since this Unix time (ms)". */
  TIME?: number;
  /** Set the delivery counter. */
  RETRYCOUNT?: number;
  /** Create pending entries for ids not pending yet (they must exist). */
  FORCE?: true;
  /** Advance the group's last-delivered id. */
  LASTID?: string;
}

const TRIM_KEYS = optionKeys<StreamTrimOptions>({ MAXLEN: 0, MINID: 0, APPROXIMATE: 0, LIMIT: 0 });

function trimArgs(args: Arg[], opts: StreamTrimOptions): void {
  const strategy = opts.MAXLEN !== undefined ? 'MAXLEN' : opts.MINID !== undefined ? 'MINID' : undefined;
  if (strategy === undefined) return;
  args.push(strategy, opts.APPROXIMATE ? '~' : '=', (opts.MAXLEN ?? opts.MINID) as Arg);
  if (opts.LIMIT !== undefined) args.push('LIMIT', opts.LIMIT);
}

function readArgs(args: Arg[], streams: StreamOffset | StreamOffset[], opts: XReadGroupOptions | undefined): Arg[] {
  if (opts?.COUNT !== undefined) args.push('COUNT', opts.COUNT);
  if (opts?.BLOCK !== undefined) args.push('BLOCK', opts.BLOCK);
  if (opts?.NOACK) args.push('NOACK');
  const list = Array.isArray(streams) ? streams : [streams];
  args.push('STREAMS');
  for (const s of list) args.push(s.key);
  for (const s of list) args.push(s.id);
  return args;
}

function claimArgs(args: Arg[], opts: XClaimOptions | undefined): Arg[] {
  if (opts?.IDLE !== undefined) args.push('IDLE', opts.IDLE);
  if (opts?.TIME !== undefined) args.push('TIME', opts.TIME);
  if (opts?.RETRYCOUNT !== undefined) args.push('RETRYCOUNT', opts.RETRYCOUNT);
  if (opts?.FORCE) args.push('FORCE');
  if (opts?.LASTID !== undefined) args.push('LASTID', opts.LASTID);
  return args;
}

const ids = (x: string | string[]): string[] => (Array.isArray(x) ? x : [x]);

const xclaimBuild = (
  key: RedisKey,
  group: string,
  consumer: string,
  minIdleMs: number,
  entryIds: string | string[],
  opts?: XClaimOptions,
) => claimArgs([key, group, consumer, minIdleMs, ...ids(entryIds)], opts);

const xautoclaimBuild = (
  key: RedisKey,
  group: string,
  consumer: string,
  minIdleMs: number,
  start: string,
  opts?: { COUNT?: number },
): Arg[] =>
  opts?.COUNT === undefined
    ? [key, group, consumer, minIdleMs, start]
    : [key, group, consumer, minIdleMs, start, 'COUNT', opts.COUNT];

/** Stream commands. */
export const STREAMS = {
  /**
   * XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] n [LIMIT c]] id|* {field: value, ...}: the entry's id;
   * null with NOMKSTREAM when the stream does not exist.
   */
  xadd: withOptions(
    def(
      'XADD',
      (key: RedisKey, entryId: string, fields: KeyValues, opts?: XAddOptions): Arg[] => {
        const args: Arg[] = [key];
        if (opts?.NOMKSTREAM) args.push('NOMKSTREAM');
        if (opts !== undefined) trimArgs(args, opts);
        args.push(entryId, ...flattenPairs(fields, 'field'));
        return args;
      },
      id<string | null>(),
    ),
    optionKeys<XAddOptions>({ NOMKSTREAM: 0, MAXLEN: 0, MINID: 0, APPROXIMATE: 0, LIMIT: 0 }),
  ),
  /** XRANGE key start end [COUNT n]: entries from start to end ('-' and '+' for the ends, '(' exclusive). */
  xrange: withOptions(
    arity(
      4,
      def(
        'XRANGE',
        (key: RedisKey, start: string = '-', end: string = '+', opts?: { COUNT?: number }): Arg[] =>
          opts?.COUNT === undefined ? [key, start, end] : [key, start, end, 'COUNT', opts.COUNT],
        (r: unknown): StreamMessage[] => toMessages(r),
      ),
    ),
    ['COUNT'],
  ),
  /** XREVRANGE key end start [COUNT n]: entries from end down to start. */
  xrevrange: withOptions(
    arity(
      4,
      def(
        'XREVRANGE',
        (key: RedisKey, end: string = '+', start: string = '-', opts?: { COUNT?: number }): Arg[] =>
          opts?.COUNT === undefined ? [key, end, start] : [key, end, start, 'COUNT', opts.COUNT],
        (r: unknown): StreamMessage[] => toMessages(r),
      ),
    ),
    ['COUNT'],
  ),
  /**
   * XREAD [COUNT n] [BLOCK ms] STREAMS key ... id ...: [{name, messages}], or null when nothing came.
   * With BLOCK it is a blocking command (run on a dedicated connection).
   */
  xread: withOptions(
    def(
      'XREAD',
      (streams: StreamOffset | StreamOffset[], opts?: XReadOptions) => readArgs([], streams, opts),
      toStreams,
      streamBlock,
    ),
    optionKeys<XReadOptions>({ COUNT: 0, BLOCK: 0 }),
  ),
  /**
   * XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key ... id ...:
   * [{name, messages}], or null. With BLOCK it is a blocking command (run on a dedicated connection).
   */
  xreadgroup: withOptions(
    def(
      'XREADGROUP',
      (group: string, consumer: string, streams: StreamOffset | StreamOffset[], opts?: XReadGroupOptions) =>
        readArgs(['GROUP', group, consumer], streams, opts),
      (r: unknown) => toStreams(r) as PendingStreamMessages[] | null,
      streamBlock,
    ),
    optionKeys<XReadGroupOptions>({ COUNT: 0, BLOCK: 0, NOACK: 0 }),
  ),
  /** XACK key group id [id ...]: how many were acknowledged. */
  xack: variadic(
    def('XACK', (key: RedisKey, group: string, ...entryIds: string[]) => [key, group, ...entryIds], id<number>()),
  ),
  /** XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]: 'OK' (BUSYGROUP error if it exists). */
  xgroupCreate: withOptions(
    def(
      'XGROUP',
      (key: RedisKey, group: string, lastId: string, opts?: { MKSTREAM?: true; ENTRIESREAD?: number }): Arg[] => {
        const args: Arg[] = ['CREATE', key, group, lastId];
        if (opts?.MKSTREAM) args.push('MKSTREAM');
        if (opts?.ENTRIESREAD !== undefined) args.push('ENTRIESREAD', opts.ENTRIESREAD);
        return args;
      },
      id<'OK'>(),
    ),
    ['MKSTREAM', 'ENTRIESREAD'],
  ),
  /** XGROUP DESTROY key group: true if the group existed. */
  xgroupDestroy: def('XGROUP', (key: RedisKey, group: string) => ['DESTROY', key, group], toBoolean),
  /** XGROUP CREATECONSUMER key group consumer: true if created, false if it existed. */
  xgroupCreateconsumer: def(
    'XGROUP',
    (key: RedisKey, group: string, consumer: string) => ['CREATECONSUMER', key, group, consumer],
    toBoolean,
  ),
  /** XGROUP DELCONSUMER key group consumer: how many pending entries the consumer had. */
  xgroupDelconsumer: def(
    'XGROUP',
    (key: RedisKey, group: string, consumer: string) => ['DELCONSUMER', key, group, consumer],
    id<number>(),
  ),
  /** XGROUP SETID key group id|$ [ENTRIESREAD n]: 'OK'. */
  xgroupSetid: withOptions(
    def(
      'XGROUP',
      (key: RedisKey, group: string, lastId: string, opts?: { ENTRIESREAD?: number }): Arg[] =>
        opts?.ENTRIESREAD === undefined
          ? ['SETID', key, group, lastId]
          : ['SETID', key, group, lastId, 'ENTRIESREAD', opts.ENTRIESREAD],
      id<'OK'>(),
    ),
    ['ENTRIESREAD'],
  ),
  /** XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]: sets the stream's last id (and, Redis 7, its counters). */
  xsetid: withOptions(
    def(
      'XSETID',
      (key: RedisKey, lastId: string, opts?: { ENTRIESADDED?: number; MAXDELETEDID?: string }): Arg[] => {
        const args: Arg[] = [key, lastId];
        if (opts?.ENTRIESADDED !== undefined) args.push('ENTRIESADDED', opts.ENTRIESADDED);
        if (opts?.MAXDELETEDID !== undefined) args.push('MAXDELETEDID', opts.MAXDELETEDID);
        return args;
      },
      id<'OK'>(),
    ),
    ['ENTRIESADDED', 'MAXDELETEDID'],
  ),
  /** XCLAIM key group consumer min-idle-ms id ... [options]: the entries now owned by consumer. */
  xclaim: withOptions(
    def('XCLAIM', xclaimBuild, (r: unknown): StreamMessage[] => toMessages(r)),
    optionKeys<XClaimOptions>({ IDLE: 0, TIME: 0, RETRYCOUNT: 0, FORCE: 0, LASTID: 0 }),
  ),
  /** XCLAIM ... JUSTID: only the ids (the delivery counter is not incremented). */
  xclaimJustid: withOptions(
    arity(
      6,
      def('XCLAIM', (...args: Parameters<typeof xclaimBuild>) => [...xclaimBuild(...args), 'JUSTID'], id<string[]>()),
    ),
    optionKeys<XClaimOptions>({ IDLE: 0, TIME: 0, RETRYCOUNT: 0, FORCE: 0, LASTID: 0 }),
  ),
  /** XAUTOCLAIM key group consumer min-idle-ms start [COUNT n]: {nextId, messages, deleted}. */
  xautoclaim: withOptions(def('XAUTOCLAIM', xautoclaimBuild, toAutoClaim), ['COUNT']),
  /** XAUTOCLAIM ... JUSTID: {nextId, ids, deleted}. */
  xautoclaimJustid: withOptions(
    arity(
      6,
      def(
        'XAUTOCLAIM',
        (...args: Parameters<typeof xautoclaimBuild>) => [...xautoclaimBuild(...args), 'JUSTID'],
        toAutoClaimJustId,
      ),
    ),
    ['COUNT'],
  ),
  /** XPENDING key group: {count, minId, maxId, consumers: [{name, count}]}. */
  xpending: def('XPENDING', (key: RedisKey, group: string) => [key, group], toPendingSummary),
  /** XPENDING key group [IDLE ms] start end count [consumer]: [{id, consumer, idle, deliveries}]. */
  xpendingRange: withOptions(
    def(
      'XPENDING',
      (
        key: RedisKey,
        group: string,
        start: string,
        end: string,
        count: number,
        opts?: { IDLE?: number; consumer?: string },
      ): Arg[] => {
        const args: Arg[] = [key, group];
        if (opts?.IDLE !== undefined) args.push('IDLE', opts.IDLE);
        args.push(start, end, count);
        if (opts?.consumer !== undefined) args.push(opts.consumer);
        return args;
      },
      toPendingEntries,
    ),
    ['IDLE', 'consumer'],
  ),
  /** XINFO STREAM key: {length, radixTreeKeys, lastGeneratedId, groups, firstEntry, lastEntry, ...}. */
  xinfoStream: def('XINFO', (key: RedisKey) => ['STREAM', key], toStreamInfo),
  /** XINFO GROUPS key: [{name, consumers, pending, lastDeliveredId, entriesRead, lag}]. */
  xinfoGroups: def('XINFO', (key: RedisKey) => ['GROUPS', key], toGroupInfos),
  /** XINFO CONSUMERS key group: [{name, pending, idle, inactive?}]. */
  xinfoConsumers: def('XINFO', (key: RedisKey, group: string) => ['CONSUMERS', key, group], toConsumerInfos),
  /** XLEN key: the number of entries. */
  xlen: def('XLEN', (key: RedisKey) => [key], id<number>()),
  /** XDEL key id [id ...]: how many were deleted. */
  xdel: variadic(def('XDEL', (key: RedisKey, ...entryIds: string[]) => [key, ...entryIds], id<number>())),
  /** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT n]: how many entries were removed. */
  xtrim: withOptions(
    def(
      'XTRIM',
      (key: RedisKey, opts: StreamTrimOptions): Arg[] => {
        const args: Arg[] = [key];
        trimArgs(args, opts);
        return args;
      },
      id<number>(),
    ),
    TRIM_KEYS,
  ),
};
