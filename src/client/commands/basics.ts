import { def, id, type RedisKey, type RedisValue } from '../command-def';
import { toNumber } from './reply';
import type { Arg } from '../../protocol/types';

export interface SetOptions {
  /** Expire after this many seconds. */
  EX?: number;
  /** Expire after this many milliseconds. */
  PX?: number;
  /** Expire at this Unix time (seconds). */
  EXAT?: number;
  /** Expire at this Unix time (milliseconds). */
  PXAT?: number;
  /** Only set if the key does not exist. */
  NX?: true;
  /** Only set if the key exists. */
  XX?: true;
  /** Keep the key's current time to live. */
  KEEPTTL?: true;
  /** Return the old value (or null) instead of OK. */
  GET?: true;
}

function setArgs(key: RedisKey, value: RedisValue, opts?: SetOptions): Arg[] {
  const args: Arg[] = [key, value];
  if (opts === undefined) return args;
  if (opts.EX !== undefined) args.push('EX', opts.EX);
  if (opts.PX !== undefined) args.push('PX', opts.PX);
  if (opts.EXAT !== undefined) args.push('EXAT', opts.EXAT);
  if (opts.PXAT !== undefined) args.push('PXAT', opts.PXAT);
  if (opts.NX) args.push('NX');
  if (opts.XX) args.push('XX');
  if (opts.KEEPTTL) args.push('KEEPTTL');
  if (opts.GET) args.push('GET');
  return args;
}

/** The commands every client needs; the families live in their own files. */
export const BASICS = {
  /** PING [message]: 'PONG', or the message. */
  ping: def('PING', (message?: RedisValue) => (message === undefined ? [] : [message]), id<string>()),
  /** ECHO message. */
  echo: def('ECHO', (message: RedisValue) => [message], id<string>()),
  /** GET key: the value, or null when the key does not exist. */
  get: def('GET', (key: RedisKey) => [key], id<string | null>()),
  /** SET key value [options]: 'OK'; null when NX/XX prevented it; with GET, the old value. */
  set: def('SET', setArgs, id<string | null>()),
  /** INCR key: the new value. */
  incr: def('INCR', (key: RedisKey) => [key], id<number>()),
  /** DEL key [key ...]: how many keys were removed. */
  del: def('DEL', (...keys: RedisKey[]) => keys, id<number>()),
  /** DBSIZE: the number of keys in the selected database. */
  dbsize: def('DBSIZE', () => [], id<number>()),
  /** FLUSHDB [ASYNC|SYNC]. */
  flushdb: def('FLUSHDB', (mode?: 'ASYNC' | 'SYNC') => (mode === undefined ? [] : [mode]), id<'OK'>()),
  /** SELECT index: switch database (remembered across reconnects). */
  select: def('SELECT', (index: number) => [index], id<'OK'>()),
  /** TIME: [seconds, microseconds] as numbers. */
  time: def('TIME', () => [], (r: unknown[]) => [toNumber(r[0]), toNumber(r[1])] as [number, number]),
};
