import type { NodeId, NodeState, VmId, VmState } from '../model/index.js';

/**
 * A target configuration: where the placement search wants every element to end. The scheduler
 * turns (origin model, target) into a timed plan. Elements not listed keep their origin state and
 * host, so a repair that moves 50 VMs out of 30,000 carries 50 entries.
 */
export interface Target {
  /** Final state and host (null unless running or sleeping) of the VMs that change. */
  readonly vms: ReadonlyMap<VmId, { readonly state: VmState; readonly host: NodeId | null }>;
  /** Final state of the nodes that change. */
  readonly nodes: ReadonlyMap<NodeId, NodeState>;
  /** Final consumption of running VMs whose demand changes (Preserve): vm → resource → amount. */
  readonly consumption: ReadonlyMap<VmId, ReadonlyMap<string, number>>;
}
