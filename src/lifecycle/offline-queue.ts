import type { Command } from '../connection/command';
import { Fifo } from '../connection/fifo';
import { OfflineQueueFullError } from '../errors';

/**
 * The commands waiting for a connection, in the order they were issued. A command may settle while
 * it waits (its timeout, its abort signal): it keeps its place until the queue is compacted, but
 * not its slot. The owner reports such settles (`settledOne`), so that the number of live
 * commands — what the bound is checked against — is known in O(1) and a full queue rejects
 * without a walk. Settled commands are dropped in one walk once they are half of the queue: the
 * walk is paid for by the settles (O(1) per command), and the queue holds at most twice its bound.
 */
export class OfflineQueue {
  private readonly items = new Fifo<Command>();
  private settled = 0;

  /** Commands still waiting (those that settled in the queue not counted). */
  get length(): number {
    return this.items.length - this.settled;
  }

  push(cmd: Command): void {
    this.items.push(cmd);
    if (this.settled > 0 && this.settled * 2 >= this.items.length) this.compact();
  }

  /** Puts `cmds` in front, keeping their order (commands of a dead connection going again). */
  unshiftAll(cmds: readonly Command[]): void {
    this.items.unshiftAll(cmds);
  }

  /** A command in the queue settled (its deadline or abort). */
  settledOne(): void {
    this.settled = Math.min(this.settled + 1, this.items.length);
  }

  /** Removes and returns everything, in order (settled commands included: callers skip them). */
  drain(): Command[] {
    this.settled = 0;
    return this.items.drain();
  }

  private compact(): void {
    const live = this.items.drain().filter((c) => !c.settled);
    this.settled = 0;
    this.items.unshiftAll(live);
  }
}

/**
 * Why a command that found no ready connection cannot wait in the offline queue (`queued` commands
 * already wait there), or undefined when it may. `state` is named in the message.
 */
export function offlineRefusal(
  name: string,
  state: string,
  queue: { enabled: boolean; maxLength: number },
  queued: number,
): OfflineQueueFullError | undefined {
  if (!queue.enabled) {
    return new OfflineQueueFullError(
      `${name} was not sent: the client is ${state} and the offline queue is off (offlineQueue: false)`,
    );
  }
  if (queued >= queue.maxLength) {
    return new OfflineQueueFullError(
      `${name} was not sent: the client is ${state} and the offline queue is full (${queue.maxLength} commands, offlineQueue.maxLength)`,
    );
  }
  return undefined;
}
