import type { Constraint } from '../catalogue/constraint.js';
import type { Instance } from '../instance/instance.js';
import type { NodeId, VmId } from '../model/index.js';
import { type InfeasibilityReason, describeDemand, nameList, quickInfeasibility } from './bounds.js';
import { branchAndBound } from './placement/branch-and-bound.js';
import { ejectionChains } from './placement/ejection.js';
import { decidePower, withAllBoots } from './power.js';
import { boundLines, describeConstraintSet } from './explain-text.js';
import { type PlacementObjective, type PlacementProblem, SCHEDULE_ONLY_IDS, initialRepair } from './problem.js';

/**
 * Infeasibility in operator terms: a small set of constraints that cannot hold together, found by
 * deletion filtering (drop a constraint; if the rest is still infeasible it was not needed) over
 * fast feasibility tests (bounds, ejection chains, exhaustive search on small instances), plus
 * the capacity of the nodes left and the VM that has nowhere to go. The tests decide node power
 * as the planner does (power.ts: shutdowns for maxOnline, boots when capacity is short), so a
 * constraint that only keeps a spare node off is part of the explanation, not the capacity.
 */

export type Feasibility = 'feasible' | 'infeasible' | 'unknown';

export interface FeasibilityVerdict {
  readonly verdict: Feasibility;
  /** Why, when infeasible: bound arguments, or the VMs left without a host. */
  readonly reasons: readonly InfeasibilityReason[];
  readonly stuck: readonly VmId[];
}

/**
 * Is there a placement for the instance with these constraints (the placement part only), with
 * the node states the power pass chooses, or with every node that may boot booted?
 */
export function placementFeasibility(instance: Instance, constraints: readonly Constraint[], objective: PlacementObjective, effort = 50_000): FeasibilityVerdict {
  const scoped: Instance = { ...instance, constraints };
  const power = decidePower(scoped, [], objective);
  if (power.infeasible.length > 0) return { verdict: 'infeasible', reasons: power.infeasible.map((message) => ({ message, constraints: [], vms: [] })), stuck: [] };
  const first = feasibilityOf(power.problem, effort);
  if (first.verdict === 'feasible') return first;
  // more capacity never hurts the placement: if booting every spare does not help, nothing will
  const all = withAllBoots(scoped, power, objective);
  if (!all) return first;
  const boosted = feasibilityOf(all.problem, effort);
  return boosted.verdict === 'infeasible' ? { ...boosted, stuck: boosted.stuck.length > 0 ? boosted.stuck : first.stuck } : boosted.verdict === 'feasible' ? boosted : first;
}

function feasibilityOf(problem: PlacementProblem, effort: number): FeasibilityVerdict {
  if (problem.infeasible.length > 0) return { verdict: 'infeasible', reasons: problem.infeasible.map((message) => ({ message, constraints: [], vms: [] })), stuck: [] };
  const repair = initialRepair(problem);
  if (repair.infeasible.length > 0) return { verdict: 'infeasible', reasons: repair.infeasible.map((message) => ({ message, constraints: [], vms: [] })), stuck: [] };
  const forcedIds = new Set(repair.forced.map((v) => problem.vms[v] as VmId));
  const quick = quickInfeasibility(problem);
  if (quick.length > 0) {
    const named = quick.flatMap((r) => r.vms);
    const forcedNamed = named.filter((v) => forcedIds.has(v));
    return { verdict: 'infeasible', reasons: quick, stuck: forcedNamed.length > 0 ? forcedNamed : named };
  }
  const found = ejectionChains(problem, repair, { restarts: 4 });
  if (found.unplaced.length === 0) return { verdict: 'feasible', reasons: [], stuck: [] };
  // name the VMs that had to move in the first place; the others were only evicted on the way
  const forced = new Set(repair.forced);
  const forcedStuck = found.unplaced.filter((v) => forced.has(v));
  const stuck = (forcedStuck.length > 0 ? forcedStuck : found.unplaced).map((v) => problem.vms[v] as VmId);
  const exhaustive = exhaustiveFeasibility(problem, repair.hosts, repair.queue, effort);
  if (exhaustive === 'feasible') return { verdict: 'feasible', reasons: [], stuck: [] };
  return { verdict: exhaustive, reasons: [], stuck };
}

/**
 * Exhaustive search over the queued VMs plus every movable VM on the nodes (small instances only):
 * 'infeasible' is a proof.
 */
export function exhaustiveFeasibility(problem: PlacementProblem, hosts: Int32Array, queue: readonly number[], effort: number): Feasibility {
  return exhaustivePlacement(problem, hosts, queue, effort).verdict;
}

