// Discovery inside each connection attempt: ask the sentinels where the primary (or a replica) is,
// connect there, and check that the node is what they said. It runs as the attempt's `open` of the
// ordinary lifecycle (client/connection-opener.ts), so reconnects, backoff, the offline queue and
// the phase rules stay in lifecycle/: there is no second reconnect engine.
import { ConnectionError } from '../errors';
import { Connection, type ConnectionHooks } from '../connection/connection';
import type { ConnectionLike } from '../lifecycle/lifecycle';
import { classifyFailure } from '../lifecycle/classify';
import { describeSentinel, type ResolvedSentinelOptions, type SentinelAddress } from './options';

/** What discovery needs from the client to reach a sentinel. */
export interface SentinelConnectConfig {
  connectTimeoutMs: number;
  keepAliveMs: number;
  now: () => number;
}

/**
 * Opens a connection to a sentinel: RESP3, the sentinels' own credentials and TLS, no client
 * name, no database (discovery asks on it; watch.ts subscribes on it).
 */
export function openSentinel(
  s: SentinelAddress,
  opts: ResolvedSentinelOptions,
  config: SentinelConnectConfig,
  hooks: ConnectionHooks,
): Promise<Connection> {
  return Connection.open(
    {
      host: s.host,
      port: s.port,
      tls: opts.tls,
      connectTimeoutMs: config.connectTimeoutMs,
      keepAliveMs: config.keepAliveMs,
      protocol: 3,
      username: opts.username,
      password: opts.password,
      database: 0,
      clientName: undefined,
      libName: false,
      libVersion: '',
      listenFirstMs: 0,
      now: config.now,
    },
    hooks,
  );
}

/** Opens a connection to a data node (the client's transport, credentials and handshake). */
export type OpenNode<C extends ConnectionLike> = (at: SentinelAddress) => Promise<C>;

/** 'host:port' ('[v6]:port'), as messages name a node or a sentinel. */
export const addr = (a: SentinelAddress): string =>
  a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;

export const sameAddress = (a: SentinelAddress, b: SentinelAddress): boolean => a.host === b.host && a.port === b.port;

/** How long a failover's facts are kept when the sentinel's failover-timeout is not known. */
const DEFAULT_HOLD_MS = 10_000;

export class SentinelDiscovery {
  /**
   * The sentinels in the order they are asked: the configured ones first, then those learned from
   * SENTINEL SENTINELS; the last one that answered is moved to the front.
   */
  private readonly known: SentinelAddress[];
  /** The node the last successful attempt connected to. */
  connectedTo: SentinelAddress | undefined;
  /** The sentinels' failover-timeout for our master (read by the event watches): bounds `fences`. */
  failoverTimeoutMs: number | undefined;
  /**
   * Failovers under way, per sentinel that announced one (sentinel/follower.ts): the old primary
   * is not used again until the failover ends, aborts, or its failover-timeout passed. Without
   * this, an attempt would go back to it: the sentinels name it until the switch.
   */
  private readonly fences = new Map<string, { avoid: SentinelAddress; until: number }>();
  /** The new primary an event named (selected, promoted, switched to): tried first. */
  private expected: { at: SentinelAddress; until: number } | undefined;

  constructor(
    private readonly opts: ResolvedSentinelOptions,
    private readonly config: SentinelConnectConfig,
  ) {
    this.known = opts.sentinels.map((s) => ({ ...s }));
  }

  /** The sentinels as they will be asked next (configured and learned). */
  get sentinels(): readonly SentinelAddress[] {
    return this.known;
  }

  get options(): ResolvedSentinelOptions {
    return this.opts;
  }

  get name(): string {
    return this.opts.name;
  }

  get role(): 'primary' | 'replica' {
    return this.opts.role;
  }

  private get holdMs(): number {
    return (this.failoverTimeoutMs ?? DEFAULT_HOLD_MS) + 1000;
  }

  /** `sentinel` announced a failover step for `old`; `next` is the replica it chose, when known. */
  fence(sentinel: string, old: SentinelAddress, next: SentinelAddress | undefined): void {
    const until = this.config.now() + this.holdMs;
    this.fences.set(sentinel, { avoid: old, until });
    if (next !== undefined) this.expected = { at: next, until };
  }

  /** `sentinel` aborted its failover. */
  lift(sentinel: string): void {
    this.fences.delete(sentinel);
    if (this.fences.size === 0) this.expected = undefined;
  }

