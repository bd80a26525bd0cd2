// The cluster's picture of itself: the current SlotMap, one RedisClient per primary (created and
// destroyed as the map says), and the refresher that keeps the map current: adaptive triggers
// (MOVED, an unknown or unreachable node, an uncovered slot) coalesced and rate-limited, plus a
// periodic refresh. A refresh asks several nodes and keeps the view with the highest epoch
// (chooseView), built aside and swapped in with one assignment.
import { RedisClient } from '../client/client';
import { resolveOptions, type ClientOptions } from '../client/options';
import { ReplyError } from '../errors';
import type { State } from '../lifecycle/states';
import { retryNow, sendBuilt } from './node-seam';
import { endpointFor } from './node-endpoint';
import type { ResolvedClusterOptions } from './options';
import {
  chooseView,
  currentEpochOf,
  nodeKey,
  slotMapFromShards,
  slotMapFromSlots,
  type NodeAddress,
  type SlotMap,
  type TopologyView,
} from './slot-map';

/** What changed in one swap of the map (the payload of `topologyChanged`). */
export interface TopologyChange {
  reason: string;
  /** Primaries that appeared / disappeared (host:port). */
  added: string[];
  removed: string[];
  /** Slots whose owner changed. */
  movedSlots: number;
  /** One line per shard after the change. */
  shards: string[];
}

export interface NodeEvent {
  node: string;
  event: 'added' | 'removed' | 'stateChange';
  from?: State;
  to?: State;
}

export interface TopologyHooks {
  changed(change: TopologyChange): void;
  node(e: NodeEvent): void;
  /** A node's client was reconnecting (for the cluster's own 'reconnecting' event). */
  reconnecting(node: string, p: { attempt: number; delayMs: number; reason: Error }): void;
  /** Every map swapped in (replica connections follow it: replicas.ts). */
  applied?(map: SlotMap): void;
  /** A node came back: the replicas' clients waiting out a backoff should try now too. */
  hurryReplicas?(): void;
}

const REFRESH_TIMEOUT_MS = 2000;
/** How long a node that left the map has to answer the commands in flight on it (see retire()). */
const RETIRE_MS = 2000;
/** A node's backoff is cut short (hurry()) at most once per this many ms. */
const HURRY_MIN_INTERVAL_MS = 1000;

/** Asks one node for its view: CLUSTER SHARDS (Redis 7+, else CLUSTER SLOTS) and CLUSTER INFO. */
export async function fetchView(
  node: RedisClient,
  at: NodeAddress,
  tls: boolean,
  timeoutMs?: number,
): Promise<TopologyView> {
  const info = sendBuilt(node, 'CLUSTER', ['INFO'], undefined, false, timeoutMs);
  info.catch(() => undefined); // awaited below; a failure of SHARDS must not leave it unhandled
  let map: SlotMap;
  try {
    map = slotMapFromShards(await sendBuilt(node, 'CLUSTER', ['SHARDS'], undefined, false, timeoutMs), {
      reporter: at,
      tls,
    });
  } catch (err) {
    // Redis < 7: unknown subcommand. Anything else (cluster disabled, network) is the caller's.
    if (!(err instanceof ReplyError) || !/unknown subcommand|unknown command/i.test(err.message)) throw err;
    map = slotMapFromSlots(await sendBuilt(node, 'CLUSTER', ['SLOTS'], undefined, false, timeoutMs), {
      reporter: at,
      tls,
    });
  }
  return { map, currentEpoch: currentEpochOf(await info), reporter: at };
}

export class Topology {
  map: SlotMap | undefined;
  /** Clients of the primaries in `map`, by host:port. */
  readonly clients = new Map<string, RedisClient>();
  /** Clients of nodes that left the map and are closing (retire()): the cluster's close/destroy ends them too. */
  readonly retiring = new Set<RedisClient>();
  /** Every client ever retired: the router re-routes idempotent commands that failed on one. */
  private readonly retired = new WeakSet<RedisClient>();
  private refreshing: Promise<void> | undefined;
  private lastRefreshAt = 0;
  private pendingTimer: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private closed = false;
  /** When each node's backoff was last cut short (hurry()). */
  private readonly hurried = new Map<string, number>();
  /** Resolved (and replaced) on every map swap or node state change: commands waiting wake up. */
  private wake!: () => void;
  changedSignal!: Promise<void>;

  constructor(
    private readonly opts: ResolvedClusterOptions,
    private readonly hooks: TopologyHooks,
  ) {
    this.newSignal();
  }

  private newSignal(): void {
    this.changedSignal = new Promise<void>((r) => (this.wake = r));
  }

