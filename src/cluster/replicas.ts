// The cluster's connections to replicas: one RedisClient per replica the slot map lists, made on
// first use (cluster.nodes('replica'), a command for every node), or for every replica at once
// with readFrom, and destroyed when the node leaves the map or becomes a primary (the primaries'
// clients live in Topology). Each is an ordinary client whose handshake sends READONLY, so every
// reconnect has it: its lifecycle reconnects and restores it, nothing here re-sends it.
//
// The reads sent to a replica carry an AbortSignal of that replica's; when the replica's
// connection is lost, the signal fires and those reads come back to the router, which sends them
// to another replica or the primary, instead of waiting in the replica's own queue for it to
// return (a replica that died for good is dropped from the map only once the cluster says so).
//
// A replica takes reads (readFrom) only while it is in sync: a replica that was restarted answers
// as soon as it listens, from an empty or old dataset, until its first sync with its primary ends
// (replica-serve-stale-data yes, the default), so a read there would see a key as missing that
// its primary has. Each time its connection becomes ready, ROLE is asked until it says the link
// to its primary is `connected` (master_link_status:up); only then is the replica in `inSync`.
// A read answered -LOADING or -MASTERDOWN (the replica is reloading its data, or lost its link
// with replica-serve-stale-data no) takes it out again and starts the same check (outOfSync).
import type { RedisClient } from '../client/client';
import { retryNow } from './node-seam';
import { mayServe } from './read-from';
import type { ClusterNode, NodeAddress, Shard, SlotMap } from './slot-map';
import type { NodeEvent } from './topology';

export interface ReplicaHooks {
  /** A client for a replica (READONLY in its handshake). */
  make(at: NodeAddress): RedisClient;
  node(e: NodeEvent): void;
  /** A replica changed state: commands waiting for one may go. */
  changed(): void;
  /** A replica's connection was lost: the topology may have changed. */
  lost(key: string): void;
}

export class Replicas {
  /** By host:port. */
  readonly clients = new Map<string, RedisClient>();
  private map: SlotMap | undefined;
  private closed = false;
  /** Per replica: aborted (and replaced) when its connection is lost. */
  private readonly signals = new Map<string, AbortController>();
  /** The replicas that said, on their current connection, that their link to their primary is up. */
  private readonly synced = new Set<string>();
  /** Per replica not (yet) in sync while its connection is ready: the check of its link under way. */
  private readonly checks = new Map<string, LinkCheck>();

  constructor(
    private readonly hooks: ReplicaHooks,
    /** readFrom reads from replicas: connect to every replica as soon as the map lists it, and check its sync. */
    private readonly eager = false,
  ) {}

  /** After every map swap: the clients of nodes that are no longer replicas go. */
  sync(map: SlotMap): void {
    this.map = map;
    const replicas = new Set<string>();
    for (const s of map.shards) for (const r of s.replicas) replicas.add(r.key);
    for (const [key, c] of this.clients) {
      if (replicas.has(key)) continue;
      this.clients.delete(key);
      // Reads queued on it reject with ClientClosedError (maybeExecuted false): routed again.
      c.destroy();
      this.signals.get(key)?.abort();
      this.signals.delete(key);
      this.forget(key);
      this.hooks.node({ node: key, event: 'removed' });
    }
    if (this.eager) for (const r of this.known) if (mayServe(r.health)) this.clientFor(r);
  }

  /** A node came back (topology.ts hurryAll()): replicas waiting out a backoff try now. */
  hurry(): void {
    for (const c of this.clients.values()) retryNow(c);
  }

  /** The signal the reads sent to this replica now carry. */
  signalOf(key: string): AbortSignal {
    let s = this.signals.get(key);
    if (s === undefined) this.signals.set(key, (s = new AbortController()));
    return s.signal;
  }

  /** The replicas of the shard serving `slot` in the current map. */
  shardOf(slot: number): Shard | undefined {
    return this.map?.shardFor(slot);
  }

  /** Whether reads may go to this replica: its connection is ready and its link to its primary is up. */
  inSync(key: string): boolean {
    return this.synced.has(key);
  }

  /**
   * The replica answered a read with -LOADING or -MASTERDOWN: it has no current copy of its
   * primary's data. Out of the reads' turn until ROLE says its link is up again.
   */
  outOfSync(key: string): void {
    const c = this.clients.get(key);
    if (!this.synced.delete(key) || c === undefined || c.state !== 'ready') return;
    this.check(key, c);
  }

  /** Every replica of the current map. */
  get known(): ClusterNode[] {
    return this.map?.shards.flatMap((s) => s.replicas) ?? [];
  }

  /** The client of a replica, made and connecting on first use. */
  clientFor(node: NodeAddress & { key: string }): RedisClient {
    let c = this.clients.get(node.key);
    if (c === undefined) {
      c = this.hooks.make(node);
      const made = c;
      this.clients.set(node.key, c);
      c.on('stateChange', ({ from, to }) => {
        if (this.clients.get(node.key) !== made) return;
        if (from === 'ready') {
          // Its reads go elsewhere now; later ones get a fresh signal.
          this.signals.get(node.key)?.abort();
          this.signals.delete(node.key);
          this.forget(node.key);
          if (to === 'reconnecting' || to === 'failed') this.hooks.lost(node.key);
        }
        // A new connection: the replica may have been restarted, empty. Reads wait for its sync.
        if (to === 'ready' && this.eager) this.check(node.key, made);
        this.hooks.node({ node: node.key, event: 'stateChange', from, to });
        this.hooks.changed();
      });
      this.hooks.node({ node: node.key, event: 'added' });
      if (!this.closed) c.connect().catch(() => undefined);
    }
    return c;
  }

  /**
   * Asks the replica's ROLE until its link to its primary is `connected` (a pause between tries,
   * 20 ms doubling to 500 ms), then puts it in `synced` and wakes the commands waiting for one.
   * Ends when its connection is no longer ready (forget() drops the check; the next ready starts
   * a new one).
   */
  private check(key: string, client: RedisClient): void {
    this.forget(key);
    if (this.closed) return;
    const check: LinkCheck = { timer: undefined, delayMs: 20 };
    this.checks.set(key, check);
    const current = (): boolean => this.checks.get(key) === check && client.state === 'ready';
    const again = (): void => {
      if (!current()) return;
      check.timer = setTimeout(ask, check.delayMs);
      check.timer.unref();
      check.delayMs = Math.min(check.delayMs * 2, 500);
    };
    const ask = (): void => {
      check.timer = undefined;
      if (!current()) return;
      client.call('ROLE').then((role) => {
        if (!current()) return;
        if (!linkUp(role)) return again();
        this.checks.delete(key);
        this.synced.add(key);
        this.hooks.changed();
      }, again);
    };
    ask();
  }

  /** Out of the reads' turn, and no check of its link any more. */
  private forget(key: string): void {
    this.synced.delete(key);
    const check = this.checks.get(key);
    if (check === undefined) return;
    if (check.timer !== undefined) clearTimeout(check.timer);
    this.checks.delete(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const key of [...this.checks.keys()]) this.forget(key);
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }

  destroy(): void {
    this.closed = true;
    for (const key of [...this.checks.keys()]) this.forget(key);
    for (const c of this.clients.values()) c.destroy();
  }
}

interface LinkCheck {
  timer: NodeJS.Timeout | undefined;
  delayMs: number;
}

/** ROLE of a replica: ['slave', host, port, state, offset]; state 'connected' is master_link_status:up. */
function linkUp(role: unknown): boolean {
  return Array.isArray(role) && role[0] === 'slave' && role[3] === 'connected';
}
