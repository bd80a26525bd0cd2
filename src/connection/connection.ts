import type { Socket } from 'node:net';
import { ConnectionError, ConnectionLostError, ProtocolError, ReplyError } from '../errors';
import { Decoder } from '../protocol/decoder';
import { CommandEncoder } from '../protocol/encoder';
import type { Arg, DecoderLimits } from '../protocol/types';
import { openSocket, describeEndpoint, type TransportOptions } from '../transport/socket';
import { speaksTls } from '../transport/tls-probe';
import { Command } from './command';
import { Fifo } from './fifo';
import { runHandshake, type HandshakeConfig, type ServerInfo } from './handshake';

export interface ConnectionConfig extends TransportOptions, HandshakeConfig {
  limits?: DecoderLimits;
  /**
   * Wait this long after connecting, reading only, before writing the handshake. A server that
   * refuses us (protected mode) writes its `-DENIED` line and closes at once; if we write into
   * that close, the kernel answers with a reset and the line can be lost. The lifecycle sets
   * this on the attempt after one that died with no reply at all.
   */
  listenFirstMs: number;
  /** Clock for the health check's bookkeeping (writtenAt, lastReadAt). */
  now: () => number;
  /** Flush the write batch early once this many commands are waiting in one tick. */
  maxBatchCommands?: number;
  /**
   * When a plain-TCP handshake dies before a single byte came back, ask the port for a TLS
   * handshake on the side (see AttemptFailure.portSpeaksTls). The client sets it before its first
   * ready, where a redis:// URL pointed at a TLS port must fail at once, not after retrying.
   */
  probeTlsOnSilentClose?: boolean;
}

/** How long the side TLS handshake of probeTlsOnSilentClose may take (a local TLS port answers in ms). */
const TLS_PROBE_MS = 2000;

/** What a dead connection hands back: commands never written, and written ones never answered. */
export interface Leftovers {
  unwritten: Command[];
  written: Command[];
}

export interface ConnectionHooks {
  /** A RESP3 push frame (pub/sub message, invalidation, ...). */
  onPush?(frame: unknown[]): void;
  /**
   * Lets a layer above claim a reply before it is matched to the FIFO (RESP2 pub/sub messages
   * arrive as ordinary arrays). Return true when the reply was consumed.
   */
  claimReply?(reply: unknown): boolean;
  /**
   * A command got a READONLY reply (the server is, or became, a replica). Returning true takes the
   * command back unsettled: the server refused it without running it, and the layer above sends it
   * elsewhere (lifecycle/classify.ts `refusedUnrun`).
   */
  onReadOnly?(cmd: Command, reply: ReplyError): boolean;
  /**
   * The reply to a blocking command (blockingMs > 0). Returning true takes the command back
   * unsettled: it was unblocked on a server being left (lifecycle/retirements.ts), answered like a
   * timeout, and goes to the next server with what is left of its wait.
   */
  onBlockedReply?(cmd: Command, reply: unknown): boolean;
  /** The socket died after the handshake. Called once; the connection is finished. */
  onClose(cause: Error, leftovers: Leftovers): void;
}

/** Why an attempt failed, with what the lifecycle needs to classify it. */
export class AttemptFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly stage: 'connect' | 'handshake',
    readonly bytesRead: number,
    readonly endpoint: string,
    /** The handshake died silently and a TLS handshake on the same port succeeded: it speaks TLS. */
    readonly portSpeaksTls = false,
    /** The handshake was cut by the connect deadline: the server accepted us and then said nothing. */
    readonly timedOut = false,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

type Stage = 'handshake' | 'open' | 'ending' | 'dead';

/**
 * Owns exactly one socket from open to close and never reconnects. Commands go out in batches
 * (everything sent in one tick is one write) and replies are matched to them in order. When the
 * socket dies it hands its leftovers to `hooks.onClose` and is done: a new socket is a new
 * Connection.
 */
export class Connection {
  /** Clock time of the last byte read from the socket. Writes never touch it. */
  lastReadAt: number;
  /** Clock time of the last write to the socket. */
  lastWriteAt: number;
  bytesRead = 0;
  server: ServerInfo = { version: '', protocol: 2 };
  readonly endpoint: string;

