import { def, id, withOptions, variadic, type RedisKey, type RedisValue, sameConnection } from '../command-def';
import type { Arg } from '../../protocol/types';
import { millisecondsAt } from './blocking';
import { setOwn, textLike, toNumber, toObject } from './reply';

/** INFO parsed: section name (lowercase, as INFO takes it: 'server', 'memory', 'keyspace', ...) -> field -> value. */
export type InfoSections = Record<string, Record<string, string | number>>;

/** A value that reads as a number becomes one (integers only when they are exact in a double). */
export function infoValue(text: string): string | number {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (/^-?\d+\.\d+$/.test(text)) return Number(text);
  return text;
}

/**
 * INFO's text ("# Server\r\nredis_version:7.2.4\r\n...") as nested objects. Values stay in the
 * reply's form (Buffers in the buffers view) except numbers. Keyspace lines such as
 * "db0:keys=1,expires=0,avg_ttl=0" keep their value as text.
 */
export function parseInfo(reply: unknown): InfoSections {
  const out: InfoSections = {};
  let section: Record<string, string | number> | undefined;
  for (const raw of String(reply).split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (line.startsWith('#')) {
      section = {};
      setOwn(out, line.slice(1).trim().toLowerCase(), section);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    if (section === undefined) {
      section = {};
      setOwn(out, 'default', section);
    }
    const value = infoValue(line.slice(colon + 1));
    setOwn(section, line.slice(0, colon), typeof value === 'number' ? value : textLike(reply, value));
  }
  return out;
}

/** Server and connection basics. */
export const SERVER = {
  /** PING [message]: 'PONG', or the message. */
  ping: def('PING', (message?: RedisValue) => (message === undefined ? [] : [message]), id<string>()),
  /** ECHO message. */
  echo: def('ECHO', (message: RedisValue) => [message], id<string>()),
  /** INFO [section ...]: {section: {field: value}}, numbers where numeric. */
  info: variadic(def('INFO', (...sections: string[]) => sections, parseInfo)),
  /** INFO [section ...] as the server's text (a verbatim string in RESP3, a bulk string in RESP2). */
  infoRaw: variadic(def('INFO', (...sections: string[]) => sections, id<string>())),
  /** DBSIZE: the number of keys in the selected database. */
  dbsize: def('DBSIZE', () => [], id<number>()),
  /** FLUSHDB [ASYNC|SYNC]: removes every key of the selected database. */
  flushdb: def('FLUSHDB', (mode?: 'ASYNC' | 'SYNC') => (mode === undefined ? [] : [mode]), id<'OK'>()),
  /** FLUSHALL [ASYNC|SYNC]: removes every key of every database. */
  flushall: def('FLUSHALL', (mode?: 'ASYNC' | 'SYNC') => (mode === undefined ? [] : [mode]), id<'OK'>()),
  /** SELECT index: switch database. */
  select: def('SELECT', (index: number) => [index], id<'OK'>()),
  /** SWAPDB index1 index2: 'OK'. */
  swapdb: def('SWAPDB', (index1: number, index2: number) => [index1, index2], id<'OK'>()),
  /** TIME: [seconds, microseconds] as numbers. */
  time: def(
    'TIME',
    () => [],
    (r: unknown[]) => [toNumber(r[0]), toNumber(r[1])] as [number, number],
  ),
  /** LASTSAVE: the Unix time (s) of the last successful save. */
  lastsave: def('LASTSAVE', () => [], id<number>()),
  /** CONFIG GET parameter [parameter ...] (globs allowed): {name: value}. */
  configGet: variadic(
    def(
      'CONFIG',
      (...parameters: string[]) => ['GET', ...parameters],
      (r: unknown) => toObject<string>(r),
    ),
  ),
  /** CONFIG SET {name: value, ...} | name value: 'OK' (all or nothing). */
  configSet: def(
    'CONFIG',
    (parameters: Record<string, RedisValue> | string, value?: RedisValue): Arg[] => {
      if (typeof parameters === 'string') return ['SET', parameters, value ?? ''];
      const args: Arg[] = ['SET'];
      for (const [k, v] of Object.entries(parameters)) args.push(k, v);
      return args;
    },
    id<'OK'>(),
  ),
  /** CONFIG RESETSTAT: resets the statistics INFO reports. */
  configResetstat: def('CONFIG', () => ['RESETSTAT'], id<'OK'>()),
  /** COMMAND COUNT: how many commands the server has. */
  commandCount: def('COMMAND', () => ['COUNT'], id<number>()),
  /** MEMORY USAGE key [SAMPLES n]: bytes the key and its value take, or null if it does not exist. */
  memoryUsage: withOptions(
    def(
      'MEMORY',
      (key: RedisKey, opts?: { SAMPLES?: number }): Arg[] =>
        opts?.SAMPLES === undefined ? ['USAGE', key] : ['USAGE', key, 'SAMPLES', opts.SAMPLES],
      id<number | null>(),
    ),
    ['SAMPLES'],
  ),
  /**
   * WAIT numreplicas timeout (ms, 0 = forever): how many replicas acknowledged this connection's
   * writes so far. Runs on the caller's own connection (it counts that connection's writes), so it
   * holds the commands behind it until it returns: keep the timeout short, or use isolated().
   */
  wait: sameConnection(
    def('WAIT', (numReplicas: number, timeoutMs: number) => [numReplicas, timeoutMs], id<number>(), millisecondsAt(1)),
  ),
};
