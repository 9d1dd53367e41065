import { formatViolations } from '../../checker/plan-checker.js';
import type { NodeId, VmId } from '../../model/index.js';
import { planDuration } from '../../plan/plan.js';
import { shortlist } from '../decompose.js';
import { solveExact, type ExactResult } from '../exact/solve.js';
import type { Feasibility } from '../explain.js';
import { branchAndBound } from '../placement/branch-and-bound.js';
import { type PlacementResult, migrationsOf, resultOf } from '../placement/ffd.js';
import type { PlacementProblem, Repair } from '../problem.js';
import type { Target } from '../target.js';
import { type Attempt, checkAttemptPlan } from './attempt.js';
import { EXACT_MAX_NEIGHBOURS, EXHAUSTIVE_MAX_FREE_VMS, EXHAUSTIVE_MAX_NODES, EXHAUSTIVE_NODE_LIMIT, EXHAUSTIVE_PLACEMENT_EFFORT, EXHAUSTIVE_PLACEMENT_SHARE, FULL_DOMAIN_MAX_NODES, FULL_MODEL_MAX_VMS } from './policy.js';
import { type Incumbent, withinBudgets } from './schedule.js';
import type { PlanBudgets, Scheduled } from './types.js';

/**
 * The prove stage: what can turn a search's answer into a proof. On tiny instances an exhaustive
 * branch and bound over every free VM proves the placement optimal (or improves it); when the
 * construction left VMs homeless, an exhaustive placement search may prove that none exists (or
 * find one); on small instances the exact MiniZinc model, warm-started from the heuristic plan,
 * improves and proves — a proof only when its variables cover every plan (exactVariables).
 */

/** Exhaustive branch and bound on tiny instances: true when it proved the best placement optimal. */
export function proveSmallPlacement(a: Attempt, incumbent: Incumbent): boolean {
  const best = incumbent.best;
  if (!best || best.placement.cost <= a.repair.lowerBound || a.cancelled()) return false;
  const problem = a.problem;
  const free = freeVms(problem);
  if (free.length > EXHAUSTIVE_MAX_FREE_VMS || problem.nodes.length > EXHAUSTIVE_MAX_NODES) return false;
  const all = Array.from({ length: problem.nodes.length }, (_, n) => n);
  const exhaustive = branchAndBound(problem, best.placement.hosts, free, () => all, { upperBound: best.placement.cost, nodeLimit: EXHAUSTIVE_NODE_LIMIT, shouldStop: a.cancelled });
  if (exhaustive.hosts) incumbent.consider(resultOf(problem, exhaustive.hosts), 'exhaustive');
  return exhaustive.complete;
}

/** What the exhaustive placement search said about a construction that left VMs homeless. */
export interface PlacementProof {
  /** Undefined when it did not run. */
  readonly verdict: Feasibility | undefined;
  readonly provenInfeasible: boolean;
}

/** The exhaustive placement search after a construction that left VMs homeless: a proof either way, or 'unknown'. */
export function provePlacementExists(a: Attempt, incumbent: Incumbent, constructed: PlacementResult): PlacementProof {
  if (constructed.unplaced.length === 0 || a.stop()) return { verdict: undefined, provenInfeasible: false };
  // half of the time left before the widening's end: the widening, the other search for these VMs, gets the rest
  const now = Date.now();
  const until = now + Math.max(0, a.time.widenUntil - now) * EXHAUSTIVE_PLACEMENT_SHARE;
  const found = exhaustivePlacement(a.problem, a.repair.hosts, a.repair.queue, () => a.cancelled() || Date.now() > until);
  // the construction failed but the exhaustive search placed everything: that is a plan
  if (found.hosts && !incumbent.best) incumbent.consider(resultOf(a.problem, found.hosts), 'exhaustive');
  return { verdict: found.verdict, provenInfeasible: found.verdict === 'infeasible' };
}

/**
 * Every VM that may move over every node, in a branch and bound of at most
 * EXHAUSTIVE_PLACEMENT_EFFORT search nodes (tiny instances only): a placement, a proof that none
 * exists, or 'unknown' when it stopped first.
 */
