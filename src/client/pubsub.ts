import { keySlot } from '../protocol/key-slot';
import { ClientClosedError, ClientFailedError, CommandTimeoutError, ConnectionError, ReplyError } from '../errors';
import { Command } from '../connection/command';
import { Fifo } from '../connection/fifo';
import type { ConnectionLike } from '../lifecycle/lifecycle';
import type { State } from '../lifecycle/states';

/** Called with each message on a channel (or shard channel) subscribed with subscribe()/ssubscribe(). */
export type MessageListener = (message: string, channel: string) => void;
/** Called with each message on a channel matching a pattern subscribed with psubscribe(). */
export type PatternListener = (message: string, channel: string, pattern: string) => void;
/** Like MessageListener, for a subscription made with `{ buffers: true }`: the message as it was published. */
export type BufferMessageListener = (message: Buffer, channel: string) => void;
/** Like PatternListener, for a subscription made with `{ buffers: true }`: the message as it was published. */
export type BufferPatternListener = (message: Buffer, channel: string, pattern: string) => void;

/** How a listener wants its messages. */
export interface SubscribeOptions {
  /**
   * true: each message comes as a Buffer, byte for byte as published (binary payloads such as
   * msgpack). Channel and pattern names stay strings. Default false: messages are UTF-8 strings.
   */
  buffers?: boolean;
}

/** The three families of subscriptions, each with its own commands and messages. */
export type SubscriptionKind = 'channels' | 'patterns' | 'shardChannels';

/** The 'resubscribed' event: what a new connection was subscribed to before the client became ready. */
export interface ResubscribedEvent {
  /**
   * false on the client's first connection (subscribe() called before connect()): nothing can
   * have been missed yet. true after a reconnect: messages published while the connection was
   * down are lost, so this is the gap to react to.
   */
  reconnected: boolean;
  channels: string[];
  patterns: string[];
  shardChannels: string[];
  /** Subscriptions the server refused this time (a NOPERM after an ACL change): they were dropped. */
  failed: Array<{ kind: SubscriptionKind; name: string; error: ReplyError }>;
  /** From the first SUBSCRIBE written to the last confirmation. */
  durationMs: number;
}

/** What the engine needs from the client that owns the connection. */
export interface SubscriptionHost {
  readonly state: State;
  readonly lastError: ConnectionError | undefined;
  /** Whether the owning client was ready before the connection being restored (a reconnect). */
  readonly wasReady: boolean;
  /** The ready connection, if any. */
  readyConnection(): ConnectionLike | undefined;
  /** Starts connecting when idle (a subscription, like a command, connects the client). */
  startConnecting(): void;
  commandTimeoutMs: number;
  resubscribed(event: ResubscribedEvent): void;
  /**
   * The server unsubscribed a shard channel by itself (its slot moved to another node: Redis 7
   * sends `sunsubscribe` then). It is no longer subscribed here, and is dropped from what a
   * reconnect restores.
   */
  shardChannelDropped?(channel: string): void;
}

const KINDS: readonly SubscriptionKind[] = ['channels', 'patterns', 'shardChannels'];
/**
 * Each kind's subscribe and unsubscribe, by method name (the client's methods, lower case as in
 * the confirmation frames): the one table the client, the cluster and this engine read.
 */
export const PUBSUB_VERBS = {
  channels: { subscribe: 'subscribe', unsubscribe: 'unsubscribe' },
  patterns: { subscribe: 'psubscribe', unsubscribe: 'punsubscribe' },
  shardChannels: { subscribe: 'ssubscribe', unsubscribe: 'sunsubscribe' },
} as const satisfies Record<SubscriptionKind, { subscribe: string; unsubscribe: string }>;

/** The commands of each kind (SUBSCRIBE, UNSUBSCRIBE, ...). */
const VERBS = Object.fromEntries(
  KINDS.map((kind) => [
    kind,
    { sub: PUBSUB_VERBS[kind].subscribe.toUpperCase(), unsub: PUBSUB_VERBS[kind].unsubscribe.toUpperCase() },
  ]),
) as Record<SubscriptionKind, { sub: string; unsub: string }>;

/** The first element of a confirmation frame: its kind, and whether it confirms a subscribe. */
const CONFIRMATIONS = new Map<string, { kind: SubscriptionKind; subscribe: boolean }>(
  KINDS.flatMap((kind) => [
    [PUBSUB_VERBS[kind].subscribe, { kind, subscribe: true }],
    [PUBSUB_VERBS[kind].unsubscribe, { kind, subscribe: false }],
  ]),
);

