import type { ElementKind } from './attributes.js';

/**
 * Names for elements (BtrPlace's NamingService view, JSON id `ns`): one per element kind.
 * Names are unique within a kind; an element has at most one name.
 */
export class NamingService {
  private readonly idByName = new Map<string, number>();
  private readonly nameById = new Map<number, string>();

  constructor(readonly kind: ElementKind) {}

  /** Registers `name` for `id`. Returns false when the name already names another element. */
  register(name: string, id: number): boolean {
    const owner = this.idByName.get(name);
    if (owner !== undefined && owner !== id) return false;
    const previous = this.nameById.get(id);
    if (previous !== undefined) this.idByName.delete(previous);
    this.idByName.set(name, id);
    this.nameById.set(id, name);
    return true;
  }
  resolve(name: string): number | undefined {
    return this.idByName.get(name);
  }
  nameOf(id: number): string | undefined {
    return this.nameById.get(id);
  }
  names(): IterableIterator<string> {
    return this.idByName.keys();
  }
  entries(): IterableIterator<[string, number]> {
    return this.idByName.entries();
  }
  size(): number {
    return this.idByName.size;
  }
  clone(): NamingService {
    const copy = new NamingService(this.kind);
    for (const [n, id] of this.idByName) copy.register(n, id);
    return copy;
  }
  equals(other: NamingService): boolean {
    if (other.kind !== this.kind || other.idByName.size !== this.idByName.size) return false;
    for (const [n, id] of this.idByName) if (other.idByName.get(n) !== id) return false;
    return true;
  }
}
