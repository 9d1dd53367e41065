import type { VmId, NodeId } from '../../model/index.js';
import type { Plan } from '../../plan/plan.js';
import { safeName } from '../../text/safe.js';
import { amountOf, describeDemand, memoryMoved, planMemoryMoved, planMigrations } from '../bounds.js';
import { formatMemory } from '../../text/memory.js';
import { explainInfeasibility } from '../explain.js';
import type { Feasibility } from '../explain.js';
import type { PlacementResult } from '../placement/ffd.js';
import type { WidenStats } from '../placement/widen.js';
import { sparesLine } from '../power.js';
import type { PlacementProblem, Repair } from '../problem.js';
import { type Attempt, checkAttemptPlan, noPlanFor } from './attempt.js';
import type { Search } from './improve.js';
import { nodeStatesProven } from './power.js';
import { type ExactVerdict, budgetWords } from './prove.js';
import { DEFAULT_TIME_LIMIT_MS } from './policy.js';
import { type Incumbent, planWithinBudgets, withinBudgets } from './schedule.js';
import type { PlanResult, Scheduled } from './types.js';

/**
 * The check stage: no plan reaches a user unless the plan checker accepted it, and no claim
 * ("optimal", "no plan exists") is made beyond what was proven. The heuristic's plan is checked
 * before the exact model runs (a continuous constraint its schedule could not order hands the
 * instance to the model); at the end the chosen plan is checked against the budgets (and again by
 * the checker when a later stage found it), then the answer is composed: the plan with its
 * bounds and the optimality the proofs support, or, without a plan, 'infeasible' from a proof
 * covering every placement and otherwise an honest 'unknown' saying what was tried.
 */

/** What the search and prove stages established, for the answer. */
export interface Findings {
  /** The checker's objections to the heuristic's best plan (dropped), if any. */
  readonly rejected: readonly string[] | undefined;
  /** The plan the heuristic check accepted (the final check need not run again on it). */
  readonly checkedBest: Scheduled | undefined;
  /** The exhaustive branch and bound proved the placement optimal. */
  readonly placementProven: boolean;
  /** The exhaustive placement search's verdict after a failed construction. */
  readonly exhaustive: Feasibility | undefined;
  /** No plan exists: the exhaustive placement search or the exact model proved it. */
  readonly provenInfeasible: boolean;
  readonly exact: ExactVerdict;
}

/** The checker's violations of a plan, one line each in operator words (at most 6), or undefined when it passes. */
export function rejectedByChecker(a: Pick<Attempt, 'full' | 'options'>, plan: Plan): readonly string[] | undefined {
  const report = checkAttemptPlan(a, plan);
  if (report.ok) return undefined;
  // a message quotes names from the instance: safeName keeps each on its one line
  const lines = report.violations.slice(0, 6).map((v) => safeName(v.message));
  if (report.violations.length > 6) lines.push(`… and ${report.violations.length - 6} more violation(s)`);
  return lines;
}

/**
 * The heuristic schedule may break a continuous constraint it cannot order (gather, splitAmong,
 * resourceCapacity…): such a plan is dropped here so the exact model, which encodes them, gets
 * the instance; without it the answer is an honest 'unknown' naming the checker's violation.
 */
export function checkHeuristicPlan(a: Attempt, incumbent: Incumbent): readonly string[] | undefined {
  const best = incumbent.best;
  const rejected = best ? rejectedByChecker(a, best.plan) : undefined;
  if (rejected) {
    a.notes.push(`heuristic plan rejected by the checker: ${rejected.join('; ')}`);
    incumbent.drop();
  }
  return rejected;
}