function exhaustivePlacement(problem: PlacementProblem, hosts: Int32Array, queue: readonly number[], shouldStop: () => boolean): { readonly verdict: Feasibility; readonly hosts?: Int32Array } {
  const free = new Set([...queue, ...freeVms(problem)]);
  if (free.size > EXHAUSTIVE_MAX_FREE_VMS || problem.nodes.length > EXHAUSTIVE_MAX_NODES) return { verdict: 'unknown' };
  const all = Array.from({ length: problem.nodes.length }, (_, n) => n);
  const result = branchAndBound(problem, hosts, [...free], () => all, { nodeLimit: EXHAUSTIVE_PLACEMENT_EFFORT, shouldStop });
  if (result.hosts) return { verdict: 'feasible', hosts: result.hosts };
  return { verdict: result.complete ? 'infeasible' : 'unknown' };
}

/** What the exact model's run proved, or why it proves nothing. */
export interface ExactVerdict {
  /** Optimal over every plan (its variables covered them all). */
  readonly optimal: boolean;
  /** No plan exists (under the budgets when `underBudgets`). */
  readonly provenInfeasible: boolean;
  /** The proof holds with the budgets: the constraints alone may well be satisfiable. */
  readonly underBudgets: boolean;
  /** What its variables covered, when it ran ('every VM free', or the restriction). */
  readonly scope: string | undefined;
  /** UNSATISFIABLE on a restricted model: proves nothing for the VMs it fixed. */
  readonly restrictedUnsat: boolean;
}

const NOT_RUN: ExactVerdict = { optimal: false, provenInfeasible: false, underBudgets: false, scope: undefined, restrictedUnsat: false };

/**
 * The exact model alone on small instances, for the time the policy gives, warm-started from the
 * best plan so far. At the placement lower bound only the MTTR objective has anything left for
 * it (a short try, native only: WASM's flattening alone costs seconds).
 */
export async function proveExact(a: Attempt, incumbent: Incumbent, alreadyInfeasible: boolean): Promise<ExactVerdict> {
  const runner = a.options.runner;
  const atBound = incumbent.best !== undefined && incumbent.best.placement.cost <= a.repair.lowerBound;
  const now = Date.now();
  const exactMs = a.time.exactMs(now, atBound);
  if (!a.useExact || !runner || exactMs <= 0 || a.stop() || alreadyInfeasible || (atBound && (a.objective !== 'mttr' || runner.kind !== 'native'))) return NOT_RUN;
  const { movable, coversEveryPlan, scope } = exactVariables(a.problem, a.repair, incumbent.best?.placement);
  const exact = await runExactModel(a, incumbent.best, movable, exactMs, now + exactMs);
  a.notes.push(`exact model (${runner.kind}): ${exact.status}, ${exact.size.variableVms} variable VMs, ${exact.elapsedMs} ms${exact.reasons.length > 0 ? ` (${exact.reasons.join('; ')})` : ''}`);
  const verdict = { ...NOT_RUN, scope };
  if (exact.solution) return { ...verdict, optimal: keepExactPlan(a, incumbent, exact, coversEveryPlan, scope) };
  if (exact.status !== 'UNSATISFIABLE' || incumbent.best) return verdict;
  if (coversEveryPlan) return { ...verdict, provenInfeasible: true, underBudgets: hasBudgets(a.budgets) };
  a.notes.push(`exact model: no plan on the restricted problem (${scope}); not a proof, the other VMs were fixed`);
  return { ...verdict, restrictedUnsat: true };
}

