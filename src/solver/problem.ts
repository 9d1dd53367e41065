import type { Constraint } from '../catalogue/constraint.js';
import type { Instance } from '../instance/instance.js';
import { type Model, type NodeId, type NodeState, type VmId, type VmState, isVmTransitionAllowed } from '../model/index.js';
import { AmongRule, type PlacementRule, SpreadRule } from './placement/rules.js';
import { FaceContext, GroupTables, type ReductionState } from './placement/face-context.js';
import { type AnyFaces, SCHEDULE_ONLY_IDS, facesOf, hooksOf } from './faces.js';
import { definitionOf } from '../catalogue/registry.js';
import { argsOf, knownElementsOf } from '../catalogue/args.js';
import { describeConstraint } from '../catalogue/describe.js';
import { conflictOf } from './explain-text.js';
import { writeConflict } from './conflict-line.js';
import { Placement } from './placement/state.js';
import { safeName } from '../text/safe.js';

/**
 * Problem reduction in repair mode (BtrPlace's `doRepair(true)`): from an instance, the target
 * state of every element, the dense placement problem over the VMs that run at the end, the VMs
 * that MUST move (and a first, greedy choice of which ones when a constraint or an overload leaves
 * a choice), a valid lower bound on the objective, and the reasons the instance cannot be solved
 * when that is already visible here.
 */

export type PlacementObjective = 'mttr' | 'migrations' | 'memory';

/** Constraint ids that only shape the schedule (their placement face is `none`); the placement ignores them. */
export { SCHEDULE_ONLY_IDS };
/** The catalogue's term for a constraint (`catalogue/describe.ts`), for the solver modules that quote one. */

export interface PlacementProblem {
  readonly model: Model;
  /** Instance constraints followed by the extra ones (indices used by explanations). */
  readonly constraints: readonly Constraint[];
  readonly objective: PlacementObjective;
  readonly nodes: readonly NodeId[];
  readonly nodeIndex: ReadonlyMap<NodeId, number>;
  readonly onlineAtEnd: Uint8Array;
  /** Nodes no newcomer may land on (quarantine). */
  readonly quarantined: Uint8Array;
  readonly resources: readonly string[];
  /** Final capacity, resource-major (`r * nodes + n`), overbook ratios applied; 0 when offline at the end. */
  readonly capacity: Float64Array;
  /** The VMs running at the end, dense. */
  readonly vms: readonly VmId[];
  readonly vmIndex: ReadonlyMap<VmId, number>;
  /** Final demand, resource-major (`r * vms + v`), preserve applied. */
  readonly demand: Float64Array;
  /** Host index in the source model (running or sleeping), -1 for ready VMs. */
  readonly origin: Int32Array;
  /** 1 when the VM runs in the source model: ending elsewhere is a live migration. */
  readonly originRunning: Uint8Array;
  /** 1 when the VM may not leave its source host (root, quarantine). */
  readonly pinned: Uint8Array;
  readonly rules: readonly PlacementRule[];
  readonly vmRules: readonly (readonly number[])[];
  readonly nodeRules: readonly (readonly number[])[];
  readonly everyNodeRules: readonly number[];
  /** Index of the memory resource (for data moved), -1 if none. */
  readonly memoryResource: number;
  /** Static domain: online at the end, ban/fence/among-continuous, quarantine. */
  domainAllows(v: number, n: number): boolean;
  /** Restricted domains (VMs absent here may go to any online node). */
  readonly domains: ReadonlyMap<number, Uint8Array>;
  /** Objective cost of VM v ending on n (0 when it stays or boots). */
  moveCost(v: number, n: number): number;
  /** VMs that do not run at the end but change: final state and host. */
  readonly otherVmChanges: ReadonlyMap<VmId, { readonly state: VmState; readonly host: NodeId | null }>;
  readonly nodeChanges: ReadonlyMap<NodeId, NodeState>;
  /** Problems visible before any search (conflicting states, impossible transitions, ...). */
  readonly infeasible: readonly string[];
  /** Constraint ids the placement does not understand (kept for the checker and scheduler). */
  readonly ignored: readonly string[];
}

export interface Repair {
  /** Start placement: every VM on its source host except the evicted ones (-1). */
  readonly hosts: Int32Array;
  /** VMs to place, the forced ones and those chosen to fix a constraint or an overload. */
  readonly queue: readonly number[];
  /** VMs that must move whatever the choice (their node goes offline, ban, fence, boots). */
  readonly forced: readonly number[];
  /** Valid lower bound on the objective (migrations, or MiB moved). */
  readonly lowerBound: number;
  /** Lower bound on the number of migrations, whatever the objective. */
  readonly migrationsLowerBound: number;
  /** The node-local parts of the bounds (node → migrations, cost), so a sub-problem can sum its own. */
  readonly nodeLowerBounds?: ReadonlyMap<number, { readonly migrations: number; readonly cost: number }>;
  readonly infeasible: readonly string[];
}

