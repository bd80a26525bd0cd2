// The one ordered place where cluster commands that cannot be sent now wait (pure: no I/O, no
// timers). Rule 2 of the command contract (commands reach a server in the order they were
// issued) needs more than "each command retries on its own": two commands sleeping with their own
// timers wake in any order. So waiting commands stand in one line, leave it front to back, and a
// command never passes one ahead of it for the same slot or the same node, nor does a new one.
// Commands for other slots and nodes pass freely: one dead primary does not stall the others.

export interface InLine {
  /** The command's slot (undefined: keyless). */
  readonly slot: number | undefined;
  /** When it was issued (increasing): the line is kept in this order. */
  readonly seq: number;
}

export class WaitLine<W extends InLine> {
  private items: { w: W; node: string | undefined }[] = [];
  private readonly slots = new Map<number, number>();
  private readonly nodes = new Map<string, number>();
  /** Commands out of the line on a retry whose answer is not back yet: they still hold their place. */
  private readonly probeSlots = new Map<number, number>();
  private readonly probeNodes = new Map<string, number>();

  get size(): number {
    return this.items.length;
  }

  /** Whether a command for this slot / node must stand behind one already waiting. */
  blocks(slot: number | undefined, node: string | undefined): boolean {
    // The usual case on the routing path: nobody waits, nothing is being retried.
    if (this.items.length === 0 && this.probeSlots.size === 0 && this.probeNodes.size === 0) return false;
    return (
      (slot !== undefined && (this.slots.has(slot) || this.probeSlots.has(slot))) ||
      (node !== undefined && (this.nodes.has(node) || this.probeNodes.has(node)))
    );
  }

  /**
   * A command the server refused once (TRYAGAIN, CLUSTERDOWN, a lost connection) is being tried
   * again: until its answer is back (release()), the commands behind it for its slot and node
   * stay behind it, as if it were still in the line.
   */
  probe(slot: number | undefined, node: string): void {
    if (slot !== undefined) add(this.probeSlots, slot, 1);
    add(this.probeNodes, node, 1);
  }

  release(slot: number | undefined, node: string): void {
    if (slot !== undefined) add(this.probeSlots, slot, -1);
    add(this.probeNodes, node, -1);
  }

  /**
   * In issue order (usually at the back; a command coming back from a redirection or a failed try
   * goes before the later ones, whichever reply handler ran first). `node` is where it was last
   * meant to go (undefined: no owner known).
   */
  push(w: W, node: string | undefined): void {
    const items = this.items;
    let i = items.length;
    if (i > 0 && items[i - 1].w.seq > w.seq) {
      let lo = 0;
      while (lo < i) {
        const mid = (lo + i) >> 1;
        if (items[mid].w.seq > w.seq) i = mid;
        else lo = mid + 1;
      }
    }
    items.splice(i, 0, { w, node });
    if (w.slot !== undefined) add(this.slots, w.slot, 1);
    if (node !== undefined) add(this.nodes, node, 1);
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

function add<K>(counts: Map<K, number>, key: K, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