  /**
   * A sentinel switched to `next`: it is tried first, and `old` is avoided for a while still (the
   * sentinel that led the failover names `old` until the failover ends). Only the fences of the
   * failover of `old` end here: the leader says +switch-master last, seconds after the others, and
   * by then a failover of `next` may have begun (the sentinels failed over the new primary too, seen
   * on a loaded machine): its fence on `next` stays, or the client went back to `next` and wrote
   * there after the next promotion (lost writes).
   */
  switched(old: SentinelAddress, next: SentinelAddress): void {
    const until = this.config.now() + this.holdMs;
    for (const [k, f] of this.fences) if (sameAddress(f.avoid, old)) this.fences.delete(k);
    // One fence per replaced node: a late +switch-master of an earlier failover does not lift the
    // fence of the node a later one replaced, nor names that node as the one to expect.
    this.fences.set(`+switch-master ${addr(old)}`, { avoid: old, until });
    if (!this.avoided().some((a) => sameAddress(a, next))) this.expected = { at: next, until };
  }

  /** The nodes not to use now (failovers under way or just done); drops the facts that expired. */
  private avoided(): SentinelAddress[] {
    const now = this.config.now();
    for (const [k, f] of this.fences) if (f.until <= now) this.fences.delete(k);
    if (this.expected !== undefined && this.expected.until <= now) this.expected = undefined;
    return [...this.fences.values()].map((f) => f.avoid);
  }

  /** How the client names where it connects, in messages and `inspect`. */
  get description(): string {
    return describeSentinel(this.opts);
  }

  /**
   * One connection attempt: the candidates the sentinels give, in order, until one is reached and
   * has the role asked for. Rejects with what the lifecycle classifies (kind and phase rules).
   */
  async open<C extends ConnectionLike>(openNode: OpenNode<C>): Promise<C> {
    const avoid = this.opts.role === 'primary' ? this.avoided() : [];
    const expected = this.opts.role === 'primary' ? this.expected?.at : undefined;
    let located: SentinelAddress[] = [];
    try {
      located = await this.locate();
    } catch (err) {
      if (expected === undefined) throw err;
    }
    const candidates: SentinelAddress[] = [];
    for (const a of expected === undefined ? located : [expected, ...located]) {
      if (!avoid.some((x) => sameAddress(x, a)) && !candidates.some((x) => sameAddress(x, a))) candidates.push(a);
    }
    if (candidates.length === 0) {
      throw new ConnectionError(
        'readonly',
        `a failover of '${this.opts.name}' is under way: ${avoid.map(addr).join(', ')} is being replaced and the sentinels name no other primary yet; asking again`,
      );
    }
    let last: unknown;
    for (const at of candidates) {
      let conn: C;
      try {
        conn = await openNode(at);
      } catch (err) {
        last = err;
        continue;
      }
      const role = await roleOf(conn).catch(() => undefined);
      const wanted = this.opts.role === 'primary' ? 'master' : 'replica';
      if (role === wanted) {
        this.connectedTo = at;
        return conn;
      }
      // A stale answer (the sentinels have not noticed a switch yet, or the node was just demoted):
      // drop it and try the next candidate; the lifecycle retries with backoff if none fits.
      last = new ConnectionError(
        this.opts.role === 'primary' ? 'readonly' : 'network',
        `the sentinels named ${addr(at)} as ${this.opts.role} of '${this.opts.name}', but it says it is a ${role ?? 'node of unknown role'}: a failover is under way, asking the sentinels again`,
      );
      conn.destroy(last as Error);
    }
    throw last;
  }

