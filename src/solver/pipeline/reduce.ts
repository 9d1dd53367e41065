import type { Instance } from '../../instance/instance.js';
import { quickInfeasibility } from '../bounds.js';
import { type SubProblem, independentParts } from '../decompose.js';
import { explainInfeasibility } from '../explain.js';
import type { PowerPlan } from '../power.js';
import { sparesLine } from '../power.js';
import { type PlacementProblem, type Repair, initialRepair } from '../problem.js';
import { type AnswerContext, noPlan } from './attempt.js';
import { nodeStatesProven } from './power.js';
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
  if (power.infeasible.length > 0) return { result: powerClaim(ctx, power) };
  // under node states the power stage could not prove the only ones possible, a proof is no proof
  const claim = nodeStatesProven(power) ? 'infeasible' : 'unknown';
  if (problem.infeasible.length > 0) return { result: noPlan(ctx, unprovenWords(claim, ctx, problem.infeasible), 0, 0, claim) };
  const repair = initialRepair(problem);
  if (repair.infeasible.length > 0) return { result: noPlan(ctx, unprovenWords(claim, ctx, repair.infeasible), 0, 0, claim) };
  const reduceMs = Date.now() - (clock.attempt === 0 ? clock.origin : clock.start);
  ctx.phases.push(`${clock.attempt === 0 ? 'power + reduce' : 'reduce again'} ${reduceMs} ms`);
  const proof = quickProof(instance, options, problem);
  if (proof !== undefined) return { result: noPlan(ctx, unprovenWords(claim, ctx, proof), repair.lowerBound, repair.migrationsLowerBound, claim) };
  notes.push(`${problem.vms.length} VMs run at the end; ${repair.queue.length} must or may move (lower bound ${repair.migrationsLowerBound} migration(s))`);
  const mode = options.decomposition ?? 'auto';
  const parts = independentPartsOf(problem, repair, mode, notes);
  const split = splitPays(mode, parts.length, repair.queue.length, problem.nodes.length, problem.vms.length);
  const overBudget = migrationBudgetBelowBound(options, problem, repair);
  if (overBudget !== undefined) return { result: noPlan(ctx, [overBudget], repair.lowerBound, repair.migrationsLowerBound) };
  return { problem, repair, parts, split, reduceMs };
}

/**
 * The power pass's "a maxOnline cannot hold": 'infeasible' when the search over node states
 * refuted every other choice (pipeline/power.ts), else an honest 'unknown' with the pass's words.
 */
function powerClaim(ctx: AnswerContext, power: PowerPlan): PlanResult {
  if (nodeStatesProven(power)) return noPlan(ctx, power.infeasible);
  return noPlan(ctx, unprovenWords('unknown', ctx, power.infeasible), 0, 0, 'unknown');
}

/** A proof's lines, or, when it holds for unproven node states only, a line saying so first. */
function unprovenWords(claim: 'infeasible' | 'unknown', ctx: AnswerContext, lines: readonly string[]): readonly string[] {
  if (claim === 'infeasible') return lines;
  return [`no plan found in ${((Date.now() - ctx.clock.origin) / 1000).toFixed(1)} s (not a proof that none exists): under the node states the power pass chose, none fits, and other choices of node states were not all ruled out`, ...lines];
}

/**
 * A capacity or counting proof that no placement exists, explained (the constraints in
 * conflict), or undefined. The power pass already booted what such a proof asks for: what is
 * left, no boot fixes.
 */
function quickProof(instance: Instance, options: PlanOptions, problem: PlacementProblem): string[] | undefined {
  const quick = quickInfeasibility(problem);
  if (quick.length === 0) return undefined;
  return [...explainInfeasibility(instance, options.extraConstraints ?? [], options.objective ?? 'mttr', problem, quick), ...sparesLine(problem)];
}

/** The independent parts (cheap: static domains and constraints; shortlists only for the exact model), noted; none with decomposition 'never'. */
function independentPartsOf(problem: PlacementProblem, repair: Repair, mode: 'auto' | 'always' | 'never', notes: string[]): readonly SubProblem[] {
  if (mode === 'never') return [];
  const parts = independentParts(problem, repair);
  const largest = parts.reduce((m, g) => Math.max(m, g.vms.length), 0);
  notes.push(`${parts.length} independent sub-problem(s), the largest with ${largest} VM(s) to place`);
  return parts;
}

/** Why the migration budget cannot be met (it is below the lower bound), or undefined. */
function migrationBudgetBelowBound(options: PlanOptions, problem: PlacementProblem, repair: Repair): string | undefined {
  const budget = options.budgets?.maxMigrations;
  if (budget === undefined || repair.migrationsLowerBound <= budget) return undefined;
  return `at least ${repair.migrationsLowerBound} VM(s) must migrate (${causes(problem, repair)}) but the budget allows ${budget}`;
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
