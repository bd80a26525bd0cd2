// One subscription to a sentinel's failover events, on a connection of its own that is a Lifecycle
// like the client's (backoff, health check, phase rules): there is no second reconnect engine.
// Each attempt goes to the next sentinel of `targets()`, so a watch that loses its sentinel moves
// to another one it knows (configured or learned).
import { Command } from '../connection/command';
import type { ConnectionHooks } from '../connection/connection';
import type { Clock } from '../lifecycle/clock';
import type { HealthOptions } from '../lifecycle/health';
import { Lifecycle, type AttemptInfo, type ConnectionLike, type ReconnectPolicy } from '../lifecycle/lifecycle';
import { addr, openSentinel, toRecord } from './discovery';
import type { ResolvedSentinelOptions, SentinelAddress } from './options';

/**
 * The events a watch subscribes to: the steps of a failover, in the order the sentinel that leads
 * it publishes them, then its end or abort (docs/sentinel.md, "Following a failover").
 */
export const FAILOVER_CHANNELS = [
  '+try-failover',
  '+elected-leader',
  '+failover-state-select-slave',
  '+selected-slave',
  '+failover-state-send-slaveof-noone',
  '+failover-state-wait-promotion',
  '+promoted-slave',
  '+failover-state-reconf-slaves',
  '+switch-master',
  '-failover-abort-not-elected',
  '-failover-abort-no-good-slave',
  '-failover-abort-slave-timeout',
] as const;

/** One message of a sentinel, with the sentinel it came from. */
export interface SentinelMessage {
  channel: string;
  payload: string;
  sentinel: SentinelAddress;
}

export interface WatchConfig {
  clock: Clock;
  connectTimeoutMs: number;
  keepAliveMs: number;
  reconnect: ReconnectPolicy;
  healthCheck: HealthOptions | false;
  owner: unknown;
}

export class SentinelWatch {
  private readonly lifecycle: Lifecycle;
  private cursor = 0;
  /** The sentinel of the current connection (or of the attempt under way). */
  private at: SentinelAddress | undefined;
  /** The SUBSCRIBE of the current connection, settled by its last confirmation. */
  private subscribing: { cmd: Command; conn: ConnectionLike; left: number } | undefined;

  constructor(
    private readonly opts: ResolvedSentinelOptions,
    private readonly targets: () => readonly SentinelAddress[],
    private readonly config: WatchConfig,
    private readonly onMessage: (m: SentinelMessage) => void,
    /** The sentinel's failover-timeout for our master, read on each new connection. */
    private readonly onFailoverTimeout: (ms: number) => void,
  ) {
    this.lifecycle = new Lifecycle({
      clock: config.clock,
      endpoint: `the failover events of '${opts.name}' (sentinels ${targets().map(addr).join(', ')})`,
      sentPassword: opts.password !== undefined,
      open: (info, hooks) => this.open(info, hooks),
      restore: (conn) => this.subscribe(conn),
      attemptTimeoutMs: config.connectTimeoutMs,
      onPush: (frame) => void this.frame(frame),
      claimReply: (reply) => this.frame(reply),
      // Never gives up: a sentinel down at start is retried like one lost later.
      reconnect: {
        ...config.reconnect,
        maxAttempts: Infinity,
        initialTimeoutMs: Infinity,
        onInitialFailure: 'retry',
        decide: undefined,
      },
      offlineQueue: { enabled: false, maxLength: 0 },
      retryInFlight: 'never',
      healthCheck: config.healthCheck,
      commandTimeoutMs: 0,
      owner: config.owner,
      quiet: true,
      events: {
        stateChange: () => undefined,
        reconnecting: () => undefined,
        ready: () => undefined,
        error: () => undefined,
      },
    });
  }

  start(): void {
    this.lifecycle.connect().catch(() => undefined);
  }

  close(): Promise<void> {
    return this.lifecycle.close();
  }

  destroy(): void {
    this.lifecycle.destroy();
  }

  /** Each attempt asks the next sentinel of the list. */
  private open(_info: AttemptInfo, hooks: ConnectionHooks): Promise<ConnectionLike> {
    const list = this.targets();
    const s = list[this.cursor++ % list.length];
    this.at = s;
    const c = this.config;
    return openSentinel(s, this.opts, { ...c, now: () => c.clock.now() }, hooks);
  }

  private async subscribe(conn: ConnectionLike): Promise<void> {
    try {
      const master = toRecord(await conn.internalCall('SENTINEL', ['MASTER', this.opts.name]));
      const ms = Number(master['failover-timeout']);
      if (Number.isFinite(ms) && ms > 0) this.onFailoverTimeout(ms);
    } catch {
      // a sentinel that does not know the name (yet) still publishes what it learns later
    }
    await new Promise<unknown>((resolve, reject) => {
      const cmd = new Command('SUBSCRIBE', [...FAILOVER_CHANNELS], undefined, resolve, reject);
      cmd.internal = true;
      this.subscribing = { cmd, conn, left: FAILOVER_CHANNELS.length };
      conn.send(cmd);
    });
  }

  /**
   * A push frame (RESP3) or a reply (RESP2, where messages are replies): confirmations of the
   * SUBSCRIBE and messages are ours, everything else goes on to the commands (PING).
   */
  private frame(v: unknown): boolean {
    if (!Array.isArray(v) || v.length < 3) return false;
    const kind = String(v[0]);
    if (kind === 'subscribe') {
      const sub = this.subscribing;
      if (sub !== undefined && --sub.left === 0) {
        this.subscribing = undefined;
        sub.conn.settleOldest?.(sub.cmd, v[2]);
      }
      return true;
    }
    if (kind === 'message') {
      const at = this.at;
      if (at !== undefined) this.onMessage({ channel: String(v[1]), payload: String(v[2]), sentinel: at });
      return true;
    }
    return false;
  }
}