/** At most this many names per command, and about this many bytes of names: thousands restore in a few writes. */
const BATCH_NAMES = 1000;
const BATCH_BYTES = 256 * 1024;

type Listener = MessageListener | PatternListener | BufferMessageListener | BufferPatternListener;
/** A name's listeners, each with whether it takes Buffers. */
type Listeners = Map<Listener, boolean>;

/** One caller (or the restore) waiting for the commands it depends on. */
interface Waiter {
  pending: number;
  settled: boolean;
  resolve(): void;
  reject(error: Error): void;
  timer?: ReturnType<typeof setTimeout>;
  /** The restore: collects refusals instead of failing, and fails (not waits) when the connection is lost. */
  restore?: { failures: ResubscribedEvent['failed'] };
}

/** One SUBSCRIBE-family command on the wire, settled by one confirmation per name. */
interface Op {
  readonly kind: SubscriptionKind;
  readonly subscribe: boolean;
  readonly names: string[];
  readonly conn: ConnectionLike;
  cmd: Command;
  remaining: number;
  lost: boolean;
  /** owner: the call that sent it (a refusal fails it); otherwise a later call waiting for order. */
  waiters: Array<{ waiter: Waiter; owner: boolean }>;
}

/**
 * The subscriptions that live on one client's connection, and how they survive it.
 *
 * `wanted` is the truth: what the application asked for, name -> listeners. Commands only carry
 * changes of it to the current connection, and the restore step (run by the lifecycle after the
 * handshake of every new connection, before `ready`) subscribes everything in it again. So a
 * subscribe or unsubscribe issued while the connection is down just changes `wanted`, and is
 * honoured by the next restore.
 *
 * A subscribe-family command gets no reply: the server answers with one confirmation per name
 * (push frames on RESP3, replies on a RESP2 connection in subscriber mode). The command still sits
 * in the connection's FIFO, so that an error reply (NOPERM) reaches it; `ops` lists the commands
 * on the wire in order, and the last confirmation of the oldest one settles it. Names always go
 * explicitly (never the argument-less UNSUBSCRIBE), so the number of confirmations is known.
 */
export class Subscriptions {
  private readonly wanted: Record<SubscriptionKind, Map<string, Listeners>> = {
    channels: new Map(),
    patterns: new Map(),
    shardChannels: new Map(),
  };
  private ops = new Fifo<Op>();
  /** Callers waiting for the next successful restore (issued while no connection was there). */
  private afterRestore = new Set<Waiter>();
  /**
   * The connection the subscriptions were last restored on, from the start of its restore until it
   * is lost: changes go to it even before the lifecycle reports it ready.
   */
  private current: ConnectionLike | undefined;
  /**
   * Some listener takes Buffers: connections decode messages with Buffers (and string listeners
   * get them decoded as UTF-8). Set by the first such listener, recomputed at each restore.
   */
  private buffers = false;

  /** 'push': RESP3, frames come as pushes on a shared connection; 'reply': RESP2 subscriber mode. */
  constructor(
    private readonly host: SubscriptionHost,
    readonly mode: 'push' | 'reply',
  ) {}

  /** How many channels, patterns and shard channels are subscribed (or asked for). */
  get size(): number {
    return this.wanted.channels.size + this.wanted.patterns.size + this.wanted.shardChannels.size;
  }

  /** The names of one kind, as the application asked for them. */
  names(kind: SubscriptionKind): string[] {
    return [...this.wanted[kind].keys()];
  }

