import { AbortError, CommandTimeoutError, ConnectionError } from '../errors';
import type { Command } from '../connection/command';
import type { Clock, TimerHandle } from './clock';

/** What a deadline needs to know about the connection a command was written to. */
interface DeadlineTarget {
  readonly endpoint: string;
  readonly lastReadAt: number;
  destroy(cause: Error): void;
}

/**
 * Arms a command's own deadline (its timeoutMs, or the client's commandTimeoutMs) and its abort
 * signal; `cmd.disarm` undoes both when it settles. A command that is replayed keeps the deadline
 * it got when it was first accepted.
 *
 * When a command that was written times out and not one byte has come back since, the connection
 * itself is suspect: `current()` (the ready connection, if any) is dropped with kind 'health'.
 */
export function armDeadline(
  cmd: Command,
  clock: Clock,
  commandTimeoutMs: number,
  current: () => DeadlineTarget | undefined,
): void {
  if (cmd.disarm !== undefined) return;
  const timeoutMs = cmd.timeoutMs > 0 ? cmd.timeoutMs : commandTimeoutMs;
  const signal = cmd.signal;
  if ((timeoutMs <= 0 || timeoutMs === Infinity) && signal === undefined) return;
  if (signal?.aborted) {
    cmd.fail(new AbortError(cmd.name, false, signal.reason));
    return;
  }
  let timer: TimerHandle | undefined;
  if (timeoutMs > 0 && timeoutMs !== Infinity) {
    timer = clock.setTimeout(() => timedOut(cmd, timeoutMs, current()), timeoutMs);
  }
  const onAbort = (): void => cmd.fail(new AbortError(cmd.name, cmd.stage === 'written', signal?.reason));
  signal?.addEventListener('abort', onAbort, { once: true });
  cmd.disarm = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
}

function timedOut(cmd: Command, timeoutMs: number, conn: DeadlineTarget | undefined): void {
  if (cmd.settled) return;
  const written = cmd.stage === 'written';
  cmd.fail(new CommandTimeoutError(cmd.name, timeoutMs, written));
  if (written && conn !== undefined && cmd.blockingMs === 0 && conn.lastReadAt <= cmd.writtenAt) {
    conn.destroy(
      new ConnectionError(
        'health',
        `${conn.endpoint} sent no byte in the ${timeoutMs} ms after ${cmd.name} was written: the connection is presumed dead and will be replaced`,
      ),
    );
  }
}
