import { type NodeId, type NodeState, type VmId, type VmState, nodeLabel, vmLabel } from './elements.js';
import { VmTable } from './vm-table.js';

/** Raised when a mapping operation would break the mapping's invariants. */
export class MappingError extends Error {
  override name = 'MappingError';
}

/**
 * Where every VM is and whether every node is up. Invariants (BtrPlace's DefaultMapping):
 * - a running or sleeping VM has exactly one host, and that host is online;
 * - a ready VM has no host;
 * - an offline node hosts nothing;
 * - a VM absent from the mapping is INIT or KILLED (the mapping cannot tell which; `Model` records
 *   the VMs it knows of).
 * Insertion order is kept, so exports and printouts are deterministic.
 */
export class Mapping {
  private readonly nodeStates: Map<NodeId, NodeState>;
  /** every VM's state and host (typed arrays: a copy costs memory copies, not a hash insert per VM) */
  private readonly vmTable: VmTable;
  /** per online node, its running then sleeping VMs (kept as sets for O(1) moves) */
  private readonly runningOn: Map<NodeId, Set<VmId>>;
  private readonly sleepingOn: Map<NodeId, Set<VmId>>;

  /** An empty mapping, or (`source`) an independent copy of one: see `clone`. */
  constructor(source?: Mapping) {
    this.nodeStates = new Map(source?.nodeStates);
    this.vmTable = new VmTable(source?.vmTable);
    this.runningOn = copySets(source?.runningOn);
    this.sleepingOn = copySets(source?.sleepingOn);
  }

  // ---- nodes -------------------------------------------------------------------------------

  addOnlineNode(node: NodeId): this {
    if (this.nodeStates.get(node) === 'online') return this;
    this.nodeStates.set(node, 'online');
    this.runningOn.set(node, new Set());
    this.sleepingOn.set(node, new Set());
    return this;
  }

  addOfflineNode(node: NodeId): this {
    const hosted = this.hostedCount(node);
    if (hosted > 0) {
      throw new MappingError(`${nodeLabel(node)} cannot go offline: it still hosts ${hosted} running or sleeping VM(s)`);
    }
    this.nodeStates.set(node, 'offline');
    this.runningOn.delete(node);
    this.sleepingOn.delete(node);
    return this;
  }

  /** Forgets a node entirely; it must host nothing. */
  removeNode(node: NodeId): void {
    if (this.hostedCount(node) > 0) throw new MappingError(`${nodeLabel(node)} still hosts VMs`);
    this.nodeStates.delete(node);
    this.runningOn.delete(node);
    this.sleepingOn.delete(node);
  }

  nodeState(node: NodeId): NodeState | undefined {
    return this.nodeStates.get(node);
  }
  isOnline(node: NodeId): boolean {
    return this.nodeStates.get(node) === 'online';
  }
  isOffline(node: NodeId): boolean {
    return this.nodeStates.get(node) === 'offline';
  }
  hasNode(node: NodeId): boolean {
    return this.nodeStates.has(node);
  }
  nodes(): IterableIterator<NodeId> {
    return this.nodeStates.keys();
  }
  nodeCount(): number {
    return this.nodeStates.size;
  }
  onlineNodes(): NodeId[] {
    return [...this.nodeStates].filter(([, s]) => s === 'online').map(([n]) => n);
  }
  offlineNodes(): NodeId[] {
    return [...this.nodeStates].filter(([, s]) => s === 'offline').map(([n]) => n);
  }

  // ---- VMs ---------------------------------------------------------------------------------

  addRunningVM(vm: VmId, node: NodeId): this {
    this.placeOnNode(vm, node, 'running');
    return this;
  }

  addSleepingVM(vm: VmId, node: NodeId): this {
    this.placeOnNode(vm, node, 'sleeping');
    return this;
  }

  addReadyVM(vm: VmId): this {
    this.detach(vm);
    this.vmTable.set(vm, 'ready', undefined);
    return this;
  }

  /** Removes the VM from the mapping (it becomes INIT or KILLED, which the model records). */
  remove(vm: VmId): boolean {
    this.detach(vm);
    return this.vmTable.delete(vm);
  }

  /** State recorded by the mapping: ready, running, sleeping, or undefined when absent. */
  vmState(vm: VmId): VmState | undefined {
    return this.vmTable.stateOf(vm);
  }
  host(vm: VmId): NodeId | undefined {
    return this.vmTable.hostOf(vm);
  }
  hasVM(vm: VmId): boolean {
    return this.vmTable.has(vm);
  }
  vms(): IterableIterator<VmId> {
    return this.vmTable.ids();
  }
  vmCount(): number {
    return this.vmTable.count();
  }
  isRunning(vm: VmId): boolean {
    return this.vmTable.stateOf(vm) === 'running';
  }
  isSleeping(vm: VmId): boolean {
    return this.vmTable.stateOf(vm) === 'sleeping';
  }
  isReady(vm: VmId): boolean {
    return this.vmTable.stateOf(vm) === 'ready';
  }

  runningVMs(node: NodeId): ReadonlySet<VmId> {
    return this.runningOn.get(node) ?? EMPTY;
  }
  sleepingVMs(node: NodeId): ReadonlySet<VmId> {
    return this.sleepingOn.get(node) ?? EMPTY;
  }
  allRunningVMs(): VmId[] {
    return [...this.vmTable.ids('running')];
  }
  allSleepingVMs(): VmId[] {
    return [...this.vmTable.ids('sleeping')];
  }
  readyVMs(): VmId[] {
    return [...this.vmTable.ids('ready')];
  }
  hostedCount(node: NodeId): number {
    return (this.runningOn.get(node)?.size ?? 0) + (this.sleepingOn.get(node)?.size ?? 0);
  }

  /**
   * An independent copy; every listing (nodes, VMs, the VMs of each node) comes in the same order.
   * The VMs' states and hosts are copied as arrays, the per-node sets one by one.
   */
  clone(): Mapping {
    return new Mapping(this);
  }

  /** Same node states, same VM states and hosts (order does not matter). */
  equals(other: Mapping): boolean {
    if (this.nodeStates.size !== other.nodeStates.size || this.vmTable.count() !== other.vmTable.count()) return false;
    for (const [n, s] of this.nodeStates) if (other.nodeStates.get(n) !== s) return false;
    for (const v of this.vmTable.ids()) {
      if (other.vmTable.stateOf(v) !== this.vmTable.stateOf(v) || other.vmTable.hostOf(v) !== this.vmTable.hostOf(v)) return false;
    }
    return true;
  }

  private placeOnNode(vm: VmId, node: NodeId, state: 'running' | 'sleeping'): void {
    if (this.nodeStates.get(node) !== 'online') {
      throw new MappingError(`${vmLabel(vm)} cannot be ${state} on ${nodeLabel(node)}: the node is not online`);
    }
    this.detach(vm);
    this.vmTable.set(vm, state, node);
    (state === 'running' ? this.runningOn : this.sleepingOn).get(node)?.add(vm);
  }

  private detach(vm: VmId): void {
    const h = this.vmTable.hostOf(vm);
    if (h === undefined) return;
    this.runningOn.get(h)?.delete(vm);
    this.sleepingOn.get(h)?.delete(vm);
  }
}

function copySets(source: ReadonlyMap<NodeId, ReadonlySet<VmId>> | undefined): Map<NodeId, Set<VmId>> {
  const copy = new Map<NodeId, Set<VmId>>();
  if (source) for (const [n, vms] of source) copy.set(n, new Set(vms));
  return copy;
}

const EMPTY: ReadonlySet<never> = new Set();