/** The answer of an attempt: the checked plan with what is proven about it, or why there is none. */
export function answer(a: Attempt, incumbent: Incumbent, search: Search, found: Findings): PlanResult {
  const best = incumbent.best;
  if (!best) return noPlanAnswer(a, incumbent, search, found);
  // every stage filters on the budgets; a plan over them is refused, never shown as an answer
  if (!planWithinBudgets(a.problem, best.plan, a.budgets)) {
    return noPlanFor(a, [`the plan found (${planMigrations(best.plan)} migrations, ${formatMemory(planMemoryMoved(a.problem, best.plan))}) exceeds ${budgetWords(a.budgets)}`], 'unknown');
  }
  // the heuristic's plan was checked above, the exact model's before it was kept: this is a guard
  // against a stage added later without its check, answered honestly rather than thrown
  const unchecked = best === found.checkedBest ? undefined : rejectedByChecker(a, best.plan);
  if (unchecked) return noPlanFor(a, ['the plan found breaks:', ...unchecked], 'unknown');
  a.phases.push(`check ${Date.now() - a.time.start} ms`);
  a.notes.push(`timeline: ${a.phases.join(', ')}`);
  return planAnswer(a, best, found);
}

/** A checked plan, with the optimality and bounds the proofs support. */
function planAnswer(a: Attempt, chosen: Scheduled, found: Findings): PlanResult {
  const { objective, problem, repair, power } = a;
  // the plan's own migrations: a bounce through a third node or a VM stepping aside adds hops the
  // placement does not count, and a proof about placements says nothing about them
  const migrations = planMigrations(chosen.plan);
  const memory = planMemoryMoved(problem, chosen.plan);
  const extraHops = migrations > chosen.placement.migrations;
  const placementCost = objective === 'memory' ? memory : migrations;
  const value = objective === 'mttr' ? chosen.mttr : placementCost;
  const lowerBound = objective === 'mttr' ? Math.max(chosen.mttrLowerBound, 0) : repair.lowerBound;
  const exactOptimal = found.exact.optimal && !extraHops;
  const placementOptimal = placementCost <= repair.lowerBound || ((found.exact.optimal || found.placementProven) && !extraHops);
  // MTTR: the schedule bound is this placement's; the claim needs one that holds wherever the VMs
  // go, and the same VMs moving and nodes powered whatever the choice (no power decision)
  const anyDestination = chosen.mttrLowerBoundAnyDestination;
  const sameMovesEverywhere = placementOptimal && anyDestination !== null && power.decisions.length === 0 && onlyForcedMoves(problem, repair, chosen.placement.hosts);
  const mttrProven = sameMovesEverywhere && value <= (anyDestination ?? 0);
  // node states a search chose in place of the power pass's claim: its bounds hold for those states only
  const optimal = (objective === 'mttr' ? mttrProven || exactOptimal : placementOptimal) && nodeStatesProven(power);
  // what the reported MTTR bound covers: every plan, or only this placement's schedules
  const mttrBound = sameMovesEverywhere ? Math.min(anyDestination ?? 0, lowerBound) : Math.min(value, lowerBound);
  const boundScope = objective === 'mttr' && !optimal && !sameMovesEverywhere ? { lowerBoundCovers: 'placement' as const } : {};
  if (objective === 'mttr' && !optimal && placementOptimal && value > 0) {
    a.notes.push(
      value <= lowerBound
        ? `optimal on migrations (${migrations}, the lower bound); MTTR ${value} s is the best any schedule of this placement can do (other placements with as many migrations not ruled out: not proven optimal)`
        : `optimal on migrations (${migrations}, the lower bound); MTTR ${value} s within ${(((value - lowerBound) / value) * 100).toFixed(1)} % of this placement's bound ${lowerBound} s (not proven optimal)`,
    );
  }
  const reported = objective === 'mttr' ? mttrBound : lowerBound;
  return {
    status: optimal ? 'optimal' : 'feasible',
    plan: chosen.plan,
    objective: value,
    ...boundScope,
    lowerBound: optimal ? value : reported,
    gap: optimal || value === 0 ? 0 : Math.max(0, (value - reported) / value),
    durationSeconds: chosen.duration,
    durationLowerBound: chosen.durationLowerBound,
    migrations,
    migrationsLowerBound: repair.migrationsLowerBound,
    memoryMovedMiB: memory,
    solveMs: Date.now() - a.clock.origin,
    notes: a.notes,
  };
}

