import type { Constraint } from '../catalogue/constraint.js';
import { checkPlan, formatViolations } from '../checker/plan-checker.js';
import type { Instance } from '../instance/instance.js';
import type { NodeId, VmId } from '../model/index.js';
import type { DurationModel } from '../plan/durations.js';
import { type Plan, planDuration } from '../plan/plan.js';
import { type InfeasibilityReason, buildTarget, describeDemand, memoryMoved, quickInfeasibility } from './bounds.js';
import { solveExact } from './exact/solve.js';
import { type PartResult, type PartTask, type PartsContext, type SolveParts, type SubProblem, independentParts, mergeParts, partTasks, shortlist, solvePart } from './decompose.js';
import { type Feasibility, explainInfeasibility, exhaustivePlacement } from './explain.js';
import { boundLines } from './explain-text.js';
import { ejectionChains } from './placement/ejection.js';
import { branchAndBound } from './placement/branch-and-bound.js';
import { type PlacementResult, migrationsOf, resultOf } from './placement/ffd.js';
import { type WidenStats, homecoming, widen } from './placement/widen.js';
import { type LnsStats, largeNeighbourhoodSearch, largeNeighbourhoodSearchMzn } from './placement/lns.js';
import type { CancelSignal, MznRunner, MznSolverId } from './ports.js';
import { type PowerPlan, bootForUnplaced, canBoot, decidePower, sparesLine } from './power.js';
import { type PlacementObjective, type PlacementProblem, type Repair, initialRepair } from './problem.js';
import { schedule } from './schedule/index.js';
import type { Target } from './target.js';
import { safeName } from '../text/safe.js';

/**
 * The planner: the power pass (power.ts: which nodes to power off for a discrete maxOnline, which
 * to boot when capacity is short) → problem reduction → bounds → constructive placement (ejection
 * chains) → LNS (and the exact MiniZinc model alone on small instances) → scheduling → the plan
 * checker; a search that leaves VMs unplaced while nodes could boot is retried with them. Anytime:
 * every improving, checked plan is streamed; a cancel keeps the best so far. A heuristic plan the
 * checker rejects (a continuous constraint its schedule could not honour) goes to the exact model,
 * or ends as status 'unknown' naming the violation; a plan that fails the checker is never returned.
 */

export interface PlanBudgets {
  readonly maxMigrations?: number;
  readonly maxMemoryMovedGiB?: number;
  /** Migrations touching one host at once (incoming plus outgoing), default 2. */
  readonly maxConcurrentMigrationsPerHost?: number;
  /** The maintenance window: the plan must end within it (seconds). */
  readonly windowSeconds?: number;
}

export interface PlanProgress {
  readonly objective: number;
  readonly lowerBound: number;
  readonly elapsedMs: number;
  readonly plan: Plan;
  readonly migrations: number;
  /** Which stage found it: 'construct', 'lns', 'exact'. */
  readonly stage: string;
}

export interface PlanOptions {
  readonly objective?: PlacementObjective;
  readonly budgets?: PlanBudgets;
  /** Wall-clock budget of the search (default 10 s); the best plan so far is returned. */
  readonly timeLimitMs?: number;
  readonly runner?: MznRunner;
  /** MiniZinc back-end for the exact model, or 'native' (Ferry's own branch and bound only). */
  readonly solver?: MznSolverId | 'native';
  readonly onProgress?: (progress: PlanProgress) => void;
  readonly signal?: CancelSignal;
  /** Constraints added to the instance's (a script). */
  readonly extraConstraints?: readonly Constraint[];
  /** Instances with at most this many movable VMs also go to the exact model (with a runner), warm-started from the heuristic plan; default 200 with the native runner, 64 with WASM (its flattening costs seconds). */
  readonly exactThreshold?: number;
  /**
   * How long each action takes (default: BtrPlace's, 1 s unless an element's attribute says
   * otherwise). The scheduler, its lower bounds and the exact model all use this one model.
   */
  readonly durations?: DurationModel;
  readonly seed?: number;
  /**
   * Independent sub-problems (disjoint static domains, no shared constraint) solved apart, then
   * merged, verified, and improved as a whole: 'auto' (when there are several), 'always' (even a
   * single one: comparisons, tests), 'never'.
   */
  readonly decomposition?: 'auto' | 'always' | 'never';
  /** Solves parts elsewhere (main/node: a pool of worker threads); without it, in-process. */
  readonly solveParts?: SolveParts;
  /**
   * Parts go to `solveParts` when solving them in-process would take at least this long (ms),
   * as measured on the smallest one (default: twice the workers' start, at least 1 s). 0: always.
   */
  readonly parallelThresholdMs?: number;
}

export type { PartResult, PartTask, PartsContext, SolveParts } from './decompose.js';

/** Up to this many nodes, the exact model lets every movable VM go to any host (no shortlist). */
const FULL_DOMAIN_MAX_NODES = 64;

/** Up to this many VMs free to move (and FULL_DOMAIN_MAX_NODES nodes), the exact model has every one of them as a variable: its answers are proofs. */
const FULL_MODEL_MAX_VMS = 60;

/** The exact MiniZinc model is only tried on instances with at most this many running VMs. */
export const EXACT_MODEL_MAX_VMS = 2_000;

export type PlanStatus = 'optimal' | 'feasible' | 'infeasible' | 'unknown';

export interface PlanResult {
  readonly status: PlanStatus;
  readonly plan?: Plan;
  /** Value of the objective: MTTR (sum of action ends, s), migrations, or MiB moved. */
  readonly objective: number;
  /**
   * 'placement' when `lowerBound` only bounds the schedules of the chosen placement (MTTR, when
   * other placements with as many migrations could move other VMs or power other nodes); absent
   * when it bounds every plan.
   */
  readonly lowerBoundCovers?: 'placement';
  readonly lowerBound: number;
  /** (objective − lowerBound) / objective, 0 when proven optimal. */
  readonly gap: number;
  readonly durationSeconds: number;
  readonly durationLowerBound: number;
  readonly migrations: number;
  readonly migrationsLowerBound: number;
  readonly memoryMovedMiB: number;
  readonly solveMs: number;
  readonly explanation?: readonly string[];
  /** Facts for reports: movable VMs, stages, exact model status. */
  readonly notes: readonly string[];
}

