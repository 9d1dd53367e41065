import { describeNamedAction, safeName } from '../executor/describe.js';
import type { ApprovalMode, Run, RunState, Step, StepState } from '../executor/types.js';
import { formatTime } from '../plan/format.js';
import { formatMemory } from '../text/memory.js';
import type { EntryChanges, JournalEntry, RevisionRecord, RunMeta, StepChange } from './journal-records.js';
import { formatUtc } from './journal-records.js';

/**
 * The maintenance report of a run, from the journal alone: what was planned, who approved what
 * under which constraints, what happened to every step, and the whole audit trail. `reportData`
 * derives the facts; `renderReport` prints them as Markdown or as one self-contained HTML page.
 *
 * Names come from the cluster (a hypervisor reports whatever a VM was called), so every piece of
 * text is escaped for the format at the last moment: a VM named `<script>` or `a | b` or with a
 * newline is printed as text, never as markup, a table cell or a forged line.
 */

export { formatUtc };

export interface ReportInput {
  readonly run: Run;
  readonly meta: RunMeta;
  readonly revisions: readonly RevisionRecord[];
  readonly entries: readonly JournalEntry[];
}

export interface ReportData {
  readonly summary: ReportSummary;
  readonly revisions: readonly RevisionReport[];
  /** The current revision's steps, in planned order. */
  readonly plan: readonly PlanLine[];
  /** Every step the run had (current ones in planned order, then ones a re-plan dropped). */
  readonly steps: readonly StepReport[];
  readonly audit: readonly AuditLine[];
}

export interface ReportSummary {
  readonly runId: string;
  readonly clusterId: string;
  readonly state: RunState;
  /** Why the run ended (or stands) as it does. */
  readonly reason: string | null;
  readonly createdBy: string;
  /** Who started it (the `start` event), when it was. */
  readonly startedBy: string | null;
  readonly scriptName: string;
  readonly mode: ApprovalMode;
  readonly maxPerHost: number;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly revision: number;
  readonly constraintHash: string;
  readonly total: number;
  readonly succeeded: number;
  readonly skipped: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Steps neither final nor failed. */
  readonly unfinished: number;
  /** Memory moved by the steps that succeeded (MiB). */
  readonly memoryMovedMiB: number;
  /** From start to end, or to the last journal entry while the run is not over. */
  readonly durationSeconds: number | null;
  readonly windowSeconds: number | null;
  readonly withinWindow: boolean | null;
}

export interface RevisionReport {
  readonly revision: number;
  readonly constraintHash: string;
  readonly kind: 'initial' | 're-plan';
  /** `in force`: the run's current plan; `proposed`: waiting for the operator. */
  readonly status: 'in force' | 'replaced' | 'rejected' | 'proposed' | 'not accepted';
  readonly reason: string;
  readonly createdAt: number;
}

export interface PlanLine {
  readonly stepId: string;
  readonly start: number;
  readonly end: number;
  readonly action: string;
  readonly state: StepState;
}

export interface Approval {
  readonly by: string;
  readonly at: number;
  readonly revision: number;
  readonly constraintHash: string;
}

export interface Attempt {
  readonly attempt: number;
  readonly startedAt: number;
  readonly endedAt: number | null;
  /** The effect's outcome: succeeded, failed, timed-out, cancelled. */
  readonly outcome: string | null;
  readonly error: string | null;
  /** The fresh read after the effect: `done: …`, `not-done: …`. */
  readonly verified: string | null;
  /** The operator's choice after a failure: `retry by alice@ws1`. */
  readonly choice: string | null;
}

export interface Hold {
  readonly at: number;
  /** The operator, or `drift`. */
  readonly by: string;
  readonly reason: string | null;
  readonly releasedAt: number | null;
  readonly releasedBy: string | null;
}

export interface StepReport {
  readonly id: string;
  /** Empty when the step was dropped by a re-plan before this report's data knew its action. */
  readonly action: string;
  readonly state: StepState | 'dropped';
  readonly plannedStart: number | null;
  readonly plannedEnd: number | null;
  readonly memoryMiB: number;
  readonly approvals: readonly Approval[];
  readonly attempts: readonly Attempt[];
  readonly holds: readonly Hold[];
  readonly skipped: { readonly at: number; readonly by: string; readonly reason: string | null } | null;
  /** The revision whose re-plan dropped it. */
  readonly droppedAt: number | null;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly errors: readonly string[];
  readonly reason: string | null;
}

