import { def, id, optionKeys, variadic, withOptions, type RedisValue } from '../command-def';
import type { Arg } from '../../protocol/types';
import { camelCase, setOwn, toNumber, toObject } from './reply';

/** What ROLE answers, by role. Offsets are replication offsets in bytes. */
export type RoleInfo =
  | {
      role: 'master';
      replicationOffset: number;
      replicas: { host: string; port: number; offset: number }[];
    }
  | {
      role: 'slave';
      masterHost: string;
      masterPort: number;
      /** 'connect' | 'connecting' | 'sync' | 'connected' | 'handshake' (as the server says it). */
      state: string;
      /** The data received so far; -1 before the first sync. */
      offset: number;
    }
  | { role: 'sentinel'; masterNames: string[] };

/** One SLOWLOG entry. */
export interface SlowlogEntry {
  id: number;
  /** Unix time (s) the command ran. */
  timestamp: number;
  /** How long it ran, in microseconds. */
  durationMicros: number;
  /** The command and its arguments (Redis cuts long ones). */
  args: string[];
  /** ip:port of the client. */
  clientAddress: string;
  /** The client's name ('' without one). */
  clientName: string;
}

/** One event of LATENCY LATEST. */
export interface LatencyEvent {
  event: string;
  /** Unix time (s) of the latest spike. */
  timestamp: number;
  latestMs: number;
  maxMs: number;
}

/** One command of LATENCY HISTOGRAM: its calls and, per bucket (upper bound in µs), the count. */
export interface LatencyHistogram {
  calls: number;
  histogramUsec: Record<string, number>;
}

/** MEMORY STATS: Redis' names ('peak.allocated', 'dataset.percentage', ...) to numbers; 'db.N' to objects of numbers. */
export type MemoryStats = Record<string, number | Record<string, number>>;

/** A loaded module, as MODULE LIST describes it. */
export interface ModuleInfo {
  name: string;
  ver: number;
  /** Redis 7.0+. */
  path?: string;
  args?: string[];
}

export interface ShutdownOptions {
  /** Do not save, even with save points configured. */
  NOSAVE?: true;
  /** Save, even without save points. */
  SAVE?: true;
  /** Do not wait for lagging replicas. */
  NOW?: true;
  /** Shut down even if the save fails. */
  FORCE?: true;
  /** Abort a shutdown in progress (the only form that answers 'OK'). */
  ABORT?: true;
}

export interface FailoverOptions {
  /** The replica to promote; FORCE fails over even when it has not caught up by TIMEOUT. */
  TO?: { host: string; port: number; FORCE?: true };
  /** Abort a failover in progress. */
  ABORT?: true;
  /** Milliseconds to wait for the replica to catch up. */
  TIMEOUT?: number;
}

/** A nested reply (RESP3 maps, or RESP2 flat arrays where a map is expected) as an object of numbers. */
function numericObject(reply: unknown): Record<string, number> {
  return toObject(reply, (v) => toNumber(v));
}

function toMemoryStats(reply: unknown): MemoryStats {
  return toObject<number | Record<string, number>>(reply, (v) =>
    v !== null && typeof v === 'object' && !Buffer.isBuffer(v) ? numericObject(v) : toNumber(v),
  );
}

function toRole(reply: unknown[]): RoleInfo {
  const role = String(reply[0]);
  if (role === 'master') {
    return {
      role,
      replicationOffset: toNumber(reply[1]),
      replicas: (reply[2] as unknown[][]).map((r) => ({
        host: String(r[0]),
        port: toNumber(r[1]),
        offset: toNumber(r[2]),
      })),
    };
  }
  if (role === 'slave') {
    return {
      role,
      masterHost: String(reply[1]),
      masterPort: toNumber(reply[2]),
      state: String(reply[3]),
      offset: toNumber(reply[4]),
    };
  }
  return { role: 'sentinel', masterNames: (reply[1] as unknown[]).map(String) };
}

function toSlowlog(reply: unknown[][]): SlowlogEntry[] {
  return reply.map((e) => ({
    id: toNumber(e[0]),
    timestamp: toNumber(e[1]),
    durationMicros: toNumber(e[2]),
    args: e[3] as string[],
    clientAddress: e[4] as string,
    clientName: e[5] as string,
  }));
}

