import type { ElementKind } from './attributes.js';

/**
 * Names for elements (BtrPlace's NamingService view, JSON id `ns`): one per element kind.
 * Names are unique within a kind; an element has at most one name.
 */
export class NamingService {
  private idByName = new Map<string, number>();
  private nameById = new Map<number, string>();
  /** The maps are shared with a clone (or the original): copied before the first change. */
  private shared = false;

  constructor(readonly kind: ElementKind) {}

  /** Registers `name` for `id`. Returns false when the name already names another element. */
  register(name: string, id: number): boolean {
    const owner = this.idByName.get(name);
    if (owner !== undefined && owner !== id) return false;
    if (this.shared) {
      this.idByName = new Map(this.idByName);
      this.nameById = new Map(this.nameById);
      this.shared = false;
    }
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
  /** The named elements (each once). */
  ids(): IterableIterator<number> {
    return this.nameById.keys();
  }
  entries(): IterableIterator<[string, number]> {
    return this.idByName.entries();
  }
  size(): number {
    return this.idByName.size;
  }
  /** An independent copy, in O(1): both share the maps until either changes (copy on write). */
  clone(): NamingService {
    const copy = new NamingService(this.kind);
    copy.idByName = this.idByName;
    copy.nameById = this.nameById;
    copy.shared = true;
    this.shared = true;
    return copy;
  }
  equals(other: NamingService): boolean {
    if (other.kind !== this.kind || other.idByName.size !== this.idByName.size) return false;
    if (other.idByName === this.idByName) return true;
    for (const [n, id] of this.idByName) if (other.idByName.get(n) !== id) return false;
    return true;
  }
}
