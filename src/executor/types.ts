import type { EffectOutcome, EffectProgress, NamedAction } from '../cluster/ports.js';

/**
 * The executor's state, events and commands. Everything here is plain JSON (no classes, no
 * `undefined` that matters, no NaN) because every state is written to the journal before it is
 * acted upon, and read back after a crash.
 *
 * The executor is a pure function `(run, event) → (run', commands)` (src/executor/machine.ts);
 * the execution service in main/ journals the new state, then carries the commands out through
 * the ports and feeds the results back as events.
 */

/** Plan (run) states, after OpenStack Watcher's action plans (see ARCHITECTURE.md). */
export type RunState = 'draft' | 'approved' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled' | 'superseded';
export const FINAL_RUN_STATES: readonly RunState[] = ['succeeded', 'failed', 'cancelled', 'superseded'];

/**
 * Step states. `pending`: a prerequisite has not succeeded yet. `awaiting-approval`: every
 * prerequisite succeeded, the operator has not approved it. `ready`: prerequisites succeeded and
 * approved, waiting for a free slot (per-host cap) or for the run to be resumed. `held`: kept back
 * by the operator or by drift. `running`: preflight, effect and verification (see `phase`).
 * `failed`: waits for the operator's failure choice (retry, skip, re-plan, stop).
 */
export type StepState = 'pending' | 'ready' | 'awaiting-approval' | 'held' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export const FINAL_STEP_STATES: readonly StepState[] = ['succeeded', 'skipped', 'cancelled'];

/** Within `running`: re-reading live state, the effect itself, checking the result from a fresh read. */
export type StepPhase = 'preflight' | 'executing' | 'verifying';

export type ApprovalMode = 'manual' | 'unattended';

export type FailureChoice = 'retry' | 'skip' | 'replan' | 'stop';

export interface Step {
  /** Stable within a run (`s1`, `s2`, …); kept by a re-plan for the steps it keeps. */
  readonly id: string;
  readonly action: NamedAction;
  /** Planned times, seconds from the start of the plan. */
  readonly plannedStart: number;
  readonly plannedEnd: number;
  /** Ids of the steps that must succeed before this one may start. */
  readonly dependsOn: readonly string[];
  /** Memory this step moves (MiB), 0 when none. */
  readonly memoryMiB: number;
  readonly state: StepState;
  readonly phase: StepPhase | null;
  readonly approved: boolean;
  readonly approvedBy: string | null;
  readonly attempts: number;
  /** Why it is held, skipped, failed or cancelled (operator words). */
  readonly reason: string | null;
  /** Who held it: the operator, or 'drift' when the preflight found the cluster changed. */
  readonly heldBy: string | null;
  readonly progress: EffectProgress | null;
  /** Wall-clock times of the last attempt (ms since the epoch). */
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  /** The effect's last outcome, kept for the report and the failure choice. */
  readonly lastOutcome: EffectOutcome | null;
}

/** A re-plan from live state, waiting for the operator to accept or reject it. */
export interface ReplanProposal {
  readonly revision: number;
  readonly reason: string;
  /** The remaining steps of the new plan (ids of kept steps preserved, new ones fresh). */
  readonly steps: readonly Step[];
  readonly diff: PlanDiff;
  readonly constraintHash: string;
}

export interface PlanDiff {
  /** Ids (in the current revision) of the steps the new plan keeps. */
  readonly kept: readonly string[];
  /** Ids of the current revision's unfinished steps the new plan drops. */
  readonly dropped: readonly string[];
  /** Ids (in the new revision) of the steps that are new. */
  readonly added: readonly string[];
}

export interface Run {
  readonly runId: string;
  readonly clusterId: string;
  readonly revision: number;
  readonly state: RunState;
  readonly mode: ApprovalMode;
  /** At most this many running steps touch one host at once. */
  readonly maxPerHost: number;
  readonly steps: readonly Step[];
  readonly constraintHash: string;
  /** The maintenance window, seconds from the start of the run, when given. */
  readonly windowSeconds: number | null;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  /** Set while an abort or a stop waits for running steps to settle. */
  readonly stopping: 'abort' | 'stop' | null;
  readonly replan: ReplanProposal | null;
  /** Why the run ended as it did (operator words). */
  readonly reason: string | null;
}

/** Who did something: `user@host` for an operator, `ferry` for the executor itself. */
export type Actor = string;