export class PlanCheckError extends Error {
  override name = 'PlanCheckError';
  constructor(readonly violations: readonly string[]) {
    super(`internal error: the planner produced a plan the checker rejects (a bug, please report it with the instance):\n${violations.join('\n')}`);
  }
}

interface Scheduled {
  readonly placement: PlacementResult;
  readonly target: Target;
  readonly plan: Plan;
  readonly mttr: number;
  readonly mttrLowerBound: number;
  /** The MTTR bound of any placement moving the same VMs, wherever they go (null: unknown). */
  readonly mttrLowerBoundAnyDestination: number | null;
  readonly duration: number;
  readonly durationLowerBound: number;
}

/** Searches retried with more boots after a search left VMs unplaced. */
const MAX_BOOT_RETRIES = 4;

export async function plan(instance: Instance, options: PlanOptions = {}): Promise<PlanResult> {
  const origin = Date.now();
  const objectiveKind = options.objective ?? 'mttr';
  const timeLimit = options.timeLimitMs ?? 10_000;
  // node states first (BtrPlace leaves them free; Ferry decides them before the placement)
  let power = decidePower(instance, options.extraConstraints ?? [], objectiveKind);
  for (let attempt = 0; ; attempt++) {
    const start = Date.now();
    const left = Math.max(0, origin + timeLimit - start);
    // with spares that could boot, an attempt keeps half of what is left for the retry, so the
    // attempts together stay within the time limit (the last one gets all that is left)
    const mayBoot = attempt < MAX_BOOT_RETRIES && canBoot(power.problem);
    const outcome = await planWith(instance, options, power, { origin, start, timeLimit: mayBoot ? left / 2 : left, mayBoot, attempt });
    if ('result' in outcome) return outcome.result;
    // a search that left VMs unplaced while nodes could boot: again, with them booted
    power = outcome.retry;
  }
}

interface Clock {
  /** When plan() was called (solveMs). */
  readonly origin: number;
  /** When this attempt started, and its budget. */
  readonly start: number;
  readonly timeLimit: number;
  /** May this attempt ask for a retry with more boots? */
  readonly mayBoot: boolean;
  /** 0 for the first search, then one more per retry with more boots. */
  readonly attempt: number;
}

