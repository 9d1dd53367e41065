import { z } from 'zod';

import type { EffectOutcome, EffectProgress, NamedAction } from '../cluster/ports.js';
import type { ApprovalMode, ExecCommand, ExecEvent, ExecEventType, FailureChoice, PlanDiff, ReplanProposal, Run, RunProgress, RunState, Step, StepPhase, StepState } from '../executor/types.js';
import { type Equals, assertType, count, epochMs, finite, id, matches, nonNegative } from './wire.js';

/**
 * The executor's state, events and commands on the wire (src/executor/types.ts is the source of
 * truth; every schema here is `matches<T>()`-checked against it, so the two cannot drift).
 *
 * A front end never sends an ExecEvent as is: it sends an OperatorEvent (one of the operator's
 * event types, without `at` and `by`), and the service stamps it with its clock and the operator's
 * identity (`stampOperatorEvent`). Effect, preflight and verification events are the service's
 * alone; a front end that sends one is refused with a word saying so.
 */

// ---- enumerations ---------------------------------------------------------------------------

export const RUN_STATES = ['draft', 'approved', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'superseded'] as const;
export const STEP_STATES = ['pending', 'ready', 'awaiting-approval', 'held', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] as const;
export const STEP_PHASES = ['preflight', 'executing', 'verifying'] as const;
export const APPROVAL_MODES = ['manual', 'unattended'] as const;
export const FAILURE_CHOICES = ['retry', 'skip', 'replan', 'stop'] as const;
assertType<Equals<(typeof RUN_STATES)[number], RunState>>(true);
assertType<Equals<(typeof STEP_STATES)[number], StepState>>(true);
assertType<Equals<(typeof STEP_PHASES)[number], StepPhase>>(true);
assertType<Equals<(typeof APPROVAL_MODES)[number], ApprovalMode>>(true);
assertType<Equals<(typeof FAILURE_CHOICES)[number], FailureChoice>>(true);

export const RunStateSchema = z.enum(RUN_STATES);
export const StepStateSchema = z.enum(STEP_STATES);
export const ApprovalModeSchema = z.enum(APPROVAL_MODES);
export const FailureChoiceSchema = z.enum(FAILURE_CHOICES);

const actor = z.string().min(1).max(256);
/** At most this many running steps touch one host at once. */
const perHost = z.number().int().min(1).finite();

// ---- actions and effects --------------------------------------------------------------------

const migrationLike = <K extends string>(kind: K) => z.object({ kind: z.literal(kind), vm: id, from: id, to: id }).strict();
const onNode = <K extends string>(kind: K) => z.object({ kind: z.literal(kind), vm: id, node: id }).strict();
const nodeOnly = <K extends string>(kind: K) => z.object({ kind: z.literal(kind), node: id }).strict();

export const NamedActionSchema = matches<NamedAction>()(
  z.discriminatedUnion('kind', [
    migrationLike('migrateVM'),
    onNode('bootVM'),
    onNode('shutdownVM'),
    migrationLike('suspendVM'),
    migrationLike('resumeVM'),
    z.object({ kind: z.literal('killVM'), vm: id, node: id.nullable() }).strict(),
    z.object({ kind: z.literal('forgeVM'), vm: id }).strict(),
    nodeOnly('bootNode'),
    nodeOnly('shutdownNode'),
    z.object({ kind: z.literal('allocate'), vm: id, node: id, rc: id, amount: finite }).strict(),
  ]),
);

export const EffectProgressSchema = matches<EffectProgress>()(
  z
    .object({
      fraction: finite.min(0).max(1),
      bytesMoved: nonNegative.optional(),
      bytesTotal: nonNegative.optional(),
      secondsLeft: nonNegative.nullable().optional(),
      message: z.string().optional(),
    })
    .strict(),
);

export const EffectOutcomeSchema = matches<EffectOutcome>()(
  z.discriminatedUnion('status', [
    z.object({ status: z.literal('succeeded') }).strict(),
    z.object({ status: z.literal('failed'), error: z.string() }).strict(),
    z.object({ status: z.literal('timed-out'), error: z.string() }).strict(),
    z.object({ status: z.literal('cancelled') }).strict(),
  ]),
);

// ---- steps and runs -------------------------------------------------------------------------

