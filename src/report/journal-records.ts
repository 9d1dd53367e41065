import type { Run, RunState, Step, StepPhase, StepState } from '../executor/types.js';

/**
 * What the journal keeps about a run, as plain JSON. The journal itself (SQLite) lives in
 * main/node/journal; these shapes live here, in the pure core, because the maintenance report
 * (src/report) reads them and src/ must not depend on main/.
 */

/** How the run was asked for: kept so that a crashed run can be resumed and re-planned alike. */
export interface RunMeta {
  /** `user@host` of the operator who created the run. */
  readonly createdBy: string;
  /** The btrpsl script the plan satisfies, verbatim. */
  readonly script: string;
  readonly scriptName: string;
  /** The planning options (JSON). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** One plan of a run: the initial one, then one per accepted re-plan. */
export interface RevisionRecord {
  readonly revision: number;
  readonly constraintHash: string;
  /** BtrPlace plan JSON. */
  readonly plan: unknown;
  /** The cluster facts the plan started from (JSON). */
  readonly originFacts: unknown;
  readonly createdAt: number;
  /** Operator words: `initial plan`, `re-plan: web3 moved to r2-h4 outside Ferry`. */
  readonly reason: string;
}

/**
 * What one journal entry changed in the run, computed by the journal from the state it replaces.
 * Events do not say everything (an `approve-ready` does not list the steps it approved, a re-plan
 * replaces steps wholesale): the report needs the effect, not only the cause.
 */
export interface StepChange {
  readonly stepId: string;
  /** [before, after]; `null` before: the step is new (re-plan); `null` after: it was dropped. */
  readonly state?: readonly [StepState | null, StepState | null];
  /** The phase it entered (null: it left `running`). */
  readonly phase?: StepPhase | null;
  /** Present when the step became approved: by whom. */
  readonly approvedBy?: string | null;
  /** Present when the attempt count changed: the new count. */
  readonly attempts?: number;
  /** Present when the reason changed: the new reason. */
  readonly reason?: string | null;
  /** Present when who holds it changed. */
  readonly heldBy?: string | null;
}

export interface EntryChanges {
  /** [before, after] when the run's state changed. */
  readonly runState?: readonly [RunState, RunState];
  /** [before, after] when the revision changed (an accepted re-plan). */
  readonly revision?: readonly [number, number];
  readonly steps: readonly StepChange[];
}

/**
 * One line of the audit trail. `type` is the executor event's type, or one of the journal's own:
 * `run-created`, `revision-added`, `note`.
 */
export interface JournalEntry {
  /** Increasing over the whole journal, never reused. */
  readonly seq: number;
  readonly runId: string;
  /** ms since the epoch. */
  readonly at: number;
  /** `user@host`, `ferry` for the executor's own events, null for an unattributed note. */
  readonly actor: string | null;
  readonly type: string;
  /** The executor event as recorded (JSON), or the journal's own details. */
  readonly event: unknown;
  /** The run's revision and constraint hash once this entry applied. */
  readonly revision: number;
  readonly constraintHash: string;
  readonly note: string | null;
  /** What the entry changed (absent for notes and for entries that changed nothing listed). */
  readonly changes?: EntryChanges;
}

export interface RunSummary {
  readonly runId: string;
  readonly clusterId: string;
  readonly state: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly steps: number;
  /** Steps succeeded or skipped (cancelled steps were not carried out: not counted). */
  readonly done: number;
  readonly revision: number;
}

/** Steps counted as done in a summary. */
export function doneSteps(run: Run): number {
  let n = 0;
  for (const s of run.steps) if (s.state === 'succeeded' || s.state === 'skipped') n++;
  return n;
}

/** `2026-12-07 11:45:02` (UTC): operators on several sites read the same journal. */
export function formatUtc(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The changes from `prev` to `next`, or undefined when nothing listed changed (progress rows).
 * Compares a few fields per step: cheap even for thousands of steps, and it runs once per record.
 */
export function runChanges(prev: Run | undefined, next: Run): EntryChanges | undefined {
  const steps = stepChanges(prev?.steps ?? [], next.steps);
  const runState = prev && prev.state !== next.state ? ([prev.state, next.state] as const) : undefined;
  const revision = prev && prev.revision !== next.revision ? ([prev.revision, next.revision] as const) : undefined;
  if (steps.length === 0 && !runState && !revision) return undefined;
  return { ...(runState ? { runState } : {}), ...(revision ? { revision } : {}), steps };
}

function stepChanges(old: readonly Step[], now: readonly Step[]): StepChange[] {
  const changes: StepChange[] = [];
  const push = (c: StepChange | undefined): void => void (c && changes.push(c));
  // the usual case, every record but a re-plan's: the same steps in the same order
  if (old.length === now.length && now.every((s, i) => old[i]?.id === s.id)) {
    now.forEach((s, i) => push(stepChange(old[i], s)));
    return changes;
  }
  const before = new Map(old.map((s) => [s.id, s]));
  for (const s of now) {
    push(stepChange(before.get(s.id), s));
    before.delete(s.id);
  }
  for (const gone of before.values()) changes.push({ stepId: gone.id, state: [gone.state, null] });
  return changes;
}

function stepChange(a: Step | undefined, b: Step): StepChange | undefined {
  if (a === b) return undefined;
  if (!a) return { stepId: b.id, state: [null, b.state], ...(b.approved ? { approvedBy: b.approvedBy } : {}) };
  const c: { -readonly [K in keyof StepChange]: StepChange[K] } = { stepId: b.id };
  if (a.state !== b.state) c.state = [a.state, b.state];
  if (a.phase !== b.phase) c.phase = b.phase;
  if (!a.approved && b.approved) c.approvedBy = b.approvedBy;
  if (a.attempts !== b.attempts) c.attempts = b.attempts;
  if (a.reason !== b.reason) c.reason = b.reason;
  if (a.heldBy !== b.heldBy) c.heldBy = b.heldBy;
  return Object.keys(c).length > 1 ? c : undefined;
}
