import type { Arg } from '../protocol/types';
import { callRule } from './call-rules';
import type { Transform } from './command-def';

/**
 * Where a WATCH is recorded (the internals' epochs, see internals.ts). Closures, so that the
 * client's `#private` internals stay out of plain JavaScript's reach through `client.session`.
 */
export interface WatchRecord {
  /** A WATCH succeeded on the current connection. */
  watched(): void;
  /** UNWATCH: no WATCH any more. */
  unwatched(): void;
}

/**
 * What a client's commands changed on its connection and a new connection must have again: the
 * database (SELECT), the name (CLIENT SETNAME), READONLY/READWRITE and CLIENT NO-EVICT, read by
 * each connection attempt; and the connection a WATCH was made on.
 */
export class Session {
  constructor(
    public database: number,
    public clientName: string | undefined,
    private readonly watches: WatchRecord,
  ) {}

  /**
   * READONLY / READWRITE sent by the application (a cluster replica's reads): undefined until one
   * is, then what the next handshake sends instead of the `readOnly` option.
   */
  readOnly: boolean | undefined = undefined;

  /** CLIENT NO-EVICT ON sent by the application: the next handshake sends it again. */
  noEvict = false;

  /**
   * SELECT and CLIENT SETNAME change the connection: remember them for the next handshake. WATCH
   * records the connection it was made on (a WATCH from a replaced connection protects nothing,
   * so EXEC refuses); UNWATCH forgets it. Each takes effect when the server said OK.
   */
  track(name: string, args: readonly Arg[]): Transform<unknown> | undefined {
    const tracked = callRule(name)?.tracked;
    if (tracked === undefined) return undefined;
    if (tracked === 'SELECT' && args.length === 1) {
      const db = Number(args[0]);
      return (reply: unknown) => {
        this.database = db;
        return reply;
      };
    }
    if (tracked === 'CLIENT' && args.length === 2 && String(args[0]).toUpperCase() === 'SETNAME') {
      const clientName = String(args[1]);
      return (reply: unknown) => {
        this.clientName = clientName === '' ? undefined : clientName;
        return reply;
      };
    }
    if (tracked === 'CLIENT' && args.length === 2 && String(args[0]).toUpperCase() === 'NO-EVICT') {
      const on = String(args[1]).toUpperCase() === 'ON';
      return (reply: unknown) => {
        this.noEvict = on;
        return reply;
      };
    }
    if (tracked === 'READONLY' || tracked === 'READWRITE') {
      return (reply: unknown) => {
        this.readOnly = tracked === 'READONLY';
        return reply;
      };
    }
    const watches = this.watches;
    if (tracked === 'WATCH') {
      // Replies are delivered as they are read, so at this moment the current connection is the
      // one that holds the WATCH.
      return (reply: unknown) => {
        watches.watched();
        return reply;
      };
    }
    if (tracked === 'UNWATCH') {
      return (reply: unknown) => {
        watches.unwatched();
        return reply;
      };
    }
    return undefined;
  }
}
