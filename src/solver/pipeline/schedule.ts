import type { VmId } from '../../model/index.js';
import type { Plan } from '../../plan/plan.js';
import { buildTarget, memoryMoved, planMemoryMoved, planMigrations } from '../bounds.js';
import type { PlacementResult } from '../placement/ffd.js';
import type { PlacementObjective, PlacementProblem } from '../problem.js';
import { type ScheduleOptions, schedule } from '../schedule/index.js';
import type { Attempt } from './attempt.js';
import type { PlanBudgets, Scheduled } from './types.js';

/**
 * The schedule stage: every complete placement a stage finds is scheduled here (Target → timed
 * Plan) and kept when it beats the incumbent; each improvement is streamed to `onProgress`. A
 * placement that cannot be ordered leaves its reason (and the VMs involved) for widening, the
 * boot retry and the "no plan found" answer.
 */
export class Incumbent {
  /** The best scheduled placement so far. */
  best: Scheduled | undefined;
  /** The last schedule failure (a capacity deadlock, an ordering cycle), with the VMs it names. */
  failure: { readonly reason: string; readonly vms: readonly VmId[] } | undefined;

  constructor(private readonly a: Attempt) {}

  /** Schedules a complete placement within the budgets; kept when it improves on the best. */
  consider(placement: PlacementResult, stage: string): void {
    const { problem, budgets } = this.a;
    if (placement.unplaced.length > 0) return;
    if (!withinBudgets(problem, placement, budgets)) return;
    const target = buildTarget(problem, placement.hosts);
    const scheduled = schedule(this.a.instance.model, target, problem.constraints, this.scheduleOptions(budgets.windowSeconds));
    if (!scheduled.ok) {
      this.failure = { reason: scheduled.reason, vms: scheduled.vms ?? [] };
      return;
    }
    this.offer(
      {
        placement,
        target,
        plan: scheduled.plan,
        mttr: scheduled.stats.mttr,
        mttrLowerBound: scheduled.stats.mttrLowerBound,
        mttrLowerBoundAnyDestination: scheduled.stats.mttrLowerBoundAnyDestination,
        duration: scheduled.stats.makespan,
        durationLowerBound: scheduled.stats.durationLowerBound,
      },
      stage,
    );
  }

  /** Keeps an already scheduled candidate when it improves on the best (and reports it). */
  offer(candidate: Scheduled, stage: string): void {
    // the placement fitted the budgets; a bounce or a step-aside adds hops the plan must fit too
    if (!planWithinBudgets(this.a.problem, candidate.plan, this.a.budgets)) return;
    if (this.best && !improves(this.a.objective, candidate, this.best)) return;
    this.best = candidate;
    const { objective, problem, repair } = this.a;
    this.a.options.onProgress?.({
      objective: objectiveValue(objective, candidate, problem),
      lowerBound: objective === 'mttr' ? candidate.mttrLowerBound : repair.lowerBound,
      elapsedMs: Date.now() - this.a.clock.origin,
      plan: candidate.plan,
      migrations: planMigrations(candidate.plan),
      stage,
    });
  }

  /** Forgets the best plan (the checker rejected it). */
  drop(): void {
    this.best = undefined;
  }

  /** The dense indices of the VMs the last schedule failure names. */
  failureVms(): number[] {
    const vmIndex = this.a.problem.vmIndex;
    return (this.failure?.vms ?? []).map((vm) => vmIndex.get(vm)).filter((v): v is number => v !== undefined);
  }

  /**
   * A window too short, named as such with numbers: the placement schedules without the window
   * but past it (the exact model's "unsatisfiable" under the window, or a schedule past it,
   * would otherwise be explained as a capacity problem). Undefined when the window is not the cause.
   */
  windowShortfall(hosts: Int32Array): string | undefined {
    const window = this.a.budgets.windowSeconds;
    if (window === undefined) return undefined;
    const free = schedule(this.a.instance.model, buildTarget(this.a.problem, hosts), this.a.problem.constraints, this.scheduleOptions(undefined));
    return free.ok && free.stats.makespan > window ? windowWords(window, free.stats.durationLowerBound, free.stats.makespan) : undefined;
  }

  private scheduleOptions(horizon: number | undefined): ScheduleOptions {
    const durations = this.a.options.durations;
    return { maxConcurrentMigrationsPerHost: this.a.perHost, ...(durations ? { durations } : {}), ...(horizon !== undefined ? { horizon } : {}) };
  }
}

/** The objective's value of a scheduled placement: MTTR (s), memory moved (MiB) or migrations. */
export function objectiveValue(kind: PlacementObjective, s: Scheduled, problem: PlacementProblem): number {
  if (kind === 'mttr') return s.mttr;
  if (kind === 'memory') return memoryMoved(problem, s.placement.hosts);
  return s.placement.migrations;
}

/** Whether `a` beats `b`: fewer migrations then a shorter MTTR (mttr), else a lower cost then a shorter MTTR. */
export function improves(kind: PlacementObjective, a: Scheduled, b: Scheduled): boolean {
  if (kind === 'mttr') {
    if (a.placement.migrations !== b.placement.migrations) return a.placement.migrations < b.placement.migrations;
    return a.mttr < b.mttr;
  }
  if (a.placement.cost !== b.placement.cost) return a.placement.cost < b.placement.cost;
  return a.mttr < b.mttr;
}

/** Whether a placement fits the migration and memory budgets. */
export function withinBudgets(problem: PlacementProblem, placement: PlacementResult, budgets: PlanBudgets): boolean {
  if (budgets.maxMigrations !== undefined && placement.migrations > budgets.maxMigrations) return false;
  if (budgets.maxMemoryMovedGiB !== undefined && memoryMoved(problem, placement.hosts) > budgets.maxMemoryMovedGiB * 1024) return false;
  return true;
}

/** Whether a scheduled plan fits the budgets: its own migrations and memory, every hop counted. */
export function planWithinBudgets(problem: PlacementProblem, plan: Plan, budgets: PlanBudgets): boolean {
  if (budgets.maxMigrations !== undefined && planMigrations(plan) > budgets.maxMigrations) return false;
  if (budgets.maxMemoryMovedGiB !== undefined && planMemoryMoved(problem, plan) > budgets.maxMemoryMovedGiB * 1024) return false;
  return true;
}

/** `the plan needs at least 6 s (lower bound…) but the maintenance window (--window) allows 1 s`. */
function windowWords(window: number, lowerBound: number, makespan: number): string {
  const allows = `the maintenance window (--window) allows ${window} s`;
  if (lowerBound > window) return `the plan needs at least ${lowerBound} s (lower bound for the placement found; its best schedule takes ${makespan} s) but ${allows}`;
  return `the best schedule found takes ${makespan} s (lower bound ${lowerBound} s) but ${allows}`;
}
