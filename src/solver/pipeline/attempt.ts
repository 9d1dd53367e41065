import { type CheckOptions, type PlanCheckReport, checkPlan } from '../../checker/plan-checker.js';
import type { Instance } from '../../instance/instance.js';
import type { Plan } from '../../plan/plan.js';
import type { CancelSignal, MznRunner, MznSolverId } from '../ports.js';
import type { PowerPlan } from '../power.js';
import type { PlacementObjective, PlacementProblem, Repair } from '../problem.js';
import { boundLines } from '../explain-text.js';
import type { TimePolicy } from './policy.js';
import type { Clock, PlanBudgets, PlanOptions, PlanResult } from './types.js';

/**
 * One search attempt as every stage after `reduce` sees it: the instance, the reduced problem and
 * its repair, the time policy, the notes and the timeline the answer carries. Read-only but for
 * `notes` and `phases`, which the stages append to in pipeline order.
 */
export interface Attempt {
  readonly instance: Instance;
  /** The instance with the problem's constraints (the power pass's decisions included): what plans are checked against. */
  readonly full: Instance;
  readonly options: PlanOptions;
  readonly objective: PlacementObjective;
  readonly power: PowerPlan;
  readonly problem: PlacementProblem;
  readonly repair: Repair;
  readonly budgets: PlanBudgets;
  /** Migrations touching one host at once. */
  readonly perHost: number;
  readonly clock: Clock;
  readonly time: TimePolicy;
  /** MiniZinc for LNS and widening (a runner, and not the 'native' solver choice). */
  readonly mzn: MiniZinc | undefined;
  /** Whether the exact model runs after the heuristic stages (policy.exactModelApplies). */
  readonly useExact: boolean;
  readonly notes: string[];
  readonly phases: string[];
  /** Cancelled or past the attempt's deadline. */
  readonly stop: () => boolean;
  /** Cancelled by the caller. */
  readonly cancelled: () => boolean;
}

export interface MiniZinc {
  readonly runner: MznRunner;
  readonly solver?: MznSolverId;
  readonly signal?: CancelSignal;
}

/** The MiniZinc options of LNS and widening: a runner, unless the caller asked for Ferry's own search only. */
export function miniZincOf(options: PlanOptions): MiniZinc | undefined {
  if (options.runner === undefined || options.solver === 'native') return undefined;
  return { runner: options.runner, ...(options.solver !== undefined ? { solver: options.solver } : {}), ...(options.signal ? { signal: options.signal } : {}) };
}

/** The MiniZinc back-end named by the options, if any ('native' names none). */
export function mznSolverOf(options: PlanOptions): MznSolverId | undefined {
  return options.solver === 'native' ? undefined : options.solver;
}

/**
 * The checker's options for the planner's plans: the duration model the planner scheduled with,
 * so an action shorter than that model says (a zero-second migration, a scheduler bug) is a
 * violation even when the model is not the instance's default one.
 */
export function plannerCheckOptions(options: Pick<PlanOptions, 'durations'>): CheckOptions {
  return options.durations ? { durations: options.durations } : {};
}

/**
 * The checker's report on a plan of this attempt: against the instance with the problem's
 * constraints (the power pass's decisions included) and the duration model the planner used.
 * Every stage's plan goes through here.
 */
export function checkAttemptPlan(a: Pick<Attempt, 'full' | 'options'>, plan: Plan): PlanCheckReport {
  return checkPlan(a.full, plan, plannerCheckOptions(a.options));
}

/** What an answer without a plan needs: the notes so far and when plan() was called. */
export interface AnswerContext {
  readonly notes: string[];
  readonly clock: Clock;
}

/**
 * An answer without a plan: 'infeasible' (a proof) by default, or 'unknown' (no plan found, no
 * proof either way). Every path gets the same bound on the explanation: a few lines, not 899.
 */
export function noPlan(ctx: AnswerContext, explanation: readonly string[], lowerBound = 0, migrationsLowerBound = 0, status: 'infeasible' | 'unknown' = 'infeasible'): PlanResult {
  return {
    status,
    objective: Number.NaN,
    lowerBound,
    gap: Number.NaN,
    durationSeconds: Number.NaN,
    durationLowerBound: Number.NaN,
    migrations: Number.NaN,
    migrationsLowerBound,
    memoryMovedMiB: Number.NaN,
    solveMs: Date.now() - ctx.clock.origin,
    explanation: boundLines(explanation),
    notes: ctx.notes,
  };
}

/** `noPlan` with the repair's bounds. */
export function noPlanFor(a: Attempt, explanation: readonly string[], status: 'infeasible' | 'unknown' = 'infeasible'): PlanResult {
  return noPlan(a, explanation, a.repair.lowerBound, a.repair.migrationsLowerBound, status);
}
