/**
 * A binary min-heap of small integers (task or pool indices) ordered by a caller-given `before`
 * relation. Backed by a growable Int32Array: no per-entry allocation, which matters when tens of
 * thousands of actions go through the scheduler's queues.
 */
export class IntHeap {
  private items: Int32Array;
  private count = 0;

  constructor(
    private readonly before: (a: number, b: number) => boolean,
    initialCapacity = 16,
  ) {
    this.items = new Int32Array(Math.max(4, initialCapacity));
  }

  get size(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.items.length) {
      const bigger = new Int32Array(this.items.length * 2);
      bigger.set(this.items);
      this.items = bigger;
    }
    const items = this.items;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as number;
      if (!this.before(value, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = value;
  }

  /** The smallest value; -1 when empty. */
  peek(): number {
    return this.count === 0 ? -1 : (this.items[0] as number);
  }

  /** Removes and returns the smallest value; -1 when empty. */
  pop(): number {
    if (this.count === 0) return -1;
    const items = this.items;
    const top = items[0] as number;
    const last = items[--this.count] as number;
    const n = this.count;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && this.before(items[r] as number, items[l] as number)) c = r;
        const child = items[c] as number;
        if (!this.before(child, last)) break;
        items[i] = child;
        i = c;
      }
      items[i] = last;
    }
    return top;
  }

  /** Removes every value, handing each to `sink` (in no particular order). */
  drain(sink: (value: number) => void): void {
    const n = this.count;
    this.count = 0;
    for (let i = 0; i < n; i++) sink(this.items[i] as number);
  }

  /** Visits every value without removing it (in no particular order). */
  forEach(visit: (value: number) => void): void {
    for (let i = 0; i < this.count; i++) visit(this.items[i] as number);
  }
}
