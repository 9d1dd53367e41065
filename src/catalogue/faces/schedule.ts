import type { Model, NodeId, VmId } from '../../model/index.js';
import type { Constraint } from '../constraint.js';

/**
 * The scheduling face of a constraint: the ordering it imposes on the timed plan, stated in the
 * scheduler's vocabulary (src/solver/schedule/constraints.ts implements each kind once). Faces
 * never see the scheduler's internals; the solver never switches on constraint ids.
 */

/** Where a VM may go when the scheduler routes it through a third node to break a cycle. */
export type BounceRule =
  | { readonly kind: 'never'; readonly why: string }
  | { readonly kind: 'allowed'; readonly nodes: ReadonlySet<NodeId>; readonly why: string }
  | { readonly kind: 'banned'; readonly nodes: ReadonlySet<NodeId>; readonly why: string }
  | { readonly kind: 'apart'; readonly others: readonly VmId[]; readonly why: string };

/** Groups of nodes indexed once per arguments array (shared between constraints). */
export interface NodeGroups {
  /** The first group holding a node. */
  readonly groupOf: ReadonlyMap<NodeId, number>;
  set(g: number): ReadonlySet<NodeId>;
}

export interface ScheduleSink {
  readonly model: Model;
  /** `constraints[i]`, the constraint's location for messages. */
  readonly where: string;
  /** Capacity ratio of a resource on a node during the whole plan (smallest wins). */
  overbook(node: NodeId, rc: string, ratio: number): void;
  /** Σ of a resource used on the node set never exceeds the amount, at any instant. */
  resourceCapacity(nodes: readonly NodeId[], rc: string, amount: number): void;
  /** At most `amount` of the nodes online at any instant. */
  maxOnline(nodes: readonly NodeId[], amount: number): void;
  /** The migrations never overlap. */
  serialize(vms: readonly VmId[]): void;
  /** The migrations end together (start together when every VM uses post-copy). */
  sync(vms: readonly VmId[]): void;
  /** The state-changing actions happen one after the other, in list order. */
  seq(vms: readonly VmId[]): void;
  /** `before`'s migration ends before `after`'s starts. */
  precedence(before: VmId, after: VmId): void;
  /** The VM's migration ends by the timestamp. */
  deadline(vm: VmId, timestamp: string): void;
  /** The VM's action starts at 0. */
  noDelay(vm: VmId): void;
  /** A member arrives where another member was only after that one left. */
  spread(vms: readonly VmId[]): void;
  /** Members and other VMs never share a node, at any instant. */
  lonely(vms: readonly VmId[]): void;
  /** VMs of different groups never share a node, at any instant. */
  split(groups: readonly (readonly VmId[])[]): void;
  /** The node's boot (online) or shutdown (offline). */
  online(node: NodeId): void;
  offline(node: NodeId): void;
  /** No VM arrives on the node, even on its way elsewhere. */
  quarantine(node: NodeId): void;
  /** Bounce rules, built only when some VM must go through a third node. */
  bounce(rules: (add: (vm: VmId, rule: BounceRule) => void) => void): void;
  nodeGroups(parts: readonly (readonly NodeId[])[]): NodeGroups;
}

/** The scheduling face: an ordering, or `none` with the reason. */
export type ScheduleFace<Args> = { readonly none: string } | { readonly summary: string; order(c: Constraint<Args>, sink: ScheduleSink): void };
