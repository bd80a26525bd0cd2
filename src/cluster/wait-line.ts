// The one ordered place where cluster commands that cannot be sent now wait (pure: no I/O, no
// timers). Rule 2 of the command contract (commands reach a server in the order they were
// issued) needs more than "each command retries on its own": two commands sleeping with their own
// timers wake in any order. So waiting commands stand in one line, leave it front to back, and a
// command never passes one ahead of it for the same slot or the same node, nor does a new one.
// Commands for other slots and nodes pass freely: one dead primary does not stall the others.

export interface InLine {
  /** The command's slot (undefined: keyless). */
  readonly slot: number | undefined;
}

export class WaitLine<W extends InLine> {
  private items: { w: W; node: string | undefined }[] = [];
  private readonly slots = new Map<number, number>();
  private readonly nodes = new Map<string, number>();

  get size(): number {
    return this.items.length;
  }

  /** Whether a command for this slot / node must stand behind one already waiting. */
  blocks(slot: number | undefined, node: string | undefined): boolean {
    return (slot !== undefined && this.slots.has(slot)) || (node !== undefined && this.nodes.has(node));
  }

  /** At the back; `node` is where it was last meant to go (undefined: no owner known). */
  push(w: W, node: string | undefined): void {
    this.items.push({ w, node });
    if (w.slot !== undefined) this.slots.set(w.slot, (this.slots.get(w.slot) ?? 0) + 1);
    if (node !== undefined) this.nodes.set(node, (this.nodes.get(node) ?? 0) + 1);
  }

  /**
   * Walks the line front to back. `visit(w, blocked)` says what became of each command: 'left'
   * (sent or settled: out of the line) or the node it still waits for ('stay'). `blocked` is true
   * when a command ahead of it, still waiting, has its slot or node: it must then stay.
   */
  drain(visit: (w: W, blocked: (node: string | undefined) => boolean) => { stay: boolean; node?: string }): void {
    const items = this.items;
    this.items = [];
    this.slots.clear();
    this.nodes.clear();
    for (const { w } of items) {
      const r = visit(w, (node) => this.blocks(w.slot, node));
      if (r.stay) this.push(w, r.node);
    }
  }

  /** Empties the line, giving every command to `each` (closing). */
  clear(each: (w: W) => void): void {
    const items = this.items;
    this.items = [];
    this.slots.clear();
    this.nodes.clear();
    for (const { w } of items) each(w);
  }

  /** The waiting commands, front to back. */
  *[Symbol.iterator](): IterableIterator<W> {
    for (const { w } of this.items) yield w;
  }
}