function toHistograms(reply: unknown): Record<string, LatencyHistogram> {
  return toObject(reply, (v) => {
    const fields = toObject<unknown>(v);
    return { calls: toNumber(fields.calls), histogramUsec: numericObject(fields.histogram_usec) };
  });
}

function toModules(reply: unknown[]): ModuleInfo[] {
  return reply.map((m) => {
    const raw = toObject<unknown>(m);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(raw)) setOwn(out, camelCase(key), key === 'ver' ? toNumber(raw[key]) : raw[key]);
    return out as unknown as ModuleInfo;
  });
}

/** Persistence, replication, shutdown, and the server's own diagnostics (slow log, latency, memory, modules). */
export const ADMIN = {
  /** SAVE: a synchronous save (blocks the server; prefer bgsave). */
  save: def('SAVE', () => [], id<'OK'>()),
  /** BGSAVE [SCHEDULE]: starts a background save; the server's message ('Background saving started'). */
  bgsave: withOptions(
    def('BGSAVE', (opts?: { SCHEDULE?: true }): Arg[] => (opts?.SCHEDULE ? ['SCHEDULE'] : []), id<string>()),
    ['SCHEDULE'],
  ),
  /** BGREWRITEAOF: starts an AOF rewrite; the server's message. */
  bgrewriteaof: def('BGREWRITEAOF', () => [], id<string>()),
  /**
   * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: stops the server. It answers only when it fails
   * or with ABORT ('OK'); on success the server closes the connection, so the promise rejects with
   * ConnectionLostError (and the client reconnects, like after any restart, unless you close it).
   */
  shutdown: withOptions(
    def(
      'SHUTDOWN',
      (opts?: ShutdownOptions): Arg[] => {
        const args: Arg[] = [];
        if (opts?.NOSAVE) args.push('NOSAVE');
        if (opts?.SAVE) args.push('SAVE');
        if (opts?.NOW) args.push('NOW');
        if (opts?.FORCE) args.push('FORCE');
        if (opts?.ABORT) args.push('ABORT');
        return args;
      },
      id<'OK'>(),
    ),
    optionKeys<ShutdownOptions>({ NOSAVE: 0, SAVE: 0, NOW: 0, FORCE: 0, ABORT: 0 }),
  ),
  /** REPLICAOF host port: makes the server a replica of that primary; the server's message. */
  replicaof: def('REPLICAOF', (host: string, port: number) => [host, port], id<string>()),
  /** REPLICAOF NO ONE: makes a replica a primary; the server's message. */
  replicaofNoOne: def('REPLICAOF', () => ['NO', 'ONE'], id<string>()),
  /** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: a coordinated failover to a replica (Redis 6.2+). */
  failover: withOptions(
    def(
      'FAILOVER',
      (opts?: FailoverOptions): Arg[] => {
        const args: Arg[] = [];
        if (opts?.TO !== undefined) {
          args.push('TO', opts.TO.host, opts.TO.port);
          if (opts.TO.FORCE) args.push('FORCE');
        }
        if (opts?.ABORT) args.push('ABORT');
        if (opts?.TIMEOUT !== undefined) args.push('TIMEOUT', opts.TIMEOUT);
        return args;
      },
      id<'OK'>(),
    ),
    optionKeys<FailoverOptions>({ TO: 0, ABORT: 0, TIMEOUT: 0 }),
  ),
  /** ROLE: this server's role and its replication state ({ role: 'master', replicas, ... }, 'slave' or 'sentinel'). */
  role: def('ROLE', () => [], toRole),
  /** CONFIG REWRITE: writes the running configuration to the server's config file. */
  configRewrite: def('CONFIG', () => ['REWRITE'], id<'OK'>()),
  /** LOLWUT [VERSION n]: the server's version, as art. */
  lolwut: withOptions(
    def(
      'LOLWUT',
      (opts?: { VERSION?: number }): Arg[] => (opts?.VERSION === undefined ? [] : ['VERSION', opts.VERSION]),
      id<string>(),
    ),
    ['VERSION'],
  ),
  /** SLOWLOG GET [count]: the slowest recent commands, newest first (count -1: all). */
  slowlogGet: def('SLOWLOG', (count?: number): Arg[] => (count === undefined ? ['GET'] : ['GET', count]), toSlowlog),
  /** SLOWLOG LEN: how many entries the slow log holds. */
  slowlogLen: def('SLOWLOG', () => ['LEN'], id<number>()),
  /** SLOWLOG RESET: empties the slow log. */
  slowlogReset: def('SLOWLOG', () => ['RESET'], id<'OK'>()),
  /** LATENCY LATEST: the latest and highest spike of each event (latency-monitor-threshold must be set). */
  latencyLatest: def(
    'LATENCY',
    () => ['LATEST'],
    (r: unknown[][]) =>
      r.map((e): LatencyEvent => ({
        event: String(e[0]),
        timestamp: toNumber(e[1]),
        latestMs: toNumber(e[2]),
        maxMs: toNumber(e[3]),
      })),
  ),
  /** LATENCY HISTORY event: the event's spikes, oldest first. */
  latencyHistory: def(
    'LATENCY',
    (event: string) => ['HISTORY', event],
    (r: unknown[][]) => r.map((e) => ({ timestamp: toNumber(e[0]), latencyMs: toNumber(e[1]) })),
  ),
  /** LATENCY RESET [event ...]: clears the events (all without arguments); how many were reset. */
  latencyReset: variadic(def('LATENCY', (...events: string[]) => ['RESET', ...events], id<number>())),
  /** LATENCY DOCTOR: the server's analysis of its latency, as text. */
  latencyDoctor: def('LATENCY', () => ['DOCTOR'], id<string>()),
  /** LATENCY GRAPH event: an ASCII graph of the event's spikes. */
  latencyGraph: def('LATENCY', (event: string) => ['GRAPH', event], id<string>()),
  /** LATENCY HISTOGRAM [command ...]: per command, its calls and latency buckets (µs) (Redis 7). */
  latencyHistogram: variadic(def('LATENCY', (...commands: string[]) => ['HISTOGRAM', ...commands], toHistograms)),
  /** MEMORY STATS: the server's memory use, by Redis' names, as numbers. */
  memoryStats: def('MEMORY', () => ['STATS'], toMemoryStats),
  /** MEMORY DOCTOR: the server's analysis of its memory use, as text. */
  memoryDoctor: def('MEMORY', () => ['DOCTOR'], id<string>()),
  /** MEMORY MALLOC-STATS: the allocator's statistics, as text. */
  memoryMallocStats: def('MEMORY', () => ['MALLOC-STATS'], id<string>()),
  /** MEMORY PURGE: asks the allocator to release memory. */
  memoryPurge: def('MEMORY', () => ['PURGE'], id<'OK'>()),
  /** MODULE LIST: the loaded modules ({ name, ver, path?, args? }). */
  moduleList: def('MODULE', () => ['LIST'], toModules),
  /** MODULE LOAD path [arg ...]: loads a module. */
  moduleLoad: variadic(def('MODULE', (path: string, ...args: RedisValue[]) => ['LOAD', path, ...args], id<'OK'>())),
  /** MODULE LOADEX path [CONFIG name value ...] [ARGS arg ...]: loads a module with configuration (Redis 7). */
  moduleLoadex: withOptions(
    def(
      'MODULE',
      (path: string, opts?: { CONFIG?: Record<string, RedisValue>; ARGS?: RedisValue[] }): Arg[] => {
        const args: Arg[] = ['LOADEX', path];
        for (const [name, value] of Object.entries(opts?.CONFIG ?? {})) args.push('CONFIG', name, value);
        if (opts?.ARGS !== undefined && opts.ARGS.length > 0) args.push('ARGS', ...opts.ARGS);
        return args;
      },
      id<'OK'>(),
    ),
    ['CONFIG', 'ARGS'],
  ),
  /** MODULE UNLOAD name: unloads a module. */
  moduleUnload: def('MODULE', (name: string) => ['UNLOAD', name], id<'OK'>()),
};
