// Following a failover as it happens: the sentinels' events move the client off the old primary
// before its socket dies, because a primary that has been replaced still accepts writes that it
// will throw away when it is demoted. The decisions stay where they belong: this file turns
// events into facts for discovery (which node to avoid, which to expect) and asks the client's
// one lifecycle to retire its connection or to retry now; the lifecycle decides the rest.
import { sentinelSwitchChannel } from '../diagnostics';
import { ConnectionError } from '../errors';
import type { Clock } from '../lifecycle/clock';
import type { HealthOptions } from '../lifecycle/health';
import type { ReconnectPolicy } from '../lifecycle/lifecycle';
import { addr, sameAddress, type SentinelDiscovery } from './discovery';
import type { SentinelAddress } from './options';
import { SentinelWatch, type SentinelMessage, type WatchConfig } from './watch';

/** The `switch` event of a sentinel-managed client: it now talks to another node. */
export interface SentinelSwitch {
  /** The master name (`sentinel.name`). */
  name: string;
  /** The node the client left (undefined for the first connection). */
  from: SentinelAddress | undefined;
  /** The node the client is connected to now. */
  to: SentinelAddress;
  /**
   * What made the client leave `from`: a sentinel event (`'+try-failover'`, `'+selected-slave'`,
   * `'+switch-master'`...), `'READONLY'` (the node refused a write), or `'connection lost'`.
   */
  trigger: string;
  /** The sentinel whose event it was ('host:port'), when it was one. */
  sentinel: string | undefined;
}

/** What the follower asks of the client (its lifecycle) and tells it. */
export interface FollowerHost {
  retire(reason: ConnectionError): boolean;
  retryNow(): void;
  switched(e: SentinelSwitch): void;
}

/** The steps that come before the promotion of a replica: the old primary must stop getting writes. */
const BEFORE_PROMOTION = new Set([
  '+try-failover',
  '+elected-leader',
  '+failover-state-select-slave',
  '+selected-slave',
  '+failover-state-send-slaveof-noone',
  '+failover-state-wait-promotion',
]);

interface ParsedEvent {
  name: string;
  /** The master the event is about. */
  master: SentinelAddress;
  /** The instance it names (the replica selected or promoted; the new primary of +switch-master). */
  instance: SentinelAddress | undefined;
}

/**
 * `master <name> <ip> <port>`, `slave <ip:port> <ip> <port> @ <name> <master-ip> <master-port>`,
 * or, for +switch-master, `<name> <old-ip> <old-port> <new-ip> <new-port>`.
 */
export function parseEvent(channel: string, payload: string): ParsedEvent | undefined {
  const t = payload.split(' ');
  const at = (i: number): SentinelAddress | undefined =>
    t[i] !== undefined && /^\d+$/.test(t[i + 1] ?? '') ? { host: t[i], port: Number(t[i + 1]) } : undefined;
  if (channel === '+switch-master') {
    const master = at(1);
    const instance = at(3);
    return master === undefined || instance === undefined ? undefined : { name: t[0], master, instance };
  }
  if (t[0] === 'master') {
    const master = at(2);
    return master === undefined ? undefined : { name: t[1], master, instance: undefined };
  }
  const i = t.indexOf('@');
  if (i < 0) return undefined;
  const master = at(i + 2);
  return master === undefined ? undefined : { name: t[i + 1], master, instance: at(2) };
}

export class FailoverFollower {
  /** 'all': one watch per known sentinel (key 'host:port'); 'one': a single watch (key '*'). */
  private readonly watches = new Map<string, SentinelWatch>();
  /** Why the client left the node it was on, until it is ready again. */
  private trigger: { what: string; sentinel?: string } | undefined;
  private lastAt: SentinelAddress | undefined;
  private closed = false;

  constructor(
    private readonly discovery: SentinelDiscovery,
    private readonly mode: 'all' | 'one',
    private readonly config: WatchConfig,
    private readonly host: FollowerHost,
  ) {}

  /** The client is ready: start (or extend) the watches, and tell about a switch of node. */
  ready(): void {
    if (this.closed) return;
    const at = this.discovery.connectedTo;
    if (at !== undefined && this.lastAt !== undefined && !sameAddress(at, this.lastAt)) {
      this.host.switched({
        name: this.discovery.name,
        from: this.lastAt,
        to: at,
        trigger: this.trigger?.what ?? 'connection lost',
        sentinel: this.trigger?.sentinel,
      });
    }
    this.lastAt = at;
    this.trigger = undefined;
    this.syncWatches();
  }

