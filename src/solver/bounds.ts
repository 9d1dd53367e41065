import type { Constraint } from '../catalogue/constraint.js';
import type { NodeId, VmId } from '../model/index.js';
import type { Plan } from '../plan/plan.js';
import { type AnyFaces, facesOf, hooksOf } from './faces.js';
import { describeConstraint } from '../catalogue/describe.js';
import type { PlacementProblem } from './problem.js';
import { describeConstraintSet } from './explain-text.js';
import { SpreadRule } from './placement/rules.js';
import type { Target } from './target.js';
import { formatMemory } from '../text/memory.js';
import { safeName } from '../text/safe.js';

/**
 * Fast infeasibility tests (milliseconds, before any search) and helpers on final placements:
 * resource totals, VMs with nowhere to go, spread sets with too few allowed hosts.
 */

export interface InfeasibilityReason {
  readonly message: string;
  /** Indices of the constraints the argument uses (into problem.constraints). */
  readonly constraints: readonly number[];
  readonly vms: readonly VmId[];
  /** Which test failed: resource totals, one VM without a host, a spread without enough hosts. */
  readonly kind?: 'totals' | 'nowhere' | 'spread';
}

/** Names for up to `max` elements, then "and k more". */
export function nameList(names: readonly string[], max = 6): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

type BoundsHooks = Exclude<AnyFaces['bounds'], { readonly none: string }>;

/** Each constraint's bounds face (undefined: `none`, unknown id or bad arguments), by index. */
function boundsHooks(problem: PlacementProblem): (BoundsHooks | undefined)[] {
  return problem.constraints.map((c, i) => {
    const faced = facesOf(c, `constraints[${i}]`);
    return faced === undefined || 'error' in faced ? undefined : hooksOf(faced.faces.bounds);
  });
}

/** Constraints that change node states (offline/online), by index. */
function nodeStateConstraints(hooks: readonly (BoundsHooks | undefined)[]): number[] {
  const out: number[] = [];
  hooks.forEach((h, i) => {
    if (h?.changesNodeState === true) out.push(i);
  });
  return out;
}

/** Constraints a "not enough rc in total" argument cites: node states first, then demands. */
function totalsConstraints(problem: PlacementProblem, hooks: readonly (BoundsHooks | undefined)[], rc: string): number[] {
  const cited = problem.constraints.map((_, i) => i).filter((i) => hooks[i]?.totals?.(problem.constraints[i] as Constraint, rc) === true);
  const first = cited.filter((i) => hooks[i]?.changesNodeState === true);
  return [...first, ...cited.filter((i) => hooks[i]?.changesNodeState !== true)];
}

export function quickInfeasibility(problem: PlacementProblem): InfeasibilityReason[] {
  const reasons: InfeasibilityReason[] = [];
  const { model, nodes, vms, resources, capacity, demand } = problem;
  const N = nodes.length;
  const V = vms.length;
  const online = nodes.filter((_, n) => problem.onlineAtEnd[n] === 1);
  const onlineNames = online.map((n) => safeName(model.nodeName(n)));
  const hooks = boundsHooks(problem);

  // 1. totals per resource
  resources.forEach((rc, r) => {
    let need = 0;
    let offer = 0;
    for (let v = 0; v < V; v++) need += demand[r * V + v] ?? 0;
    for (let n = 0; n < N; n++) offer += capacity[r * N + n] ?? 0;
    if (need > offer) {
      const used = totalsConstraints(problem, hooks, rc);
      const because = used.length > 0 ? ` (${describeConstraintSet(model, used.map((i) => problem.constraints[i] as Constraint)).join(', ')})` : '';
      reasons.push({
        message: `not enough ${rc}: the running VMs need ${amountOf(problem, r, need)} in total but the ${online.length} node(s) online at the end (${nameList(onlineNames)}) offer ${amountOf(problem, r, offer)}${because}`,
        constraints: used,
        vms: [],
        kind: 'totals',
      });
    }
  });
  if (reasons.length > 0) return reasons;

  // 2. every VM needs one allowed node big enough for it (pinned VMs' load counted)
  const pinnedLoad = new Float64Array(resources.length * N);
  for (let v = 0; v < V; v++) {
    if (problem.pinned[v] !== 1) continue;
    const o = problem.origin[v] ?? -1;
    if (o >= 0) for (let r = 0; r < resources.length; r++) pinnedLoad[r * N + o] = (pinnedLoad[r * N + o] ?? 0) + (demand[r * V + v] ?? 0);
  }
  const fitsAlone = (v: number, n: number): boolean => {
    for (let r = 0; r < resources.length; r++) {
      const room = (capacity[r * N + n] ?? 0) - (problem.pinned[v] === 1 ? 0 : (pinnedLoad[r * N + n] ?? 0));
      if ((demand[r * V + v] ?? 0) > room) return false;
    }
    return true;
  };
  const hasHost = (v: number): boolean => {
    const o = problem.origin[v] ?? -1;
    if (o >= 0 && problem.domainAllows(v, o) && fitsAlone(v, o)) return true;
    for (let n = 0; n < N; n++) if (problem.domainAllows(v, n) && fitsAlone(v, n)) return true;
    return false;
  };
  for (let v = 0; v < V; v++) {
    if (hasHost(v)) continue;
    const vm = vms[v] as VmId;
    const used = new Set<number>(nodeStateConstraints(hooks));
    problem.constraints.forEach((c, i) => {
      if (hooks[i]?.nowhere?.(c, vm) === true) used.add(i);
    });
    reasons.push({
      message: `${safeName(model.vmName(vm))} has nowhere to go: no node online at the end is both allowed and large enough for it (${describeDemand(problem, v)})`,
      constraints: [...used],
      vms: [vm],
      kind: 'nowhere',
    });
  }
  if (reasons.length > 0) return reasons;

  // 3. a spread over k VMs needs k distinct allowed hosts
  problem.rules.forEach((rule) => {
    if (!(rule instanceof SpreadRule)) return;
    const union = new Set<number>();
    const k = rule.members.length;
    for (const v of rule.members) {
      const o = problem.origin[v] ?? -1;
      if (o >= 0 && problem.domainAllows(v, o) && fitsAlone(v, o)) union.add(o);
    }
    for (const v of rule.members) {
      if (union.size >= k) break;
      for (let n = 0; n < N && union.size < k; n++) if (!union.has(n) && problem.domainAllows(v, n) && fitsAlone(v, n)) union.add(n);
    }
    if (union.size < k) {
      reasons.push({
        message: `${describeConstraint(model, rule.source)} needs ${rule.members.length} distinct hosts but only ${union.size} allowed node(s) can take these VMs`,
        constraints: [rule.constraintIndex, ...nodeStateConstraints(hooks)],
        vms: rule.members.map((v) => vms[v] as VmId),
        kind: 'spread',
      });
    }
  });
  return reasons;
}