export interface ReduceOptions {
  readonly objective?: PlacementObjective;
  readonly extraConstraints?: readonly Constraint[];
  /**
   * Leave a discrete maxOnline with too many nodes online at the end out of `infeasible`: the
   * power pass (power.ts) is about to choose the nodes to power off.
   */
  readonly deferMaxOnline?: boolean;
}

/** The placement hooks of each constraint (undefined: `none`, unknown id, or bad arguments). */
type PlacementHooks = Exclude<AnyFaces['placement'], { readonly none: string }>;

/**
 * Reads every constraint once through its entry's typed reader: bad arguments become located
 * reasons, ids the catalogue does not know are `ignored` (kept for the checker and scheduler).
 */
function placementHooks(model: Model, constraints: readonly Constraint[], infeasible: string[], ignored: Set<string>): (PlacementHooks | undefined)[] {
  // a VM or node the model does not have is the input's error, located, not a placement to search
  const known = knownElementsOf(model);
  return constraints.map((c, i) => {
    const faced = facesOf(c, `constraints[${i}]`, known);
    if (faced === undefined) {
      ignored.add(c.id);
      return undefined;
    }
    if ('error' in faced) {
      infeasible.push(faced.error);
      return undefined;
    }
    return hooksOf(faced.faces.placement);
  });
}

export function isMemoryResource(rc: string): boolean {
  return /^(mem|memory|ram)$/i.test(rc);
}

/**
 * Builds the placement problem of an instance plus extra (script) constraints, in named steps:
 * each constraint read once through its placement face, the target state of every node and VM,
 * the final load (capacities under overbook ratios, demands under preserve), the source
 * placement, the faces' rules with the static domains and pins they impose, and last the
 * continuous rules checked against the source placement. Reasons the instance cannot be solved
 * are collected in that order into `infeasible`.
 */
export function reduce(instance: Instance, options: ReduceOptions = {}): PlacementProblem {
  const model = instance.model;
  const constraints = [...instance.constraints, ...(options.extraConstraints ?? [])];
  const infeasible: string[] = [];
  const ignored = new Set<string>();
  const hooks = placementHooks(model, constraints, infeasible, ignored);
  const nodes = targetNodeStates(model, constraints, hooks, infeasible);
  const vms = targetVmStates(model, constraints, hooks, nodes, infeasible);
  const load = finalLoad(model, constraints, hooks, nodes, vms);
  const source = sourcePlacement(model, nodes, vms);
  const domains = new StaticDomains(nodes.nodes.length, vms.vms.length);
  const faced = facePlacementRules(model, constraints, hooks, { nodes, vms, load, source, domains, infeasible, deferMaxOnline: options.deferMaxOnline === true });
  const problem = assembleProblem(model, constraints, options.objective ?? 'migrations', { nodes, vms, load, source, domains, rules: faced.rules, infeasible, ignored: [...ignored] });
  for (const reason of continuousRulesHoldNow(problem, faced.holdsNow, domains)) infeasible.push(reason);
  for (const test of faced.afterRules) {
    const reason = test();
    if (reason !== null) infeasible.push(reason);
  }
  return problem;
}

/** The nodes, dense, and the state each must end in (node-state faces: online, offline, quarantine). */
interface TargetNodes {
  readonly nodes: readonly NodeId[];
  readonly nodeIndex: ReadonlyMap<NodeId, number>;
  readonly onlineAtEnd: Uint8Array;
  readonly quarantined: Uint8Array;
  readonly nodeChanges: ReadonlyMap<NodeId, NodeState>;
  /** Whether a constraint asks the node to be online at the end. */
  wantedOnline(node: NodeId): boolean;
}

