import type { Constraint } from '../catalogue/constraint.js';
import type { Instance } from '../instance/instance.js';
import { type Model, type NodeId, type NodeState, type VmId, type VmState, isVmTransitionAllowed } from '../model/index.js';
import { AmongRule, type PlacementRule, SpreadRule } from './placement/rules.js';
import { FaceContext, GroupTables, type ReductionState } from './placement/face-context.js';
import { type AnyFaces, SCHEDULE_ONLY_IDS, facesOf, hooksOf } from './faces.js';
import { definitionOf } from '../catalogue/registry.js';
import { Placement } from './placement/state.js';
import { safeName, summariseNames } from '../text/safe.js';

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
function placementHooks(constraints: readonly Constraint[], infeasible: string[], ignored: Set<string>): (PlacementHooks | undefined)[] {
  return constraints.map((c, i) => {
    const faced = facesOf(c, `constraints[${i}]`);
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

/** Builds the placement problem of an instance plus extra (script) constraints. */
export function reduce(instance: Instance, options: ReduceOptions = {}): PlacementProblem {
  const model = instance.model;
  const mapping = model.mapping;
  const constraints = [...instance.constraints, ...(options.extraConstraints ?? [])];
  const objective = options.objective ?? 'migrations';
  const infeasible: string[] = [];
  const ignored = new Set<string>();
  const vmName = (id: VmId): string => model.vmName(id);
  const nodeName = (id: NodeId): string => model.nodeName(id);

  // ---- nodes -------------------------------------------------------------------------------
  const nodes = [...mapping.nodes()];
  const nodeIndex = new Map(nodes.map((n, i) => [n, i]));
  const N = nodes.length;
  const wantedNodeState = new Map<NodeId, { state: NodeState; by: number }>();
  const quarantinedIds = new Set<NodeId>();
  const hooks = placementHooks(constraints, infeasible, ignored);
  constraints.forEach((c, i) => {
    const wanted = hooks[i]?.nodeState?.(c);
    if (!wanted) return;
    const node = wanted.node;
    if (!nodeIndex.has(node)) {
      infeasible.push(`${describeConstraint(model, c)} names ${nodeName(node)}, which is not in the model`);
      return;
    }
    if (wanted.state === 'quarantined') {
      quarantinedIds.add(node);
      return;
    }
    const state: NodeState = wanted.state;
    const prev = wantedNodeState.get(node);
    if (prev && prev.state !== state) {
      infeasible.push(`${describeConstraint(model, constraints[prev.by] as Constraint)} and ${describeConstraint(model, c)} contradict each other`);
    }
    wantedNodeState.set(node, { state, by: i });
  });
  const onlineAtEnd = new Uint8Array(N);
  const quarantined = new Uint8Array(N);
  const nodeChanges = new Map<NodeId, NodeState>();
  nodes.forEach((n, i) => {
    const now: NodeState = mapping.isOnline(n) ? 'online' : 'offline';
    const end = wantedNodeState.get(n)?.state ?? now;
    onlineAtEnd[i] = end === 'online' ? 1 : 0;
    if (end !== now) nodeChanges.set(n, end);
    if (quarantinedIds.has(n)) quarantined[i] = 1;
  });

  // ---- VM target states --------------------------------------------------------------------
  const wantedVmState = new Map<VmId, { state: VmState; by: number }>();
  constraints.forEach((c, i) => {
    const wanted = hooks[i]?.vmState?.(c);
    if (!wanted) return;
    const { vm, state } = wanted;
    const prev = wantedVmState.get(vm);
    if (prev && prev.state !== state) {
      infeasible.push(`${describeConstraint(model, constraints[prev.by] as Constraint)} and ${describeConstraint(model, c)} contradict each other`);
    }
    wantedVmState.set(vm, { state, by: i });
  });
  const runningAtEnd: VmId[] = [];
  const otherVmChanges = new Map<VmId, { state: VmState; host: NodeId | null }>();
  // the mapping's VMs, then those only a state constraint names (INIT VMs to boot, say)
  let allVms: Iterable<VmId> = mapping.vms();
  for (const vm of wantedVmState.keys()) {
    if (mapping.hasVM(vm)) continue;
    allVms = new Set<VmId>([...mapping.vms(), ...wantedVmState.keys()]);
    break;
  }
  for (const vm of allVms) {
    const now = model.vmState(vm);
    const end = wantedVmState.get(vm)?.state ?? now;
    if (!isVmTransitionAllowed(now, end)) {
      infeasible.push(`${vmName(vm)} cannot go from ${now} to ${end} (${describeConstraint(model, constraints[wantedVmState.get(vm)?.by ?? 0] as Constraint)})`);
      continue;
    }
    if (end === 'running') runningAtEnd.push(vm);
    else if (end !== now) otherVmChanges.set(vm, { state: end, host: end === 'sleeping' ? (mapping.host(vm) ?? null) : null });
    if (end === 'sleeping') {
      const h = mapping.host(vm);
      if (h !== undefined && onlineAtEnd[nodeIndex.get(h) ?? -1] !== 1) {
        infeasible.push(`${vmName(vm)} sleeps on ${nodeName(h)}, which goes offline: a sleeping VM cannot be migrated`);
      }
    }
  }
  const vms = runningAtEnd;
  const V = vms.length;
  const vmIndex = new Map<VmId, number>();
  for (let v = 0; v < V; v++) vmIndex.set(vms[v] as VmId, v);

  // ---- resources ---------------------------------------------------------------------------
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
  const memoryResource = resources.findIndex(isMemoryResource);

  // ---- origin, pins, domains ---------------------------------------------------------------
  const origin = new Int32Array(V).fill(-1);
  const originRunning = new Uint8Array(V);
  for (let v = 0; v < V; v++) {
    const h = mapping.host(vms[v] as VmId);
    if (h !== undefined) origin[v] = nodeIndex.get(h) ?? -1;
    if (mapping.isRunning(vms[v] as VmId)) originRunning[v] = 1;
  }
  const pinned = new Uint8Array(V);
  const domains = new Map<number, Uint8Array>();
  /** `domains` by VM index, for domainAllows (asked millions of times by the searches). */
  const domainOf: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(V).fill(undefined);
  // masks shared by several VMs (an among group) are copied before a VM narrows its own
  const shared = new Set<Uint8Array>();
  const restrictWith = (v: number, mask: Uint8Array): void => {
    const d = domainOf[v];
    if (!d) {
      domains.set(v, mask);
      domainOf[v] = mask;
      shared.add(mask);
      return;
    }
    const own = shared.has(d) ? new Uint8Array(d) : d;
    for (let n = 0; n < N; n++) if (mask[n] !== 1) own[n] = 0;
    domains.set(v, own);
    domainOf[v] = own;
  };
  const restrict = (v: number, allowed: (n: number) => boolean): void => {
    const mask = new Uint8Array(N);
    for (let n = 0; n < N; n++) if (allowed(n)) mask[n] = 1;
    restrictWith(v, mask);
    shared.delete(mask);
  };

  // ---- rules: each constraint's placement face ------------------------------------------
  const rules: PlacementRule[] = [];
  const reduction: ReductionState = {
    model,
    nodes,
    nodeIndex,
    vmIndex,
    resources,
    origin,
    originRunning,
    pinned,
    onlineAtEnd,
    deferMaxOnline: options.deferMaxOnline === true,
    wantedOnline: (node) => wantedNodeState.get(node)?.state === 'online',
    describe: (c) => describeConstraint(model, c),
    restrict,
    rules,
    holdsNow: new Set(),
    infeasible,
    afterRules: [],
  };
  const groupTables = new GroupTables(nodeIndex);
  constraints.forEach((c, i) => hooks[i]?.place?.(c, new FaceContext(reduction, groupTables, i, c)));
  // continuous among: a group already in use stays the group (BtrPlace: no group switch)
  const vmRules: number[][] = Array.from({ length: V }, () => []);
  const nodeRules: number[][] = Array.from({ length: N }, () => []);
  const everyNodeRules: number[] = [];
  rules.forEach((rule, i) => {
    if (rule.scope === 'vm') for (const v of rule.members ?? []) vmRules[v]?.push(i);
    else if (rule.members === null) everyNodeRules.push(i);
    else for (const n of rule.members) nodeRules[n]?.push(i);
  });

  const memoryPerVm = (v: number): number => (memoryResource >= 0 ? (demand[memoryResource * V + v] ?? 0) : 0);
  const problem: PlacementProblem = {
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
    rules,
    vmRules,
    nodeRules,
    everyNodeRules,
    memoryResource,
    domains,
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
    infeasible,
    ignored: [...ignored],
  };

  // continuous constraints that do not hold now cannot be planned (BtrPlace: no solution)
  const groupTableIds = new Map<Int32Array, number>();
  const groupMasks = new Map<string, Uint8Array>();
  const hosts0 = new Int32Array(V);
  for (let v = 0; v < V; v++) hosts0[v] = originRunning[v] === 1 ? (origin[v] ?? -1) : -1;
  // the placement (and its rule counters) only when some rule does not visibly hold: building it
  // places every VM (30,000 on the TDSC files) for the usual answer "every rule holds"
  let origin0: Placement | undefined;
  rules.forEach((rule) => {
    if (!reduction.holdsNow.has(rule)) return;
    const among = rule instanceof AmongRule ? amongNow(rule, hosts0) : undefined;
    const holds = among ? among.holds : rule instanceof SpreadRule && spreadHolds(rule.members, hosts0);
    const bad = holds ? [] : rule.repair((origin0 ??= Placement.of(problem, hosts0)));
    if (bad.length > 0) {
      infeasible.push(`${describeConstraint(model, rule.source)} is continuous but does not hold in the current placement (${bad.map((v) => vmName(vms[v] as VmId)).join(', ')}); write it with '>>' to only require it at the end`);
    }
    if (rule instanceof AmongRule) {
      const g = among?.group;
      if (g !== undefined) {
        const table = rule.groupTable;
        const maskKey = `${groupTableIds.get(table) ?? groupTableIds.set(table, groupTableIds.size).size - 1}:${g}`;
        let mask = groupMasks.get(maskKey);
        if (!mask) {
          mask = new Uint8Array(N);
          for (let n = 0; n < N; n++) if (table[n] === g) mask[n] = 1;
          groupMasks.set(maskKey, mask);
        }
        for (const v of rule.members) if (originRunning[v] === 1) restrictWith(v, mask);
      }
    }
  });
  for (const test of reduction.afterRules) {
    const reason = test();
    if (reason !== null) infeasible.push(reason);
  }
  return problem;
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
  const { vms, origin, originRunning, pinned, model } = problem;
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
        infeasible.push(`${model.vmName(vms[v] as VmId)} may not move (root or quarantine) but cannot stay on ${o >= 0 ? model.nodeName(problem.nodes[o] as NodeId) : 'its node'}`);
      }
    }
  }
  const state = Placement.of(problem, hosts);
  let migrationsLb = forced.filter((v) => originRunning[v] === 1).length;
  let lowerBound = 0;
  for (const v of forced) lowerBound += problem.moveCost(v, otherNode(problem, v));

  // node-local lower bounds (max over the rules and the overload, so nothing is counted twice)
  const nodeLb = new Map<number, number>();
  const nodeLbCost = new Map<number, number>();
  // a spread or among that visibly holds has no bound and nothing to evict (most of them)
  const holds = (rule: PlacementRule): boolean => (rule instanceof SpreadRule ? spreadHolds(rule.members, state.host) : rule instanceof AmongRule && amongNow(rule, state.host).holds);
  for (const rule of problem.rules) {
    if (rule.lowerBound === undefined || holds(rule)) continue;
    const lb = rule.lowerBound(state);
    for (const [n, c] of lb) {
      nodeLb.set(n, Math.max(nodeLb.get(n) ?? 0, c));
      const cheapest = cheapestMoves(problem, state, n, c);
      nodeLbCost.set(n, Math.max(nodeLbCost.get(n) ?? 0, cheapest));
    }
  }

  const queue = new Set<number>(forced);
  for (const rule of problem.rules) {
    if (holds(rule)) continue;
    for (const v of rule.repair(state)) {
      if (state.host[v] === -1) continue;
      state.unplace(v);
      queue.add(v);
    }
  }
  // overloads (preserve raising a demand, overbook lowering a capacity, VMs booting)
  const R = problem.resources.length;
  for (const n of state.overloaded()) {
    const countBound = overloadCountBound(problem, state, n);
    nodeLb.set(n, Math.max(nodeLb.get(n) ?? 0, countBound));
    nodeLbCost.set(n, Math.max(nodeLbCost.get(n) ?? 0, overloadCostBound(problem, state, n, countBound)));
    // evict the VM with the best relief per cost until the node fits
    for (;;) {
      const excess: number[] = [];
      let over = false;
      for (let r = 0; r < R; r++) {
        const e = -state.free(r, n);
        excess.push(e);
        if (e > 0) over = true;
      }
      if (!over) break;
      let best = -1;
      let bestScore = -1;
      for (const v of state.vmsOn(n)) {
        if (pinned[v] === 1) continue;
        let relief = 0;
        for (let r = 0; r < R; r++) {
          const e = excess[r] ?? 0;
          if (e > 0) relief += Math.min(state.demand(v, r), e) / e;
        }
        // ties go to the VM with the least memory to copy
        const mem = problem.memoryResource >= 0 ? state.demand(v, problem.memoryResource) / Math.max(1, problem.capacity[problem.memoryResource * problem.nodes.length + n] ?? 1) : 0;
        const score = relief / Math.max(1e-9, problem.moveCost(v, otherNode(problem, v)) || 1) - 1e-3 * mem;
        if (score > bestScore) {
          bestScore = score;
          best = v;
        }
      }
      if (best < 0 || bestScore <= 0) {
        infeasible.push(`${model.nodeName(problem.nodes[n] as NodeId)} is over capacity and the VMs on it may not move`);
        break;
      }
      state.unplace(best);
      queue.add(best);
    }
  }
  for (const c of nodeLb.values()) migrationsLb += c;
  if (problem.objective === 'memory') for (const c of nodeLbCost.values()) lowerBound += c;
  else lowerBound = migrationsLb;

  const startHosts = new Int32Array(state.host);
  const nodeLowerBounds = new Map<number, { migrations: number; cost: number }>();
  for (const [n, c] of nodeLb) nodeLowerBounds.set(n, { migrations: c, cost: problem.objective === 'memory' ? (nodeLbCost.get(n) ?? 0) : c });
  return { hosts: startHosts, queue: [...queue], forced, lowerBound, migrationsLowerBound: migrationsLb, nodeLowerBounds, infeasible };
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

/**
 * `spread(VM2, VM3)`-like text for a constraint, with element names (through safeName: they come
 * from the instance) and sets summarised (`{VM[1..500]}`): explanations quote it.
 */
export function describeConstraint(model: Model, c: Constraint): string {
  const a = c.args;
  const vm = (id: unknown): string => (typeof id === 'number' ? safeName(model.vmName(id)) : String(id));
  const node = (id: unknown): string => (typeof id === 'number' ? safeName(model.nodeName(id)) : String(id));
  const list = (xs: unknown, f: (x: unknown) => string): string => (Array.isArray(xs) ? `{${summariseNames(xs.map(f), 8)}}` : '?');
  const args: string[] = [];
  const definition = definitionOf(c.id);
  // the entry's declared parameter kinds say whether a list of parts holds nodes or VMs
  const kindOf = (key: string): string | undefined => definition?.script.params.find((p) => p.name === key)?.kind;
  for (const [k, v] of Object.entries(a)) {
    if (k === 'continuous') continue;
    if (k === 'vm' || k === 'vm1' || k === 'vm2') args.push(vm(v));
    else if (k === 'node') args.push(node(v));
    else if (k === 'vms') args.push(list(v, vm));
    else if (k === 'nodes') args.push(list(v, node));
    else if (k === 'parts' || k === 'vParts' || k === 'pParts') {
      const f = k === 'pParts' || kindOf(k) === 'nodeParts' ? node : vm;
      args.push(Array.isArray(v) ? `{${v.map((p) => list(p, f)).join(', ')}}` : '?');
    } else args.push(typeof v === 'string' ? `'${v}'` : String(v));
  }
  // `>>` marks the discrete mode of a constraint that has both (as the script form prints it)
  const modes = definition?.modes;
  const prefix = !c.continuous && modes?.continuous === true && modes.discrete ? '>>' : '';
  return `${prefix}${c.id}(${args.join(', ')})`;
}