  /** Wakes the commands waiting for the topology. */
  signal(): void {
    const wake = this.wake;
    this.newSignal();
    wake();
  }

  /**
   * A client for one node, with the user's options; runtime nodes never give up reconnecting. A
   * seed (`initial`) is reached as given; a node the cluster announced through nodeAddressMap,
   * with its own TLS name (node-endpoint.ts). `readOnly`: a replica's, whose handshake sends
   * READONLY (on every reconnect too).
   */
  makeClient(at: NodeAddress, initial: boolean, readOnly = false): RedisClient {
    const base: ClientOptions = this.opts.client;
    const reconnect =
      initial || base.reconnect === false
        ? base.reconnect
        : { ...(base.reconnect ?? {}), onInitialFailure: 'retry' as const, initialTimeoutMs: Infinity };
    const to = initial ? { host: at.host, port: at.port, tls: base.tls } : endpointFor(at, this.opts.endpoint);
    const resolved = resolveOptions({ ...base, reconnect, host: to.host, port: to.port, tls: to.tls });
    return new RedisClient(readOnly ? { ...resolved, readOnly } : resolved);
  }

  /** Takes a client made during the seed phase (already ready) into the pool. */
  adopt(key: string, client: RedisClient): void {
    this.clients.set(key, client);
    this.watch(key, client);
    this.hooks.node({ node: key, event: 'added' });
  }

  private watch(key: string, client: RedisClient): void {
    client.on('stateChange', ({ from, to }) => {
      if (this.clients.get(key) !== client) return;
      this.hooks.node({ node: key, event: 'stateChange', from, to });
      // A node is back: after a whole-cluster restart its peers are most likely back too, and
      // their clients may be sleeping through a long backoff (measured: every key served again
      // up to 2.2 s after cluster_state:ok when the nodes had been down 4 s).
      if (to === 'ready' && from !== 'ready') this.hurryAll(key);
      this.signal();
    });
    client.on('reconnecting', (p) => {
      if (this.clients.get(key) !== client) return;
      this.hooks.reconnecting(key, p);
      // A node that keeps failing may have been replaced: ask the others.
      this.requestRefresh(`node ${key} is reconnecting`);
    });
  }

  /** The client for an address, made (and connected) on first use: a MOVED/ASK target not in the map yet. */
  clientFor(at: NodeAddress): RedisClient {
    const key = nodeKey(at);
    let c = this.clients.get(key);
    if (c === undefined) {
      c = this.makeClient(at, false);
      this.clients.set(key, c);
      this.watch(key, c);
      this.hooks.node({ node: key, event: 'added' });
      c.connect().catch(() => undefined);
    }
    return c;
  }

  /** Swaps in a new map, then makes clients for new primaries and closes those of primaries gone. */
  apply(next: SlotMap, reason: string): void {
    const prev = this.map;
    this.map = next;
    const primaries = new Set(next.shards.map((s) => s.primary.key));
    const added: string[] = [];
    const removed: string[] = [];
    for (const s of next.shards) {
      if (!this.clients.has(s.primary.key)) {
        this.clientFor(s.primary);
        added.push(s.primary.key);
      }
    }
    for (const [key, c] of this.clients) {
      if (primaries.has(key)) continue;
      this.clients.delete(key);
      this.retire(c);
      removed.push(key);
      this.hooks.node({ node: key, event: 'removed' });
    }
    let movedSlots = 0;
    if (prev !== undefined) {
      for (let slot = 0; slot < 16384; slot++)
        if (prev.primaryFor(slot)?.key !== next.primaryFor(slot)?.key) movedSlots++;
    }
    this.hooks.applied?.(next);
    this.signal();
    if (prev === undefined || added.length || removed.length || movedSlots) {
      // A fresh map says where the slots are now: its primaries that wait out a backoff try now.
      for (const s of next.shards) this.hurry(s.primary.key);
      this.hooks.changed({ reason, added, removed, movedSlots, shards: next.describe() });
    }
  }

  /**
   * Cuts a node's reconnect backoff short (its lifecycle's retryNow(): no-op unless it is
   * reconnecting), at most once per HURRY_MIN_INTERVAL_MS per node, so that triggers coming back
   * from the node's own failures (reconnecting -> refresh -> hurry) never make a reconnect loop.
   * `news`: another node just came back (not a loop: that happens once per recovery), not limited.
   */
  private hurry(key: string, news = false): void {
    const c = this.clients.get(key);
    if (c === undefined || (c.state !== 'reconnecting' && c.state !== 'connecting')) return;
    const now = Date.now();
    if (!news && now - (this.hurried.get(key) ?? -Infinity) < HURRY_MIN_INTERVAL_MS) return;
    this.hurried.set(key, now);
    retryNow(c);
  }

