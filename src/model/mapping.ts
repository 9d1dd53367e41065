import { type NodeId, type NodeState, type VmId, type VmState, nodeLabel, vmLabel } from './elements.js';

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
  private readonly nodeStates = new Map<NodeId, NodeState>();
  private readonly vmStates = new Map<VmId, VmState>();
  private readonly vmHosts = new Map<VmId, NodeId>();
  /** per online node, its running then sleeping VMs (kept as sets for O(1) moves) */
  private readonly runningOn = new Map<NodeId, Set<VmId>>();
  private readonly sleepingOn = new Map<NodeId, Set<VmId>>();

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
    this.vmStates.set(vm, 'ready');
    return this;
  }

  /** Removes the VM from the mapping (it becomes INIT or KILLED, which the model records). */
  remove(vm: VmId): boolean {
    const known = this.vmStates.has(vm);
    this.detach(vm);
    this.vmStates.delete(vm);
    return known;
  }

  /** State recorded by the mapping: ready, running, sleeping, or undefined when absent. */
  vmState(vm: VmId): VmState | undefined {
    return this.vmStates.get(vm);
  }
  host(vm: VmId): NodeId | undefined {
    return this.vmHosts.get(vm);
  }
  hasVM(vm: VmId): boolean {
    return this.vmStates.has(vm);
  }
  vms(): IterableIterator<VmId> {
    return this.vmStates.keys();
  }
  vmCount(): number {
    return this.vmStates.size;
  }
  isRunning(vm: VmId): boolean {
    return this.vmStates.get(vm) === 'running';
  }
  isSleeping(vm: VmId): boolean {
    return this.vmStates.get(vm) === 'sleeping';
  }
  isReady(vm: VmId): boolean {
    return this.vmStates.get(vm) === 'ready';
  }

  runningVMs(node: NodeId): ReadonlySet<VmId> {
    return this.runningOn.get(node) ?? EMPTY;
  }
  sleepingVMs(node: NodeId): ReadonlySet<VmId> {
    return this.sleepingOn.get(node) ?? EMPTY;
  }
  allRunningVMs(): VmId[] {
    return [...this.vmStates].filter(([, s]) => s === 'running').map(([v]) => v);
  }
  allSleepingVMs(): VmId[] {
    return [...this.vmStates].filter(([, s]) => s === 'sleeping').map(([v]) => v);
  }
  readyVMs(): VmId[] {
    return [...this.vmStates].filter(([, s]) => s === 'ready').map(([v]) => v);
  }
  hostedCount(node: NodeId): number {
    return (this.runningOn.get(node)?.size ?? 0) + (this.sleepingOn.get(node)?.size ?? 0);
  }

  /** An independent copy; every listing (nodes, VMs, the VMs of each node) comes in the same order. */
  clone(): Mapping {
    const copy = new Mapping();
    for (const [n, s] of this.nodeStates) copy.nodeStates.set(n, s);
    for (const [n, vms] of this.runningOn) copy.runningOn.set(n, new Set(vms));
    for (const [n, vms] of this.sleepingOn) copy.sleepingOn.set(n, new Set(vms));
    for (const [v, s] of this.vmStates) copy.vmStates.set(v, s);
    for (const [v, h] of this.vmHosts) copy.vmHosts.set(v, h);
    return copy;
  }

  /** Same node states, same VM states and hosts (order does not matter). */
  equals(other: Mapping): boolean {
    if (this.nodeStates.size !== other.nodeStates.size || this.vmStates.size !== other.vmStates.size) return false;
    for (const [n, s] of this.nodeStates) if (other.nodeStates.get(n) !== s) return false;
    for (const [v, s] of this.vmStates) {
      if (other.vmStates.get(v) !== s || other.vmHosts.get(v) !== this.vmHosts.get(v)) return false;
    }
    return true;
  }

  private placeOnNode(vm: VmId, node: NodeId, state: 'running' | 'sleeping'): void {
    if (this.nodeStates.get(node) !== 'online') {
      throw new MappingError(`${vmLabel(vm)} cannot be ${state} on ${nodeLabel(node)}: the node is not online`);
    }
    this.detach(vm);
    this.vmStates.set(vm, state);
    this.vmHosts.set(vm, node);
    (state === 'running' ? this.runningOn : this.sleepingOn).get(node)?.add(vm);
  }

  private detach(vm: VmId): void {
    const h = this.vmHosts.get(vm);
    if (h === undefined) return;
    this.runningOn.get(h)?.delete(vm);
    this.sleepingOn.get(h)?.delete(vm);
    this.vmHosts.delete(vm);
  }
}

const EMPTY: ReadonlySet<never> = new Set();