export const StepSchema = matches<Step>()(
  z
    .object({
      id,
      action: NamedActionSchema,
      plannedStart: nonNegative,
      plannedEnd: nonNegative,
      dependsOn: z.array(id),
      memoryMiB: nonNegative,
      state: StepStateSchema,
      phase: z.enum(STEP_PHASES).nullable(),
      approved: z.boolean(),
      approvedBy: actor.nullable(),
      attempts: count,
      reason: z.string().nullable(),
      heldBy: z.string().nullable(),
      progress: EffectProgressSchema.nullable(),
      startedAt: epochMs.nullable(),
      endedAt: epochMs.nullable(),
      lastOutcome: EffectOutcomeSchema.nullable(),
    })
    .strict(),
);

export const PlanDiffSchema = matches<PlanDiff>()(z.object({ kept: z.array(id), dropped: z.array(id), added: z.array(id) }).strict());

export const ReplanProposalSchema = matches<ReplanProposal>()(
  z
    .object({
      revision: count,
      reason: z.string(),
      steps: z.array(StepSchema),
      diff: PlanDiffSchema,
      constraintHash: z.string(),
    })
    .strict(),
);

export const RunSchema = matches<Run>()(
  z
    .object({
      runId: id,
      clusterId: id,
      revision: count,
      state: RunStateSchema,
      mode: ApprovalModeSchema,
      maxPerHost: perHost,
      steps: z.array(StepSchema),
      constraintHash: z.string(),
      windowSeconds: nonNegative.nullable(),
      createdAt: epochMs,
      startedAt: epochMs.nullable(),
      endedAt: epochMs.nullable(),
      stopping: z.enum(['abort', 'stop']).nullable(),
      replan: ReplanProposalSchema.nullable(),
      reason: z.string().nullable(),
    })
    .strict(),
);

export const RunProgressSchema = matches<RunProgress>()(
  z
    .object({
      total: count,
      succeeded: count,
      skipped: count,
      failed: count,
      running: count,
      remaining: count,
      secondsLeft: nonNegative,
      estimatedEnd: epochMs.nullable(),
      fitsWindow: z.boolean().nullable(),
    })
    .strict(),
);

// ---- events ---------------------------------------------------------------------------------

/**
 * The operator's events, as a front end sends them (no `at`, no `by`: the service knows the time
 * and who is asking). `approve-plan` and `start` are the operator's too: without them nothing
 * could start a run.
 */
const operatorVariants = [
  z.object({ type: z.literal('approve-plan') }).strict(),
  z.object({ type: z.literal('start') }).strict(),
  z.object({ type: z.literal('approve'), stepIds: z.array(id).min(1) }).strict(),
  z.object({ type: z.literal('approve-ready') }).strict(),
  z.object({ type: z.literal('set-mode'), mode: ApprovalModeSchema, maxPerHost: perHost.optional() }).strict(),
  z.object({ type: z.literal('skip'), stepId: id, reason: z.string() }).strict(),
  z.object({ type: z.literal('hold'), stepId: id, reason: z.string().optional() }).strict(),
  z.object({ type: z.literal('release'), stepId: id }).strict(),
  z.object({ type: z.literal('pause') }).strict(),
  z.object({ type: z.literal('resume') }).strict(),
  z.object({ type: z.literal('abort'), reason: z.string().optional() }).strict(),
  z.object({ type: z.literal('failure-choice'), stepId: id, choice: FailureChoiceSchema }).strict(),
  z.object({ type: z.literal('replan-accepted') }).strict(),
  z.object({ type: z.literal('replan-rejected') }).strict(),
] as const;

export const OPERATOR_EVENT_TYPES = operatorVariants.map((v) => v.shape.type.value);
export type OperatorEventType = (typeof operatorVariants)[number]['shape']['type']['value'];

/** The events only the service produces (effects, preflight, verification, re-plan results, recovery). */
export const SERVICE_EVENT_TYPES = [
  'preflight-ok',
  'preflight-drift',
  'preflight-blocked',
  'effect-progress',
  'effect-ended',
  'verified',
  'replan-proposed',
  'replan-failed',
  'supersede',
  'recovered',
] as const;
// every event type is the operator's or the service's, never both
assertType<Equals<OperatorEventType | (typeof SERVICE_EVENT_TYPES)[number], ExecEventType>>(true);
assertType<Equals<Extract<OperatorEventType, (typeof SERVICE_EVENT_TYPES)[number]>, never>>(true);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An operator's ExecEvent without the `at` and `by` the service adds. */
export type OperatorEvent = DistributiveOmit<Extract<ExecEvent, { readonly type: OperatorEventType }>, 'at' | 'by'>;