/**
 * No plan: 'infeasible' only from a proof (the window, the budgets, the schedule's continuous
 * constraints or the placement named as the cause), else 'unknown': what was tried, the best
 * partial placement and where the room is short.
 */
function noPlanAnswer(a: Attempt, incumbent: Incumbent, search: Search, found: Findings): PlanResult {
  const { problem, budgets, instance, options } = a;
  a.phases.push(`answer ${Date.now() - a.time.start} ms`);
  a.notes.push(`timeline: ${a.phases.join(', ')}`);
  // a proof under node states a search chose (not the only ones possible) covers those node states only
  const provenInfeasible = found.provenInfeasible && nodeStatesProven(a.power);
  const underBudgets = found.exact.underBudgets && nodeStatesProven(a.power);
  const placement = search.placement;
  // the placement schedules without the window: the window is what no plan fits
  const tooShort = placement.unplaced.length === 0 ? incumbent.windowShortfall(placement.hosts) : undefined;
  if (tooShort !== undefined && (provenInfeasible || underBudgets)) return noPlanFor(a, [tooShort]);
  if (underBudgets) return noPlanFor(a, [`no plan satisfies the constraints within ${budgetWords(budgets)}`]);
  // the exact model's proof covers the schedule: name what the heuristic's schedule broke, the
  // placement alone being feasible (a placement explanation would contradict it)
  if (provenInfeasible && found.rejected) return noPlanFor(a, ['no schedule keeps every continuous constraint true on the way (the exact model proves it); the heuristic placement would break:', ...found.rejected]);
  if (provenInfeasible) return noPlanFor(a, [...explainInfeasibility(instance, options.extraConstraints ?? [], a.objective, problem, []), ...sparesLine(problem)]);
  // no proof either way: say so, what was tried, and the best partial result
  const homeless = search.homeless();
  const why: string[] = [searchedWords(Date.now() - a.clock.origin, options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS, { widened: search.widened?.stats, exactScope: found.exact.scope, exactRestrictedUnsat: found.exact.restrictedUnsat, exhaustive: found.exhaustive })];
  if (homeless.unplaced.length > 0) {
    const names = homeless.unplaced.slice(0, 6).map((v) => safeName(instance.model.vmName(problem.vms[v] as VmId)));
    why.push(`no placement found in time for ${homeless.unplaced.length} VM(s) (best partial placement): ${names.join(', ')}${homeless.unplaced.length > 6 ? ` and ${homeless.unplaced.length - 6} more` : ''}`, ...roomShortLines(problem, homeless));
  }
  if (tooShort !== undefined) why.push(tooShort);
  else if (incumbent.failure !== undefined) why.push(`the scheduler found no order: ${incumbent.failure.reason}`);
  if (search.constructed.unplaced.length === 0 && !withinBudgets(problem, placement, budgets)) why.push(`the best placement found (${placement.migrations} migrations, ${formatMemory(memoryMoved(problem, placement.hosts))}) exceeds ${budgetWords(budgets)}`);
  if (homeless.unplaced.length > 0) why.push(...sparesLine(problem));
  if (found.rejected) why.push('the schedule of the placement found breaks a continuous constraint:', ...found.rejected);
  return noPlanFor(a, why, 'unknown');
}

/** True when every VM that migrates had to (its source is not allowed at the end). */
function onlyForcedMoves(problem: PlacementProblem, repair: Repair, hosts: Int32Array): boolean {
  const forced = new Set(repair.forced);
  for (let v = 0; v < problem.vms.length; v++) {
    if (problem.originRunning[v] === 1 && hosts[v] !== problem.origin[v] && !forced.has(v)) return false;
  }
  return true;
}

