// Where a cluster command goes and what happens when it cannot go now. A command is sent at once
// when its slot's owner is ready and nothing is waiting for that slot or node; otherwise it stands
// in the one WaitLine (wait-line.ts) and leaves it in order, woken by any topology or node change
// or by its own backoff timer, within its time budget. Redirections (MOVED, ASK) are followed as
// they come back; TRYAGAIN, CLUSTERDOWN and the errors that say the command never ran send it back
// to the line. When the line moves (end of the turn, a timer, a topology change) is line-wakeups.ts.
//
// Why the cluster holds commands itself rather than handing them to a connecting node's own
// offline queue (which keeps order too): the owner may never come back — after a failover the
// slot belongs to a replica — and a command given to the old node's client would be stuck there.
// Held here, the owner is looked up again each time the line moves.
import type { RedisClient } from '../client/client';
import { ClientClosedError, ClusterCrossSlotError, ClusterRedirectionError, ClusterUnavailableError } from '../errors';
import { systemClock, type Clock } from '../lifecycle/clock';
import type { State } from '../lifecycle/states';
import type { Arg } from '../protocol/types';
import type { CommandSlot } from './key-slot';
import type { ResolvedClusterOptions } from './options';
import type { ReadPicker } from './read-from';
import { parseRedirection } from './redirection';
import { newPending, replayable, retryable, type Pending, type Send } from './routed';
import { publishRedirection } from './cluster-diagnostics';
import { nodeKey, type ClusterNode, type NodeAddress } from './slot-map';
import type { Topology } from './topology';
import { WaitLine } from './wait-line';
import { LineWakeUps } from './line-wakeups';

export type { Send };

/** Where a command goes now: an address (and the client, for a replica), or why it must wait. */
interface Target {
  at: NodeAddress | undefined;
  client?: RedisClient;
  signal?: AbortSignal;
  why?: string;
}

export interface RouterHost {
  readonly state: State;
  connect(): Promise<void>;
}

const MAX_DELAY_MS = 200;

/** A primary that may be handed a command for its slot now (Router.readyOwner). */
export interface ReadyOwner {
  readonly at: ClusterNode;
  readonly node: RedisClient;
}

/**
 * Each cluster client's router, for its pipelines (cluster-batch.ts), which send on the fast path
 * below without a method on the client's public class.
 */
const routers = new WeakMap<RouterHost, Router>();

/** The router of a cluster client. @internal */
export function routerOf(host: RouterHost): Router {
  const r = routers.get(host);
  if (r === undefined) throw new Error('not a cluster client');
  return r;
}
/**
 * The pause between tries of a command the cluster refused (CLUSTERDOWN, TRYAGAIN): the node is
 * up and answers, so a try costs one round trip, and one command per node tries at a time (the
 * others wait behind it in the line). Not doubled to MAX_DELAY_MS: a whole-cluster restart
 * refuses writes until cluster_state:ok and the next try after it is the latency the application
 * sees (a 200 ms pause was most of the wait measured after cluster_state:ok).
 */
const REFUSED_DELAY_MS = 20;

export class Router {
  private readonly line = new WaitLine<Pending>();
  /** When the line moves (line-wakeups.ts). */
  private readonly wake: LineWakeUps;
  private draining = false;
  private seq = 0;

  constructor(
    private readonly host: RouterHost,
    private readonly topo: Topology,
    private readonly opts: ResolvedClusterOptions,
    /** readFrom 'replica' / 'preferReplica' (read-from.ts); undefined: every command to its primary. */
    private readonly reads?: ReadPicker,
    /** Time for budgets, pauses and the line's timer (a fake one in unit tests). */
    private readonly clock: Clock = systemClock,
  ) {
    routers.set(host, this);
    const line = this.line;
    this.wake = new LineWakeUps(
      {
        get size() {
          return line.size;
        },
        times: () => line,
        drain: () => this.drain(),
        changed: () => {
          for (const cmd of line) cmd.notBefore = 0;
        },
        changedSignal: () => topo.changedSignal,
      },
      clock,
    );
  }