  /** Asks the sentinels in order; the first that answers gives the candidates. */
  private async locate(): Promise<SentinelAddress[]> {
    const failures: string[] = [];
    const unknownAt: { sentinel: string; masters: string[] }[] = [];
    for (const s of [...this.known]) {
      let conn: Connection;
      try {
        conn = await this.connectSentinel(s);
      } catch (err) {
        const e = classifyFailure(err, {
          endpoint: `sentinel ${addr(s)}`,
          sentPassword: this.opts.password !== undefined,
        });
        // Credentials are the same on every sentinel of a deployment: say so now, not after a timeout.
        if (e.kind === 'auth' || e.kind === 'tls') throw sentinelConfigError(e, s);
        failures.push(`${addr(s)}: ${stripEndpoint(e.message, s)}`);
        continue;
      }
      try {
        const found = await this.ask(conn);
        if (found === undefined) {
          unknownAt.push({ sentinel: addr(s), masters: await masterNames(conn) });
          continue;
        }
        this.toFront(s);
        await this.learn(conn);
        return found;
      } catch (err) {
        failures.push(`${addr(s)}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        conn.end().catch(() => undefined);
      }
    }
    if (unknownAt.length > 0 && failures.length === 0) {
      const names = [...new Set(unknownAt.flatMap((u) => u.masters))];
      throw new ConnectionError(
        'handshake',
        `no sentinel monitors a master named '${this.opts.name}' (asked ${unknownAt.map((u) => u.sentinel).join(', ')}); ` +
          (names.length > 0
            ? `they monitor: ${names.map((n) => `'${n}'`).join(', ')}. Fix 'sentinel.name'.`
            : `they monitor no master at all: check 'sentinel.sentinels' and the sentinels' 'sentinel monitor' lines.`),
        { code: 'ESENTINELMASTER' },
      );
    }
    const parts = [...failures, ...unknownAt.map((u) => `${u.sentinel}: does not know '${this.opts.name}'`)];
    throw new ConnectionError('network', `no sentinel could say where '${this.opts.name}' is: ${parts.join('; ')}`, {
      code: 'ESENTINELUNREACHABLE',
    });
  }

  private connectSentinel(s: SentinelAddress): Promise<Connection> {
    return openSentinel(s, this.opts, this.config, { onClose: () => undefined });
  }

  /** The candidates for our role, or undefined when this sentinel does not know the name. */
  private async ask(conn: Connection): Promise<SentinelAddress[] | undefined> {
    const reply = await conn.internalCall('SENTINEL', ['GET-MASTER-ADDR-BY-NAME', this.opts.name]);
    if (reply === null || reply === undefined) return undefined;
    const [host, port] = reply as [unknown, unknown];
    const primary = { host: String(host), port: Number(port) };
    if (this.opts.role === 'primary') return [primary];
    const replicas = (await conn.internalCall('SENTINEL', ['REPLICAS', this.opts.name])) as unknown[];
    const up = replicas
      .map(toRecord)
      .filter((r) => !/s_down|o_down|disconnected/.test(r.flags ?? '') && r['master-link-status'] !== 'err')
      .map((r) => ({ host: r.ip, port: Number(r.port) }));
    if (up.length === 0) {
      throw new Error(`knows no replica of '${this.opts.name}' that is up`);
    }
    return up;
  }

  /** Adds the sentinels this one knows (SENTINEL SENTINELS) at the end of the list. */
  private async learn(conn: Connection): Promise<void> {
    let others: unknown;
    try {
      others = await conn.internalCall('SENTINEL', ['SENTINELS', this.opts.name]);
    } catch {
      return; // not worth failing an attempt that found its node
    }
    if (!Array.isArray(others)) return;
    for (const raw of others) {
      const r = toRecord(raw);
      const found = { host: r.ip, port: Number(r.port) };
      if (found.host === undefined || !Number.isInteger(found.port)) continue;
      if (!this.known.some((k) => k.host === found.host && k.port === found.port)) this.known.push(found);
    }
  }

  private toFront(s: SentinelAddress): void {
    const i = this.known.indexOf(s);
    if (i > 0) {
      this.known.splice(i, 1);
      this.known.unshift(s);
    }
  }
}

async function masterNames(conn: Connection): Promise<string[]> {
  try {
    const masters = (await conn.internalCall('SENTINEL', ['MASTERS'])) as unknown[];
    return masters.map((m) => toRecord(m).name).filter((n): n is string => typeof n === 'string');
  } catch {
    return [];
  }
}

/** ROLE's first element: 'master', 'slave' (said as 'replica' here) or 'sentinel'. */
async function roleOf(conn: ConnectionLike): Promise<string | undefined> {
  const reply = await conn.internalCall('ROLE', []);
  const role = Array.isArray(reply) ? String(reply[0]) : undefined;
  return role === 'slave' ? 'replica' : role;
}

/** A sentinel's description of an instance: a RESP3 map or a RESP2 flat field/value list. */
export function toRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v instanceof Map) for (const [k, x] of v) out[String(k)] = String(x);
  else if (Array.isArray(v)) for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = String(v[i + 1]);
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

function stripEndpoint(message: string, s: SentinelAddress): string {
  const prefix = `sentinel ${addr(s)}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** A sentinel refused our credentials or TLS: the fix is in the `sentinel` option. */
function sentinelConfigError(e: ConnectionError, s: SentinelAddress): ConnectionError {
  const message = e.message.replace(/set `password`[^.]*\./, "set 'sentinel.password' (and 'sentinel.username').");
  return new ConnectionError(
    e.kind,
    `${message} (the sentinel at ${addr(s)}: check 'sentinel.username', 'sentinel.password' and 'sentinel.tls')`,
    {
      cause: e,
      code: e.code,
    },
  );
}
