import { ReplyError } from '../errors';
import type { Arg } from '../protocol/types';

export interface HandshakeConfig {
  protocol: 2 | 3;
  username?: string;
  password?: string;
  database: number;
  clientName?: string;
  /** Sent with CLIENT SETINFO where the server has it; false sends nothing. */
  libName: string | false;
  libVersion: string;
  /**
   * Sends READONLY last (a cluster replica then serves reads for its primary's slots): part of the
   * handshake so that every new connection of the client, reconnects included, has it.
   */
  readOnly?: boolean;
  /** Sends CLIENT NO-EVICT ON (the application turned it on: every new connection has it again). */
  noEvict?: boolean;
}

/** What the server told us about itself during the handshake. */
export interface ServerInfo {
  /** The server's version ('' when it did not say: a server without HELLO). */
  version: string;
  /** The protocol the connection speaks. */
  protocol: 2 | 3;
  /** CLIENT ID of this connection, when HELLO told us. */
  id?: number;
  /** 'standalone' | 'cluster' | 'sentinel', when HELLO told us. */
  mode?: string;
  /** 'master' | 'replica', when HELLO told us. */
  role?: string;
}

type Call = (name: string, args: readonly Arg[]) => Promise<unknown>;

/**
 * The handshake, written as one batch so that a server's refusal comes back in one round trip:
 *
 *   HELLO <proto> [AUTH user pass] [SETNAME name]
 *   CLIENT SETINFO LIB-NAME ... / LIB-VER ...   (errors ignored: servers before 7.2 lack it)
 *   SELECT db                                   (only for db != 0)
 *   READONLY                                    (only with readOnly: a cluster replica's reads)
 *   CLIENT NO-EVICT ON                          (only when the application turned it on)
 *   PING                                        (HELLO and SELECT are allowed while the server is
 *                                                loading; PING is not, so it surfaces -LOADING)
 *
 * Servers without HELLO (before 6.0) get the RESP2 sequence AUTH / CLIENT SETNAME / SELECT / PING.
 * A server that knows HELLO but not protocol 3 (NOPROTO) gets HELLO 2. The first error, in that
 * order, is what the handshake fails with: a wrong password shows as WRONGPASS, never as the
 * NOAUTH that the commands behind it get. User commands are written only after this resolves.
 */
export async function runHandshake(config: HandshakeConfig, call: Call): Promise<ServerInfo> {
  const first = await helloBatch(config, config.protocol, call);
  if (first.ok !== undefined) return first.ok;
  const err = first.error;
  if (err.code === 'NOPROTO' && config.protocol === 3) {
    const second = await helloBatch(config, 2, call);
    if (second.ok !== undefined) return second.ok;
    throw second.error;
  }
  if (isUnknownCommand(err)) return resp2Handshake(config, call);
  throw err;
}

async function helloBatch(
  config: HandshakeConfig,
  protocol: 2 | 3,
  call: Call,
): Promise<{ ok: ServerInfo; error?: undefined } | { ok?: undefined; error: ReplyError }> {
  const helloArgs: Arg[] = [protocol];
  if (config.password !== undefined) helloArgs.push('AUTH', config.username ?? 'default', config.password);
  if (config.clientName !== undefined) helloArgs.push('SETNAME', config.clientName);
  const hello = call('HELLO', helloArgs);
  const setinfo: Promise<unknown>[] = [];
  if (config.libName !== false) {
    setinfo.push(call('CLIENT', ['SETINFO', 'LIB-NAME', config.libName]));
    setinfo.push(call('CLIENT', ['SETINFO', 'LIB-VER', config.libVersion]));
  }
  const select = config.database !== 0 ? call('SELECT', [config.database]) : undefined;
  const readOnly = config.readOnly === true ? call('READONLY', []) : undefined;
  const noEvict = config.noEvict === true ? call('CLIENT', ['NO-EVICT', 'ON']) : undefined;
  const ping = call('PING', []);
  const [helloResult, , selectResult, readOnlyResult, noEvictResult, pingResult] = await Promise.allSettled([
    hello,
    Promise.allSettled(setinfo),
    select,
    readOnly,
    noEvict,
    ping,
  ]);
  if (helloResult.status === 'rejected') {
    const reason: unknown = helloResult.reason;
    if (reason instanceof ReplyError) return { error: reason };
    throw reason; // the socket died: not a server answer
  }
  if (selectResult.status === 'rejected') throw selectResult.reason;
  if (readOnlyResult.status === 'rejected') throw readOnlyResult.reason;
  if (noEvictResult.status === 'rejected') throw noEvictResult.reason;
  if (pingResult.status === 'rejected') throw pingResult.reason;
  return { ok: parseHello(helloResult.value, protocol) };
}

async function resp2Handshake(config: HandshakeConfig, call: Call): Promise<ServerInfo> {
  const steps: Promise<unknown>[] = [];
  if (config.password !== undefined) {
    const legacy = config.username === undefined || config.username === 'default';
    steps.push(call('AUTH', legacy ? [config.password] : [config.username as string, config.password]));
  }
  if (config.clientName !== undefined) steps.push(call('CLIENT', ['SETNAME', config.clientName]));
  if (config.database !== 0) steps.push(call('SELECT', [config.database]));
  if (config.readOnly === true) steps.push(call('READONLY', []));
  if (config.noEvict === true) steps.push(call('CLIENT', ['NO-EVICT', 'ON']));
  steps.push(call('PING', []));
  const results = await Promise.allSettled(steps);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return { version: '', protocol: 2 };
}

function isUnknownCommand(err: ReplyError): boolean {
  return err.code === 'ERR' && /unknown command/i.test(err.message);
}

/** HELLO answers a map (RESP3) or a flat array of pairs (RESP2). */
export function parseHello(reply: unknown, protocol: 2 | 3): ServerInfo {
  let fields: Record<string, unknown> = {};
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = reply[i + 1];
  } else if (reply !== null && typeof reply === 'object') {
    fields = reply as Record<string, unknown>;
  }
  const info: ServerInfo = { version: typeof fields.version === 'string' ? fields.version : '', protocol };
  if (typeof fields.id === 'number') info.id = fields.id;
  if (typeof fields.mode === 'string') info.mode = fields.mode;
  if (typeof fields.role === 'string') info.role = fields.role;
  return info;
}