/** Each node's final state: the state a constraint asks for, else its current one; two different asks contradict. */
function targetNodeStates(model: Model, constraints: readonly Constraint[], hooks: readonly (PlacementHooks | undefined)[], infeasible: string[]): TargetNodes {
  const mapping = model.mapping;
  const nodes = [...mapping.nodes()];
  const nodeIndex = new Map(nodes.map((n, i) => [n, i]));
  const N = nodes.length;
  const wanted = new Map<NodeId, { state: NodeState; by: number }>();
  const quarantinedIds = new Set<NodeId>();
  constraints.forEach((c, i) => {
    const asked = hooks[i]?.nodeState?.(c);
    if (!asked) return;
    const node = asked.node;
    if (!nodeIndex.has(node)) {
      infeasible.push(`${describeConstraint(model, c)} names ${model.nodeName(node)}, which is not in the model`);
      return;
    }
    if (asked.state === 'quarantined') {
      quarantinedIds.add(node);
      return;
    }
    const state: NodeState = asked.state;
    const prev = wanted.get(node);
    if (prev && prev.state !== state) {
      infeasible.push(`${describeConstraint(model, constraints[prev.by] as Constraint)} and ${describeConstraint(model, c)} contradict each other`);
    }
    wanted.set(node, { state, by: i });
  });
  const onlineAtEnd = new Uint8Array(N);
  const quarantined = new Uint8Array(N);
  const nodeChanges = new Map<NodeId, NodeState>();
  nodes.forEach((n, i) => {
    const now: NodeState = mapping.isOnline(n) ? 'online' : 'offline';
    const end = wanted.get(n)?.state ?? now;
    onlineAtEnd[i] = end === 'online' ? 1 : 0;
    if (end !== now) nodeChanges.set(n, end);
    if (quarantinedIds.has(n)) quarantined[i] = 1;
  });
  return { nodes, nodeIndex, onlineAtEnd, quarantined, nodeChanges, wantedOnline: (node) => wanted.get(node)?.state === 'online' };
}

/** The VMs running at the end (dense: the placement's variables) and the changes of the others. */
interface TargetVms {
  readonly vms: readonly VmId[];
  readonly vmIndex: ReadonlyMap<VmId, number>;
  readonly otherVmChanges: ReadonlyMap<VmId, { readonly state: VmState; readonly host: NodeId | null }>;
}

/**
 * Each VM's final state: the state a constraint asks for, else its current one. A transition the
 * model forbids, two different asks, or a VM sleeping on a node that goes offline is a reason.
 */
function targetVmStates(model: Model, constraints: readonly Constraint[], hooks: readonly (PlacementHooks | undefined)[], target: TargetNodes, infeasible: string[]): TargetVms {
  const mapping = model.mapping;
  const wanted = new Map<VmId, { state: VmState; by: number }>();
  constraints.forEach((c, i) => {
    const asked = hooks[i]?.vmState?.(c);
    if (!asked) return;
    const { vm, state } = asked;
    const prev = wanted.get(vm);
    if (prev && prev.state !== state) {
      infeasible.push(`${describeConstraint(model, constraints[prev.by] as Constraint)} and ${describeConstraint(model, c)} contradict each other`);
    }
    wanted.set(vm, { state, by: i });
  });
  const runningAtEnd: VmId[] = [];
  const otherVmChanges = new Map<VmId, { state: VmState; host: NodeId | null }>();
  // the mapping's VMs, then those only a state constraint names (INIT VMs to boot, say)
  let allVms: Iterable<VmId> = mapping.vms();
  for (const vm of wanted.keys()) {
    if (mapping.hasVM(vm)) continue;
    allVms = new Set<VmId>([...mapping.vms(), ...wanted.keys()]);
    break;
  }
  for (const vm of allVms) {
    const now = model.vmState(vm);
    const end = wanted.get(vm)?.state ?? now;
    if (!isVmTransitionAllowed(now, end)) {
      infeasible.push(`${model.vmName(vm)} cannot go from ${now} to ${end} (${describeConstraint(model, constraints[wanted.get(vm)?.by ?? 0] as Constraint)})`);
      continue;
    }
    if (end === 'running') runningAtEnd.push(vm);
    else if (end !== now) otherVmChanges.set(vm, { state: end, host: end === 'sleeping' ? (mapping.host(vm) ?? null) : null });
    if (end === 'sleeping') {
      const h = mapping.host(vm);
      if (h !== undefined && target.onlineAtEnd[target.nodeIndex.get(h) ?? -1] !== 1) {
        infeasible.push(`${model.vmName(vm)} sleeps on ${model.nodeName(h)}, which goes offline: a sleeping VM cannot be migrated`);
      }
    }
  }
  const vmIndex = new Map<VmId, number>();
  for (let v = 0; v < runningAtEnd.length; v++) vmIndex.set(runningAtEnd[v] as VmId, v);
  return { vms: runningAtEnd, vmIndex, otherVmChanges };
}

/** The final load tables: capacity and demand, resource-major. */
interface FinalLoad {
  readonly resources: readonly string[];
  /** `r * nodes + n`: floor(capacity × the smallest overbook ratio), 0 when offline at the end. */
  readonly capacity: Float64Array;
  /** `r * vms + v`: consumption, raised to the preserve floor. */
  readonly demand: Float64Array;
  readonly memoryResource: number;
}