/** `no plan found in 4.2 s (of 30.0 s; not a proof that none exists): tried …`, of the whole time limit (an attempt before a retry with more boots has only part of it). */
function searchedWords(elapsedMs: number, limit: number, tried: { readonly widened: WidenStats | undefined; readonly exactScope: string | undefined; readonly exactRestrictedUnsat: boolean; readonly exhaustive: Feasibility | undefined }): string {
  const parts = ['ejection chains'];
  const w = tried.widened;
  if (w) parts.push(`widening (${w.rounds} round(s), up to ${w.largestFreed} VM(s) that could stay set free on ${w.largestHosts} host(s)${w.mznCalls > 0 ? `, ${w.mznCalls} MiniZinc completion(s)` : ''})`);
  if (tried.exhaustive === 'unknown') parts.push('an exhaustive search (stopped before the end)');
  if (tried.exactScope !== undefined) parts.push(`the exact model (${tried.exactScope}${tried.exactRestrictedUnsat ? ': no plan there, which proves nothing for the VMs it fixed' : ''})`);
  return `no plan found in ${(elapsedMs / 1000).toFixed(1)} s (of ${(limit / 1000).toFixed(1)} s; not a proof that none exists): tried ${parts.join(', ')}`;
}

/**
 * Where the room is short for the homeless VMs of a partial placement: per resource, what they
 * need against the free room left on the online nodes, and the largest VM's best host.
 */
function roomShortLines(problem: PlacementProblem, partial: PlacementResult): string[] {
  const N = problem.nodes.length;
  const V = problem.vms.length;
  const R = problem.resources.length;
  const used = new Float64Array(R * N);
  for (let v = 0; v < V; v++) {
    const h = partial.hosts[v] ?? -1;
    if (h >= 0) for (let r = 0; r < R; r++) used[r * N + h] = (used[r * N + h] ?? 0) + (problem.demand[r * V + v] ?? 0);
  }
  const totals = problem.resources.map((rc, r) => {
    let need = 0;
    let free = 0;
    for (const v of partial.unplaced) need += problem.demand[r * V + v] ?? 0;
    for (let n = 0; n < N; n++) if (problem.onlineAtEnd[n] === 1) free += Math.max(0, (problem.capacity[r * N + n] ?? 0) - (used[r * N + n] ?? 0));
    return `${rc} ${amountOf(problem, r, need)} (${amountOf(problem, r, free)} free in total)`;
  });
  const largest = partial.unplaced.reduce((a, b) => (sizeOf(problem, b) > sizeOf(problem, a) ? b : a), partial.unplaced[0] ?? -1);
  const lines = [`room short: the homeless VMs need ${totals.join(', ')}; the free room is in pieces too small for them`];
  if (largest >= 0) {
    // the allowed host where the largest homeless VM misses the least
    let bestNode = -1;
    let bestMissing = Number.POSITIVE_INFINITY;
    for (let n = 0; n < N; n++) {
      if (problem.onlineAtEnd[n] !== 1 || !problem.domainAllows(largest, n)) continue;
      let missing = 0;
      for (let r = 0; r < R; r++) {
        const cap = problem.capacity[r * N + n] ?? 0;
        const short = (problem.demand[r * V + largest] ?? 0) - (cap - (used[r * N + n] ?? 0));
        if (short > 0) missing += cap > 0 ? short / cap : 1;
      }
      if (missing < bestMissing) {
        bestMissing = missing;
        bestNode = n;
      }
    }
    if (bestNode >= 0) {
      const room = problem.resources.map((rc, r) => `${rc} ${(problem.capacity[r * N + bestNode] ?? 0) - (used[r * N + bestNode] ?? 0)}`).join(', ');
      lines.push(`${safeName(problem.model.vmName(problem.vms[largest] as VmId))} needs ${describeDemand(problem, largest)}; the closest fit, ${safeName(problem.model.nodeName(problem.nodes[bestNode] as NodeId))}, has ${room} free`);
    }
  }
  return lines;
}

function sizeOf(problem: PlacementProblem, v: number): number {
  const V = problem.vms.length;
  const N = problem.nodes.length;
  let s = 0;
  for (let r = 0; r < problem.resources.length; r++) {
    let cap = 0;
    for (let n = 0; n < N; n++) cap = Math.max(cap, problem.capacity[r * N + n] ?? 0);
    s += cap > 0 ? (problem.demand[r * V + v] ?? 0) / cap : 0;
  }
  return s;
}