/** One call of the exact model with the attempt's budgets, window and durations. */
function runExactModel(a: Attempt, best: Scheduled | undefined, movable: ReadonlyMap<VmId, readonly NodeId[] | undefined>, timeLimitMs: number, endsBy: number): Promise<ExactResult> {
  const { options, budgets } = a;
  const solver = options.solver === 'native' ? undefined : options.solver;
  return solveExact(
    {
      model: a.instance.model,
      constraints: a.problem.constraints,
      movable,
      ...(options.durations ? { durations: options.durations } : {}),
      ...(budgets.windowSeconds !== undefined ? { horizon: budgets.windowSeconds } : {}),
      budgets: {
        maxConcurrentMigrationsPerNode: a.perHost,
        ...(budgets.maxMigrations !== undefined ? { maxMigrations: budgets.maxMigrations } : {}),
        // the model counts memory in the memory resource's unit, MiB like memoryMoved()
        ...(budgets.maxMemoryMovedGiB !== undefined ? { maxMemoryMoved: Math.floor(budgets.maxMemoryMovedGiB * 1024) } : {}),
      },
    },
    options.runner as NonNullable<typeof options.runner>,
    {
      objective: a.objective,
      timeLimitMs,
      // the limit was measured before the variables were chosen and the model built: the call
      // still ends when the policy said
      endsBy,
      ...(solver !== undefined ? { solver } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      // never solve cold: the heuristic's plan bounds the objective and guides the search
      ...(best ? { incumbent: best.plan } : {}),
    },
  );
}

/**
 * Offers the exact model's plan to the incumbent once it fits the budgets and passes the checker
 * (the model encodes both; checked again here, as every other stage's plan is). True when it is
 * optimal over every plan.
 */
function keepExactPlan(a: Attempt, incumbent: Incumbent, exact: ExactResult, coversEveryPlan: boolean, scope: string): boolean {
  const solution = exact.solution;
  if (!solution) return false;
  const { problem, budgets } = a;
  const best = incumbent.best;
  const found = hostsOfTarget(problem, solution.target, best?.placement.hosts);
  const hosts = found && withinBudgets(problem, resultOf(problem, found), budgets) ? found : undefined;
  if (found && !hosts) a.notes.push(`exact model plan rejected: over ${budgetWords(budgets)}`);
  if (!hosts) return false;
  const report = checkAttemptPlan(a, solution.plan);
  if (!report.ok) {
    a.notes.push(`exact model plan rejected by the checker: ${formatViolations(report, a.instance.model).join(' ')}`);
    return false;
  }
  incumbent.offer(
    {
      placement: { hosts, unplaced: [], cost: costOf(problem, hosts), migrations: migrationsOf(problem, hosts) },
      target: solution.target,
      plan: solution.plan,
      mttr: solution.mttr,
      // the heuristic placement's schedule bound is not one for this other placement
      mttrLowerBound: Math.min(best?.mttrLowerBound ?? 0, solution.mttr),
      mttrLowerBoundAnyDestination: null,
      duration: planDuration(solution.plan),
      durationLowerBound: best?.durationLowerBound ?? 0,
    },
    'exact',
  );
  // optimal over a restricted model only: a proof when every VM was free over every host it may use
  if (exact.status === 'OPTIMAL_SOLUTION' && !coversEveryPlan) a.notes.push(`exact model: optimal on the restricted problem (${scope}), not a proof over every plan`);
  return exact.status === 'OPTIMAL_SOLUTION' && coversEveryPlan;
}

/** The exact model's variables, and what its answers can prove. */
export interface ExactVariables {
  /** VM → its candidate hosts (undefined: its whole static domain); the VMs absent stay fixed. */
  readonly movable: ReadonlyMap<VmId, readonly NodeId[] | undefined>;
  /**
   * Every VM that may move in some plan is a variable over its whole domain: UNSATISFIABLE and
   * OPTIMAL_SOLUTION then speak for every plan. Otherwise they speak for the restricted problem only.
   */
  readonly coversEveryPlan: boolean;
  /** In words: 'every VM free', or `58 of 390 movable VM(s) free, each over its 8 best hosts`. */
  readonly scope: string;
}

/**
 * Which VMs the exact model gets as variables: on small problems (FULL_DOMAIN_MAX_NODES nodes,
 * FULL_MODEL_MAX_VMS free VMs) every one over every host, so its answers are proofs; on larger
 * ones the queued VMs (over shortlists beyond FULL_DOMAIN_MAX_NODES nodes) and their neighbours.
 */
export function exactVariables(problem: PlacementProblem, repair: Repair, found?: PlacementResult): ExactVariables {
  const movable = new Map<VmId, readonly NodeId[] | undefined>();
  const free = freeVms(problem);
  const everyVmFree = problem.nodes.length <= FULL_DOMAIN_MAX_NODES && free.length <= FULL_MODEL_MAX_VMS;
  // small clusters: every host; larger: each VM's best hosts
  const candidates = problem.nodes.length <= FULL_DOMAIN_MAX_NODES ? new Map<number, number[]>() : shortlist(problem, repair);
  for (const v of everyVmFree ? free : repair.queue) {
    const list = candidates.get(v);
    movable.set(problem.vms[v] as VmId, list ? list.map((n) => problem.nodes[n] as NodeId) : undefined);
  }
  // neighbours on the nodes involved may move too
  if (!everyVmFree) for (const v of movableNeighbours(problem, repair, found)) movable.set(problem.vms[v] as VmId, undefined);
  const cut = truncatedShortlist(problem, repair.queue, candidates);
  // only a model where every VM that may move in some plan is a variable over its whole domain
  // speaks for every plan (the other VMs are fixed otherwise)
  const coversEveryPlan = cut === undefined && free.every((v) => movable.has(problem.vms[v] as VmId) && movable.get(problem.vms[v] as VmId) === undefined);
  const scope = coversEveryPlan ? 'every VM free' : `${movable.size} of ${free.length} movable VM(s) free${cut !== undefined ? `, each over its ${cut} best hosts` : ''}`;
  return { movable, coversEveryPlan, scope };
}

/** The VMs that may move in some plan (not pinned to their host by root or quarantine). */
function freeVms(problem: PlacementProblem): number[] {
  const out: number[] = [];
  for (let v = 0; v < problem.vms.length; v++) if (problem.pinned[v] !== 1) out.push(v);
  return out;
}

/** The shortlist length when some queued VM's list left out a host it may use, else undefined. */
function truncatedShortlist(problem: PlacementProblem, queue: readonly number[], lists: ReadonlyMap<number, readonly number[]>): number | undefined {
  for (const v of queue) {
    const list = lists.get(v);
    if (!list) continue;
    let allowed = 0;
    for (let n = 0; n < problem.nodes.length; n++) if (problem.domainAllows(v, n) && ++allowed > list.length) return list.length;
  }
  return undefined;
}

/** VMs sharing a node with the queued VMs' source and destination hosts (at most EXACT_MAX_NEIGHBOURS). */
function movableNeighbours(problem: PlacementProblem, repair: Repair, found?: PlacementResult): number[] {
  const nodes = new Set<number>();
  for (const v of repair.queue) {
    const o = problem.origin[v] ?? -1;
    if (o >= 0) nodes.add(o);
    const h = found?.hosts[v] ?? -1;
    if (h >= 0) nodes.add(h);
  }
  const out: number[] = [];
  for (let v = 0; v < problem.vms.length && out.length < EXACT_MAX_NEIGHBOURS; v++) {
    if (problem.pinned[v] === 1) continue;
    if (nodes.has(problem.origin[v] ?? -1)) out.push(v);
  }
  return out;
}

/** Dense hosts from a target (VMs absent from it keep their source host). */
function hostsOfTarget(problem: PlacementProblem, target: Target, fallback?: Int32Array): Int32Array | undefined {
  const hosts = new Int32Array(problem.vms.length).fill(-1);
  for (let v = 0; v < problem.vms.length; v++) {
    const vm = problem.vms[v] as VmId;
    const t = target.vms.get(vm);
    const node = t ? t.host : problem.model.mapping.host(vm);
    const n = node === null || node === undefined ? -1 : (problem.nodeIndex.get(node) ?? -1);
    hosts[v] = n >= 0 ? n : (fallback?.[v] ?? -1);
    if ((hosts[v] ?? -1) < 0) return undefined;
  }
  return hosts;
}

function costOf(problem: PlacementProblem, hosts: Int32Array): number {
  let c = 0;
  for (let v = 0; v < hosts.length; v++) c += problem.moveCost(v, hosts[v] ?? -1);
  return c;
}

function hasBudgets(budgets: PlanBudgets): boolean {
  return budgets.maxMigrations !== undefined || budgets.maxMemoryMovedGiB !== undefined;
}

/** The budgets a plan must fit, in operator words ("the budgets: at most 0 GiB of memory moved"). */
export function budgetWords(budgets: PlanBudgets): string {
  const parts: string[] = [];
  if (budgets.maxMigrations !== undefined) parts.push(`at most ${budgets.maxMigrations} migration(s)`);
  if (budgets.maxMemoryMovedGiB !== undefined) parts.push(`at most ${budgets.maxMemoryMovedGiB} GiB of memory moved`);
  return parts.length === 0 ? 'the budgets' : `the budgets (${parts.join(', ')})`;
}
