import type { NodeId, VmId } from './elements.js';

/**
 * A shareable resource (cpu, mem, disk, ...): a capacity per node and a consumption per VM, with
 * defaults for the elements that have no explicit value (BtrPlace's ShareableResource view,
 * JSON view id `shareableResource`). Values are non-negative integers.
 */
export class ShareableResource {
  private readonly capacities = new Map<NodeId, number>();
  private readonly consumptions = new Map<VmId, number>();

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
    this.capacities.set(node, amount);
    return this;
  }
  setConsumption(vm: VmId, amount: number): this {
    assertAmount(amount, `consumption of '${this.id}'`);
    this.consumptions.set(vm, amount);
    return this;
  }
  unsetCapacity(node: NodeId): void {
    this.capacities.delete(node);
  }
  unsetConsumption(vm: VmId): void {
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

  clone(): ShareableResource {
    const copy = new ShareableResource(this.id, this.defaultCapacity, this.defaultConsumption);
    for (const [n, c] of this.capacities) copy.capacities.set(n, c);
    for (const [v, c] of this.consumptions) copy.consumptions.set(v, c);
    return copy;
  }

  equals(other: ShareableResource): boolean {
    if (other.id !== this.id || other.defaultCapacity !== this.defaultCapacity || other.defaultConsumption !== this.defaultConsumption) return false;
    if (other.capacities.size !== this.capacities.size || other.consumptions.size !== this.consumptions.size) return false;
    for (const [n, c] of this.capacities) if (other.capacities.get(n) !== c) return false;
    for (const [v, c] of this.consumptions) if (other.consumptions.get(v) !== c) return false;
    return true;
  }
}

function assertAmount(amount: number, what: string): void {
  if (!Number.isFinite(amount) || amount < 0) throw new RangeError(`${what} must be a non-negative number, got ${amount}`);
}