/** Everything that can happen to a run. `at` is the clock's time (ms since the epoch). */
export type ExecEvent =
  | { readonly type: 'approve-plan'; readonly at: number; readonly by: Actor }
  | { readonly type: 'start'; readonly at: number; readonly by: Actor }
  | { readonly type: 'approve'; readonly at: number; readonly by: Actor; readonly stepIds: readonly string[] }
  | { readonly type: 'approve-ready'; readonly at: number; readonly by: Actor }
  | { readonly type: 'set-mode'; readonly at: number; readonly by: Actor; readonly mode: ApprovalMode; readonly maxPerHost?: number }
  | { readonly type: 'skip'; readonly at: number; readonly by: Actor; readonly stepId: string; readonly reason: string }
  | { readonly type: 'hold'; readonly at: number; readonly by: Actor; readonly stepId: string; readonly reason?: string }
  | { readonly type: 'release'; readonly at: number; readonly by: Actor; readonly stepId: string }
  | { readonly type: 'pause'; readonly at: number; readonly by: Actor }
  | { readonly type: 'resume'; readonly at: number; readonly by: Actor }
  | { readonly type: 'abort'; readonly at: number; readonly by: Actor; readonly reason?: string }
  | { readonly type: 'preflight-ok'; readonly at: number; readonly stepId: string }
  /** The cluster drifted from what the plan assumed: hold the step and re-plan. */
  | { readonly type: 'preflight-drift'; readonly at: number; readonly stepId: string; readonly drift: readonly string[] }
  /** A precondition does not hold for another reason (host not answering): hold, no re-plan. */
  | { readonly type: 'preflight-blocked'; readonly at: number; readonly stepId: string; readonly reason: string }
  | { readonly type: 'effect-progress'; readonly at: number; readonly stepId: string; readonly progress: EffectProgress }
  | { readonly type: 'effect-ended'; readonly at: number; readonly stepId: string; readonly outcome: EffectOutcome }
  /**
   * A fresh read after the effect (or after a crash): `done` the action's result holds;
   * `in-flight` the hypervisor is still at it (read again later); `not-done` it did not happen.
   */
  | { readonly type: 'verified'; readonly at: number; readonly stepId: string; readonly result: 'done' | 'in-flight' | 'not-done'; readonly detail: string }
  | { readonly type: 'failure-choice'; readonly at: number; readonly by: Actor; readonly stepId: string; readonly choice: FailureChoice }
  | { readonly type: 'replan-proposed'; readonly at: number; readonly proposal: ReplanProposal }
  | { readonly type: 'replan-failed'; readonly at: number; readonly reason: string }
  | { readonly type: 'replan-accepted'; readonly at: number; readonly by: Actor }
  | { readonly type: 'replan-rejected'; readonly at: number; readonly by: Actor }
  /** A newer plan replaces this one before it ran (draft or approved only). */
  | { readonly type: 'supersede'; readonly at: number; readonly by: Actor; readonly reason: string }
  /** The process restarted: every step the journal says was running is re-read before anything else. */
  | { readonly type: 'recovered'; readonly at: number; readonly by: Actor };

export type ExecEventType = ExecEvent['type'];

/** What the service must do after a transition (after the new state is journaled). */
export type ExecCommand =
  /** Re-read the hosts and VMs the step touches and compare them with what the plan assumed. */
  | { readonly type: 'preflight'; readonly stepId: string }
  | { readonly type: 'perform'; readonly stepId: string; readonly requestId: string }
  | { readonly type: 'cancel'; readonly stepId: string }
  /** Re-read every host the step touches (both ends of a migration) and decide done / in-flight / not-done. */
  | { readonly type: 'verify'; readonly stepId: string; readonly delayMs: number }
  /** Plan again from live state; answer with replan-proposed or replan-failed. */
  | { readonly type: 'replan'; readonly reason: string };

export interface Transition {
  readonly run: Run;
  readonly commands: readonly ExecCommand[];
  /** Set when the event was refused (state unchanged): operator words, e.g. "s4 has already succeeded". */
  readonly refused?: string;
}

/** Per-plan progress: counts and the end estimate against the window. */
export interface RunProgress {
  readonly total: number;
  readonly succeeded: number;
  readonly skipped: number;
  readonly failed: number;
  readonly running: number;
  readonly remaining: number;
  /** Seconds of planned work still to do along the longest dependency chain. */
  readonly secondsLeft: number;
  /** Estimated end (ms since the epoch), null before the run started. */
  readonly estimatedEnd: number | null;
  /** Whether the estimate ends within the window (null when there is no window). */
  readonly fitsWindow: boolean | null;
}