/** Capacities under the capacity-ratio faces (overbook) and demands under the demand-floor faces (preserve). */
function finalLoad(model: Model, constraints: readonly Constraint[], hooks: readonly (PlacementHooks | undefined)[], target: TargetNodes, running: TargetVms): FinalLoad {
  const { nodes, nodeIndex, onlineAtEnd } = target;
  const { vms, vmIndex } = running;
  const N = nodes.length;
  const V = vms.length;
  const resources = [...model.resources.keys()];
  const R = resources.length;
  const ratio = new Map<string, number>();
  /** Final demand floor by `r * V + v` (read for every VM and resource), when some preserve applies. */
  let preserve: Float64Array | undefined;
  constraints.forEach((c, i) => {
    const scaled = hooks[i]?.capacityRatio?.(c);
    if (scaled) {
      const key = `${resources.indexOf(scaled.rc)}:${nodeIndex.get(scaled.node) ?? -1}`;
      ratio.set(key, Math.min(ratio.get(key) ?? Number.POSITIVE_INFINITY, scaled.ratio));
    }
    const floor = hooks[i]?.demandFloor?.(c);
    if (!floor) return;
    const v = vmIndex.get(floor.vm);
    const r = resources.indexOf(floor.rc);
    if (v === undefined || r < 0) return;
    const key = r * V + v;
    preserve ??= new Float64Array(R * V);
    preserve[key] = Math.max(preserve[key] ?? 0, floor.amount);
  });
  const capacity = new Float64Array(R * N);
  const demand = new Float64Array(R * V);
  resources.forEach((rc, r) => {
    const view = model.resources.get(rc);
    if (!view) return;
    for (let n = 0; n < N; n++) {
      if (onlineAtEnd[n] !== 1) continue;
      const k = ratio.size === 0 ? 1 : (ratio.get(`${r}:${n}`) ?? 1);
      capacity[r * N + n] = Math.floor(view.capacity(nodes[n] as NodeId) * k);
    }
    for (let v = 0; v < V; v++) {
      const cons = view.consumption(vms[v] as VmId);
      demand[r * V + v] = preserve === undefined ? Math.max(cons, 0) : Math.max(cons, preserve[r * V + v] ?? 0);
    }
  });
  return { resources, capacity, demand, memoryResource: resources.findIndex(isMemoryResource) };
}

/** Where each running-at-end VM is now, whether it runs there, and the pins the faces set next. */
interface SourcePlacement {
  readonly origin: Int32Array;
  readonly originRunning: Uint8Array;
  /** All 0 here: the placement faces pin VMs (root, quarantine). */
  readonly pinned: Uint8Array;
}

function sourcePlacement(model: Model, target: TargetNodes, running: TargetVms): SourcePlacement {
  const mapping = model.mapping;
  const V = running.vms.length;
  const origin = new Int32Array(V).fill(-1);
  const originRunning = new Uint8Array(V);
  for (let v = 0; v < V; v++) {
    const vm = running.vms[v] as VmId;
    const h = mapping.host(vm);
    if (h !== undefined) origin[v] = target.nodeIndex.get(h) ?? -1;
    if (mapping.isRunning(vm)) originRunning[v] = 1;
  }
  return { origin, originRunning, pinned: new Uint8Array(V) };
}

/**
 * The static domains the faces narrow (ban, fence, among…): a node mask per restricted VM, none
 * for a VM that may go to any online node. A mask shared by several VMs (an among group) is
 * copied before one of them narrows its own.
 */
class StaticDomains {
  /** The masks by VM index, as the problem exposes them. */
  readonly byVm = new Map<number, Uint8Array>();
  /** The same masks in an array (domainAllows is asked millions of times by the searches). */
  readonly table: (Uint8Array | undefined)[];
  private readonly shared = new Set<Uint8Array>();

  constructor(
    private readonly nodeCount: number,
    vmCount: number,
  ) {
    this.table = new Array<Uint8Array | undefined>(vmCount).fill(undefined);
  }

  /** Narrows v's domain to `mask`, which other VMs may share (it is never written to). */
  restrictTo(v: number, mask: Uint8Array): void {
    const d = this.table[v];
    if (!d) {
      this.byVm.set(v, mask);
      this.table[v] = mask;
      this.shared.add(mask);
      return;
    }
    const own = this.shared.has(d) ? new Uint8Array(d) : d;
    for (let n = 0; n < this.nodeCount; n++) if (mask[n] !== 1) own[n] = 0;
    this.byVm.set(v, own);
    this.table[v] = own;
  }

  /** Narrows v's domain to the nodes `allowed` accepts. */
  restrict(v: number, allowed: (n: number) => boolean): void {
    const mask = new Uint8Array(this.nodeCount);
    for (let n = 0; n < this.nodeCount; n++) if (allowed(n)) mask[n] = 1;
    this.restrictTo(v, mask);
    this.shared.delete(mask);
  }
}