/** One search with the node states of `power`; `retry` when booting more nodes is worth a new search. */
async function planWith(instance: Instance, options: PlanOptions, power: PowerPlan, clock: Clock): Promise<{ readonly result: PlanResult } | { readonly retry: PowerPlan }> {
  const t0 = clock.start;
  const objectiveKind = options.objective ?? 'mttr';
  const timeLimit = clock.timeLimit;
  const deadline = t0 + timeLimit;
  const budgets = options.budgets ?? {};
  const k = budgets.maxConcurrentMigrationsPerHost ?? 2;
  const extra = options.extraConstraints ?? [];
  const stop = (): boolean => options.signal?.aborted === true || Date.now() > deadline;
  const notes: string[] = power.decisions.map((d) => `power: ${d.reason}`);
  const mznSolver: MznSolverId | undefined = options.solver === 'native' ? undefined : options.solver;

  const problem = power.problem;
  const full: Instance = { ...instance, constraints: problem.constraints };
  const infeasible = (explanation: readonly string[], lowerBound = 0, migrationsLowerBound = 0): PlanResult => ({
    status: 'infeasible',
    objective: Number.NaN,
    lowerBound,
    gap: Number.NaN,
    durationSeconds: Number.NaN,
    durationLowerBound: Number.NaN,
    migrations: Number.NaN,
    migrationsLowerBound,
    memoryMovedMiB: Number.NaN,
    solveMs: Date.now() - clock.origin,
    // every path to 'infeasible' gets the same bound: an explanation is a few lines, not 899
    explanation: boundLines(explanation),
    notes,
  });
  if (problem.ignored.length > 0) notes.push(`constraints the placement does not model (left to the scheduler and checker): ${problem.ignored.join(', ')}`);
  if (power.infeasible.length > 0) return { result: infeasible(power.infeasible) };
  if (problem.infeasible.length > 0) return { result: infeasible(problem.infeasible) };
  const repair = initialRepair(problem);
  if (repair.infeasible.length > 0) return { result: infeasible(repair.infeasible) };
  const reduceMs = Date.now() - (clock.attempt === 0 ? clock.origin : t0);
  const phases: string[] = [`${clock.attempt === 0 ? 'power + reduce' : 'reduce again'} ${reduceMs} ms`];
  const quick = quickInfeasibility(problem);
  // the power pass already booted what the quick proof asks for: what is left, no boot fixes
  if (quick.length > 0) return { result: infeasible([...explainInfeasibility(instance, extra, objectiveKind, problem, quick), ...sparesLine(problem)], repair.lowerBound, repair.migrationsLowerBound) };
  notes.push(`${problem.vms.length} VMs run at the end; ${repair.queue.length} must or may move (lower bound ${repair.migrationsLowerBound} migration(s))`);
  const decompositionMode = options.decomposition ?? 'auto';
  // independent parts (cheap: static domains and constraints); shortlists only for the exact model
  const split: readonly SubProblem[] = decompositionMode === 'never' ? [] : independentParts(problem, repair);
  if (decompositionMode !== 'never') {
    const largest = split.reduce((m, g) => Math.max(m, g.vms.length), 0);
    notes.push(`${split.length} independent sub-problem(s), the largest with ${largest} VM(s) to place`);
  }
  // a part costs a pass over the whole placement (every VM) before any search: split only when
  // the average part's search (its VMs × the hosts) dwarfs that; tiny parts go faster as one
  const averagePart = repair.queue.length / Math.max(1, split.length);
  const splittable = decompositionMode === 'always' ? split.length > 0 : split.length > 1 && averagePart * problem.nodes.length >= 4 * problem.vms.length;

  if (budgets.maxMigrations !== undefined && repair.migrationsLowerBound > budgets.maxMigrations) {
    return {
      result: infeasible(
        [`at least ${repair.migrationsLowerBound} VM(s) must migrate (${causes(problem, repair)}) but the budget allows ${budgets.maxMigrations}`],
        repair.lowerBound,
        repair.migrationsLowerBound,
      ),
    };
  }

  // ---- placement search ----------------------------------------------------------------------
  let best: Scheduled | undefined;
  let scheduleFailure: string | undefined;
  let scheduleFailureVms: readonly VmId[] = [];
  const consider = (placement: PlacementResult, stage: string): void => {
    if (placement.unplaced.length > 0) return;
    if (!withinBudgets(problem, placement, budgets)) return;
    const target = buildTarget(problem, placement.hosts);
    const scheduled = schedule(instance.model, target, problem.constraints, {
      maxConcurrentMigrationsPerHost: k,
      ...(options.durations ? { durations: options.durations } : {}),
      ...(budgets.windowSeconds !== undefined ? { horizon: budgets.windowSeconds } : {}),
    });
    if (!scheduled.ok) {
      scheduleFailure = scheduled.reason;
      scheduleFailureVms = scheduled.vms ?? [];
      return;
    }
    const candidate: Scheduled = {
      placement,
      target,
      plan: scheduled.plan,
      mttr: scheduled.stats.mttr,
      mttrLowerBound: scheduled.stats.mttrLowerBound,
      mttrLowerBoundAnyDestination: scheduled.stats.mttrLowerBoundAnyDestination,
      duration: scheduled.stats.makespan,
      durationLowerBound: scheduled.stats.durationLowerBound,
    };
    if (best && !improves(objectiveKind, candidate, best)) return;
    best = candidate;
    options.onProgress?.({
      objective: objectiveValue(objectiveKind, candidate, problem),
      lowerBound: objectiveKind === 'mttr' ? candidate.mttrLowerBound : repair.lowerBound,
      elapsedMs: Date.now() - clock.origin,
      plan: candidate.plan,
      migrations: placement.migrations,
      stage,
    });
  };

  // a window too short is named as such, with numbers: the exact model's "unsatisfiable" under the
  // window, or a schedule past it, would otherwise be explained as a capacity problem
  const windowShortfall = (hosts: Int32Array): string | undefined => {
    const window = budgets.windowSeconds;
    if (window === undefined) return undefined;
    const free = schedule(instance.model, buildTarget(problem, hosts), problem.constraints, { maxConcurrentMigrationsPerHost: k, ...(options.durations ? { durations: options.durations } : {}) });
    return free.ok && free.stats.makespan > window ? windowWords(window, free.stats.durationLowerBound, free.stats.makespan) : undefined;
  };

  const movable = repair.queue.length;
  const useExact = options.runner !== undefined && options.solver !== 'native' && movable <= (options.exactThreshold ?? (options.runner?.kind === 'native' ? 200 : 64)) && problem.vms.length <= EXACT_MODEL_MAX_VMS;
  const construction = {
    seed: options.seed ?? 1,
    deadline: t0 + timeLimit * 0.4,
    shouldStop: stop,
    target: repair.lowerBound,
    spreadIncoming: objectiveKind === 'mttr',
  };
  let constructed: PlacementResult | undefined;
  if (splittable && !stop()) {
    // independent parts, each from scratch (a whole-problem pass would only redo their first pass)
    const partsDeadline = t0 + timeLimit * (useExact ? 0.5 : 0.85);
    const tasks = partTasks(problem, repair, split, { seed: options.seed ?? 1, spreadIncoming: objectiveKind === 'mttr', deadline: partsDeadline });
    const merged = await solveAllParts(problem, repair, tasks, {
      ...(options.solveParts ? { port: options.solveParts } : {}),
      context: () => ({ instance: full, objective: objectiveKind, evicted: repair.queue.map((v) => problem.vms[v] as VmId) }),
      deadline: partsDeadline,
      // a worker rebuilds the problem (about what reduce took here) after the model is copied to it
      thresholdMs: options.parallelThresholdMs ?? Math.max(1_000, 2 * (200 + 1.5 * reduceMs)),
      stop,
      ...(options.signal ? { signal: options.signal } : {}),
      notes,
    });
    if (merged) constructed = resultOf(problem, merged);
    phases.push(`parts ${Date.now() - t0} ms`);
  }
  const fromParts = constructed !== undefined;
  // one problem, or parts that did not compose: the whole problem
  if (!constructed) {
    constructed = ejectionChains(problem, repair, { ...construction, restarts: 16 });
    // a cascade of evictions (phase 2 on a tight drain) moves VMs that can go back, alone or by pairs
    if (constructed.unplaced.length === 0 && constructed.cost > repair.lowerBound) {
      const home = homecoming(problem, constructed);
      if (home.cost < constructed.cost) constructed = home;
    }
    phases.push(`construct ${Date.now() - t0} ms`);
  }
  consider(constructed, fromParts ? 'parts' : 'construct');
  phases.push(`schedule ${Date.now() - t0} ms`);
  let placement = constructed;
  /** LNS from a complete placement until `until` (Date.now() value); every improvement is considered. */
  const improve = async (start: PlacementResult, until: number): Promise<PlacementResult> => {
    const lnsOptions = {
      lowerBound: repair.lowerBound,
      deadline: until,
      seed: options.seed ?? 7,
      shouldStop: () => options.signal?.aborted === true,
      onImprove: (r: PlacementResult) => consider(r, 'lns'),
    };
    let improved: PlacementResult;
    // with a MiniZinc runner, MiniZinc re-optimises the larger neighbourhoods (lns.ts)
    if (options.runner && options.solver !== 'native') {
      const lnsStats: LnsStats = { mznCalls: 0, mznImprovements: 0, mznMs: 0, mznErrors: 0, smallSteps: 0, smallImprovements: 0 };
      improved = await largeNeighbourhoodSearchMzn(problem, start, { ...lnsOptions, runner: options.runner, ...(mznSolver !== undefined ? { solver: mznSolver } : {}), ...(options.signal ? { signal: options.signal } : {}) }, lnsStats);
      notes.push(`LNS: ${lnsStats.mznCalls} MiniZinc neighbourhood(s) (${lnsStats.mznImprovements} improving, ${lnsStats.mznMs} ms${lnsStats.lastError !== undefined ? `, last error: ${lnsStats.lastError}` : ''}), ${lnsStats.smallSteps} small ones (${lnsStats.smallImprovements} improving)`);
    } else improved = largeNeighbourhoodSearch(problem, start, lnsOptions);
    consider(improved, 'lns');
    return improved;
  };
  if (constructed.unplaced.length === 0 && constructed.cost > repair.lowerBound && !stop()) placement = await improve(constructed, useExact ? t0 + timeLimit * 0.5 : deadline);
  // tiny instances: exhaustive search over every VM proves the placement optimal (or improves it)
  let placementProven = false;
  if (best && best.placement.cost > repair.lowerBound && !options.signal?.aborted) {
    const all = Array.from({ length: problem.nodes.length }, (_, n) => n);
    const free: number[] = [];
    for (let v = 0; v < problem.vms.length; v++) if (problem.pinned[v] !== 1) free.push(v);
    if (free.length <= 24 && all.length <= 16) {
      const exhaustive = branchAndBound(problem, best.placement.hosts, free, () => all, { upperBound: best.placement.cost, nodeLimit: 500_000, shouldStop: () => options.signal?.aborted === true });
      if (exhaustive.hosts) consider(resultOf(problem, exhaustive.hosts), 'exhaustive');
      placementProven = exhaustive.complete;
    }
  }
  let provenInfeasible = false;
  let verdict: Feasibility | undefined;
  if (constructed.unplaced.length > 0 && !stop()) {
    const found = exhaustivePlacement(problem, repair.hosts, repair.queue, 500_000);
    verdict = found.verdict;
    if (verdict === 'infeasible') provenInfeasible = true;
    // the construction failed but the exhaustive search placed everything: that is a plan
    if (found.hosts && !best) consider(resultOf(problem, found.hosts), 'exhaustive');
  }
  // VMs left without a host and no proof that they fit: boot nodes for them rather than report
  if (!best && constructed.unplaced.length > 0 && verdict !== 'feasible' && clock.mayBoot && options.signal?.aborted !== true) {
    // name the VMs that had to move in the first place; the others were only evicted on the way
    const forced = new Set(repair.forced);
    const named = constructed.unplaced.some((v) => forced.has(v)) ? constructed.unplaced.filter((v) => forced.has(v)) : repair.forced;
    const next = bootForUnplaced(instance, power, objectiveKind, constructed.unplaced, named);
    if (next) return { retry: next };
  }
  // a placement the scheduler could not order (a migration cycle with no third node to go
  // through): a spare that boots gives the cycle a way out, or the placement a better choice
  if (!best && constructed.unplaced.length === 0 && scheduleFailure !== undefined && clock.mayBoot && options.signal?.aborted !== true) {
    const stuck = scheduleFailureVms.map((vm) => problem.vmIndex.get(vm)).filter((v): v is number => v !== undefined);
    const next = bootForUnplaced(instance, power, objectiveKind, stuck, stuck, 'the scheduler found no order for');
    if (next) return { retry: next };
  }
  // the forced moves alone could not be placed, or their placement not scheduled, and no spare
  // node to boot for them: widen (free the VMs blocking the tightest hosts) for the time left,
  // keeping the exact model's share
  let widened: { readonly best: PlacementResult; readonly stats: WidenStats } | undefined;
  const reserve = Math.min(1_000, timeLimit * 0.1);
  /** Widens from the best partial result so far until `until` (Date.now() value); a plan found is improved by LNS. */
  const widenUntil = async (until: number): Promise<void> => {
    const focus = scheduleFailureVms.map((vm) => problem.vmIndex.get(vm)).filter((v): v is number => v !== undefined);
    const fromSearch = placement.unplaced.length <= constructed.unplaced.length ? placement : constructed;
    const start = widened && widened.best.unplaced.length < fromSearch.unplaced.length ? widened.best : fromSearch;
    const result = await widen(problem, repair, start, {
      deadline: until,
      // a second widening after the exact model continues with other random choices
      seed: (options.seed ?? 11) + (widened?.stats.rounds ?? 0) * 104_729,
      shouldStop: stop,
      accept: (r) => {
        consider(r, 'widen');
        return best !== undefined;
      },
      focus,
      spreadIncoming: objectiveKind === 'mttr',
      ...(options.runner && options.solver !== 'native' ? { runner: options.runner } : {}),
      ...(mznSolver !== undefined ? { solver: mznSolver } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const w = result.stats;
    const before = widened?.stats;
    widened = {
      best: widened && widened.best.unplaced.length <= result.best.unplaced.length ? widened.best : result.best,
      stats: before
        ? { rounds: before.rounds + w.rounds, largestFreed: Math.max(before.largestFreed, w.largestFreed), largestHosts: Math.max(before.largestHosts, w.largestHosts), repacked: before.repacked + w.repacked, mznCalls: before.mznCalls + w.mznCalls, mznCompleted: before.mznCompleted + w.mznCompleted, refused: before.refused + w.refused }
        : w,
    };
    notes.push(`widening: ${w.rounds} round(s), up to ${w.largestFreed} more VM(s) free on ${w.largestHosts} host(s), ${w.repacked} homeless VM(s) placed by exact repacks, ${w.mznCalls} MiniZinc completion(s) (${w.mznCompleted} complete), ${w.refused} complete placement(s) refused (no schedule or over the budgets)${result.accepted ? '; a plan found' : ''}`);
    phases.push(`widen ${Date.now() - t0} ms`);
    if (result.accepted) {
      placement = result.accepted;
      // a widened placement moves VMs that could have stayed: LNS takes back what it can
      if (result.accepted.cost > repair.lowerBound && !stop()) placement = await improve(result.accepted, Math.max(until, useExact ? t0 + timeLimit * 0.6 : deadline - reserve));
    }
  };
  if (!best && !provenInfeasible && (constructed.unplaced.length > 0 || scheduleFailure !== undefined) && !stop()) {
    await widenUntil(useExact ? Math.min(deadline - reserve, t0 + timeLimit * 0.6) : deadline - reserve);
  }

  // the heuristic schedule may break a continuous constraint it cannot order (gather, splitAmong,
  // resourceCapacity…): such a plan is dropped here so the exact model, which encodes them, gets
  // the instance; without it the answer is an honest 'unknown' naming the checker's violation
  const rejected = best ? rejectedByChecker(full, best.plan) : undefined;
  if (rejected) {
    notes.push(`heuristic plan rejected by the checker: ${rejected.join('; ')}`);
    best = undefined;
  }
  const checkedBest = best;

  // ---- exact model alone on small instances --------------------------------------------------
  let exactOptimal = false;
  /** What the exact model's variables covered, when it ran ('every VM free', or the restriction). */
  let exactScope: string | undefined;
  let exactRestrictedUnsat = false;
  // the exact model's proof holds with the budgets: the constraints alone may well be satisfiable
  let infeasibleUnderBudgets = false;
  // at the placement lower bound, only the MTTR objective has anything left for the exact model
  const atBound = best !== undefined && best.placement.cost <= repair.lowerBound;
  // (the MTTR proof is a short try, native only: WASM's flattening alone costs seconds)
  const exactMs = exactTimeLimitMs(deadline - Date.now(), timeLimit, atBound);
  if (useExact && options.runner && exactMs > 0 && !stop() && !provenInfeasible && !(atBound && (objectiveKind !== 'mttr' || options.runner.kind !== 'native'))) {
    const { movable: movableMap, coversEveryPlan, scope } = exactVariables(problem, repair, best?.placement);
    exactScope = scope;
    const exact = await solveExact(
      {
        model: instance.model,
        constraints: problem.constraints,
        movable: movableMap,
        ...(options.durations ? { durations: options.durations } : {}),
        ...(budgets.windowSeconds !== undefined ? { horizon: budgets.windowSeconds } : {}),
        budgets: {
          maxConcurrentMigrationsPerNode: k,
          ...(budgets.maxMigrations !== undefined ? { maxMigrations: budgets.maxMigrations } : {}),
          // the model counts memory in the memory resource's unit, MiB like memoryMoved()
          ...(budgets.maxMemoryMovedGiB !== undefined ? { maxMemoryMoved: Math.floor(budgets.maxMemoryMovedGiB * 1024) } : {}),
        },
      },
      options.runner,
      {
        objective: objectiveKind,
        timeLimitMs: exactMs,
        ...(mznSolver !== undefined ? { solver: mznSolver } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        // never solve cold: the heuristic's plan bounds the objective and guides the search
        ...(best ? { incumbent: best.plan } : {}),
      },
    );
    notes.push(`exact model (${options.runner.kind}): ${exact.status}, ${exact.size.variableVms} variable VMs, ${exact.elapsedMs} ms${exact.reasons.length > 0 ? ` (${exact.reasons.join('; ')})` : ''}`);
    if (exact.solution) {
      const found = hostsOfTarget(problem, exact.solution.target, best?.placement.hosts);
      // the model encodes the budgets; checked again here, as every other stage's plan is
      const hosts = found && withinBudgets(problem, resultOf(problem, found), budgets) ? found : undefined;
      if (found && !hosts) notes.push(`exact model plan rejected: over ${budgetWords(budgets)}`);
      if (hosts) {
        const report = checkPlan(full, exact.solution.plan);
        if (report.ok) {
          const candidate: Scheduled = {
            placement: { hosts, unplaced: [], cost: costOf(problem, hosts), migrations: migrationsOf(problem, hosts) },
            target: exact.solution.target,
            plan: exact.solution.plan,
            mttr: exact.solution.mttr,
            // the heuristic placement's schedule bound is not one for this other placement
            mttrLowerBound: Math.min(best?.mttrLowerBound ?? 0, exact.solution.mttr),
            mttrLowerBoundAnyDestination: null,
            duration: planDuration(exact.solution.plan),
            durationLowerBound: best?.durationLowerBound ?? 0,
          };
          if (!best || improves(objectiveKind, candidate, best)) {
            best = candidate;
            options.onProgress?.({ objective: objectiveValue(objectiveKind, candidate, problem), lowerBound: objectiveKind === 'mttr' ? candidate.mttrLowerBound : repair.lowerBound, elapsedMs: Date.now() - clock.origin, plan: candidate.plan, migrations: candidate.placement.migrations, stage: 'exact' });
          }
          // optimal over a restricted model only: a proof when every VM was free over every host it may use
          exactOptimal = exact.status === 'OPTIMAL_SOLUTION' && coversEveryPlan;
          if (exact.status === 'OPTIMAL_SOLUTION' && !coversEveryPlan) notes.push(`exact model: optimal on the restricted problem (${exactScope}), not a proof over every plan`);
        } else notes.push(`exact model plan rejected by the checker: ${formatViolations(report, instance.model).join(' ')}`);
      }
    } else if (exact.status === 'UNSATISFIABLE' && !best && coversEveryPlan) {
      provenInfeasible = true;
      infeasibleUnderBudgets = hasBudgets(budgets);
    } else if (exact.status === 'UNSATISFIABLE' && !best) {
      exactRestrictedUnsat = true;
      notes.push(`exact model: no plan on the restricted problem (${exactScope}); not a proof, the other VMs were fixed`);
    }
  }

  // the exact model gave no plan and proved nothing: the time left goes to widening again
  if (!best && !provenInfeasible && widened !== undefined && !stop() && deadline - reserve - Date.now() > 300) await widenUntil(deadline - reserve);
  const homeless = widened && widened.best.unplaced.length < constructed.unplaced.length ? widened.best : constructed;
  if (!best) {
    // the placement schedules without the window: the window is what no plan fits
    const tooShort = placement.unplaced.length === 0 ? windowShortfall(placement.hosts) : undefined;
    if (tooShort !== undefined && (provenInfeasible || infeasibleUnderBudgets)) return { result: infeasible([tooShort], repair.lowerBound, repair.migrationsLowerBound) };
    if (infeasibleUnderBudgets) return { result: infeasible([`no plan satisfies the constraints within ${budgetWords(budgets)}`], repair.lowerBound, repair.migrationsLowerBound) };
    // the exact model's proof covers the schedule: name what the heuristic's schedule broke, the
    // placement alone being feasible (a placement explanation would contradict it)
    if (provenInfeasible && rejected) return { result: infeasible(['no schedule keeps every continuous constraint true on the way (the exact model proves it); the heuristic placement would break:', ...rejected], repair.lowerBound, repair.migrationsLowerBound) };
    if (provenInfeasible) {
      const known: InfeasibilityReason[] = [];
      return { result: infeasible([...explainInfeasibility(instance, extra, objectiveKind, problem, known), ...sparesLine(problem)], repair.lowerBound, repair.migrationsLowerBound) };
    }
    // no proof either way: say so, what was tried, and the best partial result
    const why: string[] = [searchedWords(Date.now() - clock.origin, clock, { widened: widened?.stats, exactScope, exactRestrictedUnsat, exhaustive: verdict })];
    if (homeless.unplaced.length > 0) why.push(`no placement found in time for ${homeless.unplaced.length} VM(s) (best partial placement): ${homeless.unplaced.slice(0, 6).map((v) => safeName(instance.model.vmName(problem.vms[v] as VmId))).join(', ')}${homeless.unplaced.length > 6 ? ` and ${homeless.unplaced.length - 6} more` : ''}`, ...roomShortLines(problem, homeless));
    if (tooShort !== undefined) why.push(tooShort);
    else if (scheduleFailure !== undefined) why.push(`the scheduler found no order: ${scheduleFailure}`);
    if (constructed.unplaced.length === 0 && !withinBudgets(problem, placement, budgets)) why.push(`the best placement found (${placement.migrations} migrations, ${memoryMoved(problem, placement.hosts)} MiB) exceeds ${budgetWords(budgets)}`);
    if (homeless.unplaced.length > 0) why.push(...sparesLine(problem));
    if (rejected) why.push('the schedule of the placement found breaks a continuous constraint:', ...rejected);
    return { result: { ...infeasible(why, repair.lowerBound, repair.migrationsLowerBound), status: 'unknown' } };
  }

  // ---- the final check -----------------------------------------------------------------------
  const chosen: Scheduled = best;
  // every stage filters on the budgets; a plan over them is refused, never shown as an answer
  if (!withinBudgets(problem, chosen.placement, budgets)) {
    return { result: { ...infeasible([`the plan found (${chosen.placement.migrations} migrations, ${memoryMoved(problem, chosen.placement.hosts)} MiB) exceeds ${budgetWords(budgets)}`], repair.lowerBound, repair.migrationsLowerBound), status: 'unknown' } };
  }
  // the heuristic's plan was checked above, the exact model's before it was kept: this is a guard
  // against a stage added later without its check, answered honestly rather than thrown
  const unchecked = chosen === checkedBest ? undefined : rejectedByChecker(full, chosen.plan);
  if (unchecked) return { result: { ...infeasible(['the plan found breaks:', ...unchecked], repair.lowerBound, repair.migrationsLowerBound), status: 'unknown' } };
  phases.push(`check ${Date.now() - t0} ms`);
  notes.push(`timeline: ${phases.join(', ')}`);
  const value = objectiveValue(objectiveKind, chosen, problem);
  const lowerBound = objectiveKind === 'mttr' ? Math.max(chosen.mttrLowerBound, 0) : repair.lowerBound;
  const placementOptimal = chosen.placement.cost <= repair.lowerBound || exactOptimal || placementProven;
  // MTTR: the schedule bound is this placement's; the claim needs one that holds wherever the VMs
  // go, and the same VMs moving and nodes powered whatever the choice (no power decision)
  const anyDestination = chosen.mttrLowerBoundAnyDestination;
  const sameMovesEverywhere = placementOptimal && anyDestination !== null && power.decisions.length === 0 && onlyForcedMoves(problem, repair, chosen.placement.hosts);
  const mttrProven = sameMovesEverywhere && value <= (anyDestination ?? 0);
  const optimal = objectiveKind === 'mttr' ? mttrProven || exactOptimal : placementOptimal;
  // what the reported MTTR bound covers: every plan, or only this placement's schedules
  const mttrBound = sameMovesEverywhere ? Math.min(anyDestination ?? 0, lowerBound) : Math.min(value, lowerBound);
  const boundScope = objectiveKind === 'mttr' && !optimal && !sameMovesEverywhere ? { lowerBoundCovers: 'placement' as const } : {};
  if (objectiveKind === 'mttr' && !optimal && placementOptimal && value > 0) {
    notes.push(
      value <= lowerBound
        ? `optimal on migrations (${chosen.placement.migrations}, the lower bound); MTTR ${value} s is the best any schedule of this placement can do (other placements with as many migrations not ruled out: not proven optimal)`
        : `optimal on migrations (${chosen.placement.migrations}, the lower bound); MTTR ${value} s within ${(((value - lowerBound) / value) * 100).toFixed(1)} % of this placement's bound ${lowerBound} s (not proven optimal)`,
    );
  }
  return {
    result: {
      status: optimal ? 'optimal' : 'feasible',
      plan: chosen.plan,
      objective: value,
      ...boundScope,
      lowerBound: optimal ? value : objectiveKind === 'mttr' ? mttrBound : lowerBound,
      gap: optimal || value === 0 ? 0 : Math.max(0, (value - (objectiveKind === 'mttr' ? mttrBound : lowerBound)) / value),
      durationSeconds: chosen.duration,
      durationLowerBound: chosen.durationLowerBound,
      migrations: chosen.placement.migrations,
      migrationsLowerBound: repair.migrationsLowerBound,
      memoryMovedMiB: memoryMoved(problem, chosen.placement.hosts),
      solveMs: Date.now() - clock.origin,
      notes,
    },
  };
}

/** The checker's violations of a plan, one line each in operator words (at most 6), or undefined when it passes. */
function rejectedByChecker(instance: Instance, plan: Plan): readonly string[] | undefined {
  const report = checkPlan(instance, plan);
  if (report.ok) return undefined;
  // a message quotes names from the instance: safeName keeps each on its one line
  const lines = report.violations.slice(0, 6).map((v) => safeName(v.message));
  if (report.violations.length > 6) lines.push(`… and ${report.violations.length - 6} more violation(s)`);
  return lines;
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

/** `no plan found in 4.2 s (time limit 30 s; not a proof that none exists): tried …`. */
function searchedWords(elapsedMs: number, clock: Clock, tried: { readonly widened: WidenStats | undefined; readonly exactScope: string | undefined; readonly exactRestrictedUnsat: boolean; readonly exhaustive: Feasibility | undefined }): string {
  const parts = ['ejection chains'];
  const w = tried.widened;
  if (w) parts.push(`widening (${w.rounds} round(s), up to ${w.largestFreed} VM(s) that could stay set free on ${w.largestHosts} host(s)${w.mznCalls > 0 ? `, ${w.mznCalls} MiniZinc completion(s)` : ''})`);
  if (tried.exhaustive === 'unknown') parts.push('an exhaustive search (stopped before the end)');
  if (tried.exactScope !== undefined) parts.push(`the exact model (${tried.exactScope}${tried.exactRestrictedUnsat ? ': no plan there, which proves nothing for the VMs it fixed' : ''})`);
  const limit = clock.start - clock.origin + clock.timeLimit;
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
    return `${rc} ${need} (${free} free in total)`;
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

/** The VMs that may move in some plan (not pinned to their host by root or quarantine). */
function freeVms(problem: PlacementProblem): number[] {
  const out: number[] = [];
  for (let v = 0; v < problem.vms.length; v++) if (problem.pinned[v] !== 1) out.push(v);
  return out;
}

/** True when every VM that migrates had to (its source is not allowed at the end). */
function onlyForcedMoves(problem: PlacementProblem, repair: Repair, hosts: Int32Array): boolean {
  const forced = new Set(repair.forced);
  for (let v = 0; v < problem.vms.length; v++) {
    if (problem.originRunning[v] === 1 && hosts[v] !== problem.origin[v] && !forced.has(v)) return false;
  }
  return true;
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

function objectiveValue(kind: PlacementObjective, s: Scheduled, problem: PlacementProblem): number {
  if (kind === 'mttr') return s.mttr;
  if (kind === 'memory') return memoryMoved(problem, s.placement.hosts);
  return s.placement.migrations;
}

function improves(kind: PlacementObjective, a: Scheduled, b: Scheduled): boolean {
  if (kind === 'mttr') {
    if (a.placement.migrations !== b.placement.migrations) return a.placement.migrations < b.placement.migrations;
    return a.mttr < b.mttr;
  }
  if (a.placement.cost !== b.placement.cost) return a.placement.cost < b.placement.cost;
  return a.mttr < b.mttr;
}

function withinBudgets(problem: PlacementProblem, placement: PlacementResult, budgets: PlanBudgets): boolean {
  if (budgets.maxMigrations !== undefined && placement.migrations > budgets.maxMigrations) return false;
  if (budgets.maxMemoryMovedGiB !== undefined && memoryMoved(problem, placement.hosts) > budgets.maxMemoryMovedGiB * 1024) return false;
  return true;
}

/** `the plan needs at least 6 s (lower bound…) but the maintenance window (--window) allows 1 s`. */
function windowWords(window: number, lowerBound: number, makespan: number): string {
  const allows = `the maintenance window (--window) allows ${window} s`;
  if (lowerBound > window) return `the plan needs at least ${lowerBound} s (lower bound for the placement found; its best schedule takes ${makespan} s) but ${allows}`;
  return `the best schedule found takes ${makespan} s (lower bound ${lowerBound} s) but ${allows}`;
}

/** Below this, a MiniZinc call cannot even flatten the model: the exact stage is skipped. */
const MIN_EXACT_MS = 300;

/**
 * The exact model's time: a bounded share (it schedules too, so never the whole budget; at the
 * migration bound only the MTTR proof is left, a short try), and never more than what remains
 * once the final check's reserve is kept: `--time-limit` is a promise. 0: skip the stage.
 */
export function exactTimeLimitMs(remainingMs: number, timeLimitMs: number, atBound: boolean): number {
  // the final check's share, plus the runner's grace past a call's limit (at least 100 ms)
  const reserve = Math.min(1_000, timeLimitMs * 0.1) + 100;
  const wanted = atBound ? 5_000 : Math.min(5_000, Math.max(3_000, timeLimitMs * 0.3));
  const given = Math.floor(Math.min(wanted, remainingMs - reserve));
  return given >= MIN_EXACT_MS ? given : 0;
}

function hasBudgets(budgets: PlanBudgets): boolean {
  return budgets.maxMigrations !== undefined || budgets.maxMemoryMovedGiB !== undefined;
}

/** The budgets a plan must fit, in operator words ("the budgets: at most 0 GiB of memory moved"). */
function budgetWords(budgets: PlanBudgets): string {
  const parts: string[] = [];
  if (budgets.maxMigrations !== undefined) parts.push(`at most ${budgets.maxMigrations} migration(s)`);
  if (budgets.maxMemoryMovedGiB !== undefined) parts.push(`at most ${budgets.maxMemoryMovedGiB} GiB of memory moved`);
  return parts.length === 0 ? 'the budgets' : `the budgets (${parts.join(', ')})`;
}

function costOf(problem: PlacementProblem, hosts: Int32Array): number {
  let c = 0;
  for (let v = 0; v < hosts.length; v++) c += problem.moveCost(v, hosts[v] ?? -1);
  return c;
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

/** VMs sharing a node with the queued VMs' source and destination hosts (bounded). */
function movableNeighbours(problem: PlacementProblem, repair: Repair, found?: PlacementResult): number[] {
  const nodes = new Set<number>();
  for (const v of repair.queue) {
    const o = problem.origin[v] ?? -1;
    if (o >= 0) nodes.add(o);
    const h = found?.hosts[v] ?? -1;
    if (h >= 0) nodes.add(h);
  }
  const out: number[] = [];
  for (let v = 0; v < problem.vms.length && out.length < 32; v++) {
    if (problem.pinned[v] === 1) continue;
    if (nodes.has(problem.origin[v] ?? -1)) out.push(v);
  }
  return out;
}

/** Why VMs must move, in short: `3 on nodes going offline, 2 on overloaded nodes`. */
function causes(problem: PlacementProblem, repair: Repair): string {
  const offline = repair.forced.filter((v) => problem.onlineAtEnd[problem.origin[v] ?? -1] !== 1 && problem.originRunning[v] === 1).length;
  const other = repair.migrationsLowerBound - offline;
  const parts: string[] = [];
  if (offline > 0) parts.push(`${offline} on node(s) going offline`);
  if (other > 0) parts.push(`${other} for constraints or overloaded nodes`);
  return parts.join(', ') || 'constraints';
}

interface PartsRun {
  readonly port?: SolveParts;
  readonly context: () => PartsContext;
  /** Date.now() value the parts must end by. */
  readonly deadline: number;
  /** In-process time of the parts left above which they go to the port (0: always). */
  readonly thresholdMs: number;
  readonly stop: () => boolean;
  readonly signal?: CancelSignal;
  readonly notes: string[];
}

/**
 * Solves the parts and merges them; undefined when they do not compose (the caller falls back to
 * the whole problem). A part given a start at its bound keeps it. The others are solved
 * in-process, smallest first; once the first one says how long the rest would take, the rest go
 * to the port (worker threads) when that pays for starting the workers and at least two are left.
 */
async function solveAllParts(problem: PlacementProblem, repair: Repair, tasks: readonly PartTask[], run: PartsRun): Promise<Int32Array | undefined> {
  const t0 = Date.now();
  const startCost = (task: PartTask): number => {
    let cost = 0;
    for (const [vm, node] of task.start) cost += problem.moveCost(problem.vmIndex.get(vm) ?? -1, problem.nodeIndex.get(node) ?? -1);
    return cost;
  };
  const isHard = (t: PartTask): boolean => t.vms.length > 0 && (t.start.length === 0 || startCost(t) > t.lowerBound);
  const hard = tasks.filter(isHard).sort((a, b) => a.vms.length - b.vms.length);
  const results: PartResult[] = [];
  // each part gets a share of the time left in proportion to its size (side by side: more each)
  const budget = (task: PartTask, left: readonly PartTask[], degree: number): PartTask => {
    const remaining = Math.max(0, run.deadline - Date.now());
    const size = left.reduce((s, t) => s + t.vms.length, 0);
    return { ...task, budgetMs: run.stop() ? 0 : Math.min(remaining, (remaining * degree * task.vms.length) / Math.max(1, size)) };
  };
  const port = run.port;
  let toPort: PartTask[] = [];
  let probed = false;
  if (port !== undefined && port.workers > 1 && hard.length > 1) {
    if (run.thresholdMs <= 0) toPort = hard;
    else {
      // the smallest part in-process first: it tells what the others would cost here
      const probe = hard[0] as PartTask;
      const rest = hard.slice(1);
      const t1 = Date.now();
      results.push(solvePart(problem, repair, budget(probe, hard, 1), run.stop));
      probed = true;
      const estimate = ((Date.now() - t1) / Math.max(1, probe.vms.length)) * rest.reduce((s, t) => s + t.vms.length, 0);
      if (rest.length > 1 && estimate >= run.thresholdMs) toPort = rest;
    }
  }
  let where = 'in-process';
  if (port !== undefined && toPort.length > 1 && !run.stop()) {
    const degree = Math.min(port.workers, toPort.length);
    try {
      const sent = await port.solve(run.context(), toPort.map((t) => budget(t, toPort, degree)), run.signal);
      results.push(...sent);
      where = `${probed ? '1 in-process, the others ' : ''}on ${degree} worker thread(s)`;
    } catch (e) {
      run.notes.push(`parallel parts failed, solved in-process instead: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const have = new Set(results.map((r) => r.index));
  const left = tasks.filter((t) => !have.has(t.index));
  for (const task of left) {
    // a part at its bound returns its start at once; after a cancel a part answers with one pass
    results.push(solvePart(problem, repair, isHard(task) ? budget(task, left.filter((t) => !have.has(t.index) && isHard(t)), 1) : task, run.stop));
    have.add(task.index);
  }
  const merged = mergeParts(problem, repair, results);
  const cost = results.reduce((s, r) => s + r.cost, 0);
  run.notes.push(`${tasks.length} part(s), ${hard.length} with work left, solved ${where} in ${Date.now() - t0} ms: cost ${cost}`);
  if (merged.problem !== undefined) {
    run.notes.push(`the parts' placements do not compose (${merged.problem}); kept the whole-problem search`);
    return undefined;
  }
  return merged.hosts;
}
