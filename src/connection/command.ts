import { commandEnd, commandError, type CommandMessage } from '../diagnostics';
import { ReplyError, ProtocolError } from '../errors';
import type { Arg } from '../protocol/types';

/** Where a command is in its life. `settled` is final: its promise has its outcome. */
export type CommandStage = 'queued' | 'written' | 'settled';

export type ReplyTransform = (reply: any) => unknown;

export interface CommandOptions {
  /** Decode bulk strings of the reply as Buffers. */
  returnBuffers?: boolean;
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

/**
 * One command from the moment it is accepted until its single outcome. The same object travels
 * from the client through the lifecycle's offline queue to a connection's in-flight FIFO and, if
 * the socket dies and it is safe, to the next connection.
 */
export class Command<T = unknown> {
  stage: CommandStage = 'queued';
  /** When the bytes were handed to a socket (clock time), for the health check. */
  writtenAt = 0;
  returnBuffers = false;
  timeoutMs = 0;
  signal: AbortSignal | undefined = undefined;
  /** Milliseconds the server may legitimately hold the reply (blocking commands); Infinity = forever. */
  blockingMs = 0;
  /** Set for commands sent by romaine itself (handshake, health PING): never replayed or queued. */
  internal = false;
  /** The MULTI ... EXEC block this command belongs to, if any: such commands are replayed only as a whole. */
  group: CommandGroup | undefined = undefined;
  /** Cleanup for the timeout timer / abort listener, set by whoever armed them. */
  disarm: (() => void) | undefined = undefined;
  /** The diagnostics_channel message, when someone listened as the command started. */
  trace: CommandMessage | undefined = undefined;

  constructor(
    readonly name: string,
    readonly args: readonly Arg[],
    readonly transform: ReplyTransform | undefined,
    onResolve: (value: T) => void,
    private readonly onReject: (error: Error) => void,
  ) {
    this.onResolve = onResolve as (value: unknown) => void;
  }

  // Stored without its type parameter so that a Command<T> is a Command: only `reply()` calls it.
  private readonly onResolve: (value: unknown) => void;

  get settled(): boolean {
    return this.stage === 'settled';
  }

  /** Settles with a decoded reply: a ReplyError rejects, anything else resolves (through the transform). */
  reply(value: unknown): void {
    if (this.stage === 'settled') return;
    this.stage = 'settled';
    if (this.disarm !== undefined) this.disarm();
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
    if (this.trace !== undefined && commandEnd.hasSubscribers) {
      this.trace.reply = out;
      commandEnd.publish(this.trace);
    }
    this.onResolve(out);
  }

  private rejectWith(error: Error): void {
    if (this.trace !== undefined && commandError.hasSubscribers) {
      this.trace.error = error;
      commandError.publish(this.trace);
    }
    this.onReject(error);
  }

  fail(error: Error): void {
    if (this.stage === 'settled') return;
    this.stage = 'settled';
    if (this.disarm !== undefined) this.disarm();
    this.rejectWith(error);
  }
}

/** The commands of one MULTI ... EXEC block, so that a reconnect treats them as one unit. */
export class CommandGroup {
  readonly commands: Command[] = [];
}
