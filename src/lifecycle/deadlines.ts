import { AbortError, CommandTimeoutError } from '../errors';
import type { Command } from '../connection/command';
import { MAX_TIMER_MS, type Clock, type TimerHandle } from './clock';

/** What a deadline tells the lifecycle about a command it settled before its reply. */
export interface DeadlineHooks {
  /** The command's timeout or abort settled it (it may be waiting in the offline queue). */
  settled(cmd: Command): void;
  /**
   * A written command timed out and not one byte has come back since it was written. A hint for
   * the half-open detector, never a verdict: a slow command on a busy server looks the same.
   */
  silentTimeout(cmd: Command): void;
}

/**
 * Arms a command's own deadline (its timeoutMs, or the client's commandTimeoutMs) and its abort
 * signal; `cmd.disarm` undoes both when it settles. A command that is replayed keeps the deadline
 * it got when it was first accepted.
 *
 * A timeout settles that command alone. If it was written, it stays in the connection's reply
 * FIFO, so its late reply is read and dropped and the commands behind it keep their own replies;
 * the connection is left alone (only the health check may condemn it).
 */
export function armDeadline(
  cmd: Command,
  clock: Clock,
  commandTimeoutMs: number,
  lastReadAt: () => number | undefined,
  hooks: DeadlineHooks,
): void {
  if (cmd.disarm !== undefined) return;
  const timeoutMs = cmd.timeoutMs > 0 ? cmd.timeoutMs : commandTimeoutMs;
  const signal = cmd.signal;
  // Past MAX_TIMER_MS (options cannot be, but a blocking command's own wait plus commandTimeoutMs
  // can) Node would fire the timer after 1 ms: such a deadline is no deadline.
  const timed = timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS;
  if (!timed && signal === undefined) return;
  if (signal?.aborted) {
    cmd.fail(new AbortError(cmd.name, false, signal.reason));
    return;
  }
  let timer: TimerHandle | undefined;
  if (timed) {
    timer = clock.setTimeout(() => timedOut(cmd, timeoutMs, lastReadAt(), hooks), timeoutMs);
  }
  const onAbort = (): void => {
    if (cmd.settled) return;
    cmd.fail(new AbortError(cmd.name, cmd.stage === 'written', signal?.reason));
    hooks.settled(cmd);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  cmd.disarm = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
}

function timedOut(cmd: Command, timeoutMs: number, lastReadAt: number | undefined, hooks: DeadlineHooks): void {
  if (cmd.settled) return;
  const written = cmd.stage === 'written';
  cmd.fail(new CommandTimeoutError(cmd.name, timeoutMs, written));
  hooks.settled(cmd);
  if (written && cmd.blockingMs === 0 && lastReadAt !== undefined && lastReadAt <= cmd.writtenAt) {
    hooks.silentTimeout(cmd);
  }
}