export interface AuditLine {
  readonly seq: number;
  readonly at: number;
  readonly actor: string | null;
  readonly type: string;
  readonly revision: number;
  readonly constraintHash: string;
  readonly text: string;
}

// ---- data --------------------------------------------------------------------------------------

export function reportData(input: ReportInput): ReportData {
  const entries = [...input.entries].sort((a, b) => a.seq - b.seq);
  return {
    summary: summaryOf(input.run, input.meta, entries),
    revisions: revisionsOf(input.run, input.revisions, entries),
    plan: planOf(input.run),
    steps: stepsOf(input.run, entries),
    audit: entries.map(auditLine),
  };
}

function summaryOf(run: Run, meta: RunMeta, entries: readonly JournalEntry[]): ReportSummary {
  const count = (state: StepState): number => run.steps.filter((s) => s.state === state).length;
  const last = entries[entries.length - 1];
  const until = run.endedAt ?? (last ? last.at : null);
  const durationSeconds = run.startedAt !== null && until !== null ? Math.max(0, Math.round((until - run.startedAt) / 1000)) : null;
  const failed = count('failed');
  const finalOrFailed = count('succeeded') + count('skipped') + count('cancelled') + failed;
  return {
    runId: run.runId,
    clusterId: run.clusterId,
    state: run.state,
    reason: run.reason,
    createdBy: meta.createdBy,
    startedBy: entries.find((e) => e.type === 'start')?.actor ?? null,
    scriptName: meta.scriptName,
    mode: run.mode,
    maxPerHost: run.maxPerHost,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    revision: run.revision,
    constraintHash: run.constraintHash,
    total: run.steps.length,
    succeeded: count('succeeded'),
    skipped: count('skipped'),
    failed,
    cancelled: count('cancelled'),
    unfinished: run.steps.length - finalOrFailed,
    memoryMovedMiB: run.steps.filter((s) => s.state === 'succeeded').reduce((sum, s) => sum + s.memoryMiB, 0),
    durationSeconds,
    windowSeconds: run.windowSeconds,
    withinWindow: run.windowSeconds === null || durationSeconds === null ? null : durationSeconds <= run.windowSeconds,
  };
}

function revisionsOf(run: Run, revisions: readonly RevisionRecord[], entries: readonly JournalEntry[]): RevisionReport[] {
  const rejected = rejectedRevisions(entries);
  const first = Math.min(...revisions.map((r) => r.revision));
  return [...revisions]
    .sort((a, b) => a.revision - b.revision)
    .map((r) => ({
      revision: r.revision,
      constraintHash: r.constraintHash,
      kind: r.revision === first ? 'initial' : 're-plan',
      status: revisionStatus(run, r.revision, rejected),
      reason: r.reason,
      createdAt: r.createdAt,
    }));
}

function revisionStatus(run: Run, revision: number, rejected: ReadonlySet<number>): RevisionReport['status'] {
  if (revision === run.revision) return 'in force';
  if (rejected.has(revision)) return 'rejected';
  if (revision < run.revision) return 'replaced';
  return run.replan?.revision === revision ? 'proposed' : 'not accepted';
}

/** A `replan-rejected` rejects the revision the last `replan-proposed` proposed. */
function rejectedRevisions(entries: readonly JournalEntry[]): Set<number> {
  const rejected = new Set<number>();
  let proposed: number | null = null;
  for (const e of entries) {
    if (e.type === 'replan-proposed') proposed = numberField(objectField(e.event, 'proposal'), 'revision') ?? null;
    else if (e.type === 'replan-rejected' && proposed !== null) rejected.add(proposed);
  }
  return rejected;
}

function planOf(run: Run): PlanLine[] {
  return [...run.steps].sort(byPlan).map((s) => ({ stepId: s.id, start: s.plannedStart, end: s.plannedEnd, action: describeNamedAction(s.action), state: s.state }));
}

