import type { NodeId, VmId, VmState } from './elements.js';

/** The states a mapping records, as stored codes (0: the VM is not in the mapping). */
const ABSENT = 0;
const CODES: Readonly<Record<'ready' | 'running' | 'sleeping', number>> = { ready: 1, running: 2, sleeping: 3 };
const STATES: readonly (VmState | undefined)[] = [undefined, 'ready', 'running', 'sleeping'];
export type MappedState = 'ready' | 'running' | 'sleeping';

/**
 * The VM side of a mapping (state and host of every VM, in insertion order), kept in typed arrays so
 * that a copy is a few memory copies rather than one hash insertion per VM: copying a 40,000-VM
 * mapping entry by entry took ~35 ms, and every plan check, replay and what-if copies its model.
 *
 * Each VM id gets a slot, its index in the arrays, from a registry shared by a table and all its
 * copies. The registry only grows (a slot is never reused for another id), so copies can share it
 * without copying it: a slot one copy registered is simply absent (state 0) in the others.
 * Insertion order is an array of ids with holes where VMs were removed, compacted when it must grow;
 * as with a Map, changing a VM's state keeps its place, removing then adding it moves it last.
 */
export class VmTable {
  private registry: Map<VmId, number>;
  private state: Uint8Array;
  /** the host's id, NaN for none */
  private host: Float64Array;
  /** where the VM sits in `order` */
  private pos: Int32Array;
  /** ids in insertion order, NaN where a VM was removed */
  private order: Float64Array;
  private orderLength = 0;
  private holes = 0;
  private size = 0;

  constructor(source?: VmTable) {
    if (source) {
      this.registry = source.registry;
      this.state = source.state.slice();
      this.host = source.host.slice();
      this.pos = source.pos.slice();
      this.order = source.order.slice(0, Math.max(source.orderLength, 16));
      this.orderLength = source.orderLength;
      this.holes = source.holes;
      this.size = source.size;
    } else {
      this.registry = new Map();
      this.state = new Uint8Array(16);
      this.host = new Float64Array(16).fill(Number.NaN);
      this.pos = new Int32Array(16);
      this.order = new Float64Array(16);
    }
  }

  count(): number {
    return this.size;
  }

  stateOf(vm: VmId): MappedState | undefined {
    const slot = this.registry.get(vm);
    if (slot === undefined || slot >= this.state.length) return undefined;
    return STATES[this.state[slot] ?? ABSENT] as MappedState | undefined;
  }

  has(vm: VmId): boolean {
    const slot = this.registry.get(vm);
    return slot !== undefined && slot < this.state.length && this.state[slot] !== ABSENT;
  }

  hostOf(vm: VmId): NodeId | undefined {
    const slot = this.registry.get(vm);
    if (slot === undefined || slot >= this.host.length) return undefined;
    const h = this.host[slot] ?? Number.NaN;
    return Number.isNaN(h) ? undefined : h;
  }

  /** Records the VM's state and host (undefined: none); a VM already there keeps its place. */
  set(vm: VmId, state: MappedState, host: NodeId | undefined): void {
    const slot = this.slotFor(vm);
    if (this.state[slot] === ABSENT) this.append(vm, slot);
    this.state[slot] = CODES[state];
    this.host[slot] = host ?? Number.NaN;
  }

  /** Removes the VM; false when it was not there. */
  delete(vm: VmId): boolean {
    const slot = this.registry.get(vm);
    if (slot === undefined || slot >= this.state.length || this.state[slot] === ABSENT) return false;
    this.state[slot] = ABSENT;
    this.host[slot] = Number.NaN;
    this.order[this.pos[slot] ?? 0] = Number.NaN;
    this.holes++;
    this.size--;
    return true;
  }

  /**
   * The VMs in insertion order, optionally only those in `state`. Iterates over a snapshot of the
   * order (a VM removed meanwhile is skipped; one added meanwhile is not visited).
   */
  *ids(state?: MappedState): IterableIterator<VmId> {
    const order = this.order.slice(0, this.orderLength);
    const wanted = state === undefined ? undefined : CODES[state];
    for (const vm of order) {
      if (Number.isNaN(vm)) continue;
      const code = this.state[this.registry.get(vm) ?? -1];
      if (code === undefined || code === ABSENT) continue;
      if (wanted === undefined || code === wanted) yield vm;
    }
  }

  private slotFor(vm: VmId): number {
    let slot = this.registry.get(vm);
    if (slot === undefined) {
      slot = this.registry.size;
      this.registry.set(vm, slot);
    }
    if (slot >= this.state.length) this.growSlots(slot + 1);
    return slot;
  }

  private growSlots(needed: number): void {
    const length = Math.max(needed, this.state.length * 2);
    const state = new Uint8Array(length);
    state.set(this.state);
    const host = new Float64Array(length).fill(Number.NaN);
    host.set(this.host);
    const pos = new Int32Array(length);
    pos.set(this.pos);
    this.state = state;
    this.host = host;
    this.pos = pos;
  }

  private append(vm: VmId, slot: number): void {
    if (this.orderLength === this.order.length) this.makeRoom();
    this.pos[slot] = this.orderLength;
    this.order[this.orderLength++] = vm;
    this.size++;
  }

  /** Drops the holes when they are many, else doubles the order array. */
  private makeRoom(): void {
    if (this.holes * 2 >= this.orderLength) {
      let kept = 0;
      for (let i = 0; i < this.orderLength; i++) {
        const vm = this.order[i] ?? Number.NaN;
        if (Number.isNaN(vm)) continue;
        this.order[kept] = vm;
        this.pos[this.registry.get(vm) ?? 0] = kept;
        kept++;
      }
      this.orderLength = kept;
      this.holes = 0;
      if (this.orderLength < this.order.length) return;
    }
    const order = new Float64Array(Math.max(16, this.order.length * 2));
    order.set(this.order.subarray(0, this.orderLength));
    this.order = order;
  }
}
