import type { Constraint } from '../../catalogue/constraint.js';
import type { DurationModel } from '../../plan/durations.js';
import type { Plan } from '../../plan/plan.js';
import type { SolveParts } from '../decompose.js';
import type { PlacementResult } from '../placement/ffd.js';
import type { CancelSignal, MznRunner, MznSolverId } from '../ports.js';
import type { PlacementObjective } from '../problem.js';
import type { Target } from '../target.js';

/**
 * The planner's public types (options, progress, result) and the values the pipeline's stages
 * pass each other. `planner.ts` re-exports the public ones.
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

/** A placement with its schedule: what every stage offers the incumbent. */
export interface Scheduled {
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

/** The clock of one search attempt. */
export interface Clock {
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