/** What the reduction's earlier steps give the placement faces. */
interface Reduced {
  readonly nodes: TargetNodes;
  readonly vms: TargetVms;
  readonly load: FinalLoad;
  readonly source: SourcePlacement;
  readonly domains: StaticDomains;
}

/** The faces' output: the placement rules, those that must hold now (continuous), and the tests to run once every rule is known. */
interface FacedRules {
  readonly rules: readonly PlacementRule[];
  readonly holdsNow: ReadonlySet<PlacementRule>;
  readonly afterRules: readonly (() => string | null)[];
}

/** Each constraint's placement face, in constraint order: rules, domain restrictions, pins and reasons. */
function facePlacementRules(model: Model, constraints: readonly Constraint[], hooks: readonly (PlacementHooks | undefined)[], r: Reduced & { readonly infeasible: string[]; readonly deferMaxOnline: boolean }): FacedRules {
  const rules: PlacementRule[] = [];
  const reduction: ReductionState = {
    model,
    nodes: r.nodes.nodes,
    nodeIndex: r.nodes.nodeIndex,
    vmIndex: r.vms.vmIndex,
    resources: r.load.resources,
    origin: r.source.origin,
    originRunning: r.source.originRunning,
    pinned: r.source.pinned,
    onlineAtEnd: r.nodes.onlineAtEnd,
    deferMaxOnline: r.deferMaxOnline,
    wantedOnline: r.nodes.wantedOnline,
    describe: (c) => describeConstraint(model, c),
    restrict: (v, allowed) => r.domains.restrict(v, allowed),
    rules,
    holdsNow: new Set(),
    infeasible: r.infeasible,
    afterRules: [],
  };
  const groupTables = new GroupTables(r.nodes.nodeIndex);
  constraints.forEach((c, i) => hooks[i]?.place?.(c, new FaceContext(reduction, groupTables, i, c)));
  return { rules, holdsNow: reduction.holdsNow, afterRules: reduction.afterRules };
}

/** The rules each VM, each node, and every node is subject to (indices into `rules`). */
function indexRules(rules: readonly PlacementRule[], V: number, N: number): { vmRules: number[][]; nodeRules: number[][]; everyNodeRules: number[] } {
  const vmRules: number[][] = Array.from({ length: V }, () => []);
  const nodeRules: number[][] = Array.from({ length: N }, () => []);
  const everyNodeRules: number[] = [];
  rules.forEach((rule, i) => {
    if (rule.scope === 'vm') for (const v of rule.members ?? []) vmRules[v]?.push(i);
    else if (rule.members === null) everyNodeRules.push(i);
    else for (const n of rule.members) nodeRules[n]?.push(i);
  });
  return { vmRules, nodeRules, everyNodeRules };
}

/** The problem the searches see, over the steps' tables (domainAllows and moveCost are their hot paths). */
function assembleProblem(
  model: Model,
  constraints: readonly Constraint[],
  objective: PlacementObjective,
  r: Reduced & { readonly rules: readonly PlacementRule[]; readonly infeasible: readonly string[]; readonly ignored: readonly string[] },
): PlacementProblem {
  const { nodes, nodeIndex, onlineAtEnd, quarantined, nodeChanges } = r.nodes;
  const { vms, vmIndex, otherVmChanges } = r.vms;
  const { resources, capacity, demand, memoryResource } = r.load;
  const { origin, originRunning, pinned } = r.source;
  const V = vms.length;
  const domainOf = r.domains.table;
  const memoryPerVm = (v: number): number => (memoryResource >= 0 ? (demand[memoryResource * V + v] ?? 0) : 0);
  return {
    model,
    constraints,
    objective,
    nodes,
    nodeIndex,
    onlineAtEnd,
    quarantined,
    resources,
    capacity,
    vms,
    vmIndex,
    demand,
    origin,
    originRunning,
    pinned,
    rules: r.rules,
    ...indexRules(r.rules, V, nodes.length),
    memoryResource,
    domains: r.domains.byVm,
    domainAllows(v, n) {
      if (onlineAtEnd[n] !== 1) return false;
      if (quarantined[n] === 1 && origin[v] !== n) return false;
      if (pinned[v] === 1 && origin[v] !== n) return false;
      const d = domainOf[v];
      return d === undefined || d[n] === 1;
    },
    moveCost(v, n) {
      if (n < 0 || originRunning[v] !== 1 || origin[v] === n) return 0;
      return objective === 'memory' ? Math.max(1, memoryPerVm(v)) : 1;
    },
    otherVmChanges,
    nodeChanges,
    infeasible: r.infeasible,
    ignored: r.ignored,
  };
}