function byPlan(a: Step, b: Step): number {
  return a.plannedStart - b.plannedStart || a.plannedEnd - b.plannedEnd || stepNumber(a.id) - stepNumber(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function stepNumber(id: string): number {
  const n = Number(id.replace(/^\D+/, ''));
  return Number.isFinite(n) ? n : 0;
}

// ---- per-step history --------------------------------------------------------------------------

/** A step's history as the entries are walked in order. */
interface History {
  approvals: Approval[];
  attempts: Attempt[];
  holds: Hold[];
  skipped: StepReport['skipped'];
  droppedAt: number | null;
  errors: string[];
  lastState: StepState | null;
}

function stepsOf(run: Run, entries: readonly JournalEntry[]): StepReport[] {
  const histories = new Map<string, History>();
  const history = (id: string): History => {
    let h = histories.get(id);
    if (!h) histories.set(id, (h = { approvals: [], attempts: [], holds: [], skipped: null, droppedAt: null, errors: [], lastState: null }));
    return h;
  };
  for (const e of entries) {
    // the event first: an outcome or a failure choice belongs to the attempt before the change
    // (a retry's new attempt comes with the choice's own entry)
    applyEvent(e, history);
    for (const c of e.changes?.steps ?? []) applyChange(history(c.stepId), c, e);
  }
  const current = [...run.steps].sort(byPlan).map((s) => stepReport(s, history(s.id)));
  const known = new Set(run.steps.map((s) => s.id));
  const dropped = [...histories.entries()].filter(([id]) => !known.has(id)).map(([id, h]) => droppedReport(id, h));
  return [...current, ...dropped];
}

function applyChange(h: History, c: StepChange, e: JournalEntry): void {
  if (c.approvedBy !== undefined) h.approvals.push({ by: c.approvedBy ?? e.actor ?? 'unknown', at: e.at, revision: e.revision, constraintHash: e.constraintHash });
  if (c.attempts !== undefined && c.attempts > h.attempts.length) h.attempts.push(newAttempt(c.attempts, e.at));
  if (!c.state) return;
  const [from, to] = c.state;
  if (to === 'held') h.holds.push({ at: e.at, by: c.heldBy ?? e.actor ?? 'unknown', reason: c.reason ?? null, releasedAt: null, releasedBy: null });
  if (from === 'held' && to !== 'held') releaseHold(h, e);
  if (to === 'skipped') h.skipped = { at: e.at, by: e.actor ?? 'unknown', reason: c.reason ?? null };
  if (to === null) h.droppedAt = e.revision;
  if (to !== null) h.lastState = to;
}

function releaseHold(h: History, e: JournalEntry): void {
  const open = h.holds[h.holds.length - 1];
  if (open && open.releasedAt === null) h.holds[h.holds.length - 1] = { ...open, releasedAt: e.at, releasedBy: e.actor };
}

function newAttempt(attempt: number, at: number): Attempt {
  return { attempt, startedAt: at, endedAt: null, outcome: null, error: null, verified: null, choice: null };
}

/** What the events add to the changes: outcomes, errors, the operator's failure choices. */
function applyEvent(e: JournalEntry, history: (id: string) => History): void {
  const stepId = stringField(e.event, 'stepId');
  if (e.type === 'approve' && e.changes === undefined) approveFromEvent(e, history);
  if (stepId === undefined) return;
  const h = history(stepId);
  if (e.type === 'effect-ended') endAttempt(h, e);
  else if (e.type === 'verified') verifyAttempt(h, e);
  else if (e.type === 'failure-choice') updateAttempt(h, e.at, (a) => ({ ...a, choice: `${stringField(e.event, 'choice') ?? '?'} by ${e.actor ?? 'unknown'}` }));
  else if (e.type === 'preflight-blocked') h.errors.push(`preflight: ${stringField(e.event, 'reason') ?? ''}`);
  else if (e.type === 'preflight-drift') h.errors.push(`the cluster drifted: ${stringList(e.event, 'drift').join('; ')}`);
}

/** Entries without changes (not written by this journal) still show explicit approvals. */
function approveFromEvent(e: JournalEntry, history: (id: string) => History): void {
  for (const id of stringList(e.event, 'stepIds')) history(id).approvals.push({ by: e.actor ?? 'unknown', at: e.at, revision: e.revision, constraintHash: e.constraintHash });
}

function endAttempt(h: History, e: JournalEntry): void {
  const outcome = objectField(e.event, 'outcome');
  const status = stringField(outcome, 'status') ?? 'unknown';
  const error = stringField(outcome, 'error') ?? null;
  if (error !== null) h.errors.push(`${status}: ${error}`);
  updateAttempt(h, e.at, (a) => ({ ...a, endedAt: e.at, outcome: status, error }));
}

function verifyAttempt(h: History, e: JournalEntry): void {
  const result = stringField(e.event, 'result') ?? '?';
  const detail = stringField(e.event, 'detail') ?? '';
  if (result === 'not-done') h.errors.push(`verified not done: ${detail}`);
  updateAttempt(h, e.at, (a) => ({ ...a, verified: detail === '' ? result : `${result}: ${detail}` }));
}

/** Updates the current attempt (one is opened when the journal has none: a crash mid-attempt). */
function updateAttempt(h: History, at: number, f: (a: Attempt) => Attempt): void {
  if (h.attempts.length === 0) h.attempts.push(newAttempt(1, at));
  const i = h.attempts.length - 1;
  h.attempts[i] = f(h.attempts[i] as Attempt);
}

function stepReport(s: Step, h: History): StepReport {
  return {
    id: s.id,
    action: describeNamedAction(s.action),
    state: s.state,
    plannedStart: s.plannedStart,
    plannedEnd: s.plannedEnd,
    memoryMiB: s.memoryMiB,
    approvals: h.approvals,
    attempts: h.attempts,
    holds: h.holds,
    skipped: h.skipped,
    droppedAt: null,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    errors: h.errors,
    reason: s.reason,
  };
}

function droppedReport(id: string, h: History): StepReport {
  return { id, action: '', state: 'dropped', plannedStart: null, plannedEnd: null, memoryMiB: 0, approvals: h.approvals, attempts: h.attempts, holds: h.holds, skipped: h.skipped, droppedAt: h.droppedAt, startedAt: null, endedAt: null, errors: h.errors, reason: null };
}

// ---- audit trail -------------------------------------------------------------------------------

function auditLine(e: JournalEntry): AuditLine {
  const text = [describeEntry(e), changeText(e.changes), e.type !== 'note' && e.type !== 'revision-added' && e.type !== 'run-created' ? e.note : null].filter((t): t is string => t !== null && t !== '').join('; ');
  return { seq: e.seq, at: e.at, actor: e.actor, type: e.type, revision: e.revision, constraintHash: e.constraintHash, text };
}

/** One entry in operator words. */
function describeEntry(e: JournalEntry): string {
  const ev = e.event;
  const step = stringField(ev, 'stepId') ?? '?';
  const str = (key: string): string => stringField(ev, key) ?? '';
  const opt = (key: string, prefix: string): string => (stringField(ev, key) === undefined ? '' : `${prefix}${str(key)}`);
  switch (e.type) {
    case 'run-created':
      return `run created with ${numberField(ev, 'steps') ?? '?'} steps (revision ${numberField(ev, 'revision') ?? '?'}): ${e.note ?? ''}`;
    case 'revision-added':
      return `revision ${numberField(ev, 'revision') ?? '?'} planned (constraints ${str('constraintHash')}): ${str('reason')}`;
    case 'note':
      return e.note ?? '';
    case 'approve-plan':
      return 'approved the plan';
    case 'start':
      return 'started the run';
    case 'approve':
      return `approved ${stringList(ev, 'stepIds').join(', ')}`;
    case 'approve-ready':
      return 'approved every step ready to run';
    case 'set-mode':
      return `approval mode ${str('mode')}${numberField(ev, 'maxPerHost') === undefined ? '' : `, at most ${numberField(ev, 'maxPerHost')} steps per host`}`;
    case 'skip':
      return `skipped ${step}: ${str('reason')}`;
    case 'hold':
      return `held ${step}${opt('reason', ': ')}`;
    case 'release':
      return `released ${step}`;
    case 'pause':
      return 'paused the run';
    case 'resume':
      return 'resumed the run';
    case 'abort':
      return `aborted the run${opt('reason', ': ')}`;
    case 'recovered':
      return 'picked the run up after a restart';
    case 'preflight-ok':
      return `${step}: preflight ok`;
    case 'preflight-drift':
      return `${step}: the cluster drifted: ${stringList(ev, 'drift').join('; ')}`;
    case 'preflight-blocked':
      return `${step}: blocked: ${str('reason')}`;
    case 'effect-progress':
      return `${step}: ${Math.round((numberField(objectField(ev, 'progress'), 'fraction') ?? 0) * 100)}%`;
    case 'effect-ended': {
      const outcome = objectField(ev, 'outcome');
      const error = stringField(outcome, 'error');
      return `${step}: ${stringField(outcome, 'status') ?? '?'}${error === undefined ? '' : `: ${error}`}`;
    }
    case 'verified':
      return `${step}: verified ${str('result')}${opt('detail', ': ')}`;
    case 'failure-choice':
      return `${step}: chose ${str('choice')}`;
    case 'replan-proposed':
      return `re-plan proposed: revision ${numberField(objectField(ev, 'proposal'), 'revision') ?? '?'} (${stringField(objectField(ev, 'proposal'), 'reason') ?? ''})`;
    case 'replan-failed':
      return `re-plan failed: ${str('reason')}`;
    case 'replan-accepted':
      return 'accepted the re-plan';
    case 'replan-rejected':
      return 'rejected the re-plan';
    case 'supersede':
      return `superseded: ${str('reason')}`;
    default:
      return e.type;
  }
}

/** `run running → paused; s3 running → failed, s4 approved` (at most a few steps, then a count). */
function changeText(changes: EntryChanges | undefined): string | null {
  if (!changes) return null;
  const parts: string[] = [];
  if (changes.runState) parts.push(`run ${changes.runState[0]} → ${changes.runState[1]}`);
  if (changes.revision) parts.push(`revision ${changes.revision[0]} → ${changes.revision[1]}`);
  const steps = changes.steps.map(stepChangeText).filter((t) => t !== '');
  const shown = steps.slice(0, 6);
  if (steps.length > shown.length) shown.push(`${steps.length - shown.length} more steps`);
  if (shown.length > 0) parts.push(shown.join(', '));
  return parts.length === 0 ? null : parts.join('; ');
}

function stepChangeText(c: StepChange): string {
  const bits: string[] = [];
  if (c.state) bits.push(c.state[0] === null ? `new (${c.state[1] ?? ''})` : c.state[1] === null ? 'dropped' : `${c.state[0]} → ${c.state[1]}`);
  if (c.approvedBy !== undefined) bits.push('approved');
  if (c.phase !== undefined && c.phase !== null) bits.push(c.phase);
  return bits.length === 0 ? '' : `${c.stepId} ${bits.join(', ')}`;
}

// ---- reading recorded JSON (the journal's, but still checked: a report never throws) ----------

function objectField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const v = objectField(value, key);
  return typeof v === 'string' ? v : undefined;
}

function numberField(value: unknown, key: string): number | undefined {
  const v = objectField(value, key);
  return typeof v === 'number' ? v : undefined;
}

function stringList(value: unknown, key: string): string[] {
  const v = objectField(value, key);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

// ---- rendering ---------------------------------------------------------------------------------

/** Renders the report; every datum is escaped for the format (see the module comment). */
export function renderReport(data: ReportData, format: 'md' | 'html'): string {
  return format === 'md' ? renderMarkdown(data) : renderHtml(data);
}

/** `2 h 05 min`, `3 min 07 s`, `45 s`. */
export function formatDuration(seconds: number): string {
  const t = Math.max(0, Math.round(seconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}

function time(ms: number | null): string {
  return ms === null ? '—' : formatUtc(ms);
}

/** The summary as label/value pairs, shared by both formats (values not yet escaped). */
function summaryRows(s: ReportSummary): [string, string][] {
  const rows: [string, string][] = [
    ['Run', s.runId],
    ['Cluster', s.clusterId],
    ['State', s.reason === null ? s.state : `${s.state}: ${s.reason}`],
    ['Created', `${time(s.createdAt)} by ${s.createdBy}`],
    ['Started', s.startedAt === null ? 'not started' : `${time(s.startedAt)}${s.startedBy === null ? '' : ` by ${s.startedBy}`}`],
    ['Ended', s.endedAt === null ? 'not ended' : time(s.endedAt)],
    ['Steps', `${s.succeeded + s.skipped} of ${s.total} done: ${s.succeeded} succeeded, ${s.skipped} skipped, ${s.failed} failed, ${s.cancelled} cancelled, ${s.unfinished} unfinished`],
    ['Data moved', formatMemory(s.memoryMovedMiB)],
    ['Duration', durationText(s)],
    ['Plan', `revision ${s.revision}, constraints ${s.constraintHash}`],
    ['Script', s.scriptName],
    ['Approval', `${s.mode}, at most ${s.maxPerHost} steps per host`],
  ];
  return rows;
}

function durationText(s: ReportSummary): string {
  if (s.durationSeconds === null) return s.windowSeconds === null ? '—' : `not started (window ${formatDuration(s.windowSeconds)})`;
  const d = `${formatDuration(s.durationSeconds)}${s.endedAt === null ? ' so far' : ''}`;
  if (s.windowSeconds === null) return `${d} (no maintenance window)`;
  const w = formatDuration(s.windowSeconds);
  return s.withinWindow ? `${d}, within the ${w} window` : `${d}, over the ${w} window by ${formatDuration(s.durationSeconds - s.windowSeconds)}`;
}

/** `s3  0'00 to 0'02  migrate web3 r1-h2 → r2-h1  (succeeded)`, columns aligned. */
function planLines(plan: readonly PlanLine[]): string[] {
  const idWidth = Math.max(0, ...plan.map((l) => safeName(l.stepId).length));
  const times = plan.map((l) => `${formatTime(l.start)} to ${formatTime(l.end)}`);
  const timeWidth = Math.max(0, ...times.map((t) => t.length));
  return plan.map((l, i) => `${safeName(l.stepId).padEnd(idWidth)}  ${(times[i] ?? '').padEnd(timeWidth)}  ${l.action}  (${l.state})`);
}

/** The lines of a step's history, shared by both formats (not yet escaped). */
function stepLines(s: StepReport): string[] {
  const lines: string[] = [];
  const planned = s.plannedStart === null || s.plannedEnd === null ? '' : `; planned ${formatTime(s.plannedStart)} to ${formatTime(s.plannedEnd)}`;
  const moves = s.memoryMiB > 0 ? `; moves ${formatMemory(s.memoryMiB)}` : '';
  lines.push(s.state === 'dropped' ? `Dropped by the re-plan to revision ${s.droppedAt ?? '?'}` : `State: ${s.state}${s.reason === null ? '' : ` (${s.reason})`}${planned}${moves}`);
  if (s.startedAt !== null) lines.push(`${s.attempts.length > 1 ? 'Last attempt ran' : 'Ran'} ${time(s.startedAt)} to ${time(s.endedAt)}${s.endedAt === null ? '' : ` (${formatDuration((s.endedAt - s.startedAt) / 1000)})`}`);
  if (s.approvals.length === 0 && s.state !== 'dropped') lines.push('Not approved');
  for (const a of s.approvals) lines.push(`Approved by ${a.by} at ${time(a.at)}, revision ${a.revision}, constraints ${a.constraintHash}`);
  for (const a of s.attempts) lines.push(attemptText(a));
  for (const h of s.holds) lines.push(`Held by ${h.by} at ${time(h.at)}${h.reason === null ? '' : `: ${h.reason}`}${h.releasedAt === null ? '' : `; released at ${time(h.releasedAt)}${h.releasedBy === null ? '' : ` by ${h.releasedBy}`}`}`);
  if (s.skipped) lines.push(`Skipped by ${s.skipped.by} at ${time(s.skipped.at)}${s.skipped.reason === null ? '' : `: ${s.skipped.reason}`}`);
  for (const e of s.errors) lines.push(`Error: ${e}`);
  return lines;
}

function attemptText(a: Attempt): string {
  const span = a.endedAt === null ? `from ${time(a.startedAt)}` : `${time(a.startedAt)} to ${time(a.endedAt)} (${formatDuration((a.endedAt - a.startedAt) / 1000)})`;
  const parts = [`Attempt ${a.attempt}: ${span}`];
  if (a.outcome !== null) parts.push(a.error === null ? a.outcome : `${a.outcome}: ${a.error}`);
  if (a.verified !== null) parts.push(`verified ${a.verified}`);
  if (a.choice !== null) parts.push(a.choice);
  return parts.join('; ');
}

function stepTitle(s: StepReport): string {
  return s.action === '' ? s.id : `${s.id}: ${s.action}`;
}

function revisionCells(r: RevisionReport): string[] {
  return [String(r.revision), r.kind, r.status, r.reason, r.constraintHash, time(r.createdAt)];
}

function auditCells(a: AuditLine): string[] {
  return [String(a.seq), time(a.at), a.actor ?? '—', String(a.revision), a.text];
}

const REVISION_HEAD = ['Revision', 'Kind', 'Status', 'Reason', 'Constraint hash', 'Created'];
const AUDIT_HEAD = ['#', 'Time', 'Actor', 'Revision', 'Entry'];

// ---- Markdown ----------------------------------------------------------------------------------

/**
 * Text as Markdown that stays text: control characters (newlines) replaced, and every character
 * Markdown or inline HTML could read as syntax backslash-escaped (`|` would open a table cell,
 * a backtick a code span, `<` a tag).
 */
export function escapeMarkdown(text: string): string {
  return safeName(text).replace(/[\\`*_[\]<>|&#!~]/g, '\\$&');
}

function mdRow(cells: readonly string[]): string {
  return `| ${cells.map(escapeMarkdown).join(' | ')} |`;
}

function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [mdRow(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(mdRow)];
}

function renderMarkdown(d: ReportData): string {
  const s = d.summary;
  const out: string[] = [`# Maintenance report: run ${escapeMarkdown(s.runId)} on ${escapeMarkdown(s.clusterId)}`, '', 'All times are UTC.', ''];
  out.push(...mdTable(['', ''], summaryRows(s)), '');
  out.push('## Plan revisions', '', ...mdTable(REVISION_HEAD, d.revisions.map(revisionCells)), '');
  // an indented code block: its text is never read as Markdown, and safeName keeps each step on
  // its own line
  out.push(`## Plan (revision ${s.revision})`, '', ...(d.plan.length === 0 ? ['No steps.'] : planLines(d.plan).map((l) => `    ${l}`)), '');
  out.push('## Steps', '');
  for (const step of d.steps) out.push(`### ${escapeMarkdown(stepTitle(step))}`, '', ...stepLines(step).map((l) => `- ${escapeMarkdown(l)}`), '');
  out.push('## Audit trail', '', ...mdTable(AUDIT_HEAD, d.audit.map(auditCells)), '');
  return out.join('\n');
}

// ---- HTML --------------------------------------------------------------------------------------

export function escapeHtml(text: string): string {
  return safeName(text).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #1d2330; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccd; } h3 { font-size: 1em; margin: 1.2em 0 .3em; }
table { border-collapse: collapse; margin: .5em 0; } th, td { border: 1px solid #ccd; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f1f3f8; } td.hash, .hash { font-family: ui-monospace, monospace; font-size: .85em; word-break: break-all; }
pre { background: #f6f7fa; padding: .8em; overflow-x: auto; } ul { margin: .2em 0; }
.succeeded { color: #17663a; } .failed { color: #a4161a; } .skipped, .cancelled, .dropped { color: #6b6f7a; }
`;

function htmlTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${trs}\n</tbody>\n</table>`;
}

function htmlStep(s: StepReport): string {
  const items = stepLines(s).map((l) => `<li>${escapeHtml(l)}</li>`).join('\n');
  return `<h3 class="${escapeHtml(s.state)}">${escapeHtml(stepTitle(s))}</h3>\n<ul>\n${items}\n</ul>`;
}

function renderHtml(d: ReportData): string {
  const s = d.summary;
  const title = `Maintenance report: run ${s.runId} on ${s.clusterId}`;
  const summary = `<table>\n<tbody>\n${summaryRows(s).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}\n</tbody>\n</table>`;
  const plan = d.plan.length === 0 ? '<p>No steps.</p>' : `<pre>${planLines(d.plan).map(escapeHtml).join('\n')}</pre>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // no script, no remote content: the page is an archive, and names in it are untrusted
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    '<p>All times are UTC.</p>',
    summary,
    '<h2>Plan revisions</h2>',
    htmlTable(REVISION_HEAD, d.revisions.map(revisionCells)),
    `<h2>Plan (revision ${s.revision})</h2>`,
    plan,
    '<h2>Steps</h2>',
    ...d.steps.map(htmlStep),
    '<h2>Audit trail</h2>',
    htmlTable(AUDIT_HEAD, d.audit.map(auditCells)),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