  /**
   * Commands wait for this node: it tries now rather than after its backoff (rate-limited like any
   * hurry). A node that answered LOADING as it came back would otherwise sleep its whole backoff.
   */
  awaited(key: string): void {
    this.hurry(key);
  }

  /** Every primary's client but `except` (and the replicas'), out of its backoff. */
  private hurryAll(except: string): void {
    for (const key of this.clients.keys()) if (key !== except) this.hurry(key, true);
    this.hooks.hurryReplicas?.();
  }

  /**
   * A node that left the map (a demoted primary, a removed node) is closed, not dropped: the
   * commands in flight on it get its real answers (a demoted primary answers MOVED, which the
   * router follows; destroying it made a GET in flight fail with ClientClosedError), and the ones
   * queued on its client reject with ClientClosedError (never sent) and are routed again. One that
   * does not answer within RETIRE_MS (a half-open link) is destroyed: its in-flight commands then
   * reject with maybeExecuted, and the router sends the ones that are safe to run twice again.
   */
  private retire(c: RedisClient): void {
    this.retiring.add(c);
    this.retired.add(c);
    const timer = setTimeout(() => c.destroy(), RETIRE_MS);
    void c
      .close()
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        this.retiring.delete(c);
      });
  }

  /** Whether this client was retired (left the map): its failures are not the command's. */
  wasRetired(c: RedisClient): boolean {
    return this.retired.has(c);
  }

  /**
   * A MOVED: that slot's owner changes now, in a new map swapped in whole. Not once stopped (the
   * cluster is closing): a client made for a node new to the map would connect after close()
   * took the clients it closes, and live on.
   */
  moved(slot: number, to: NodeAddress): void {
    if (this.map === undefined || this.closed) return;
    this.map = this.map.withSlotOwner(slot, to);
    this.clientFor(to);
    this.signal();
  }

  /**
   * Asks for a refresh; many triggers in a burst make one refresh, and refreshes start at most
   * once per refreshMinIntervalMs (so a MOVED storm during a resharding costs one per interval).
   */
  requestRefresh(reason: string): void {
    if (this.closed || this.refreshing !== undefined || this.pendingTimer !== undefined) return;
    const wait = Math.max(0, this.lastRefreshAt + this.opts.refreshMinIntervalMs - Date.now());
    this.pendingTimer = setTimeout(() => {
      this.pendingTimer = undefined;
      void this.refresh(reason).catch(() => undefined);
    }, wait);
    this.pendingTimer.unref();
  }

  /** Refreshes now (or joins the refresh under way). Resolves whether or not a node answered. */
  refresh(reason: string): Promise<void> {
    if (this.refreshing !== undefined) return this.refreshing;
    this.lastRefreshAt = Date.now();
    this.refreshing = this.doRefresh(reason).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(reason: string): Promise<void> {
    // Only ready nodes when there are any: a dead node would hold the whole refresh for its
    // timeout (measured: a 2 s longer write stall after a primary was killed). Shuffled, so that
    // refreshes spread over the nodes.
    const known = [...this.clients.entries()].sort(() => Math.random() - 0.5);
    const ready = known.filter(([, c]) => c.state === 'ready');
    const asked = (ready.length > 0 ? ready : known).slice(0, this.opts.refreshNodes);
    // No node is ready (a whole-cluster restart): the ones asked try now rather than after their
    // backoff, so that the first node back is found within a refresh (REFRESH_TIMEOUT_MS), however
    // long the backoffs have grown; the others follow it (hurryAll()).
    if (ready.length === 0) for (const [key] of asked) this.hurry(key);
    const views = await Promise.all(
      asked.map(([key, c]) => {
        const [host, port] = [key.slice(0, key.lastIndexOf(':')), Number(key.slice(key.lastIndexOf(':') + 1))];
        return fetchView(c, { host, port }, this.opts.tls, REFRESH_TIMEOUT_MS).catch(() => undefined);
      }),
    );
    if (this.closed) return;
    const best = chooseView(views.filter((v): v is TopologyView => v !== undefined && v.map.shards.length > 0));
    if (best !== undefined) this.apply(best.map, reason);
  }

  startPeriodic(): void {
    if (this.opts.refreshIntervalMs <= 0 || this.periodic !== undefined) return;
    this.periodic = setInterval(() => this.requestRefresh('periodic'), this.opts.refreshIntervalMs);
    this.periodic.unref();
  }

  stop(): void {
    this.closed = true;
    clearTimeout(this.pendingTimer);
    clearInterval(this.periodic);
    this.signal();
  }
}