/**
 * Continuous rules must already hold in the source placement (BtrPlace: no solution otherwise);
 * the reasons for those that do not. A continuous among whose running members share one group
 * keeps them in it (BtrPlace: no group switch): their domains narrow to that group.
 */
function continuousRulesHoldNow(problem: PlacementProblem, holdsNow: ReadonlySet<PlacementRule>, domains: StaticDomains): string[] {
  const { model, vms, origin, originRunning } = problem;
  const N = problem.nodes.length;
  const V = vms.length;
  const reasons: string[] = [];
  const groupTableIds = new Map<Int32Array, number>();
  const groupMasks = new Map<string, Uint8Array>();
  const hosts0 = new Int32Array(V);
  for (let v = 0; v < V; v++) hosts0[v] = originRunning[v] === 1 ? (origin[v] ?? -1) : -1;
  // the placement (and its rule counters) only when some rule does not visibly hold: building it
  // places every VM (30,000 on the TDSC files) for the usual answer "every rule holds"
  let origin0: Placement | undefined;
  for (const rule of problem.rules) {
    if (!holdsNow.has(rule)) continue;
    const among = rule instanceof AmongRule ? amongNow(rule, hosts0) : undefined;
    const holds = among ? among.holds : rule instanceof SpreadRule && spreadHolds(rule.members, hosts0);
    const bad = holds ? [] : rule.repair((origin0 ??= Placement.of(problem, hosts0)));
    if (bad.length > 0) {
      reasons.push(`${describeConstraint(model, rule.source)} is continuous but does not hold in the current placement (${bad.map((v) => model.vmName(vms[v] as VmId)).join(', ')}); write it with '>>' to only require it at the end`);
    }
    const g = among?.group;
    if (!(rule instanceof AmongRule) || g === undefined) continue;
    const table = rule.groupTable;
    const maskKey = `${groupTableIds.get(table) ?? groupTableIds.set(table, groupTableIds.size).size - 1}:${g}`;
    let mask = groupMasks.get(maskKey);
    if (!mask) {
      mask = new Uint8Array(N);
      for (let n = 0; n < N; n++) if (table[n] === g) mask[n] = 1;
      groupMasks.set(maskKey, mask);
    }
    for (const v of rule.members) if (originRunning[v] === 1) domains.restrictTo(v, mask);
  }
  return reasons;
}

/** Spread holds in a placement: its placed members (a VM listed twice counts twice) on distinct hosts. */
function spreadHolds(members: readonly number[], host: Int32Array): boolean {
  if (members.length > 32) {
    const seen = new Set<number>();
    for (const m of members) {
      const h = host[m] ?? -1;
      if (h < 0) continue;
      if (seen.has(h)) return false;
      seen.add(h);
    }
    return true;
  }
  for (let i = 0; i < members.length; i++) {
    const h = host[members[i] as number] ?? -1;
    if (h < 0) continue;
    for (let j = 0; j < i; j++) if (host[members[j] as number] === h) return false;
  }
  return true;
}

/**
 * Among in a placement, as its rule's counters and repair see it: the group its placed members use
 * when there is a single one (`currentGroup`), and whether it holds (every placed member in that
 * one group; nothing to evict).
 */
function amongNow(rule: AmongRule, host: Int32Array): { readonly group: number | undefined; readonly holds: boolean } {
  const table = rule.groupTable;
  let group = -1;
  let several = false;
  let outside = false;
  for (const m of rule.members) {
    const h = host[m] ?? -1;
    if (h < 0) continue;
    const g = table[h] ?? -1;
    if (g < 0) outside = true;
    else if (group < 0) group = g;
    else if (g !== group) several = true;
  }
  return { group: group >= 0 && !several ? group : undefined, holds: !outside && !several };
}

/**
 * The repair: evict what must leave (node going offline, ban, fence), then, where a constraint or
 * an overloaded node leaves a choice, the fewest VMs greedily; and a valid lower bound.
 */
export function initialRepair(problem: PlacementProblem): Repair {
  const forced = forcedMoves(problem);
  const state = Placement.of(problem, forced.hosts);
  const bounds = new NodeBounds();
  // node-local lower bounds first, on the placement before any choice is made
  ruleLowerBounds(problem, state, bounds);
  const queue = new Set<number>(forced.forced);
  evictForRules(problem, state, queue);
  const infeasible = [...forced.infeasible, ...evictForOverloads(problem, state, queue, bounds)];
  return withLowerBounds(problem, forced.forced, bounds, { hosts: new Int32Array(state.host), queue: [...queue], forced: forced.forced, infeasible });
}

/**
 * The VMs that must move whatever the choice: their source host is not in their domain at the
 * end (it goes offline, a ban or fence excludes it, they boot). The start placement keeps every
 * other VM home; a pinned VM that must move is a reason.
 */
