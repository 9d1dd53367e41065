import type { Instance } from '../instance/instance.js';
import type { PowerPlan } from './power.js';
import { type Attempt, miniZincOf } from './pipeline/attempt.js';
import { answer, checkHeuristicPlan } from './pipeline/check.js';
import { construct } from './pipeline/construct.js';
import { Search, improve, widenStage } from './pipeline/improve.js';
import { DEFAULT_TIME_LIMIT_MS, TimePolicy, attemptBudgetMs, exactModelApplies } from './pipeline/policy.js';
import { bootRetry, mayRetryWithBoots, powerStage } from './pipeline/power.js';
import { proveExact, provePlacementExists, proveSmallPlacement } from './pipeline/prove.js';
import { type Reduced, reduceStage } from './pipeline/reduce.js';
import { Incumbent } from './pipeline/schedule.js';
import type { Clock, PlanOptions, PlanResult } from './pipeline/types.js';

/**
 * The planner, a pipeline of stages (src/solver/pipeline/, one module each, typed in and out):
 *
 *   power → reduce → construct → schedule → improve → prove → check
 *
 * power decides node states first (a violated discrete maxOnline, spares for short capacity);
 * reduce sets up the repair-mode problem, its bounds, quick proofs and independent parts;
 * construct finds a first placement (parts, or ejection chains); every placement goes through
 * schedule (the incumbent); improve runs LNS and, when the forced moves alone fail, widening;
 * prove runs the exhaustive searches and the exact MiniZinc model; check keeps only what the plan
 * checker accepts and claims only what was proven. A search that leaves VMs unplaced while nodes
 * could boot is retried with them booted. Every share of the time limit and every size threshold
 * is in one policy (pipeline/policy.ts). Anytime: every improving plan is streamed; a cancel
 * keeps the best so far; a plan that fails the checker is never returned, and the planner never
 * throws on a valid instance.
 */

export type { PartResult, PartTask, PartsContext, SolveParts } from './decompose.js';
export { EXACT_MODEL_MAX_VMS, exactTimeLimitMs } from './pipeline/policy.js';
export { type ExactVariables, exactVariables } from './pipeline/prove.js';
export { PlanCheckError, type PlanBudgets, type PlanOptions, type PlanProgress, type PlanResult, type PlanStatus } from './pipeline/types.js';

export async function plan(instance: Instance, options: PlanOptions = {}): Promise<PlanResult> {
  const origin = Date.now();
  const timeLimit = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  let power = powerStage(instance, options);
  for (let attempt = 0; ; attempt++) {
    const start = Date.now();
    const left = Math.max(0, origin + timeLimit - start);
    const mayBoot = mayRetryWithBoots(power, attempt);
    const outcome = await planWith(instance, options, power, { origin, start, timeLimit: attemptBudgetMs(left, mayBoot), mayBoot, attempt });
    if ('result' in outcome) return outcome.result;
    // a search that left VMs unplaced while nodes could boot: again, with them booted
    power = outcome.retry;
  }
}

/** One search with the node states of `power`; `retry` when booting more nodes is worth a new search. */
async function planWith(instance: Instance, options: PlanOptions, power: PowerPlan, clock: Clock): Promise<{ readonly result: PlanResult } | { readonly retry: PowerPlan }> {
  const notes: string[] = power.decisions.map((d) => `power: ${d.reason}`);
  const phases: string[] = [];
  const reduced = reduceStage(instance, options, power, { notes, clock, phases });
  if ('result' in reduced) return reduced;
  const a = attemptOf(instance, options, power, clock, reduced, notes, phases);
  const incumbent = new Incumbent(a);

  const { placement: constructed, fromParts } = await construct(a, reduced);
  incumbent.consider(constructed, fromParts ? 'parts' : 'construct');
  phases.push(`schedule ${Date.now() - a.time.start} ms`);

  const search = new Search(constructed);
  if (constructed.unplaced.length === 0 && constructed.cost > a.repair.lowerBound && !a.stop()) search.placement = await improve(a, incumbent, constructed, a.time.improveUntil);
  const placementProven = proveSmallPlacement(a, incumbent);
  const exhaustive = provePlacementExists(a, incumbent, constructed);

  const retry = bootRetry(a, incumbent, constructed, exhaustive.verdict);
  if (retry) return { retry };

  // the forced moves alone could not be placed, or their placement not scheduled, and no spare
  // node to boot for them: widen, keeping the exact model's share
  const stuck = constructed.unplaced.length > 0 || incumbent.failure !== undefined;
  if (!incumbent.best && !exhaustive.provenInfeasible && stuck && !a.stop()) await widenStage(a, incumbent, search, a.time.widenUntil);

  const rejected = checkHeuristicPlan(a, incumbent);
  const checkedBest = incumbent.best;
  const exact = await proveExact(a, incumbent, exhaustive.provenInfeasible);
  const provenInfeasible = exhaustive.provenInfeasible || exact.provenInfeasible;

  // the exact model gave no plan and proved nothing: the time left goes to widening again
  if (!incumbent.best && !provenInfeasible && search.widened !== undefined && !a.stop() && a.time.worthWideningAgain(Date.now())) await widenStage(a, incumbent, search, a.time.lastWidenUntil);
  return { result: answer(a, incumbent, search, { rejected, checkedBest, placementProven, exhaustive: exhaustive.verdict, provenInfeasible, exact }) };
}

/** The attempt every stage after reduce sees. */
function attemptOf(instance: Instance, options: PlanOptions, power: PowerPlan, clock: Clock, reduced: Reduced, notes: string[], phases: string[]): Attempt {
  const { problem, repair } = reduced;
  const useExact = exactModelApplies({ runnerKind: options.runner?.kind, nativeOnly: options.solver === 'native', threshold: options.exactThreshold }, repair.queue.length, problem.vms.length);
  const time = new TimePolicy(clock.start, clock.timeLimit, useExact);
  const budgets = options.budgets ?? {};
  const cancelled = (): boolean => options.signal?.aborted === true;
  return {
    instance,
    full: { ...instance, constraints: problem.constraints },
    options,
    objective: options.objective ?? 'mttr',
    power,
    problem,
    repair,
    budgets,
    perHost: budgets.maxConcurrentMigrationsPerHost ?? 2,
    clock,
    time,
    mzn: miniZincOf(options),
    useExact,
    notes,
    phases,
    stop: () => cancelled() || Date.now() > time.deadline,
    cancelled,
  };
}
