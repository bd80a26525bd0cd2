import { def, id, optionKeys, withOptions } from '../command-def';
import type { Arg } from '../../protocol/types';
import { setOwn, textLike, toBoolean, toObject } from './reply';

/**
 * One connection as CLIENT LIST / CLIENT INFO describe it, with Redis' field names. Numeric fields
 * are numbers; fields a newer server adds appear too.
 */
export type ClientInfo = {
  id: number;
  addr: string;
  laddr: string;
  fd: number;
  name: string;
  /** Seconds since the connection was made. */
  age: number;
  /** Seconds idle. */
  idle: number;
  flags: string;
  db: number;
  sub: number;
  psub: number;
  /** -1 outside MULTI. */
  multi: number;
  cmd: string;
  user: string;
  /** The protocol version: 2 or 3. */
  resp: number;
  [field: string]: string | number;
};

export interface ClientKillFilters {
  ID?: number;
  /** ip:port of the client. */
  ADDR?: string;
  /** ip:port of the server side. */
  LADDR?: string;
  USER?: string;
  TYPE?: 'normal' | 'master' | 'replica' | 'pubsub';
  /** Kill the calling connection too if it matches (default: skip it). */
  SKIPME?: boolean;
  /** Only connections older than this many seconds (Redis 7.4+). */
  MAXAGE?: number;
}

/** CLIENT TRACKINGINFO: this connection's tracking state. */
export interface TrackingInfo {
  /** 'off', 'on', 'bcast', 'optin', 'optout', 'caching-yes', 'caching-no', 'noloop', 'broken_redirect'. */
  flags: string[];
  /** The client id invalidations go to; 0: this connection (RESP3), -1: tracking is off. */
  redirect: number;
  prefixes: string[];
}

/** Fields whose values are text even when they look like numbers. */
const TEXT_FIELDS = new Set(['addr', 'laddr', 'name', 'flags', 'events', 'cmd', 'user', 'lib-name', 'lib-ver']);

/** "id=3 addr=127.0.0.1:5 ... name= ..." -> an object. */
function parseClientLine(line: string, sample: unknown): ClientInfo {
  const info: Record<string, string | number> = {};
  for (const pair of line.split(' ')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    setOwn(info, key, !TEXT_FIELDS.has(key) && /^-?\d+$/.test(value) ? Number(value) : textLike(sample, value));
  }
  return info as ClientInfo;
}

function parseClientList(reply: unknown): ClientInfo[] {
  return String(reply)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => parseClientLine(line, reply));
}

/** CLIENT subcommands about connections. */
export const CLIENTS = {
  /** CLIENT ID: this connection's id. */
  clientId: def('CLIENT', () => ['ID'], id<number>()),
  /** CLIENT LIST [TYPE t] [ID id ...]: every connection, parsed. */
  clientList: withOptions(
    def(
      'CLIENT',
      (filter?: { TYPE?: 'normal' | 'master' | 'replica' | 'pubsub'; ID?: number[] }): Arg[] => {
        const args: Arg[] = ['LIST'];
        if (filter?.TYPE !== undefined) args.push('TYPE', filter.TYPE);
        if (filter?.ID !== undefined) args.push('ID', ...filter.ID);
        return args;
      },
      parseClientList,
    ),
    ['TYPE', 'ID'],
  ),
  /** CLIENT INFO: this connection, parsed like a CLIENT LIST line. */
  clientInfo: def(
    'CLIENT',
    () => ['INFO'],
    (r: unknown) => parseClientLine(String(r).trim(), r),
  ),
  /** CLIENT KILL filter ...: how many connections were closed. */
  clientKill: withOptions(
    def(
      'CLIENT',
      (filters: ClientKillFilters): Arg[] => {
        const args: Arg[] = ['KILL'];
        if (filters.ID !== undefined) args.push('ID', filters.ID);
        if (filters.ADDR !== undefined) args.push('ADDR', filters.ADDR);
        if (filters.LADDR !== undefined) args.push('LADDR', filters.LADDR);
        if (filters.USER !== undefined) args.push('USER', filters.USER);
        if (filters.TYPE !== undefined) args.push('TYPE', filters.TYPE);
        if (filters.SKIPME !== undefined) args.push('SKIPME', filters.SKIPME ? 'yes' : 'no');
        if (filters.MAXAGE !== undefined) args.push('MAXAGE', filters.MAXAGE);
        return args;
      },
      id<number>(),
    ),
    optionKeys<ClientKillFilters>({ ID: 0, ADDR: 0, LADDR: 0, USER: 0, TYPE: 0, SKIPME: 0, MAXAGE: 0 }),
  ),
  /** CLIENT GETNAME: this connection's name, or null. */
  clientGetname: def('CLIENT', () => ['GETNAME'], id<string | null>()),
  /** CLIENT SETNAME name: 'OK' ('' clears it). Prefer the clientName option, which survives reconnects. */
  clientSetname: def('CLIENT', (name: string) => ['SETNAME', name], id<'OK'>()),
  /** CLIENT NO-EVICT on|off: exempt this connection from client eviction (maxmemory-clients). */
  clientNoEvict: def('CLIENT', (on: boolean) => ['NO-EVICT', on ? 'ON' : 'OFF'], id<'OK'>()),
  /** CLIENT PAUSE ms [WRITE|ALL]: hold other clients' commands (all, or writes only) for ms. */
  clientPause: def(
    'CLIENT',
    (timeoutMs: number, mode?: 'WRITE' | 'ALL') =>
      mode === undefined ? ['PAUSE', timeoutMs] : ['PAUSE', timeoutMs, mode],
    id<'OK'>(),
  ),
  /** CLIENT UNPAUSE: ends a CLIENT PAUSE. */
  clientUnpause: def('CLIENT', () => ['UNPAUSE'], id<'OK'>()),
  /** CLIENT TRACKINGINFO: this connection's tracking state (the `cache` option turns tracking on). */
  clientTrackinginfo: def(
    'CLIENT',
    () => ['TRACKINGINFO'],
    (r: unknown): TrackingInfo => {
      const raw = toObject<unknown>(r);
      const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
      return { flags: list(raw.flags), redirect: Number(raw.redirect), prefixes: list(raw.prefixes) };
    },
  ),
  /** CLIENT GETREDIR: the client id tracking invalidations are redirected to; 0 none, -1 tracking off. */
  clientGetredir: def('CLIENT', () => ['GETREDIR'], id<number>()),
  /** CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: wakes a client blocked in BLPOP, XREAD ...; true if it was blocked. */
  clientUnblock: def(
    'CLIENT',
    (clientId: number, mode?: 'TIMEOUT' | 'ERROR'): Arg[] =>
      mode === undefined ? ['UNBLOCK', clientId] : ['UNBLOCK', clientId, mode],
    toBoolean,
  ),
};