function forcedMoves(problem: PlacementProblem): { readonly hosts: Int32Array; readonly forced: number[]; readonly infeasible: string[] } {
  const { vms, origin, pinned, model } = problem;
  const V = vms.length;
  const hosts = new Int32Array(V).fill(-1);
  const forced: number[] = [];
  const infeasible: string[] = [];
  for (let v = 0; v < V; v++) {
    const o = origin[v] ?? -1;
    if (o >= 0 && problem.domainAllows(v, o)) hosts[v] = o;
    else {
      forced.push(v);
      if (pinned[v] === 1) {
        const vm = vms[v] as VmId;
        const node = o >= 0 ? (problem.nodes[o] as NodeId) : undefined;
        const message = `${safeName(model.vmName(vm))} may not move (root or quarantine) but cannot stay on ${node === undefined ? 'its node' : safeName(model.nodeName(node))}`;
        infeasible.push(conflictAbout(problem, [vm], node === undefined ? [] : [node], message));
      }
    }
  }
  return { hosts, forced, infeasible };
}

/**
 * A reason as a conflict line (conflict-line.ts) naming the constraints that involve these VMs
 * or nodes (each entry says which elements it involves): what pins them and what pushes them
 * out are among them, so the console links the reason to their lines. Written as explanations
 * write theirs (`conflictOf`: alike constraints grouped, at most MAX_TERMS terms).
 */
function conflictAbout(problem: PlacementProblem, vms: readonly VmId[], nodes: readonly NodeId[], message: string): string {
  const vmSet = new Set<number>(vms);
  const nodeSet = new Set<number>(nodes);
  const involved = problem.constraints.filter((c, i) => {
    const definition = definitionOf(c.id);
    // arguments the entry refuses were reported already, located
    const read = definition && argsOf(definition, c, `constraints[${i}]`);
    if (!definition || !read || 'error' in read) return false;
    const inv = definition.involved(read.constraint);
    return inv.vms.some((v) => vmSet.has(v)) || inv.nodes.some((n) => nodeSet.has(n));
  });
  return writeConflict(conflictOf(problem.model, involved, null, message));
}

/**
 * Per node, the migrations that must leave it and what they cost at least: the max over the
 * rules and the overload (not their sum, so nothing is counted twice).
 */
class NodeBounds {
  readonly migrations = new Map<number, number>();
  readonly cost = new Map<number, number>();

  raise(n: number, migrations: number, cost: number): void {
    this.migrations.set(n, Math.max(this.migrations.get(n) ?? 0, migrations));
    this.cost.set(n, Math.max(this.cost.get(n) ?? 0, cost));
  }
}

/** A spread or among that visibly holds has no bound and nothing to evict (most of them). */
function visiblyHolds(rule: PlacementRule, state: Placement): boolean {
  return rule instanceof SpreadRule ? spreadHolds(rule.members, state.host) : rule instanceof AmongRule && amongNow(rule, state.host).holds;
}

/** Each broken rule's node-local bound: VMs that must leave a node for it, priced at the cheapest moves. */
function ruleLowerBounds(problem: PlacementProblem, state: Placement, bounds: NodeBounds): void {
  for (const rule of problem.rules) {
    if (rule.lowerBound === undefined || visiblyHolds(rule, state)) continue;
    for (const [n, c] of rule.lowerBound(state)) bounds.raise(n, c, cheapestMoves(problem, state, n, c));
  }
}

/** Each broken rule's own repair: the VMs it chooses leave their hosts and join the queue. */
function evictForRules(problem: PlacementProblem, state: Placement, queue: Set<number>): void {
  for (const rule of problem.rules) {
    if (visiblyHolds(rule, state)) continue;
    for (const v of rule.repair(state)) {
      if (state.host[v] === -1) continue;
      state.unplace(v);
      queue.add(v);
    }
  }
}

/**
 * Overloaded nodes (preserve raising a demand, overbook lowering a capacity, VMs booting): their
 * bound, then the VM with the best relief per cost evicted until the node fits. The reasons for
 * nodes whose VMs may not move.
 */
function evictForOverloads(problem: PlacementProblem, state: Placement, queue: Set<number>, bounds: NodeBounds): string[] {
  const infeasible: string[] = [];
  for (const n of state.overloaded()) {
    const countBound = overloadCountBound(problem, state, n);
    bounds.raise(n, countBound, overloadCostBound(problem, state, n, countBound));
    for (;;) {
      const excess = excessOn(problem, state, n);
      if (excess === undefined) break;
      const victim = bestRelief(problem, state, n, excess);
      if (victim < 0) {
        const node = problem.nodes[n] as NodeId;
        const onIt = [...problem.model.mapping.runningVMs(node)];
        infeasible.push(conflictAbout(problem, onIt, [node], `${safeName(problem.model.nodeName(node))} is over capacity and the VMs on it may not move`));
        break;
      }
      state.unplace(victim);
      queue.add(victim);
    }
  }
  return infeasible;
}