const operatorEventUnion = matches<OperatorEvent>()(z.discriminatedUnion('type', [...operatorVariants]));

/** A service-only event type gets its own refusal, naming what an operator may send instead. */
function refuseServiceEvents(value: unknown, ctx: z.RefinementCtx): void {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && (SERVICE_EVENT_TYPES as readonly string[]).includes(type)) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['type'],
      message: `${JSON.stringify(type)} is an event only the execution service produces; an operator may send one of ${OPERATOR_EVENT_TYPES.map((t) => `'${t}'`).join(', ')}`,
    });
  }
}

export const OperatorEventSchema: z.ZodType<OperatorEvent, z.ZodTypeDef, unknown> = z.unknown().superRefine(refuseServiceEvents).pipe(operatorEventUnion);

/** The ExecEvent an operator's event becomes, stamped by the service. */
export function stampOperatorEvent(event: OperatorEvent, at: number, by: string): ExecEvent {
  return { ...event, at, by } as ExecEvent;
}

const at = epochMs;
const stepId = id;

export const ExecEventSchema = matches<ExecEvent>()(
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('approve-plan'), at, by: actor }).strict(),
    z.object({ type: z.literal('start'), at, by: actor }).strict(),
    z.object({ type: z.literal('approve'), at, by: actor, stepIds: z.array(id) }).strict(),
    z.object({ type: z.literal('approve-ready'), at, by: actor }).strict(),
    z.object({ type: z.literal('set-mode'), at, by: actor, mode: ApprovalModeSchema, maxPerHost: perHost.optional() }).strict(),
    z.object({ type: z.literal('skip'), at, by: actor, stepId, reason: z.string() }).strict(),
    z.object({ type: z.literal('hold'), at, by: actor, stepId, reason: z.string().optional() }).strict(),
    z.object({ type: z.literal('release'), at, by: actor, stepId }).strict(),
    z.object({ type: z.literal('pause'), at, by: actor }).strict(),
    z.object({ type: z.literal('resume'), at, by: actor }).strict(),
    z.object({ type: z.literal('abort'), at, by: actor, reason: z.string().optional() }).strict(),
    z.object({ type: z.literal('preflight-ok'), at, stepId }).strict(),
    z.object({ type: z.literal('preflight-drift'), at, stepId, drift: z.array(z.string()) }).strict(),
    z.object({ type: z.literal('preflight-blocked'), at, stepId, reason: z.string() }).strict(),
    z.object({ type: z.literal('effect-progress'), at, stepId, progress: EffectProgressSchema }).strict(),
    z.object({ type: z.literal('effect-ended'), at, stepId, outcome: EffectOutcomeSchema }).strict(),
    z.object({ type: z.literal('verified'), at, stepId, result: z.enum(['done', 'in-flight', 'not-done']), detail: z.string() }).strict(),
    z.object({ type: z.literal('failure-choice'), at, by: actor, stepId, choice: FailureChoiceSchema }).strict(),
    z.object({ type: z.literal('replan-proposed'), at, proposal: ReplanProposalSchema }).strict(),
    z.object({ type: z.literal('replan-failed'), at, reason: z.string() }).strict(),
    z.object({ type: z.literal('replan-accepted'), at, by: actor }).strict(),
    z.object({ type: z.literal('replan-rejected'), at, by: actor }).strict(),
    z.object({ type: z.literal('supersede'), at, by: actor, reason: z.string() }).strict(),
    z.object({ type: z.literal('recovered'), at, by: actor }).strict(),
  ]),
);

export const ExecCommandSchema = matches<ExecCommand>()(
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('preflight'), stepId }).strict(),
    z.object({ type: z.literal('perform'), stepId, requestId: id }).strict(),
    z.object({ type: z.literal('cancel'), stepId }).strict(),
    z.object({ type: z.literal('verify'), stepId, delayMs: nonNegative }).strict(),
    z.object({ type: z.literal('replan'), reason: z.string() }).strict(),
  ]),
);
