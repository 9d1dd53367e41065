import { z } from 'zod';

import { readConflict } from '../solver/conflict-line.js';
import type { PlanProgress, PlanResult, PlanStatus } from '../solver/planner.js';
import { ExecEventSchema, RunProgressSchema, RunSchema, StepSchema } from './executor.js';
import { DiagnosticSchema, type Equals, HostReadingSchema, type OriginRef, VmJobSchema, WirePlanSchema, assertType, count, epochMs, finite, id, nonNegative, stepIdsFor, withStepIds, withStepIdsOnHeldOrigin } from './wire.js';

/**
 * Payloads of what the services report: planning progress and results, run and step changes,
 * cluster changes. Planning progress only ever carries plans the independent checker accepted
 * (main/services/planning.ts checks them before they are sent).
 */

// ---- planning -------------------------------------------------------------------------------

/**
 * An improving plan found while planning runs (already checked): its figures, not the plan itself
 * (the answer brings the plan; a 40,000-VM origin with every candidate would cost more than the
 * search that found it).
 */
export const PlanProgressEventSchema = z
  .object({
    /** The `requestId` of the plan:compute this belongs to. */
    requestId: id,
    elapsedMs: nonNegative,
    /** Which stage found it: 'construct', 'lns', 'exact'. */
    stage: z.string(),
    objective: finite,
    lowerBound: finite,
    migrations: count,
    /** The plan's actions. */
    steps: count,
  })
  .strict();
export type PlanProgressEvent = z.infer<typeof PlanProgressEventSchema>;

export function progressToWire(requestId: string, progress: PlanProgress): PlanProgressEvent {
  return {
    requestId,
    elapsedMs: progress.elapsedMs,
    stage: progress.stage,
    objective: progress.objective,
    lowerBound: progress.lowerBound,
    migrations: progress.migrations,
    steps: progress.plan.actions.length,
  };
}

export const PLAN_STATUSES = ['optimal', 'feasible', 'infeasible', 'unknown'] as const;
assertType<Equals<(typeof PLAN_STATUSES)[number], PlanStatus>>(true);

/**
 * A conflict an explanation line states (src/solver/conflict-line.ts `Conflict`): the console links
 * each constraint term to the script without reading the sentence.
 */
export const ConflictWireSchema = z
  .object({
    /** Index of the explanation line that states it. */
    line: count,
    /** 'cluster': no constraint takes part, the cluster lacks capacity. */
    cause: z.enum(['constraints', 'cluster']),
    /** The conflicting constraints as terms (`offline(N[1..500])`). */
    constraints: z.array(z.string()),
    /** How many more constraints take part than the terms show. */
    more: count,
    /** The nodes whose capacity the argument counts, or null. */
    capacityOf: z.string().nullable(),
  })
  .strict();
export type ConflictWire = z.infer<typeof ConflictWireSchema>;

/** A PlanResult on the wire: numbers that are NaN in PlanResult (no plan) are null here. */
export const PlanResultWireSchema = z
  .object({
    status: z.enum(PLAN_STATUSES),
    /**
     * The plan, actions sorted by (start, end); null when none was found. Without its origin when
     * the caller said it holds that origin (plan:compute's `originHeld`).
     */
    plan: WirePlanSchema.nullable(),
    /** The ids of the plan's steps, parallel to its actions (empty without a plan). */
    stepIds: z.array(id),
    objective: finite.nullable(),
    /** 'placement': the bound only covers this placement's schedules; null: every plan. */
    lowerBoundCovers: z.literal('placement').nullable(),
    lowerBound: finite.nullable(),
    gap: finite.nullable(),
    durationSeconds: finite.nullable(),
    durationLowerBound: finite.nullable(),
    migrations: finite.nullable(),
    migrationsLowerBound: finite.nullable(),
    memoryMovedMiB: finite.nullable(),
    solveMs: nonNegative,
    explanation: z.array(z.string()),
    /** The explanation's conflicts (lines that name what cannot hold together), for linking. */
    conflicts: z.array(ConflictWireSchema).optional(),
    notes: z.array(z.string()),
  })
  .strict()
  .superRefine((r, ctx) => {
    for (const [i, c] of (r.conflicts ?? []).entries()) if (c.line >= r.explanation.length) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['conflicts', i, 'line'], message: `no explanation line ${c.line} (${r.explanation.length} lines)` });
    const actions = r.plan?.actions.length ?? 0;
    if (r.stepIds.length !== actions) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['stepIds'], message: `expected one id per action (${actions}), got ${r.stepIds.length}` });
  });