  /** How many commands are waiting (diagnostics, tests). */
  get waiting(): number {
    return this.line.size;
  }

  /**
   * Runs `send` on the slot's primary and follows the cluster: MOVED updates the map and goes on
   * to the new owner; ASK calls `send` once on the target with `asking` set (the map is
   * untouched); TRYAGAIN, CLUSTERDOWN, an uncovered slot or an owner that is not ready wait in
   * the line within the command's budget. `send` must hand its command(s) to the node before it
   * returns (synchronously): that is what keeps the order.
   */
  route(name: string, where: CommandSlot, send: Send, args?: readonly Arg[], read = false): Promise<unknown> {
    if (where.slot === 'cross') return Promise.reject(new ClusterCrossSlotError(name, where.slots));
    return new Promise((resolve, reject) => {
      const slot = typeof where.slot === 'number' ? where.slot : undefined;
      const cmd = newPending(
        ++this.seq,
        name,
        slot,
        send,
        args,
        read && this.reads !== undefined,
        this.budget(),
        resolve,
        reject,
      );
      const state = this.host.state;
      // Commands issued before connect() resolves continue in the order they were issued (one
      // promise, callbacks in registration order).
      if (state === 'idle' || state === 'connecting') this.host.connect().then(() => this.dispatch(cmd), reject);
      else this.dispatch(cmd);
    });
  }

  /**
   * The fast path of a pipeline (cluster-batch.ts): the primary of `slot` and its client when a
   * command for that slot may be handed to it now, which is when route() would send it at once
   * (the cluster is up, the owner known and ready, nothing waiting for the slot or the node);
   * undefined: route() the command. A command sent this way takes its place in the issue order
   * with nextSeq() and comes to afterFirstTry() if its node fails it.
   */
  readyOwner(slot: number): ReadyOwner | undefined {
    const state = this.host.state;
    if (state === 'idle' || state === 'connecting' || this.closed()) return undefined;
    const at = this.topo.map?.primaryFor(slot);
    if (at === undefined || this.line.blocks(slot, at.key)) return undefined;
    const node = this.topo.clientFor(at);
    return node.state === 'ready' ? { at, node } : undefined;
  }

  /** The router's time (a command's `start` for afterFirstTry()). */
  now(): number {
    return this.clock.now();
  }

  /** The place in the issue order of a command sent on the fast path (readyOwner). */
  nextSeq(): number {
    return ++this.seq;
  }