  /** Adds a listener to each name; subscribes the names that had none. Resolves once the server confirmed. */
  add(kind: SubscriptionKind, names: string[], listener: Listener, buffers = false): Promise<void> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    const fresh: string[] = [];
    const map = this.wanted[kind];
    for (const name of names) {
      let listeners = map.get(name);
      if (listeners === undefined) {
        listeners = new Map();
        map.set(name, listeners);
        fresh.push(name);
      }
      listeners.set(listener, buffers);
    }
    if (buffers && !this.buffers) {
      this.buffers = true;
      const conn = this.host.readyConnection() ?? this.current;
      if (conn !== undefined) conn.pushBuffers = true;
    }
    return this.carry(VERBS[kind].sub, kind, true, fresh);
  }

  /**
   * Removes `listener` from each name (or every listener, without one); unsubscribes the names left
   * without listeners. `names` undefined means every name of that kind.
   */
  remove(kind: SubscriptionKind, names: string[] | undefined, listener?: Listener): Promise<void> {
    const map = this.wanted[kind];
    const gone: string[] = [];
    for (const name of names ?? [...map.keys()]) {
      const listeners = map.get(name);
      if (listeners === undefined) continue;
      if (listener !== undefined) listeners.delete(listener);
      if (listener === undefined || listeners.size === 0) {
        map.delete(name);
        gone.push(name);
      }
    }
    if (this.host.state === 'closing' || this.host.state === 'closed' || this.host.state === 'failed') {
      return Promise.resolve(); // nothing is subscribed on a connection that is gone
    }
    return this.carry(VERBS[kind].unsub, kind, false, gone);
  }

  /** Why a new subscription cannot be made now, if it cannot. */
  private refusal(): Error | undefined {
    switch (this.host.state) {
      case 'closing':
      case 'closed':
        return new ClientClosedError();
      case 'failed':
        return new ClientFailedError(this.host.lastError);
      default:
        return undefined;
    }
  }

  /** Sends the change to the connection, if there is one; resolves when it (and all before it) settled. */
  private carry(verb: string, kind: SubscriptionKind, subscribe: boolean, names: string[]): Promise<void> {
    const conn = this.host.readyConnection() ?? this.current;
    if (conn === undefined) {
      // Down (or not connected yet): the next restore carries `wanted` as it will be then.
      if (!subscribe) return Promise.resolve();
      if (this.host.state === 'idle') this.host.startConnecting();
      return new Promise((resolve, reject) => this.afterRestore.add(this.waiter(verb, 0, resolve, reject)));
    }
    return new Promise((resolve, reject) => {
      const batches = this.batches(conn, kind, names);
      const waiter = this.waiter(verb, batches.length, resolve, reject);
      for (const names of batches) this.send(conn, kind, subscribe, names).waiters.push({ waiter, owner: true });
      if (batches.length === 0) {
        // Nothing new to send: wait for what is already on the wire, to keep the order of calls.
        const last = this.lastOp();
        if (last === undefined) return resolve();
        waiter.pending = 1;
        last.waiters.push({ waiter, owner: false });
      }
    });
  }

  /**
   * Commands for these names. On a cluster node, SSUBSCRIBE and SUNSUBSCRIBE take the channels of
   * one slot only (else CROSSSLOT): shard channels go one slot per command there.
   */
  private batches(conn: ConnectionLike, kind: SubscriptionKind, names: string[]): string[][] {
    if (kind !== 'shardChannels' || conn.server?.mode === 'standalone' || names.length < 2) return batch(names);
    const bySlot = new Map<number, string[]>();
    for (const name of names) {
      const slot = keySlot(name);
      const list = bySlot.get(slot);
      if (list === undefined) bySlot.set(slot, [name]);
      else list.push(name);
    }
    return [...bySlot.values()].flatMap(batch);
  }

  private lastOp(): Op | undefined {
    const n = this.ops.length;
    return n === 0 ? undefined : this.ops.at(n - 1);
  }

  private waiter(verb: string, pending: number, resolve: () => void, reject: (e: Error) => void): Waiter {
    const waiter: Waiter = { pending, settled: false, resolve, reject };
    const timeoutMs = this.host.commandTimeoutMs;
    if (timeoutMs > 0 && timeoutMs !== Infinity && pending >= 0) {
      waiter.timer = setTimeout(() => {
        // The subscription stays registered: it is restored when the connection is back.
        settle(waiter, new CommandTimeoutError(verb, timeoutMs, true));
        this.afterRestore.delete(waiter);
      }, timeoutMs);
    }
    return waiter;
  }

  private send(conn: ConnectionLike, kind: SubscriptionKind, subscribe: boolean, names: string[]): Op {
    const verb = subscribe ? VERBS[kind].sub : VERBS[kind].unsub;
    const op: Op = {
      kind,
      subscribe,
      names,
      conn,
      cmd: undefined as unknown as Command,
      remaining: names.length,
      lost: false,
      waiters: [],
    };
    op.cmd = new Command(
      verb,
      names,
      undefined,
      () => this.opSettled(op, undefined),
      (err) => this.opSettled(op, err),
    );
    op.cmd.internal = true; // never queued or replayed by the lifecycle: the restore re-sends
    // RESP2: messages arriving while this is owed are decoded as its reply would be.
    if (this.mode === 'reply' && conn.pushBuffers === true) op.cmd.returnBuffers = true;
    this.ops.push(op);
    conn.send(op.cmd);
    return op;
  }

  private opSettled(op: Op, error: Error | undefined): void {
    if (op.lost) return;
    if (error instanceof ReplyError && op.subscribe && op.names.length > 1 && op.waiters.some(isRestore)) {
      this.splitRefusedBatch(op);
      return;
    }
    if (error === undefined || error instanceof ReplyError) {
      if (this.ops.peek() === op) this.ops.shift();
      if (error !== undefined && op.subscribe) for (const name of op.names) this.wanted[op.kind].delete(name);
      for (const { waiter, owner } of op.waiters) {
        if (error !== undefined && owner) {
          if (waiter.restore === undefined) {
            settle(waiter, error);
            continue;
          }
          for (const name of op.names) waiter.restore.failures.push({ kind: op.kind, name, error });
        }
        if (--waiter.pending <= 0) settle(waiter);
      }
      return;
    }
    this.connectionLost();
  }

  /**
   * The server refused a whole batch of a restore (a NOPERM for one channel, after an ACL change,
   * refuses the command): the names go again one per command, so that only the refused ones are
   * dropped and reported, and the others are restored.
   */
  private splitRefusedBatch(op: Op): void {
    if (this.ops.peek() === op) this.ops.shift();
    let last: Op | undefined;
    for (const name of op.names) {
      last = this.send(op.conn, op.kind, true, [name]);
      for (const w of op.waiters) {
        if (!w.owner) continue;
        w.waiter.pending++;
        last.waiters.push(w);
      }
    }
    for (const w of op.waiters) {
      if (w.owner) w.waiter.pending--;
      else last?.waiters.push(w);
    }
  }

  /** The connection died: callers of the commands that were on it wait for the next restore. */
  connectionLost(): void {
    this.current = undefined;
    const refused = this.refusal();
    for (const op of this.ops.drain()) {
      op.lost = true;
      for (const { waiter, owner } of op.waiters) {
        if (waiter.restore !== undefined) {
          settle(waiter, new ConnectionError('network', 'the connection was lost while resubscribing'));
        } else if (owner && !op.subscribe) {
          // An unsubscribe is done when its connection is gone: the next one (if any) will not
          // subscribe. So it resolves even when the client is closing (an unsubscribe issued
          // right before close()).
          if (--waiter.pending <= 0) settle(waiter);
        } else if (refused !== undefined) {
          settle(waiter, refused); // closed or failed: no restore will come
        } else if (!waiter.settled) {
          this.afterRestore.add(waiter);
        }
      }
    }
  }

  /**
   * A frame that may belong to pub/sub: a message or a confirmation (RESP3 push, or a reply on a
   * RESP2 subscriber connection). Returns false for anything else.
   */
  handleFrame(frame: unknown[]): boolean {
    // With Buffer decoding on (a binary subscriber), the frame's strings are Buffers too.
    const type = Buffer.isBuffer(frame[0]) ? frame[0].toString() : frame[0];
    if (typeof type !== 'string') return false;
    switch (type) {
      case 'message':
        deliver(this.wanted.channels.get(text(frame[1])), frame[2], text(frame[1]));
        return true;
      case 'pmessage':
        deliver(this.wanted.patterns.get(text(frame[1])), frame[3], text(frame[2]), text(frame[1]));
        return true;
      case 'smessage':
        deliver(this.wanted.shardChannels.get(text(frame[1])), frame[2], text(frame[1]));
        return true;
      default: {
        const confirmation = CONFIRMATIONS.get(type);
        if (confirmation === undefined || frame.length !== 3) return false;
        const op = this.ops.peek();
        if (type === 'sunsubscribe' && !awaits(op, String(frame[1]))) {
          // Not the answer to our SUNSUBSCRIBE: the server dropped the channel (its slot moved).
          const name = String(frame[1]);
          if (this.wanted.shardChannels.delete(name)) this.host.shardChannelDropped?.(name);
          return true;
        }
        // Not ours (a confirmation we did not ask for): consumed, never matched to a command.
        if (op === undefined || op.kind !== confirmation.kind || op.subscribe !== confirmation.subscribe) return true;
        if (--op.remaining > 0) return true;
        this.ops.shift();
        if (op.conn.settleOldest?.(op.cmd, frame) !== true) {
          op.conn.destroy(
            new ConnectionError('protocol', `a ${type} confirmation arrived while other replies were still owed`),
          );
        }
        return true;
      }
    }
  }

  /**
   * Restores every subscription on a new connection, before the client reports `ready`: all names
   * in batches of up to 1000 per command, written at once, then one wait for the confirmations.
   */
  async restore(conn: ConnectionLike): Promise<void> {
    this.connectionLost(); // whatever was on the old connection is gone with it
    this.buffers = this.anyBufferListener();
    if (this.buffers || conn.pushBuffers === true) conn.pushBuffers = this.buffers;
    if (this.size === 0) {
      this.current = conn;
      this.releaseAfterRestore();
      return;
    }
    if (this.mode === 'push' && conn.server?.protocol === 2) {
      throw new ConnectionError(
        'handshake',
        `${conn.endpoint} speaks only RESP2, where a subscribed connection cannot run other commands: create the client with protocol: 2 (subscriptions then get a connection of their own)`,
      );
    }
    this.current = conn;
    const started = performance.now();
    try {
      const failures: ResubscribedEvent['failed'] = [];
      const restored: Record<SubscriptionKind, string[]> = { channels: [], patterns: [], shardChannels: [] };
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { pending: 0, settled: false, resolve, reject, restore: { failures } };
        for (const kind of KINDS) {
          restored[kind] = this.names(kind);
          for (const names of this.batches(conn, kind, restored[kind])) {
            waiter.pending++;
            this.send(conn, kind, true, names).waiters.push({ waiter, owner: true });
          }
        }
        if (waiter.pending === 0) resolve();
      });
      const refused = new Set(failures.map((f) => `${f.kind}\n${f.name}`));
      const keep = (kind: SubscriptionKind) => restored[kind].filter((n) => !refused.has(`${kind}\n${n}`));
      this.host.resubscribed({
        reconnected: this.host.wasReady,
        channels: keep('channels'),
        patterns: keep('patterns'),
        shardChannels: keep('shardChannels'),
        failed: failures,
        durationMs: performance.now() - started,
      });
      this.releaseAfterRestore();
    } catch (err) {
      this.connectionLost();
      throw err;
    }
  }

  private anyBufferListener(): boolean {
    for (const kind of KINDS) {
      for (const listeners of this.wanted[kind].values())
        for (const buffers of listeners.values()) if (buffers) return true;
    }
    return false;
  }

  private releaseAfterRestore(): void {
    const waiters = this.afterRestore;
    this.afterRestore = new Set();
    for (const w of waiters) settle(w);
  }

  /**
   * The client will not connect again by itself (failed), or is closing or closed: nobody waits
   * forever. While closing, the commands on the wire keep their confirmations (the connection ends
   * once they are answered); at closed, whatever is left goes.
   */
  stopped(state: 'failed' | 'closing' | 'closed'): void {
    const error = state === 'failed' ? new ClientFailedError(this.host.lastError) : new ClientClosedError();
    const waiters = this.afterRestore;
    this.afterRestore = new Set();
    for (const w of waiters) settle(w, error);
    if (state === 'closed') {
      for (const op of this.ops.drain()) {
        op.lost = true;
        // An unsubscribe is done: nothing stays subscribed on a closed client.
        for (const { waiter, owner } of op.waiters) settle(waiter, owner && !op.subscribe ? undefined : error);
      }
      for (const kind of KINDS) this.wanted[kind].clear();
    }
  }
}

