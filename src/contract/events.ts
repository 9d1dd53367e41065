import { z } from 'zod';

import { planToJson } from '../plan/json.js';
import type { PlanProgress, PlanResult, PlanStatus } from '../solver/planner.js';
import { ExecEventSchema, RunProgressSchema, RunSchema, StepSchema } from './executor.js';
import { DiagnosticSchema, type Equals, HostReadingSchema, type PlanJson, PlanJsonSchema, VmJobSchema, assertType, count, epochMs, finite, id, nonNegative, stepIdsFor, withStepIds } from './wire.js';

/**
 * Payloads of what the services report: planning progress and results, run and step changes,
 * cluster changes. Planning progress only ever carries plans the independent checker accepted
 * (main/services/planning.ts checks them before they are sent).
 */

// ---- planning -------------------------------------------------------------------------------

/** An improving plan found while planning runs (already checked). */
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
    plan: PlanJsonSchema,
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
    plan: planToJson(progress.plan) as PlanJson,
  };
}

export const PLAN_STATUSES = ['optimal', 'feasible', 'infeasible', 'unknown'] as const;
assertType<Equals<(typeof PLAN_STATUSES)[number], PlanStatus>>(true);

/** A PlanResult on the wire: numbers that are NaN in PlanResult (no plan) are null here. */
export const PlanResultWireSchema = z
  .object({
    status: z.enum(PLAN_STATUSES),
    /** The plan, actions sorted by (start, end); null when none was found. */
    plan: PlanJsonSchema.nullable(),
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
    notes: z.array(z.string()),
  })
  .strict()
  .superRefine((r, ctx) => {
    const actions = r.plan?.actions.length ?? 0;
    if (r.stepIds.length !== actions) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['stepIds'], message: `expected one id per action (${actions}), got ${r.stepIds.length}` });
  });
export type PlanResultWire = z.infer<typeof PlanResultWireSchema>;
// every field of PlanResult travels (a new one must be added here), plus the step ids
assertType<Equals<keyof PlanResultWire, keyof PlanResult | 'stepIds'>>(true);

/** A number, or null for NaN and the infinities (JSON has neither). */
function finiteOrNull(n: number | undefined): number | null {
  return n !== undefined && Number.isFinite(n) ? n : null;
}

export function planResultToWire(result: PlanResult, stepIds?: readonly string[]): PlanResultWire {
  const planned = result.plan ? withStepIds(result.plan, stepIds ?? stepIdsFor(result.plan.actions.length)) : undefined;
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
    notes: [...result.notes],
  };
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
