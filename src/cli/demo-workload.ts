/**
 * The demo's steady workload: INCR counter, 20 times a second, whatever the client's state, as a
 * busy application would. Every command's outcome is kept, per chapter of the story, so that the
 * demo can show each one and then check the total against the counter on the server.
 */
import type { RedisClient } from '../client/client';
import type { Style } from './terminal';
import type { Timeline } from './timeline';

/**
 *  ok      acknowledged
 *  waited  acknowledged after waiting for a connection (issued while the client was not ready)
 *  maybe   in flight when the connection died: it may have run, so it was not re-sent (maybeExecuted)
 *  unsent  rejected without ever being sent
 */
export type Outcome = 'ok' | 'waited' | 'maybe' | 'unsent';

export const OUTCOME_MARKS: Readonly<Record<Outcome, string>> = { ok: '·', waited: '◦', maybe: '?', unsent: '✗' };

export interface ChapterTally {
  title: string;
  outcomes: Outcome[];
}

export class Workload {
  readonly chapters: ChapterTally[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly pending = new Set<Promise<void>>();
  /** Times the client left 'ready': a command pending across one waited for a reconnect. */
  private breaks = 0;

  constructor(
    private readonly client: RedisClient,
    private readonly timeline: Timeline,
    private readonly key: string,
    private readonly everyMs = 50,
  ) {
    client.on('stateChange', (e) => {
      if (e.from === 'ready') this.breaks++;
    });
  }

  /** Outcomes of commands issued from now on are counted under `title`. */
  chapter(title: string): void {
    this.chapters.push({ title, outcomes: [] });
  }

  /** Starts issuing (once; later calls do nothing). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        this.issue();
        await new Promise((r) => setTimeout(r, this.everyMs));
      }
    })();
  }

  /** Stops issuing and waits until every command issued has its outcome. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all([...this.pending]);
  }

  private issue(): void {
    const tally = this.chapters[this.chapters.length - 1];
    const slot = tally.outcomes.length;
    tally.outcomes.push('unsent'); // replaced by the real outcome below
    const issuedDuringOutage = this.client.state !== 'ready';
    const breaksAtIssue = this.breaks;
    const started = performance.now();
    this.timeline.issued();
    const p = this.client.incr(this.key).then(
      () => {
        const waitedForConnection = issuedDuringOutage || this.breaks !== breaksAtIssue;
        tally.outcomes[slot] = waitedForConnection ? 'waited' : 'ok';
        this.timeline.succeeded(performance.now() - started, waitedForConnection);
      },
      (err: unknown) => {
        tally.outcomes[slot] = (err as { maybeExecuted?: boolean }).maybeExecuted === true ? 'maybe' : 'unsent';
        this.timeline.failed('INCR', err);
      },
    );
    const tracked = p.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  totals(): Record<Outcome, number> {
    const t: Record<Outcome, number> = { ok: 0, waited: 0, maybe: 0, unsent: 0 };
    for (const c of this.chapters) for (const o of c.outcomes) t[o]++;
    return t;
  }

  /** Every command as one character, a row (or more) per chapter. */
  render(style: Style, width: number): string[] {
    const titleWidth = Math.max(...this.chapters.map((c) => c.title.length));
    const room = Math.max(20, width - titleWidth - 4);
    const paint = (o: Outcome): string => {
      const m = OUTCOME_MARKS[o];
      return o === 'ok' ? style.ok(m) : o === 'waited' ? style.warn(m) : style.fail(m);
    };
    const lines: string[] = [];
    for (const c of this.chapters) {
      for (let i = 0; i < c.outcomes.length || i === 0; i += room) {
        const head = i === 0 ? c.title.padEnd(titleWidth) : ' '.repeat(titleWidth);
        lines.push(
          `  ${head}  ${c.outcomes
            .slice(i, i + room)
            .map(paint)
            .join('')}`,
        );
      }
    }
    return lines;
  }
}
