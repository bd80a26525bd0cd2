import { ConnectionError } from '../errors';
import { AttemptFailure, Connection, type ConnectionHooks } from '../connection/connection';
import { probeServer, type ProbeFinding } from '../connection/probe';
import type { ServerInfo } from '../connection/handshake';
import type { Clock } from '../lifecycle/clock';
import type { AttemptInfo, ConnectionLike } from '../lifecycle/lifecycle';
import { describeEndpoint } from '../transport/socket';
import { SentinelDiscovery } from '../sentinel/discovery';
import { VERSION } from '../version';
import type { ResolvedOptions } from './options';
import type { Session } from './session';

/**
 * How a client opens a connection for one attempt of its lifecycle: credentials asked fresh,
 * transport, TLS and handshake with the session's database and name, through the sentinels when
 * the `sentinel` option is set. The lifecycle decides when; this only knows how.
 */
export class ConnectionOpener {
  /** The address (or the sentinels and master name) named in errors and diagnostics. */
  readonly endpoint: string;
  /** What the server said about itself in the last handshake of an attempt. */
  lastServer: ServerInfo | undefined;
  /** With the `sentinel` option: where each connection attempt asks where to go. */
  readonly sentinel: SentinelDiscovery | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly clock: Clock,
    /** Read at each attempt: a reconnect restores the database and name the client had. */
    private readonly session: Session,
  ) {
    this.sentinel =
      options.sentinel === undefined
        ? undefined
        : new SentinelDiscovery(options.sentinel, {
            connectTimeoutMs: options.connectTimeoutMs,
            keepAliveMs: options.keepAliveMs,
            now: () => this.clock.now(),
          });
    this.endpoint =
      this.sentinel?.description ??
      describeEndpoint({ host: options.host, port: options.port, path: options.path, tls: options.tls });
  }

  async open(
    info: AttemptInfo,
    hooks: ConnectionHooks,
    connectTimeoutMs = this.options.connectTimeoutMs,
  ): Promise<ConnectionLike> {
    const credentials = await this.credentials();
    const openAt = (at: { host: string; port: number }): Promise<Connection> =>
      this.openAt(at, credentials, info, hooks, connectTimeoutMs);
    // With sentinels, this attempt asks them where to go first (sentinel/discovery.ts); the
    // lifecycle around it is the same either way.
    const o = this.options;
    const conn = this.sentinel === undefined ? await openAt(o) : await this.sentinel.open(openAt);
    if (info.attempt > 0) this.lastServer = conn.server; // attempt 0 is a health probe, not ours to keep
    this.addresses.set(conn, this.sentinel?.connectedTo ?? { host: o.host, port: o.port });
    return conn;
  }

  /** Where each open connection went (the sentinels may name another node on the next attempt). */
  private readonly addresses = new WeakMap<ConnectionLike, { host: string; port: number }>();

  private async credentials(): Promise<{ username?: string; password?: string }> {
    try {
      return await this.options.auth.current();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new AttemptFailure(
        new ConnectionError('auth', `the credentials provider failed: ${why}`, { cause: err }),
        'connect',
        0,
        this.endpoint,
      );
    }
  }

  // The secret lives in this attempt's locals and the handshake's commands only: nothing that
  // outlives the attempt keeps it (see Auth, and Connection, which drops it after the handshake).
  private openAt(
    at: { host: string; port: number },
    credentials: { username?: string; password?: string },
    info: AttemptInfo,
    hooks: ConnectionHooks,
    connectTimeoutMs: number,
  ): Promise<Connection> {
    const o = this.options;
    const session = this.session;
    return Connection.open(
      {
        host: at.host,
        port: at.port,
        path: o.path,
        tls: o.tls,
        connectTimeoutMs,
        keepAliveMs: o.keepAliveMs,
        protocol: o.protocol,
        username: credentials.username ?? o.username,
        password: credentials.password,
        database: session.database,
        clientName: session.clientName,
        libName: o.libName,
        libVersion: VERSION,
        readOnly: session.readOnly ?? o.readOnly === true,
        noEvict: session.noEvict,
        limits: o.limits,
        listenFirstMs: info.listenFirstMs,
        probeTlsOnSilentClose: info.phase === 'initial',
        now: () => this.clock.now(),
      },
      hooks,
    );
  }

  /**
   * Releases the blocking command `conn` is waiting in: `CLIENT UNBLOCK <id> TIMEOUT` from a second
   * connection to the same node (not to where the sentinels point now), through the same transport,
   * TLS and credentials (lifecycle/retirements.ts).
   */
  async unblock(conn: ConnectionLike): Promise<void> {
    const at = this.addresses.get(conn);
    const id = conn.server?.id;
    if (at === undefined || id === undefined) return;
    const info: AttemptInfo = { attempt: 0, phase: 'runtime', listenFirstMs: 0 };
    const side = await this.openAt(
      at,
      await this.credentials(),
      info,
      { onClose: () => undefined },
      this.options.connectTimeoutMs,
    );
    try {
      await side.internalCall('CLIENT', ['UNBLOCK', id, 'TIMEOUT']);
    } finally {
      side.end().catch(() => undefined);
    }
  }

  /**
   * The health check's confirmation: a second connection through the same path as an attempt
   * (transport, TLS, credentials, handshake; no restore, not counted as an attempt), asking the
   * server about `conn` (connection/probe.ts). It goes to the node `conn` is on: with sentinels,
   * not to wherever they point now, whose answer about a connection id means nothing (it judged a
   * healthy connection dead), and without asking them (their answer set the node the client
   * believed it was on).
   */
  probe(conn: ConnectionLike): Promise<ProbeFinding> {
    const hc = this.options.healthCheck;
    const timeoutMs = hc === false ? this.options.connectTimeoutMs : hc.probeTimeoutMs;
    const info: AttemptInfo = { attempt: 0, phase: 'runtime', listenFirstMs: 0 };
    const hooks = { onClose: () => undefined };
    const at = this.addresses.get(conn);
    const open = (ms: number) =>
      at === undefined
        ? this.open(info, hooks, ms)
        : this.credentials().then((credentials) => this.openAt(at, credentials, info, hooks, ms));
    return probeServer(open, conn.server?.id, timeoutMs);
  }
}