/** exhaustiveFeasibility, with the placement it found (every VM placed) when feasible. */
export function exhaustivePlacement(problem: PlacementProblem, hosts: Int32Array, queue: readonly number[], effort: number): { readonly verdict: Feasibility; readonly hosts?: Int32Array } {
  const V = problem.vms.length;
  const N = problem.nodes.length;
  const free = new Set(queue);
  for (let v = 0; v < V; v++) if (problem.pinned[v] !== 1) free.add(v);
  if (free.size > 24 || N > 16) return { verdict: 'unknown' };
  const all = Array.from({ length: N }, (_, n) => n);
  const result = branchAndBound(problem, hosts, [...free], () => all, { nodeLimit: effort });
  if (result.hosts) return { verdict: 'feasible', hosts: result.hosts };
  return { verdict: result.complete ? 'infeasible' : 'unknown' };
}

/**
 * The explanation lines: `offline(@N4) + spread({VM2, VM3}) + capacity of N1, N2, N3: VM3 has
 * nowhere to go`, first the minimal conflicting set, then the supporting facts.
 */
export function explainInfeasibility(instance: Instance, extra: readonly Constraint[], objective: PlacementObjective, problem: PlacementProblem, known: readonly InfeasibilityReason[] = []): string[] {
  const model = instance.model;
  const all = [...instance.constraints, ...extra];
  const lines: string[] = [];
  const onlineNames = problem.nodes.filter((_, n) => problem.onlineAtEnd[n] === 1).map((n) => model.nodeName(n));
  const capacityText = `capacity of ${onlineNames.length === 0 ? 'no node' : nameList(onlineNames, 8)}`;

  const relaxable = all.map((c, i) => ({ c, i })).filter(({ c }) => !SCHEDULE_ONLY_IDS.has(c.id));
  let core: { c: Constraint; i: number }[] | undefined;
  let stuck: readonly VmId[] = [];
  if (relaxable.length <= 40) {
    const base = placementFeasibility(instance, all, objective);
    if (base.verdict === 'infeasible') {
      stuck = base.stuck;
      // deletion filtering: what remains is a minimal set for the tests we can run
      let keep = relaxable;
      for (const candidate of relaxable) {
        const trial = keep.filter((x) => x !== candidate);
        const kept = new Set(trial.map((x) => x.i));
        const constraints = all.filter((c, i) => SCHEDULE_ONLY_IDS.has(c.id) || kept.has(i));
        const verdict = placementFeasibility(instance, constraints, objective);
        if (verdict.verdict === 'infeasible') {
          keep = trial;
          if (verdict.stuck.length > 0) stuck = verdict.stuck;
        }
      }
      core = keep;
    }
  }
  const stuckText = stuck.length > 0 ? `${nameList(stuck.map((v) => model.vmName(v)), 4)} ${stuck.length === 1 ? 'has' : 'have'} nowhere to go` : 'no placement satisfies them all';
  if (core) {
    const parts = [...describeConstraintSet(model, core.map(({ c }) => c)), capacityText];
    lines.push(`${parts.join(' + ')}: ${stuckText}`);
    for (const v of stuck.length <= 2 ? stuck : []) {
      const idx = problem.vmIndex.get(v);
      if (idx !== undefined) lines.push(`${model.vmName(v)} needs ${describeDemand(problem, idx)}; room per node if the others stay: ${freeRoom(problem)}`);
    }
  }
  for (const reason of known) {
    const named = reason.constraints.map((i) => all[i]).filter((c): c is Constraint => c !== undefined);
    lines.push(named.length > 0 && !core ? `${[...describeConstraintSet(model, named), capacityText].join(' + ')}: ${reason.message}` : reason.message);
  }
  if (lines.length === 0) lines.push(`no placement found that satisfies every constraint within the ${capacityText}`);
  return boundLines(lines);
}

/** `N1 cpu 0/mem 2, N2 ...` for the online nodes, with only the VMs that cannot move counted. */
function freeRoom(problem: PlacementProblem): string {
  const N = problem.nodes.length;
  const V = problem.vms.length;
  const parts: string[] = [];
  for (let n = 0; n < N && parts.length < 8; n++) {
    if (problem.onlineAtEnd[n] !== 1) continue;
    const used = problem.resources.map((_, r) => {
      let u = 0;
      for (let v = 0; v < V; v++) if (problem.origin[v] === n && problem.domainAllows(v, n)) u += problem.demand[r * V + v] ?? 0;
      return u;
    });
    parts.push(`${problem.model.nodeName(problem.nodes[n] as NodeId)} ${problem.resources.map((rc, r) => `${rc} ${(problem.capacity[r * N + n] ?? 0) - (used[r] ?? 0)}/${problem.capacity[r * N + n] ?? 0}`).join(' ')}`);
  }
  return parts.join('; ');
}
