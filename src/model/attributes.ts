import type { NodeId, VmId } from './elements.js';

/** An attribute value, as BtrPlace stores it: boolean, integer, double or string. */
export type AttributeValue = boolean | number | string;

export type ElementKind = 'vm' | 'node';

/**
 * Per-element key → value store (BtrPlace's Attributes). Durations (`migrate`, `boot`, ...),
 * `template`, `clone`, `memUsed` and any inventory facts live here.
 */
export class Attributes {
  private byVm = new Map<VmId, Map<string, AttributeValue>>();
  private byNode = new Map<NodeId, Map<string, AttributeValue>>();
  /**
   * The tables are shared with a clone (or the original): copied before the first change. Every
   * plan replay clones its model, and a TDSC model carries attributes for 30,000 VMs that a
   * replay never changes.
   */
  private shared = false;

  put(kind: ElementKind, id: number, key: string, value: AttributeValue): this {
    if (this.shared) this.unshare();
    const table = this.table(kind);
    let entry = table.get(id);
    if (!entry) {
      entry = new Map();
      table.set(id, entry);
    }
    entry.set(key, value);
    return this;
  }

  /** `put` of several keys of one element (readers: one lookup of the element, not one per key). */
  putAll(kind: ElementKind, id: number, entries: Iterable<readonly [string, AttributeValue]>): this {
    if (this.shared) this.unshare();
    const table = this.table(kind);
    let entry = table.get(id);
    for (const [key, value] of entries) {
      if (!entry) {
        entry = new Map();
        table.set(id, entry);
      }
      entry.set(key, value);
    }
    return this;
  }

  get(kind: ElementKind, id: number, key: string): AttributeValue | undefined {
    return this.table(kind).get(id)?.get(key);
  }

  getNumber(kind: ElementKind, id: number, key: string): number | undefined {
    const v = this.get(kind, id, key);
    return typeof v === 'number' ? v : undefined;
  }

  getString(kind: ElementKind, id: number, key: string): string | undefined {
    const v = this.get(kind, id, key);
    return typeof v === 'string' ? v : undefined;
  }

  getBoolean(kind: ElementKind, id: number, key: string): boolean | undefined {
    const v = this.get(kind, id, key);
    return typeof v === 'boolean' ? v : undefined;
  }

  /** Parses a string the way BtrPlace's castAndPut does: boolean, integer, double, else string. */
  castAndPut(kind: ElementKind, id: number, key: string, raw: string): this {
    return this.put(kind, id, key, castAttribute(raw));
  }

  keys(kind: ElementKind, id: number): string[] {
    return [...(this.table(kind).get(id)?.keys() ?? [])];
  }

  /** Elements of that kind carrying at least one attribute. */
  elements(kind: ElementKind): number[] {
    return [...this.table(kind).keys()];
  }

  /** One element's attributes, read only, in insertion order (undefined: none); no copy, unlike `entries`. */
  valuesOf(kind: ElementKind, id: number): ReadonlyMap<string, AttributeValue> | undefined {
    return this.table(kind).get(id);
  }

  entries(kind: ElementKind, id: number): [string, AttributeValue][] {
    return [...(this.table(kind).get(id)?.entries() ?? [])];
  }

  clear(kind: ElementKind, id: number): void {
    if (this.shared) this.unshare();
    this.table(kind).delete(id);
  }

  /** An independent copy, in O(1): both share the tables until either changes (copy on write). */
  clone(): Attributes {
    const copy = new Attributes();
    copy.byVm = this.byVm;
    copy.byNode = this.byNode;
    copy.shared = true;
    this.shared = true;
    return copy;
  }

  /** Takes a private copy of the shared tables (the inner maps included: they change in place). */
  private unshare(): void {
    this.byVm = copyTable(this.byVm);
    this.byNode = copyTable(this.byNode);
    this.shared = false;
  }

  equals(other: Attributes): boolean {
    // a clone nobody changed shares the tables
    if (this.byVm === other.byVm && this.byNode === other.byNode) return true;
    for (const kind of ['vm', 'node'] as const) {
      const mine = this.table(kind);
      const theirs = other.table(kind);
      const nonEmpty = (t: Map<number, Map<string, AttributeValue>>): number => [...t.values()].filter((e) => e.size > 0).length;
      if (nonEmpty(mine) !== nonEmpty(theirs)) return false;
      for (const [id, entry] of mine) {
        const o = theirs.get(id);
        if (entry.size === 0) continue;
        if (!o || o.size !== entry.size) return false;
        for (const [k, v] of entry) if (o.get(k) !== v) return false;
      }
    }
    return true;
  }

  private table(kind: ElementKind): Map<number, Map<string, AttributeValue>> {
    return kind === 'vm' ? this.byVm : this.byNode;
  }
}

function copyTable(table: Map<number, Map<string, AttributeValue>>): Map<number, Map<string, AttributeValue>> {
  const copy = new Map<number, Map<string, AttributeValue>>();
  for (const [id, entry] of table) copy.set(id, new Map(entry));
  return copy;
}

export function castAttribute(raw: string): AttributeValue {
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (/^[-+]?\d+$/.test(raw)) return Number.parseInt(raw, 10);
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(raw)) return Number.parseFloat(raw);
  return raw;
}