  /** The client's connection was left or lost (its reconnecting event). */
  left(reason: ConnectionError): void {
    this.trigger ??= { what: reason.kind === 'readonly' ? 'READONLY' : 'connection lost' };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.watches.values()].map((w) => w.close()));
  }

  destroy(): void {
    this.closed = true;
    for (const w of this.watches.values()) w.destroy();
  }

  private syncWatches(): void {
    const add = (key: string, targets: () => readonly SentinelAddress[]) => {
      if (this.watches.has(key)) return;
      const w = new SentinelWatch(
        this.discovery.options,
        targets,
        this.config,
        (m) => this.onMessage(m),
        (ms) => (this.discovery.failoverTimeoutMs = ms),
      );
      this.watches.set(key, w);
      w.start();
    };
    if (this.mode === 'one') add('*', () => this.discovery.sentinels);
    else for (const s of this.discovery.sentinels) add(addr(s), () => [s]);
  }

  private onMessage(m: SentinelMessage): void {
    if (this.closed) return;
    const e = parseEvent(m.channel, m.payload);
    if (e === undefined || e.name !== this.discovery.name) return;
    const from = addr(m.sentinel);
    const d = this.discovery;
    if (m.channel.startsWith('-failover-abort')) {
      d.lift(from);
      this.host.retryNow();
      return;
    }
    if (m.channel === '+switch-master') {
      const next = e.instance as SentinelAddress;
      d.switched(e.master, next);
      if (d.role === 'primary') this.leave(m.channel, from, e.master);
      else this.leave(m.channel, from, next);
      this.host.retryNow();
      return;
    }
    if (d.role !== 'primary') {
      if (m.channel === '+promoted-slave' && e.instance !== undefined) this.leave(m.channel, from, e.instance);
      return;
    }
    if (
      BEFORE_PROMOTION.has(m.channel) ||
      m.channel === '+promoted-slave' ||
      m.channel === '+failover-state-reconf-slaves'
    ) {
      const promoted = m.channel === '+promoted-slave';
      d.fence(from, e.master, m.channel === '+selected-slave' || promoted ? e.instance : undefined);
      this.leave(m.channel, from, e.master);
      if (promoted) this.host.retryNow();
    }
  }

  /** Retires the client's connection if it is to `node`. */
  private leave(what: string, sentinel: string, node: SentinelAddress): void {
    const at = this.discovery.connectedTo;
    if (at === undefined || !sameAddress(at, node)) return;
    const reason = new ConnectionError(
      'readonly',
      `the sentinel at ${sentinel} announced ${what} for '${this.discovery.name}': not sending to ${addr(node)} any more, waiting for the new ${this.discovery.role}`,
    );
    if (this.host.retire(reason)) this.trigger = { what, sentinel };
  }
}

/** The follower of a sentinel-managed client (undefined without `sentinel`). */
export function followFailovers(
  discovery: SentinelDiscovery | undefined,
  options: {
    reconnect: ReconnectPolicy | false;
    healthCheck: HealthOptions | false;
    connectTimeoutMs: number;
    keepAliveMs: number;
  },
  clock: Clock,
  owner: unknown,
  host: FollowerHost,
): FailoverFollower | undefined {
  if (discovery === undefined) return undefined;
  const reconnect: ReconnectPolicy =
    options.reconnect === false
      ? {
          ...DEFAULT_WATCH_BACKOFF,
          maxAttempts: Infinity,
          initialTimeoutMs: Infinity,
          onInitialFailure: 'retry',
          resetAfterMs: 5000,
          decide: undefined,
        }
      : options.reconnect;
  return new FailoverFollower(
    discovery,
    discovery.options.watch,
    {
      clock,
      connectTimeoutMs: options.connectTimeoutMs,
      keepAliveMs: options.keepAliveMs,
      reconnect,
      healthCheck: options.healthCheck,
      owner,
    },
    {
      ...host,
      switched: (e) => {
        if (sentinelSwitchChannel.hasSubscribers) sentinelSwitchChannel.publish({ client: owner, ...e });
        host.switched(e);
      },
    },
  );
}

/** The watches' backoff when the client has `reconnect: false` (the client gives up; the watches are its eyes). */
const DEFAULT_WATCH_BACKOFF = { baseDelayMs: 100, maxDelayMs: 5000, jitter: 'equal' as const };
