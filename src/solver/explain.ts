import type { Constraint } from '../catalogue/constraint.js';
import type { Instance } from '../instance/instance.js';
import type { NodeId, VmId } from '../model/index.js';
import { type InfeasibilityReason, amountOf, describeDemand, nameList, quickInfeasibility } from './bounds.js';
import { branchAndBound } from './placement/branch-and-bound.js';
import { ejectionChains } from './placement/ejection.js';
import { decidePower, withAllBoots } from './power.js';
import { writeConflict } from './conflict-line.js';
import { boundLines, conflictOf } from './explain-text.js';
import { safeName } from '../text/safe.js';
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
 * nowhere to go`, first the conflict (the smallest conflicting constraint set the tests find, or
 * the cluster itself when no constraint takes part), then the supporting facts. Every conflict
 * line names its constraints in writeConflict's form, which the console links to script lines.
 */
export function explainInfeasibility(instance: Instance, extra: readonly Constraint[], objective: PlacementObjective, problem: PlacementProblem, known: readonly InfeasibilityReason[] = []): string[] {
  const model = instance.model;
  const all = [...instance.constraints, ...extra];
  const onlineNames = problem.nodes.filter((_, n) => problem.onlineAtEnd[n] === 1).map((n) => model.nodeName(n));
  const capacityOf = onlineNames.length === 0 ? 'no node' : nameList(onlineNames.map(safeName), 8);
  const found = conflictingSet(instance, all, objective);
  if (!found) return boundLines(unprovenLines(model, all, capacityOf, known));
  const { core, stuck } = found;
  const stuckText = stuck.length > 0 ? `${nameList(stuck.map((v) => safeName(model.vmName(v))), 4)} ${stuck.length === 1 ? 'has' : 'have'} nowhere to go` : 'no placement satisfies them all';
  const lines = [writeConflict(conflictOf(model, core.map((i) => all[i] as Constraint), capacityOf, stuckText))];
  for (const v of stuck.length <= 2 ? stuck : []) {
    const idx = problem.vmIndex.get(v);
    if (idx !== undefined) lines.push(`${safeName(model.vmName(v))} needs ${describeDemand(problem, idx)}; room per node if the others stay: ${freeRoom(problem)}`);
  }
  // the quick proofs' own words support the conflict above (it names the constraints)
  lines.push(...known.map((reason) => reason.message));
  return boundLines(lines);
}

/**
 * When the tests here cannot reproduce the infeasibility (the exact model proved it), each known
 * argument names the constraints it cites, else every constraint that shapes the placement: all
 * are suspects, none is cleared. No constraint at all: the cluster lacks capacity.
 */
function unprovenLines(model: Instance['model'], all: readonly Constraint[], capacityOf: string, known: readonly InfeasibilityReason[]): string[] {
  const suspects = all.filter((c) => !SCHEDULE_ONLY_IDS.has(c.id));
  const lines = known.map((reason) => {
    const cited = reason.constraints.map((i) => all[i]).filter((c): c is Constraint => c !== undefined);
    return writeConflict(conflictOf(model, cited.length > 0 ? cited : suspects, capacityOf, reason.message));
  });
  if (lines.length === 0) lines.push(writeConflict(conflictOf(model, suspects, capacityOf, suspects.length > 0 ? 'no placement satisfies them all' : 'no placement fits every VM')));
  return lines;
}

/** Constraints up to this many are filtered one by one; more are filtered a kind at a time first. */
const ONE_BY_ONE_UP_TO = 40;

/** Wall-clock time the filtering may take: past it, the set found so far (conflicting, maybe not minimal). */
const FILTERING_BUDGET_MS = 2_000;

/**
 * A conflicting set by deletion filtering (drop constraints; if the rest is still infeasible they
 * were not needed): whole kinds first when there are many (500 `offline` go or stay together),
 * then one by one. Indices into `all`; empty when the cluster alone cannot take the VMs.
 * Undefined when the tests cannot show the whole set infeasible. Every step kept is a proof, so
 * a set cut short by the time budget is still conflicting.
 */
function conflictingSet(instance: Instance, all: readonly Constraint[], objective: PlacementObjective): { readonly core: readonly number[]; readonly stuck: readonly VmId[] } | undefined {
  const deadline = Date.now() + FILTERING_BUDGET_MS;
  const base = placementFeasibility(instance, all, objective);
  if (base.verdict !== 'infeasible') return undefined;
  let stuck = base.stuck;
  let keep = all.map((_, i) => i).filter((i) => !SCHEDULE_ONLY_IDS.has((all[i] as Constraint).id));
  const scheduleOnly = all.map((_, i) => i).filter((i) => SCHEDULE_ONLY_IDS.has((all[i] as Constraint).id));
  /** Still infeasible without `dropped`? Then they go. */
  const drop = (dropped: ReadonlySet<number>): void => {
    const trial = keep.filter((i) => !dropped.has(i));
    const kept = new Set([...scheduleOnly, ...trial]);
    const verdict = placementFeasibility(instance, all.filter((_, i) => kept.has(i)), objective);
    if (verdict.verdict !== 'infeasible') return;
    keep = trial;
    if (verdict.stuck.length > 0) stuck = verdict.stuck;
  };
  if (keep.length > ONE_BY_ONE_UP_TO) {
    const kinds = new Map<string, number[]>();
    for (const i of keep) {
      const id = (all[i] as Constraint).id;
      const members = kinds.get(id);
      if (members) members.push(i);
      else kinds.set(id, [i]);
    }
    for (const members of kinds.values()) if (Date.now() < deadline) drop(new Set(members));
  }
  if (keep.length <= ONE_BY_ONE_UP_TO) for (const i of [...keep]) if (Date.now() < deadline) drop(new Set([i]));
  return { core: keep, stuck };
}

/** `N1 cpu 0/4, mem 2.0 GiB/16.0 GiB; N2 ...` for the online nodes, with only the VMs that cannot move counted. */
function freeRoom(problem: PlacementProblem): string {
  const N = problem.nodes.length;
  const V = problem.vms.length;
  const parts: string[] = [];
  for (let n = 0; n < N && parts.length < 8; n++) {
    if (problem.onlineAtEnd[n] !== 1) continue;
    const room = problem.resources.map((rc, r) => {
      let used = 0;
      for (let v = 0; v < V; v++) if (problem.origin[v] === n && problem.domainAllows(v, n)) used += problem.demand[r * V + v] ?? 0;
      const capacity = problem.capacity[r * N + n] ?? 0;
      return `${rc} ${amountOf(problem, r, capacity - used)}/${amountOf(problem, r, capacity)}`;
    });
    parts.push(`${safeName(problem.model.nodeName(problem.nodes[n] as NodeId))} ${room.join(', ')}`);
  }
  return parts.join('; ');
}
