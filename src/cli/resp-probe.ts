/**
 * A bare RESP exchange over a socket the doctor opened itself, so that each step of a connection
 * (TCP, TLS, HELLO/AUTH, INFO) can be timed and judged on its own, and so that every byte the
 * server said is kept — a `-DENIED` line that arrives before we write anything included.
 *
 * No promise ever rejects here: an exchange reports what came back, how the socket ended and
 * whether time ran out, and the doctor decides what that means.
 */
import type { Socket } from 'node:net';
import { ProtocolError } from '../errors';
import { Decoder } from '../protocol/decoder';
import { encodeCommand } from '../protocol/encoder';
import type { Arg } from '../protocol/types';

export interface Exchange {
  /** Replies in order; an error reply is a ReplyError value. May hold an unsolicited reply first. */
  replies: unknown[];
  /** The socket ended (error code, or 'EOF' for a plain close) before every reply came. */
  closed: string | undefined;
  /** The bytes were not RESP. */
  protocolError: ProtocolError | undefined;
  timedOut: boolean;
  ms: number;
}

export class RespProbe {
  private readonly decoder: Decoder;
  private readonly received: unknown[] = [];
  private endedWith: string | undefined;
  private failure: ProtocolError | undefined;
  private wake: (() => void) | undefined;
  bytesRead = 0;
  /** Replies that came in before we wrote anything: a refusal such as -DENIED. */
  readonly unsolicited: unknown[] = [];
  private written = false;

  constructor(private readonly socket: Socket) {
    this.decoder = new Decoder({
      onReply: (value) => (this.written ? this.received : this.unsolicited).push(value),
      onPush: () => undefined,
    });
    socket.on('data', (chunk: Buffer) => {
      this.bytesRead += chunk.length;
      if (this.failure === undefined) {
        try {
          this.decoder.feed(chunk);
        } catch (err) {
          this.failure = err instanceof ProtocolError ? err : new ProtocolError(String(err));
        }
      }
      this.wake?.();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.endedWith ??= err.code ?? err.message;
      this.wake?.();
    });
    socket.on('close', () => {
      this.endedWith ??= 'EOF';
      this.wake?.();
    });
  }

  get closed(): string | undefined {
    return this.endedWith;
  }

  /**
   * Waits up to `ms` for the server to speak first. A server in protected mode writes -DENIED on
   * accept and closes; listening before writing is how that line is never lost to a reset.
   */
  async listen(ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.unsolicited.length === 0 && this.endedWith === undefined && this.failure === undefined) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      await this.nextEvent(left);
    }
  }

  /** Writes all `commands` in one write and waits for their replies (or the end, or `timeoutMs`). */
  async exchange(commands: readonly (readonly Arg[])[], timeoutMs: number): Promise<Exchange> {
    const t0 = performance.now();
    const start = this.received.length;
    this.written = true;
    if (this.endedWith === undefined) {
      this.socket.write(Buffer.concat(commands.map(([name, ...args]) => encodeCommand(String(name), args))));
    }
    const deadline = t0 + timeoutMs;
    let timedOut = false;
    while (
      this.received.length - start < commands.length &&
      this.endedWith === undefined &&
      this.failure === undefined
    ) {
      const left = deadline - performance.now();
      if (left <= 0) {
        timedOut = true;
        break;
      }
      await this.nextEvent(left);
    }
    return {
      replies: this.received.slice(start),
      closed: this.received.length - start < commands.length ? this.endedWith : undefined,
      protocolError: this.failure,
      timedOut,
      ms: performance.now() - t0,
    };
  }

  close(): void {
    this.socket.destroy();
  }

  private nextEvent(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