  private stage: Stage = 'handshake';
  private readonly decoder: Decoder;
  private readonly encoder = new CommandEncoder();
  private readonly inflight = new Fifo<Command>();
  private outbox: Command[] = [];
  private flushScheduled = false;
  private waitingForDrain = false;
  private readonly maxBatch: number;
  private deathCause: Error | undefined;
  private onHandshakeDeath: ((cause: Error) => void) | undefined;
  private endResolvers: Array<() => void> = [];

  /** Opens a socket and runs the handshake; resolves with a connection ready for user commands. */
  static async open(config: ConnectionConfig, hooks: ConnectionHooks): Promise<Connection> {
    const endpoint = describeEndpoint(config);
    const started = Date.now();
    let socket: Socket;
    try {
      socket = await openSocket(config);
    } catch (err) {
      throw new AttemptFailure(err, 'connect', 0, endpoint);
    }
    const conn = new Connection(socket, config, hooks, endpoint);
    // connectTimeoutMs covers the handshake too, in one budget from the start of the attempt: a peer
    // that accepted the connection but never answers (a black hole, a server that does not speak
    // RESP) must not hold the attempt forever.
    let timedOut = false;
    const budgetMs = config.connectTimeoutMs + config.listenFirstMs - (Date.now() - started);
    const handshakeTimer = setTimeout(
      () => {
        timedOut = true;
        conn.destroy(
          new ConnectionError(
            'network',
            `${endpoint} accepted the connection but did not answer the handshake within ${config.connectTimeoutMs} ms (connectTimeoutMs)`,
          ),
        );
      },
      Math.max(1, budgetMs),
    );
    try {
      if (config.listenFirstMs > 0) await conn.listenOnly(config.listenFirstMs);
      conn.server = await runHandshake(config, (name, args) => conn.internalCall(name, args));
    } catch (err) {
      conn.destroy(err instanceof Error ? err : new Error(String(err)));
      // What the server said outranks how the socket ended: a refusal (-DENIED, WRONGPASS) is
      // usually followed at once by the server closing, and the close must not hide the reason.
      const cause = err instanceof ReplyError ? err : (conn.deathCause ?? err);
      clearTimeout(handshakeTimer);
      // A TLS port resets a plain-text client without a word (it read bytes that are not a
      // ClientHello); a dead server or proxy does the same. One handshake on the side tells them apart.
      const silent = conn.bytesRead === 0 && !timedOut && !(err instanceof ReplyError);
      const tlsPort =
        silent &&
        config.probeTlsOnSilentClose === true &&
        config.tls === undefined &&
        config.path === undefined &&
        (await speaksTls(config.host, config.port, Math.min(config.connectTimeoutMs, TLS_PROBE_MS)));
      throw new AttemptFailure(cause, 'handshake', conn.bytesRead, endpoint, tlsPort, timedOut);
    } finally {
      clearTimeout(handshakeTimer);
    }
    if (conn.stage === 'dead') {
      throw new AttemptFailure(conn.deathCause, 'handshake', conn.bytesRead, endpoint);
    }
    conn.stage = 'open';
    return conn;
  }

  /** Clock for the health check's bookkeeping. */
  private readonly now: () => number;

