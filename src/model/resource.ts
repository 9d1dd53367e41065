import type { NodeId, VmId } from './elements.js';

/**
 * A shareable resource (cpu, mem, disk, ...): a capacity per node and a consumption per VM, with
 * defaults for the elements that have no explicit value (BtrPlace's ShareableResource view,
 * JSON view id `shareableResource`). Values are non-negative integers.
 */
export class ShareableResource {
  private capacities = new Map<NodeId, number>();
  private consumptions = new Map<VmId, number>();
  /** The maps are shared with a clone (or the original): copied before the first change. */
  private shared = false;

  constructor(
    readonly id: string,
    readonly defaultCapacity = 0,
    readonly defaultConsumption = 0,
  ) {
    assertAmount(defaultCapacity, `default capacity of '${id}'`);
    assertAmount(defaultConsumption, `default consumption of '${id}'`);
  }

  capacity(node: NodeId): number {
    return this.capacities.get(node) ?? this.defaultCapacity;
  }
  consumption(vm: VmId): number {
    return this.consumptions.get(vm) ?? this.defaultConsumption;
  }
  setCapacity(node: NodeId, amount: number): this {
    assertAmount(amount, `capacity of '${this.id}'`);
    if (this.shared) this.unshare();
    this.capacities.set(node, amount);
    return this;
  }
  setConsumption(vm: VmId, amount: number): this {
    assertAmount(amount, `consumption of '${this.id}'`);
    if (this.shared) this.unshare();
    this.consumptions.set(vm, amount);
    return this;
  }
  unsetCapacity(node: NodeId): void {
    if (this.shared) this.unshare();
    this.capacities.delete(node);
  }
  unsetConsumption(vm: VmId): void {
    if (this.shared) this.unshare();
    this.consumptions.delete(vm);
  }
  /** Nodes with an explicit capacity (the others use the default). */
  definedNodes(): IterableIterator<NodeId> {
    return this.capacities.keys();
  }
  definedVMs(): IterableIterator<VmId> {
    return this.consumptions.keys();
  }
  hasCapacity(node: NodeId): boolean {
    return this.capacities.has(node);
  }
  hasConsumption(vm: VmId): boolean {
    return this.consumptions.has(vm);
  }
  sumConsumption(vms: Iterable<VmId>): number {
    let s = 0;
    for (const v of vms) s += this.consumption(v);
    return s;
  }

  /** An independent copy, in O(1): both share the maps until either changes (copy on write). */
  clone(): ShareableResource {
    const copy = new ShareableResource(this.id, this.defaultCapacity, this.defaultConsumption);
    copy.capacities = this.capacities;
    copy.consumptions = this.consumptions;
    copy.shared = true;
    this.shared = true;
    return copy;
  }

  private unshare(): void {
    this.capacities = copyMap(this.capacities);
    this.consumptions = copyMap(this.consumptions);
    this.shared = false;
  }

  equals(other: ShareableResource): boolean {
    if (other.id !== this.id || other.defaultCapacity !== this.defaultCapacity || other.defaultConsumption !== this.defaultConsumption) return false;
    // a clone nobody changed shares the maps
    if (other.capacities === this.capacities && other.consumptions === this.consumptions) return true;
    if (other.capacities.size !== this.capacities.size || other.consumptions.size !== this.consumptions.size) return false;
    for (const [n, c] of this.capacities) if (other.capacities.get(n) !== c) return false;
    for (const [v, c] of this.consumptions) if (other.consumptions.get(v) !== c) return false;
    return true;
  }
}

function copyMap(map: Map<number, number>): Map<number, number> {
  const copy = new Map<number, number>();
  for (const [k, v] of map) copy.set(k, v);
  return copy;
}

function assertAmount(amount: number, what: string): void {
  if (!Number.isFinite(amount) || amount < 0) throw new RangeError(`${what} must be a non-negative number, got ${amount}`);
}
