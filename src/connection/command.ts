import { commandEnd, commandError, type CommandMessage } from '../diagnostics';
import { ReplyError, ProtocolError } from '../errors';
import type { Arg } from '../protocol/types';

/** Where a command is in its life. `settled` is final: its promise has its outcome. */
export type CommandStage = 'queued' | 'written' | 'settled';

export type ReplyTransform = (reply: any) => unknown;

export interface CommandOptions {
  /** Decode bulk strings of the reply as Buffers. */
  returnBuffers?: boolean;
  /** With returnBuffers: decode maps as flat [key, value, ...] arrays, so binary keys survive. */
  flatMaps?: boolean;
  /** Overrides the client's commandTimeoutMs for this command (0 or Infinity: none). */
  timeoutMs?: number;
  /** Aborts the command: rejected with AbortError; a command already written still consumes its reply. */
  signal?: AbortSignal;
  /**
   * For a command the server may hold (BLPOP, WAIT...): how long, in ms (Infinity = forever). The
   * health check allows it, and commandTimeoutMs counts from its end.
   */
  blockingMs?: number;
}

/** The settings few commands have, kept apart so that an ordinary command stays small. */
interface CommandExtra {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  blockingMs: number;
  group: CommandGroup | undefined;
  disarm: (() => void) | undefined;
  trace: CommandMessage | undefined;
}

const RETURN_BUFFERS = 1;
const INTERNAL = 2;
const RESENT = 4;
const FLAT_MAPS = 8;

/**
 * One command from the moment it is accepted until its single outcome. The same object travels
 * from the client through the lifecycle's offline queue to a connection's in-flight FIFO and, if
 * the socket dies and it is safe, to the next connection.
 *
 * It exists once per command, so it is kept small: eight fields; the rare settings (timeout,
 * signal, blocking time, MULTI group, timer cleanup, diagnostics) live in `extra`, made on first
 * use, behind accessors.
 */
export class Command<T = unknown> {
  stage: CommandStage = 'queued';
  /** When the bytes were handed to a socket (clock time), for the health check. */
  writtenAt = 0;
  private flags = 0;
  private extra: CommandExtra | undefined = undefined;

  constructor(
    readonly name: string,
    /** Replaced only while the command is not in flight (a blocking command sent again with what is left of its wait). */
    public args: readonly Arg[],
    readonly transform: ReplyTransform | undefined,
    onResolve: (value: T) => void,
    private readonly onReject: (error: Error) => void,
  ) {
    this.onResolve = onResolve as (value: unknown) => void;
  }

  // Stored without its type parameter so that a Command<T> is a Command: only `reply()` calls it.
  private readonly onResolve: (value: unknown) => void;

  private get more(): CommandExtra {
    return (this.extra ??= {
      timeoutMs: 0,
      signal: undefined,
      blockingMs: 0,
      group: undefined,
      disarm: undefined,
      trace: undefined,
    });
  }

  /** Decode the reply's bulk strings as Buffers. */
  get returnBuffers(): boolean {
    return (this.flags & RETURN_BUFFERS) !== 0;
  }
  set returnBuffers(on: boolean) {
    this.flags = on ? this.flags | RETURN_BUFFERS : this.flags & ~RETURN_BUFFERS;
  }

  /** With returnBuffers: the reply's maps come as flat [key, value, ...] arrays (binary keys kept). */
  get flatMaps(): boolean {
    return (this.flags & FLAT_MAPS) !== 0;
  }
  set flatMaps(on: boolean) {
    this.flags = on ? this.flags | FLAT_MAPS : this.flags & ~FLAT_MAPS;
  }

  /** Set for commands sent by romaine itself (handshake, health PING): never replayed or queued. */
  get internal(): boolean {
    return (this.flags & INTERNAL) !== 0;
  }
  set internal(on: boolean) {
    this.flags = on ? this.flags | INTERNAL : this.flags & ~INTERNAL;
  }

  /**
   * Set when the command was in flight on a connection that died and was queued to be sent again:
   * if the next connection dies under it too, it fails instead of going a third time.
   */
  get resent(): boolean {
    return (this.flags & RESENT) !== 0;
  }
  set resent(on: boolean) {
    this.flags = on ? this.flags | RESENT : this.flags & ~RESENT;
  }

  /** This command's own timeout (0: the client's commandTimeoutMs; Infinity: none). */
  get timeoutMs(): number {
    return this.extra === undefined ? 0 : this.extra.timeoutMs;
  }
  set timeoutMs(ms: number) {
    if (ms !== 0 || this.extra !== undefined) this.more.timeoutMs = ms;
  }

  get signal(): AbortSignal | undefined {
    return this.extra?.signal;
  }
  set signal(signal: AbortSignal | undefined) {
    if (signal !== undefined || this.extra !== undefined) this.more.signal = signal;
  }

  /** Milliseconds the server may legitimately hold the reply (blocking commands); Infinity = forever. */
  get blockingMs(): number {
    return this.extra === undefined ? 0 : this.extra.blockingMs;
  }
  set blockingMs(ms: number) {
    if (ms !== 0 || this.extra !== undefined) this.more.blockingMs = ms;
  }

  /** The MULTI ... EXEC block this command belongs to, if any: such commands are replayed only as a whole. */
  get group(): CommandGroup | undefined {
    return this.extra?.group;
  }
  set group(group: CommandGroup | undefined) {
    if (group !== undefined || this.extra !== undefined) this.more.group = group;
  }

  /** Cleanup for the timeout timer / abort listener, set by whoever armed them. */
  get disarm(): (() => void) | undefined {
    return this.extra?.disarm;
  }
  set disarm(fn: (() => void) | undefined) {
    if (fn !== undefined || this.extra !== undefined) this.more.disarm = fn;
  }

  /** The diagnostics_channel message, when someone listened as the command started. */
  get trace(): CommandMessage | undefined {
    return this.extra?.trace;
  }
  set trace(message: CommandMessage | undefined) {
    if (message !== undefined || this.extra !== undefined) this.more.trace = message;
  }

  get settled(): boolean {
    return this.stage === 'settled';
  }

  /** Settles with a decoded reply: a ReplyError rejects, anything else resolves (through the transform). */
  reply(value: unknown): void {
    if (this.stage === 'settled') return;
    this.stage = 'settled';
    const extra = this.extra;
    if (extra !== undefined && extra.disarm !== undefined) extra.disarm();
    if (value instanceof ReplyError) {
      value.command = this.name;
      this.rejectWith(value);
      return;
    }
    let out: unknown = value;
    if (this.transform !== undefined) {
      try {
        out = this.transform(value);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.rejectWith(new ProtocolError(`unexpected reply to ${this.name}: ${message}`));
        return;
      }
    }
    if (extra !== undefined && extra.trace !== undefined && commandEnd.hasSubscribers) {
      extra.trace.reply = out;
      commandEnd.publish(extra.trace);
    }
    this.onResolve(out);
  }

  private rejectWith(error: Error): void {
    const trace = this.extra?.trace;
    if (trace !== undefined && commandError.hasSubscribers) {
      trace.error = error;
      commandError.publish(trace);
    }
    this.onReject(error);
  }

  fail(error: Error): void {
    if (this.stage === 'settled') return;
    this.stage = 'settled';
    const disarm = this.extra?.disarm;
    if (disarm !== undefined) disarm();
    this.rejectWith(error);
  }
}

/** The commands of one MULTI ... EXEC block, so that a reconnect treats them as one unit. */
export class CommandGroup {
  readonly commands: Command[] = [];
}