  // `config` is not kept: it holds the password, which must not stay reachable from the client.
  private constructor(
    private readonly socket: Socket,
    config: ConnectionConfig,
    private readonly hooks: ConnectionHooks,
    endpoint: string,
  ) {
    this.endpoint = endpoint;
    this.now = config.now;
    this.maxBatch = config.maxBatchCommands ?? 1024;
    this.lastReadAt = this.lastWriteAt = config.now();
    this.decoder = new Decoder(
      {
        onReply: (value) => this.onReply(value),
        onPush: (frame) => this.hooks.onPush?.(frame),
      },
      config.limits,
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: Error) => this.die(err));
    socket.on('end', () =>
      this.die(new ConnectionError('network', `${endpoint} closed the connection (EOF)`, { code: 'ECONNECTION' })),
    );
    socket.on('close', () => this.die(new ConnectionError('network', `the connection to ${endpoint} was closed`)));
    socket.on('drain', () => {
      if (this.waitingForDrain) {
        this.waitingForDrain = false;
        this.flush();
      }
    });
  }

  get isOpen(): boolean {
    return this.stage === 'open';
  }

  /** Replies still owed by the server. */
  get pendingReplies(): number {
    return this.inflight.length;
  }

  /** The oldest command still owed a reply. */
  get oldestInflight(): Command | undefined {
    return this.inflight.peek();
  }

  /** Queues a command for the next write batch (this tick), or writes the batch now if it is large. */
  send(cmd: Command): void {
    if (this.stage === 'dead') {
      // The lifecycle never sends to a dead connection, but a layer holding on to one (a pub/sub
      // restore racing the socket's death) may: the command was not sent, and onClose has already
      // been called once, as it must be only once.
      cmd.fail(new ConnectionLostError(cmd.name, false, this.deathCause));
      return;
    }
    this.outbox.push(cmd);
    if (this.outbox.length >= this.maxBatch) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  /** Writes everything queued as one batch, unless the socket asked us to wait for 'drain'. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.stage === 'dead' || this.outbox.length === 0) return;
    if (this.socket.writableNeedDrain) {
      this.waitingForDrain = true;
      return;
    }
    const batch = this.outbox;
    this.outbox = [];
    const now = this.now();
    const wasIdle = this.inflight.length === 0;
    for (let i = 0; i < batch.length; i++) {
      const cmd = batch[i];
      if (cmd.stage === 'settled') continue; // aborted or timed out before it was written
      this.encoder.write(cmd.name, cmd.args);
      cmd.stage = 'written';
      cmd.writtenAt = now;
      this.inflight.push(cmd);
    }
    if (wasIdle) this.decodeFor(this.inflight.peek());
    const chunks = this.encoder.take();
    if (chunks.length === 0) return;
    this.lastWriteAt = now;
    if (chunks.length === 1) {
      this.socket.write(chunks[0]);
    } else {
      this.socket.cork();
      for (let i = 0; i < chunks.length; i++) this.socket.write(chunks[i]);
      this.socket.uncork();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.stage === 'dead') return;
    this.lastReadAt = this.now();
    this.bytesRead += chunk.length;
    try {
      this.decoder.feed(chunk);
    } catch (err) {
      // A protocol desync poisons everything after it: drop the socket.
      const error = err instanceof ProtocolError ? err : new ProtocolError(String(err));
      // The oldest command owns the reply that could not be read. Sending it again would most
      // likely fetch the same bytes (a reply over a decoder limit, a broken proxy) forever: it
      // fails with the protocol error instead; the commands behind it follow the replay rules.
      if (this.stage === 'open' || this.stage === 'ending') this.inflight.shift()?.fail(error);
      this.die(error);
    }
  }

  private onReply(value: unknown): void {
    if (this.hooks.claimReply !== undefined && this.hooks.claimReply(value)) return;
    const cmd = this.inflight.shift();
    if (cmd === undefined) {
      // Nothing was asked. During the handshake this is how a refusing server speaks first
      // (`-DENIED ...` on accept); afterwards it is a desync.
      if (value instanceof ReplyError) this.die(value);
      else this.die(new ProtocolError(`the server sent a reply nobody asked for: ${preview(value)}`));
      return;
    }
    if (value instanceof ReplyError && value.code === 'READONLY' && this.hooks.onReadOnly?.(cmd, value) === true) {
      // Taken back unsettled by the layer above: only ready the decoder for the next reply.
      this.settleShifted(cmd, undefined, false);
      return;
    }
    if (cmd.blockingMs > 0 && this.hooks.onBlockedReply?.(cmd, value) === true) {
      this.settleShifted(cmd, undefined, false);
      return;
    }
    this.settleShifted(cmd, value);
  }

  /** `cmd` was just taken off the FIFO: ready the decoder for the next reply, then settle it. */
  private settleShifted(cmd: Command, value: unknown, settle = true): void {
    this.decodeFor(this.inflight.peek());
    if (settle) cmd.reply(value);
    if (this.stage === 'ending' && this.inflight.length === 0 && this.outbox.length === 0) this.socket.end();
  }

  /**
   * Readies the decoder for the reply owed to `next`. With nothing owed, what arrives is a RESP2
   * subscriber's message (a reply nobody asked for): decoded like a push frame.
   */
  private decodeFor(next: Command | undefined): void {
    const decoder = this.decoder;
    if (next === undefined) {
      decoder.returnBuffers = decoder.pushBuffers;
      decoder.flatMaps = false;
    } else {
      decoder.returnBuffers = next.returnBuffers;
      decoder.flatMaps = next.flatMaps;
    }
  }

  /**
   * Decode pub/sub messages (RESP3 push frames, and replies on a RESP2 subscriber connection while
   * nothing is owed) with Buffers: a subscriber asked for binary messages.
   */
  get pushBuffers(): boolean {
    return this.decoder.pushBuffers;
  }
  set pushBuffers(on: boolean) {
    this.decoder.pushBuffers = on;
    if (this.inflight.length === 0) this.decodeFor(undefined);
  }

  /** Sends a command of romaine's own (handshake, health check) and returns its reply. */
  internalCall(name: string, args: readonly Arg[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const cmd = new Command(name, args, undefined, resolve, reject);
      cmd.internal = true;
      this.send(cmd);
    });
  }

  /**
   * Settles `cmd` with `value` if it is the oldest command owed a reply, and tells whether it was.
   * For commands the server answers with push frames instead of a reply (SUBSCRIBE and friends
   * on RESP3, one confirmation per channel): the layer that counts those frames settles the
   * command with the last one. The command stays in the FIFO until then, so an error reply (a
   * NOPERM channel) still reaches it, and the commands behind it keep their replies.
   */
  settleOldest(cmd: Command, value: unknown): boolean {
    if (this.stage === 'dead' || this.inflight.peek() !== cmd) return false;
    this.inflight.shift();
    this.settleShifted(cmd, value);
    return true;
  }

  /** A PING whose reply nobody awaits: the health check's probe of an idle connection. */
  ping(): void {
    this.internalCall('PING', []).catch(() => undefined);
  }

  /** Reads without writing for `ms`; rejects if the server speaks (an error) or closes first. */
  private listenOnly(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onHandshakeDeath = undefined;
        resolve();
      }, ms);
      this.onHandshakeDeath = (cause) => {
        clearTimeout(timer);
        reject(cause);
      };
    });
  }

  /** Graceful end: no new commands; the socket is ended once every reply has arrived. */
  end(): Promise<void> {
    if (this.stage === 'dead') return Promise.resolve();
    return new Promise((resolve) => {
      this.endResolvers.push(resolve);
      if (this.stage === 'ending') return;
      this.stage = 'ending';
      if (this.inflight.length === 0 && this.outbox.length === 0) this.socket.end();
    });
  }

  /** Drops the socket now; leftovers go to hooks.onClose (after the handshake). */
  destroy(cause: Error): void {
    this.die(cause);
  }

  private die(cause: Error): void {
    if (this.stage === 'dead') return;
    const wasHandshake = this.stage === 'handshake';
    this.stage = 'dead';
    this.deathCause = cause;
    this.socket.destroy();
    const written: Command[] = [];
    for (const cmd of this.inflight.drain()) if (cmd.stage !== 'settled') written.push(cmd);
    const unwritten = this.outbox.filter((cmd) => cmd.stage !== 'settled');
    this.outbox = [];
    for (const resolve of this.endResolvers) resolve();
    this.endResolvers = [];
    if (wasHandshake) {
      // Only romaine's own commands can be here; they fail with the cause, which the handshake reports.
      for (const cmd of written) cmd.fail(cause);
      for (const cmd of unwritten) cmd.fail(cause);
      this.onHandshakeDeath?.(cause);
      this.onHandshakeDeath = undefined;
      return;
    }
    const user = { written: written.filter((c) => !c.internal), unwritten: unwritten.filter((c) => !c.internal) };
    for (const cmd of written) if (cmd.internal) cmd.fail(cause);
    for (const cmd of unwritten) if (cmd.internal) cmd.fail(cause);
    this.hooks.onClose(cause, user);
  }
}

function preview(value: unknown): string {
  const text = Buffer.isBuffer(value) ? value.toString('latin1') : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
