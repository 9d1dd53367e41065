import type { Instance } from '../../instance/instance.js';
import { quickInfeasibility } from '../bounds.js';
import { type SubProblem, independentParts } from '../decompose.js';
import { explainInfeasibility } from '../explain.js';
import type { PowerPlan } from '../power.js';
import { sparesLine } from '../power.js';
import { type PlacementProblem, type Repair, initialRepair } from '../problem.js';
import { type AnswerContext, noPlan } from './attempt.js';
import { splitPays } from './policy.js';
import type { PlanOptions, PlanResult } from './types.js';

/**
 * The reduce stage: from the power stage's reduced problem (src/solver/problem.ts `reduce`, run
 * by the power pass with its decisions as constraints) to the repair-mode search it sets up: the
 * VMs that must or may move and the lower bounds (`initialRepair`), the quick infeasibility
 * proofs (capacity and counting arguments), the migration budget against its lower bound, and
 * the independent parts (disjoint static domains, no shared constraint). Answers 'infeasible'
 * here only from those proofs.
 */
export interface Reduced {
  readonly problem: PlacementProblem;
  readonly repair: Repair;
  /** The independent parts (empty with decomposition 'never'). */
  readonly parts: readonly SubProblem[];
  /** Whether the parts are solved apart (policy.splitPays). */
  readonly split: boolean;
  /** How long the power pass and this stage took (ms): the worker threads' start is weighed against it. */
  readonly reduceMs: number;
}

export function reduceStage(instance: Instance, options: PlanOptions, power: PowerPlan, ctx: AnswerContext & { readonly phases: string[] }): Reduced | { readonly result: PlanResult } {
  const { notes, clock } = ctx;
  const problem = power.problem;
  if (problem.ignored.length > 0) notes.push(`constraints the placement does not model (left to the scheduler and checker): ${problem.ignored.join(', ')}`);
  if (power.infeasible.length > 0) return { result: noPlan(ctx, power.infeasible) };
  if (problem.infeasible.length > 0) return { result: noPlan(ctx, problem.infeasible) };
  const repair = initialRepair(problem);
  if (repair.infeasible.length > 0) return { result: noPlan(ctx, repair.infeasible) };
  const reduceMs = Date.now() - (clock.attempt === 0 ? clock.origin : clock.start);
  ctx.phases.push(`${clock.attempt === 0 ? 'power + reduce' : 'reduce again'} ${reduceMs} ms`);
  const quick = quickInfeasibility(problem);
  // the power pass already booted what the quick proof asks for: what is left, no boot fixes
  if (quick.length > 0) {
    const why = [...explainInfeasibility(instance, options.extraConstraints ?? [], options.objective ?? 'mttr', problem, quick), ...sparesLine(problem)];
    return { result: noPlan(ctx, why, repair.lowerBound, repair.migrationsLowerBound) };
  }
  notes.push(`${problem.vms.length} VMs run at the end; ${repair.queue.length} must or may move (lower bound ${repair.migrationsLowerBound} migration(s))`);
  const mode = options.decomposition ?? 'auto';
  // independent parts (cheap: static domains and constraints); shortlists only for the exact model
  const parts: readonly SubProblem[] = mode === 'never' ? [] : independentParts(problem, repair);
  if (mode !== 'never') {
    const largest = parts.reduce((m, g) => Math.max(m, g.vms.length), 0);
    notes.push(`${parts.length} independent sub-problem(s), the largest with ${largest} VM(s) to place`);
  }
  const split = splitPays(mode, parts.length, repair.queue.length, problem.nodes.length, problem.vms.length);
  const budget = options.budgets?.maxMigrations;
  if (budget !== undefined && repair.migrationsLowerBound > budget) {
    return { result: noPlan(ctx, [`at least ${repair.migrationsLowerBound} VM(s) must migrate (${causes(problem, repair)}) but the budget allows ${budget}`], repair.lowerBound, repair.migrationsLowerBound) };
  }
  return { problem, repair, parts, split, reduceMs };
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
