import type { NodeId, VmId } from './elements.js';

/**
 * A shareable resource (cpu, mem, disk, ...): a capacity per node and a consumption per VM, with
 * defaults for the elements that have no explicit value (BtrPlace's ShareableResource view,
 * JSON view id `shareableResource`). Values are non-negative integers.
 */
export class ShareableResource {
  private capacities = new Map<NodeId, number>();
  private consumptions = new Map<VmId, number>();
  /**
   * Each map may be shared with a clone (or the original), and is then copied before its first
   * change: a replay changes consumptions (allocations) far more rarely than capacities are set
   * (overbooking), and the consumptions are the big map (one entry per VM).
   */
  private capacitiesShared = false;
  private consumptionsShared = false;

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
    if (this.capacitiesShared) this.unshareCapacities();
    this.capacities.set(node, amount);
    return this;
  }
  setConsumption(vm: VmId, amount: number): this {
    assertAmount(amount, `consumption of '${this.id}'`);
    if (this.consumptionsShared) this.unshareConsumptions();
    this.consumptions.set(vm, amount);
    return this;
  }
  unsetCapacity(node: NodeId): void {
    if (this.capacitiesShared) this.unshareCapacities();
    this.capacities.delete(node);
  }
  unsetConsumption(vm: VmId): void {
    if (this.consumptionsShared) this.unshareConsumptions();
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
    return this.withCapacitiesOf(this, this.defaultCapacity);
  }

  /**
   * A copy with this resource's consumptions and the capacities of `source` (none: every node has
   * `defaultCapacity`), in O(1): the maps are shared until either side changes them (copy on
   * write). The plan checker replays with lifted or original capacities this way.
   */
  withCapacitiesOf(source: ShareableResource | undefined, defaultCapacity: number): ShareableResource {
    const copy = new ShareableResource(this.id, defaultCapacity, this.defaultConsumption);
    if (source) {
      copy.capacities = source.capacities;
      copy.capacitiesShared = true;
      source.capacitiesShared = true;
    }
    copy.consumptions = this.consumptions;
    copy.consumptionsShared = true;
    this.consumptionsShared = true;
    return copy;
  }

  private unshareCapacities(): void {
    this.capacities = copyMap(this.capacities);
    this.capacitiesShared = false;
  }

  private unshareConsumptions(): void {
    this.consumptions = copyMap(this.consumptions);
    this.consumptionsShared = false;
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