/** Whether `op` is a SUNSUBSCRIBE whose next confirmation is for `name`. */
function awaits(op: Op | undefined, name: string): boolean {
  return (
    op !== undefined &&
    op.kind === 'shardChannels' &&
    !op.subscribe &&
    op.names[op.names.length - op.remaining] === name
  );
}

function isRestore(w: { waiter: Waiter; owner: boolean }): boolean {
  return w.owner && w.waiter.restore !== undefined;
}

function settle(waiter: Waiter, error?: Error): void {
  if (waiter.settled) return;
  waiter.settled = true;
  if (waiter.timer !== undefined) clearTimeout(waiter.timer);
  if (error === undefined) waiter.resolve();
  else waiter.reject(error);
}

/** A name in a frame as a string (frames decoded with Buffers carry Buffers). */
function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString() : String(value);
}

/**
 * Calls each listener with the message as it asked for it (a Buffer, or a UTF-8 string); one that
 * throws does not stop the others or the connection (it is rethrown on its own).
 */
function deliver(listeners: Listeners | undefined, payload: unknown, channel: string, pattern?: string): void {
  if (listeners === undefined) return; // unsubscribed meanwhile
  let asText: string | undefined;
  let asBuffer: Buffer | undefined;
  for (const [listener, buffers] of listeners) {
    let message: string | Buffer;
    if (buffers) message = asBuffer ??= Buffer.isBuffer(payload) ? payload : Buffer.from(String(payload));
    else message = asText ??= text(payload);
    try {
      if (pattern === undefined) (listener as (m: string | Buffer, c: string) => void)(message, channel);
      else (listener as (m: string | Buffer, c: string, p: string) => void)(message, channel, pattern);
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
    }
  }
}

/** Splits names into commands of at most BATCH_NAMES names and about BATCH_BYTES bytes. */
function batch(names: string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const name of names) {
    if (current.length >= BATCH_NAMES || (bytes >= BATCH_BYTES && current.length > 0)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(name);
    bytes += name.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}
