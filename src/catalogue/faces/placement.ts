import type { Model, NodeId, VmId, VmState } from '../../model/index.js';
import type { Constraint } from '../constraint.js';

/**
 * The placement face of a constraint: what it does to the final placement the heuristic planner
 * searches (BtrPlace's C* classes, final state only). The solver reads it through its faces
 * registry (src/solver/faces.ts) and never switches on constraint ids; a face states its effect in
 * the solver's placement vocabulary below, or brings its own `PlacementRule`.
 */

/** What rules may read of the current placement (indices are dense: see PlacementContext). */
export interface PlacementView {
  readonly host: Int32Array;
  readonly count: Int32Array;
  readonly load: Float64Array;
  readonly nodeCount: number;
  readonly vmCount: number;
  demand(v: number, r: number): number;
  resourceIndex(rc: string): number;
  vmsOn(n: number): Iterable<number>;
  /** true when the VM may not leave its current host (root, quarantine). */
  pinned(v: number): boolean;
}

/**
 * An incremental rule: "may VM v end on node n, given where the others are", answered in O(1) or
 * close, with its own counters kept up to date as VMs are placed and removed.
 */
export interface PlacementRule {
  /** Position of the source constraint in the instance's constraint list (explanations). */
  readonly constraintIndex: number;
  readonly source: Constraint;
  /** 'vm' rules are checked for their member VMs; 'node' rules for any VM landing on their nodes. */
  readonly scope: 'vm' | 'node';
  /** Member VMs ('vm' scope) or the nodes watched ('node' scope; null = every node). */
  readonly members: readonly number[] | null;
  allows(v: number, n: number, view: PlacementView): boolean;
  add(v: number, n: number, view: PlacementView): void;
  remove(v: number, n: number, view: PlacementView): void;
  /** VMs placed now whose departure would let v land on n (null: cannot be fixed by evictions). */
  blockers?(v: number, n: number, view: PlacementView): number[] | null;
  /** Given a full placement, VMs to evict so the rule holds (greedy, few as possible). */
  repair(view: PlacementView): number[];
  /** A valid lower bound on the evictions repair needs, per node where it applies (node → count). */
  lowerBound?(view: PlacementView): Map<number, number>;
  reset(): void;
}

/** The solver's own rules, built from element ids (unknown or non-running VMs are dropped). */
export interface BuiltInRules {
  spread(vms: readonly number[]): PlacementRule;
  gather(vms: readonly number[]): PlacementRule;
  lonely(vms: readonly number[]): PlacementRule;
  among(vms: readonly number[], nodeParts: readonly (readonly number[])[]): PlacementRule;
  split(vmParts: readonly (readonly number[])[]): PlacementRule;
  splitAmong(vmParts: readonly (readonly number[])[], nodeParts: readonly (readonly number[])[]): PlacementRule;
  resourceCapacity(nodes: readonly number[], rc: string, amount: number): PlacementRule;
  runningCapacity(nodes: readonly number[], amount: number): PlacementRule;
}

/**
 * What a face may do while the placement problem is built, for one constraint. Element ids are
 * the model's; dense indices (`vm`, `node`) are those of the problem's arrays: VMs that run at
 * the end, every node of the mapping.
 */
export interface PlacementContext {
  readonly model: Model;
  /** Position of the constraint in the problem's constraint list, and the constraint (for a rule's `source`). */
  readonly index: number;
  readonly source: Constraint;
  readonly rules: BuiltInRules;
  /** True while the power pass will still choose nodes to power off (discrete maxOnline waits). */
  readonly deferMaxOnline: boolean;
  /** Dense index of a VM that runs at the end, undefined otherwise. */
  vm(id: VmId): number | undefined;
  /** Dense indices of the VMs of a list that run at the end. */
  vms(ids: readonly VmId[]): number[];
  /** Dense index of a node, undefined for a node the model does not have. */
  node(id: NodeId): number | undefined;
  nodes(ids: readonly NodeId[]): number[];
  /** Source host (dense) of a VM, -1 for none; whether it runs there in the source model. */
  origin(v: number): number;
  originRunning(v: number): boolean;
  onlineNow(n: number): boolean;
  onlineAtEnd(n: number): boolean;
  /** True when an `online` constraint asks for the node. */
  wantedOnline(n: number): boolean;
  nodeName(n: number): string;
  vmName(id: VmId): string;
  /** `spread({VM1, VM2})`-like text of this constraint (names made safe, sets summarised). */
  describe(): string;
  /** The VM may only end on nodes `allowed` accepts. */
  restrict(v: number, allowed: (n: number) => boolean): void;
  /** The VM may not leave its source host. */
  pin(v: number): void;
  /** The VMs running on the node in the source model may not leave it. */
  pinRunningOn(n: number): void;
  /** Adds a rule; `holdsNow`: BtrPlace refuses the instance when it does not hold in the source placement. */
  add(rule: PlacementRule, options?: { readonly holdsNow?: boolean }): void;
  /** A reason the instance cannot be planned, visible before any search. */
  infeasible(message: string): void;
  /** A test run once every rule is known (after the source-placement checks), in constraint order. */
  afterRules(test: () => string | null): void;
}

/** A node state wanted at the end, or a quarantine (no newcomer may land on the node). */
export interface NodeStateRequest {
  readonly node: NodeId;
  readonly state: 'online' | 'offline' | 'quarantined';
}

/** The placement face. Every entry states one: hooks, or `none` with the reason. */
export type PlacementFace<Args> =
  | { readonly none: string }
  | {
      /** One line: what the constraint does to the placement. */
      readonly summary: string;
      nodeState?(c: Constraint<Args>): NodeStateRequest;
      vmState?(c: Constraint<Args>): { readonly vm: VmId; readonly state: VmState };
      /** Capacity ratio of a resource on a node (overbook; the smallest ratio wins). */
      capacityRatio?(c: Constraint<Args>): { readonly node: NodeId; readonly rc: string; readonly ratio: number };
      /** At most `amount` of these nodes online (maxOnline): what the power pass may boot or power off. */
      onlineLimit?(c: Constraint<Args>): { readonly nodes: readonly NodeId[]; readonly amount: number };
      /** Minimum final demand of a resource for a VM (preserve; the largest floor wins). */
      demandFloor?(c: Constraint<Args>): { readonly vm: VmId; readonly rc: string; readonly amount: number };
      /** Domains, pins, rules and early infeasibility. */
      place?(c: Constraint<Args>, ctx: PlacementContext): void;
    };