  /**
   * A command sent on the fast path (readyOwner) that its node failed: from here on it is routed
   * as route() routes a command whose first try failed (redirections followed with `send`,
   * TRYAGAIN and lost connections waited out within its budget, counted from `start`).
   */
  afterFirstTry(
    name: string,
    slot: number,
    send: Send,
    args: readonly Arg[],
    seq: number,
    start: number,
    owner: ReadyOwner,
    err: unknown,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const cmd = newPending(seq, name, slot, send, args, false, this.budget(), resolve, reject);
      cmd.start = start;
      this.failed(cmd, owner.at, err, owner.node);
    });
  }

  /** Every waiting command rejects with ClientClosedError (close/destroy). */
  stop(): void {
    this.wake.stop();
    this.line.clear((cmd) => cmd.reject(new ClientClosedError('the cluster client is closed')));
  }

  /** A command that was not sent yet, or comes back from a redirection: now, or behind the line. */
  private dispatch(cmd: Pending): void {
    if (this.closed()) return cmd.reject(new ClientClosedError('the cluster client is closed'));
    if (cmd.start === 0) cmd.start = this.clock.now();
    const target = this.targetOf(cmd);
    const node = target.at === undefined ? undefined : nodeKey(target.at);
    if (this.line.blocks(cmd.slot, node)) return this.hold(cmd, node);
    if (!this.attempt(cmd, target)) this.wait(cmd, node);
  }

  /** Where the command goes now: a redirection's target, a replica for a read (readFrom), else the slot's primary. */
  private targetOf(cmd: Pending): Target {
    if (cmd.ask !== undefined) return { at: cmd.ask };
    if (cmd.read && cmd.slot !== undefined) {
      const r = this.reads!.pick(cmd.slot);
      if (r !== 'primary') return r;
    }
    return { at: this.ownerOf(cmd.slot) };
  }

  /** Sends now if the target can take it; false when it must wait (cmd.why says why). */
  private attempt(cmd: Pending, t: Target): boolean {
    const target = t.at;
    if (target === undefined) {
      if (t.why !== undefined) cmd.why = t.why;
      else {
        cmd.why = cmd.slot === undefined ? 'no primary is known' : `slot ${cmd.slot} is served by no primary`;
        this.topo.requestRefresh(cmd.why);
      }
      return false;
    }
    const node = t.client ?? this.topo.clientFor(target);
    if (node.state !== 'ready' && cmd.ask === undefined) {
      cmd.why = `its owner ${nodeKey(target)} is ${node.state}${node.lastError ? ` (${node.lastError.message})` : ''}`;
      cmd.lastError = node.lastError;
      // A lost owner may have been replaced: look (coalesced and rate-limited in Topology).
      if (node.state === 'reconnecting') {
        this.topo.requestRefresh(`node ${nodeKey(target)} is reconnecting`);
        // Commands are waiting for it: it tries now rather than after its backoff (once a second at most).
        this.topo.awaited(nodeKey(target));
      }
      return false;
    }
    const asking = cmd.ask !== undefined;
    cmd.ask = undefined;
    let sent: Promise<unknown>;
    try {
      sent = cmd.send(node, asking, t.signal);
    } catch (err) {
      sent = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (!cmd.refused) {
      sent.then(cmd.resolve, (err: unknown) => this.failed(cmd, target, err, node));
      return true;
    }
    // A retry: the commands behind it wait for its answer (it may be refused again).
    const key = nodeKey(target);
    this.line.probe(cmd.slot, key);
    sent.then(
      (value) => {
        this.line.release(cmd.slot, key);
        cmd.resolve(value);
        this.wake.soon();
      },
      (err: unknown) => {
        this.line.release(cmd.slot, key);
        this.failed(cmd, target, err, node);
        this.wake.soon();
      },
    );
    return true;
  }

  private failed(cmd: Pending, target: NodeAddress, err: unknown, node: RedisClient): void {
    const r = parseRedirection(err, target);
    if (r !== undefined && (r.kind === 'moved' || r.kind === 'ask')) {
      // It did not run, and the cluster is closing: nothing is followed any more.
      if (this.closed()) return cmd.reject(new ClientClosedError('the cluster client is closed'));
      const hops = (cmd.hops ??= []);
      hops.push(`${r.kind.toUpperCase()} ${nodeKey(r.address)}`);
      if (hops.length > this.opts.maxRedirections) return cmd.reject(new ClusterRedirectionError(cmd.name, hops, err));
      publishRedirection(this.host, cmd.name, r.kind, r.slot, nodeKey(target), nodeKey(r.address));
      if (r.kind === 'ask') cmd.ask = r.address;
      else {
        this.topo.moved(r.slot, r.address);
        this.topo.requestRefresh('MOVED');
      }
      // Not sent from here: the replies of commands sent together come back through promise
      // chains of different depths (a MULTI block's goes through its EXEC), so the handlers run
      // in any order. In the line (kept in issue order) until this turn of the event loop has
      // delivered them all, they leave in the order they were issued.
      cmd.notBefore = 0;
      this.hold(cmd, nodeKey(r.address));
      this.wake.soon();
      return;
    }
    if (r !== undefined) {
      if (r.kind === 'clusterdown') this.topo.requestRefresh('CLUSTERDOWN');
      cmd.delay = Math.min(cmd.delay, REFUSED_DELAY_MS);
    } else if (!this.mayRetry(cmd, target, err, node)) return cmd.reject(err);
    cmd.lastError = err;
    cmd.refused = true;
    cmd.why = err instanceof Error ? err.message : `${nodeKey(target)} failed`;
    if (this.closed()) return cmd.reject(new ClientClosedError('the cluster client is closed'));
    // Tried and refused: back in the line after a pause (later commands for its slot and node
    // queue behind it).
    this.wait(cmd, nodeKey(target));
  }

  /** Into the line after a failed try: rejects when the budget is spent, else backs off. */
  private wait(cmd: Pending, node: string | undefined): void {
    const left = cmd.budget - (this.clock.now() - cmd.start);
    if (left <= 0) return cmd.reject(this.unavailable(cmd));
    cmd.notBefore = this.clock.now() + Math.min(cmd.delay, left);
    cmd.delay = Math.min(cmd.delay * 2, MAX_DELAY_MS);
    this.hold(cmd, node);
  }

  private hold(cmd: Pending, node: string | undefined): void {
    this.line.push(cmd, node);
    this.wake.armAt(cmd.notBefore > 0 ? cmd.notBefore : cmd.start + cmd.budget);
    this.wake.armAt(cmd.start + cmd.budget);
    this.wake.watch();
  }

  /** Moves the line: every command, front to back, is sent if it may and can; the rest stay in order. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    // One reading of the clock for the whole walk and the timer after it (rearm).
    const now = this.clock.now();
    try {
      this.line.drain((cmd, blocked) => {
        if (this.closed()) {
          cmd.reject(new ClientClosedError('the cluster client is closed'));
          return { stay: false };
        }
        const target = this.targetOf(cmd);
        const node = target.at === undefined ? undefined : nodeKey(target.at);
        const tried = !blocked(node) && cmd.notBefore <= now;
        if (tried && this.attempt(cmd, target)) return { stay: false };
        if (!tried && cmd.why === '') cmd.why = 'commands issued before it for its slot or node were still waiting';
        if (now - cmd.start >= cmd.budget) {
          cmd.reject(this.unavailable(cmd));
          return { stay: false };
        }
        if (tried) {
          cmd.notBefore = now + Math.min(cmd.delay, cmd.budget - (now - cmd.start));
          cmd.delay = Math.min(cmd.delay * 2, MAX_DELAY_MS);
        }
        return { stay: true, node };
      });
    } finally {
      this.draining = false;
    }
    this.wake.rearm(now);
  }

  private unavailable(cmd: Pending): ClusterUnavailableError {
    return new ClusterUnavailableError(cmd.name, cmd.slot, cmd.budget, cmd.why, cmd.lastError);
  }

  private closed(): boolean {
    const s = this.host.state;
    return s === 'closing' || s === 'closed' || s === 'failed';
  }

  /** The slot's primary; for a keyless command, a random ready primary. */
  private ownerOf(slot: number | undefined): NodeAddress | undefined {
    const map = this.topo.map;
    if (map === undefined) return undefined;
    if (slot !== undefined) return map.primaryFor(slot);
    const shards = map.shards.filter((s) => this.topo.clients.get(s.primary.key)?.state === 'ready');
    const pool = shards.length > 0 ? shards : map.shards;
    return pool.length === 0 ? undefined : pool[Math.floor(Math.random() * pool.length)].primary;
  }

  private budget(): number {
    return this.opts.commandTimeoutMs > 0 ? this.opts.commandTimeoutMs : this.opts.unavailableTimeoutMs;
  }

  /** The client's in-flight rule for a command in flight on a node that left the map (routed.ts). */
  private replayable(cmd: Pending, err: unknown, node: RedisClient): boolean {
    return !this.closed() && replayable(cmd, err, this.topo.wasRetired(node), this.opts.retryInFlight);
  }

  /** A failure after which the command goes back to the line (routed again) rather than rejecting. */
  private mayRetry(cmd: Pending, target: NodeAddress, err: unknown, node: RedisClient): boolean {
    // A replica without a current copy of the data (LOADING, MASTERDOWN): the read goes elsewhere.
    if (cmd.read && this.reads?.outOfSync(nodeKey(target), node, err) === true) return !this.closed();
    return retryable(err, cmd.read, this.closed()) || this.replayable(cmd, err, node);
  }
}