/** n's excess per resource (≤ 0 where it fits), or undefined when it fits on every resource. */
function excessOn(problem: PlacementProblem, state: Placement, n: number): number[] | undefined {
  const excess: number[] = [];
  let over = false;
  for (let r = 0; r < problem.resources.length; r++) {
    const e = -state.free(r, n);
    excess.push(e);
    if (e > 0) over = true;
  }
  return over ? excess : undefined;
}

/** The movable VM on n relieving the most of its excess per cost (ties: the least memory to copy); -1 when none relieves any. */
function bestRelief(problem: PlacementProblem, state: Placement, n: number, excess: readonly number[]): number {
  const R = problem.resources.length;
  let best = -1;
  let bestScore = -1;
  for (const v of state.vmsOn(n)) {
    if (problem.pinned[v] === 1) continue;
    let relief = 0;
    for (let r = 0; r < R; r++) {
      const e = excess[r] ?? 0;
      if (e > 0) relief += Math.min(state.demand(v, r), e) / e;
    }
    const mem = problem.memoryResource >= 0 ? state.demand(v, problem.memoryResource) / Math.max(1, problem.capacity[problem.memoryResource * problem.nodes.length + n] ?? 1) : 0;
    const score = relief / Math.max(1e-9, problem.moveCost(v, otherNode(problem, v)) || 1) - 1e-3 * mem;
    if (score > bestScore) {
      bestScore = score;
      best = v;
    }
  }
  return bestScore > 0 ? best : -1;
}

/**
 * The repair's lower bounds: the forced live migrations plus the node-local bounds; for the
 * memory objective, the forced moves' cost plus the node-local costs.
 */
function withLowerBounds(problem: PlacementProblem, forced: readonly number[], bounds: NodeBounds, repair: Omit<Repair, 'lowerBound' | 'migrationsLowerBound' | 'nodeLowerBounds'>): Repair {
  let migrationsLb = forced.filter((v) => problem.originRunning[v] === 1).length;
  for (const c of bounds.migrations.values()) migrationsLb += c;
  let lowerBound = migrationsLb;
  if (problem.objective === 'memory') {
    lowerBound = 0;
    for (const v of forced) lowerBound += problem.moveCost(v, otherNode(problem, v));
    for (const c of bounds.cost.values()) lowerBound += c;
  }
  const nodeLowerBounds = new Map<number, { migrations: number; cost: number }>();
  for (const [n, c] of bounds.migrations) nodeLowerBounds.set(n, { migrations: c, cost: problem.objective === 'memory' ? (bounds.cost.get(n) ?? 0) : c });
  return { ...repair, lowerBound, migrationsLowerBound: migrationsLb, nodeLowerBounds };
}

/** Any node other than v's origin, to price a move. */
function otherNode(problem: PlacementProblem, v: number): number {
  const o = problem.origin[v] ?? -1;
  return o === 0 ? 1 : 0;
}

/** Sum of the `count` cheapest moves among the movable VMs on n. */
function cheapestMoves(problem: PlacementProblem, state: Placement, n: number, count: number): number {
  const costs = [...state.vmsOn(n)].filter((v) => problem.pinned[v] !== 1).map((v) => problem.moveCost(v, otherNode(problem, v)));
  costs.sort((a, b) => a - b);
  return costs.slice(0, count).reduce((s, c) => s + c, 0);
}

/** Fewest VMs whose departure can fix n's overload, per resource, max over resources. */
function overloadCountBound(problem: PlacementProblem, state: Placement, n: number): number {
  let bound = 0;
  for (let r = 0; r < problem.resources.length; r++) {
    const excess = -state.free(r, n);
    if (excess <= 0) continue;
    const sizes = [...state.vmsOn(n)].filter((v) => problem.pinned[v] !== 1).map((v) => state.demand(v, r));
    sizes.sort((a, b) => b - a);
    let freed = 0;
    let k = 0;
    while (freed < excess && k < sizes.length) freed += sizes[k++] ?? 0;
    bound = Math.max(bound, k);
  }
  return bound;
}

/** For the memory objective: at least the memory excess, and at least `count` cheapest moves. */
function overloadCostBound(problem: PlacementProblem, state: Placement, n: number, count: number): number {
  const mr = problem.memoryResource;
  const memExcess = mr >= 0 ? Math.max(0, -state.free(mr, n)) : 0;
  return Math.max(memExcess, cheapestMoves(problem, state, n, count));
}
