import type { NodeId, VmId } from './elements.js';

/** An attribute value, as BtrPlace stores it: boolean, integer, double or string. */
export type AttributeValue = boolean | number | string;

export type ElementKind = 'vm' | 'node';

/**
 * Per-element key → value store (BtrPlace's Attributes). Durations (`migrate`, `boot`, ...),
 * `template`, `clone`, `memUsed` and any inventory facts live here.
 */
export class Attributes {
  private readonly byVm = new Map<VmId, Map<string, AttributeValue>>();
  private readonly byNode = new Map<NodeId, Map<string, AttributeValue>>();

  put(kind: ElementKind, id: number, key: string, value: AttributeValue): this {
    const table = this.table(kind);
    let entry = table.get(id);
    if (!entry) {
      entry = new Map();
      table.set(id, entry);
    }
    entry.set(key, value);
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

  entries(kind: ElementKind, id: number): [string, AttributeValue][] {
    return [...(this.table(kind).get(id)?.entries() ?? [])];
  }

  clear(kind: ElementKind, id: number): void {
    this.table(kind).delete(id);
  }

  clone(): Attributes {
    const copy = new Attributes();
    for (const kind of ['vm', 'node'] as const) {
      for (const [id, entry] of this.table(kind)) copy.table(kind).set(id, new Map(entry));
    }
    return copy;
  }

  equals(other: Attributes): boolean {
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

export function castAttribute(raw: string): AttributeValue {
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (/^[-+]?\d+$/.test(raw)) return Number.parseInt(raw, 10);
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(raw)) return Number.parseFloat(raw);
  return raw;
}