/** `cpu 4, mem 16.0 GiB`: what VM `v` needs of each resource. */
export function describeDemand(problem: PlacementProblem, v: number): string {
  const V = problem.vms.length;
  return problem.resources.map((rc, r) => `${rc} ${amountOf(problem, r, problem.demand[r * V + v] ?? 0)}`).join(', ');
}

/** An amount of resource `r` in operator words: memory (MiB by convention) in GiB or TiB, others as numbers. */
export function amountOf(problem: Pick<PlacementProblem, 'memoryResource'>, r: number, amount: number): string {
  return r === problem.memoryResource ? formatMemory(amount) : String(amount);
}

/** The memory a migration of `vm` moves (the memory resource's unit, MiB by convention). */
function memoryOfVm(problem: PlacementProblem): (vm: VmId) => number {
  const mr = problem.memoryResource;
  const view = mr >= 0 ? problem.model.resources.get(problem.resources[mr] as string) : undefined;
  // without a memory view, the 'memUsed' attribute (MiB) BtrPlace's network model reads, as the exact model does
  return (vm) => (view ? view.consumption(vm) : (problem.model.attributes.getNumber('vm', vm, 'memUsed') ?? 0));
}

/** Memory moved by the migrations of a plan: every hop counts, a bounce through a third node included. */
export function planMemoryMoved(problem: PlacementProblem, plan: Plan): number {
  const memoryOf = memoryOfVm(problem);
  let total = 0;
  for (const a of plan.actions) if (a.kind === 'migrateVM') total += memoryOf(a.vm);
  return total;
}

/** The live migrations of a plan (a bounce is two). */
export function planMigrations(plan: Plan): number {
  let n = 0;
  for (const a of plan.actions) if (a.kind === 'migrateVM') n++;
  return n;
}

/** Memory moved (in the memory resource's unit, MiB by convention) by the migrations of `hosts`. */
export function memoryMoved(problem: PlacementProblem, hosts: Int32Array): number {
  const memoryOf = memoryOfVm(problem);
  const V = problem.vms.length;
  let total = 0;
  for (let v = 0; v < V; v++) {
    const h = hosts[v] ?? -1;
    if (h >= 0 && problem.originRunning[v] === 1 && problem.origin[v] !== h) total += memoryOf(problem.vms[v] as VmId);
  }
  return total;
}

/** The target configuration of a complete placement. */
export function buildTarget(problem: PlacementProblem, hosts: Int32Array): Target {
  const vmsOut = new Map<VmId, { state: 'init' | 'ready' | 'running' | 'sleeping' | 'killed'; host: NodeId | null }>();
  const consumption = new Map<VmId, Map<string, number>>();
  const V = problem.vms.length;
  const mapping = problem.model.mapping;
  for (let v = 0; v < V; v++) {
    const vm = problem.vms[v] as VmId;
    const h = hosts[v] ?? -1;
    if (h < 0) throw new Error(`internal: ${problem.model.vmName(vm)} has no host in the placement`);
    const node = problem.nodes[h] as NodeId;
    if (!mapping.isRunning(vm) || mapping.host(vm) !== node) vmsOut.set(vm, { state: 'running', host: node });
    problem.resources.forEach((rc, r) => {
      const view = problem.model.resources.get(rc);
      const want = problem.demand[r * V + v] ?? 0;
      if (view && view.consumption(vm) !== want) {
        let m = consumption.get(vm);
        if (!m) consumption.set(vm, (m = new Map()));
        m.set(rc, want);
      }
    });
  }
  for (const [vm, change] of problem.otherVmChanges) vmsOut.set(vm, change);
  return { vms: vmsOut, nodes: new Map(problem.nodeChanges), consumption };
}