export type PlanResultWire = z.infer<typeof PlanResultWireSchema>;
// every field of PlanResult travels (a new one must be added here), plus the step ids and the
// conflicts read from the explanation
assertType<Equals<keyof PlanResultWire, keyof PlanResult | 'stepIds' | 'conflicts'>>(true);

/** A number, or null for NaN and the infinities (JSON has neither). */
function finiteOrNull(n: number | undefined): number | null {
  return n !== undefined && Number.isFinite(n) ? n : null;
}

/** `originRef`: the caller holds the plan's origin, which is left out. */
export function planResultToWire(result: PlanResult, stepIds?: readonly string[], originRef?: OriginRef): PlanResultWire {
  const ids = result.plan ? (stepIds ?? stepIdsFor(result.plan.actions.length)) : [];
  const planned = result.plan ? (originRef ? withStepIdsOnHeldOrigin(result.plan, originRef, ids) : withStepIds(result.plan, ids)) : undefined;
  return {
    status: result.status,
    plan: planned?.plan ?? null,
    stepIds: planned?.stepIds ?? [],
    objective: finiteOrNull(result.objective),
    lowerBoundCovers: result.lowerBoundCovers ?? null,
    lowerBound: finiteOrNull(result.lowerBound),
    gap: finiteOrNull(result.gap),
    durationSeconds: finiteOrNull(result.durationSeconds),
    durationLowerBound: finiteOrNull(result.durationLowerBound),
    migrations: finiteOrNull(result.migrations),
    migrationsLowerBound: finiteOrNull(result.migrationsLowerBound),
    memoryMovedMiB: finiteOrNull(result.memoryMovedMiB),
    solveMs: Math.max(0, finiteOrNull(result.solveMs) ?? 0),
    explanation: [...(result.explanation ?? [])],
    conflicts: conflictsOf(result.explanation ?? []),
    notes: [...result.notes],
  };
}

/** The conflicts the explanation's lines state, with the line of each. */
function conflictsOf(explanation: readonly string[]): ConflictWire[] {
  return explanation.flatMap((text, line) => {
    const c = readConflict(text);
    return c ? [{ line, cause: c.cause, constraints: [...c.constraints], more: c.more, capacityOf: c.capacityOf }] : [];
  });
}

/** What plan:compute answers: a result (with the constraint hash to approve against), or the script's errors. */
export const PlanComputedSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('result'),
      requestId: id,
      result: PlanResultWireSchema,
      /** `sha256:…` of the canonical constraint list (the instance's, then the script's). */
      constraintHash: z.string(),
      /** The script's warnings (it had no error). */
      diagnostics: z.array(DiagnosticSchema),
    })
    .strict(),
  z.object({ kind: z.literal('script-errors'), requestId: id, diagnostics: z.array(DiagnosticSchema) }).strict(),
]);
export type PlanComputed = z.infer<typeof PlanComputedSchema>;

// ---- runs -----------------------------------------------------------------------------------

/** A run after any change, with its progress (counts and end estimate). */
export const RunChangedEventSchema = z.object({ run: RunSchema, progress: RunProgressSchema }).strict();
export type RunChangedEvent = z.infer<typeof RunChangedEventSchema>;

/** One step after an event touched it: what happened, and the step as it is now (a journal row). */
export const StepEventSchema = z
  .object({
    runId: id,
    revision: count,
    event: ExecEventSchema,
    step: StepSchema,
  })
  .strict();
export type StepEvent = z.infer<typeof StepEventSchema>;

// ---- clusters -------------------------------------------------------------------------------

/** A cluster was read again: per-host facts and operations in flight (the model via cluster:snapshot). */
export const ClusterChangedEventSchema = z
  .object({
    clusterId: id,
    readAt: epochMs,
    hosts: z.array(HostReadingSchema),
    jobs: z.record(VmJobSchema),
  })
  .strict();
export type ClusterChangedEvent = z.infer<typeof ClusterChangedEventSchema>;
