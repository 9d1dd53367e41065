import type { EffectOutcome, EffectProgress } from '../cluster/ports.js';
import { ACTION_KINDS } from '../plan/actions.js';
import { freshStep, isFinalRun, isFinalStep, namedNodes, stepIndex } from './steps.js';
import type { Actor, ExecCommand, ExecEvent, ReplanProposal, Run, RunState, Step, StepPhase, StepState, Transition } from './types.js';

/**
 * The executor: a pure function `(run, event) → (run', commands)`, after OpenStack Watcher's
 * action plans. An event that makes no sense in the current state is refused in operator words
 * and changes nothing (the same run object comes back), so the service can journal blindly and a
 * duplicate or late answer (after a crash, say) is harmless. It never throws.
 *
 * After every accepted event the same three passes run: a stop that has nothing left to wait
 * for ends the run; the scheduler derives ready steps and starts them within the per-host cap;
 * a run with nothing left to do ends by itself.
 */

export function isFinal(run: Run): boolean {
  return isFinalRun(run);
}

export function transition(run: Run, event: ExecEvent): Transition {
  if (typeof event !== 'object' || event === null) return { run, commands: [], refused: 'not an event' };
  const by = 'by' in event && typeof event.by === 'string' ? event.by : 'ferry';
  const tx: Tx = { run, commands: [], at: event.at, by };
  const refused = Number.isFinite(event.at) ? dispatch(tx, event) : 'the event has no valid time';
  if (refused !== undefined) return { run, commands: [], refused };
  finishStopping(tx);
  schedule(tx);
  finishWhenDone(tx);
  return { run: tx.run, commands: tx.commands };
}

/** Every step that (transitively) depends on `stepId` and has not finished, in run order. */
export function blockedBy(run: Run, stepId: string): string[] {
  const dependents = new Map<string, string[]>();
  for (const s of run.steps) {
    for (const d of s.dependsOn) {
      const list = dependents.get(d);
      if (list) list.push(s.id);
      else dependents.set(d, [s.id]);
    }
  }
  const seen = new Set<string>([stepId]);
  const queue = [stepId];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const d of dependents.get(id) ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      queue.push(d);
    }
  }
  seen.delete(stepId);
  return run.steps.filter((s) => seen.has(s.id) && !isFinalStep(s)).map((s) => s.id);
}

// ---------------------------------------------------------------------------------------------
// The transaction: a run replaced (never mutated) as handlers go, and the commands to issue
// ---------------------------------------------------------------------------------------------

interface Tx {
  run: Run;
  readonly commands: ExecCommand[];
  readonly at: number;
  readonly by: Actor;
}

/** A refusal in operator words, or undefined when the event was applied. */
type Refusal = string | undefined;

function setRun(tx: Tx, patch: Partial<Run>): void {
  tx.run = { ...tx.run, ...patch };
}

function setStep(tx: Tx, id: string, patch: Partial<Step>): void {
  tx.run = { ...tx.run, steps: tx.run.steps.map((s) => (s.id === id ? { ...s, ...patch } : s)) };
}

/** Applies `change` to every step (one new array, so that whole-run passes stay linear). */
function mapSteps(tx: Tx, change: (s: Step) => Partial<Step> | null): void {
  let changed = false;
  const steps = tx.run.steps.map((s) => {
    const patch = change(s);
    if (patch === null) return s;
    changed = true;
    return { ...s, ...patch };
  });
  if (changed) tx.run = { ...tx.run, steps };
}

function dispatch(tx: Tx, e: ExecEvent): Refusal {
  switch (e.type) {
    case 'approve-plan':
      return approvePlan(tx);
    case 'start':
      return start(tx);
    case 'approve':
      return approve(tx, e.stepIds);
    case 'approve-ready':
      return approveReady(tx);
    case 'set-mode':
      return setMode(tx, e.mode, e.maxPerHost);
    case 'skip':
      return skip(tx, e.stepId, e.reason);
    case 'hold':
      return hold(tx, e.stepId, e.reason);
    case 'release':
      return release(tx, e.stepId);
    case 'pause':
      return pause(tx);
    case 'resume':
      return resume(tx);
    case 'abort':
      return abort(tx, e.reason);
    case 'preflight-ok':
      return preflightOk(tx, e.stepId);
    case 'preflight-drift':
      return preflightDrift(tx, e.stepId, e.drift);
    case 'preflight-blocked':
      return preflightBlocked(tx, e.stepId, e.reason);
    case 'effect-progress':
      return effectProgress(tx, e.stepId, e.progress);
    case 'effect-ended':
      return effectEnded(tx, e.stepId, e.outcome);
    case 'verified':
      return verified(tx, e.stepId, e.result, e.detail);
    case 'failure-choice':
      return failureChoice(tx, e.stepId, e.choice);
    case 'replan-proposed':
      return replanProposed(tx, e.proposal);
    case 'replan-failed':
      return replanFailed(tx, e.reason);
    case 'replan-accepted':
      return replanAccepted(tx);
    case 'replan-rejected':
      return replanRejected(tx);
    case 'supersede':
      return supersede(tx, e.reason);
    case 'recovered':
      return recovered(tx);
    default:
      return `unknown event ${JSON.stringify((e as { type?: unknown }).type)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

const RUN_WORDS: Readonly<Record<RunState, string>> = {
  draft: 'the run is still a draft',
  approved: 'the run is approved but not started',
  running: 'the run is running',
  paused: 'the run is paused',
  succeeded: 'the run has already succeeded',
  failed: 'the run has failed',
  cancelled: 'the run was cancelled',
  superseded: 'the run was superseded',
};

function runWords(run: Run): string {
  if (run.stopping === 'abort') return 'the run is being aborted';
  if (run.stopping === 'stop') return 'the run is being stopped';
  return RUN_WORDS[run.state];
}

const STEP_WORDS: Readonly<Record<StepState, string>> = {
  pending: 'is waiting for its prerequisites',
  ready: 'is ready',
  'awaiting-approval': 'is awaiting approval',
  held: 'is held',
  running: 'is running',
  succeeded: 'has already succeeded',
  failed: 'has failed',
  skipped: 'was skipped',
  cancelled: 'was cancelled',
};

function stepWords(s: Step): string {
  return `${s.id} ${STEP_WORDS[s.state]}`;
}

/** The refusal when the run has ended, else undefined. */
function refuseFinal(run: Run): Refusal {
  return isFinalRun(run) ? runWords(run) : undefined;
}

/** The refusal for an operator's change while an abort or stop settles. */
function refuseStopping(run: Run): Refusal {
  return run.stopping !== null ? runWords(run) : undefined;
}

function findStep(run: Run, id: unknown): Step | string {
  if (typeof id !== 'string') return 'no step was named';
  return run.steps.find((s) => s.id === id) ?? `there is no step ${id}`;
}

// ---------------------------------------------------------------------------------------------
// The plan as a whole: approval, start, pause, abort, supersede
// ---------------------------------------------------------------------------------------------

function approvePlan(tx: Tx): Refusal {
  if (tx.run.state !== 'draft') return runWords(tx.run);
  setRun(tx, { state: 'approved' });
  if (tx.run.mode === 'unattended') approveAll(tx);
  return undefined;
}

/** Starting a draft approves the plan implicitly (steps still need their own approval). */
function start(tx: Tx): Refusal {
  if (tx.run.state !== 'draft' && tx.run.state !== 'approved') return runWords(tx.run);
  setRun(tx, { state: 'running', startedAt: tx.at });
  if (tx.run.mode === 'unattended') approveAll(tx);
  return undefined;
}

function pause(tx: Tx): Refusal {
  if (tx.run.state !== 'running' || tx.run.stopping !== null) return runWords(tx.run);
  setRun(tx, { state: 'paused' });
  return undefined;
}

function resume(tx: Tx): Refusal {
  if (tx.run.state !== 'paused' || tx.run.stopping !== null) return runWords(tx.run);
  setRun(tx, { state: 'running' });
  return undefined;
}

function abort(tx: Tx, reason: string | undefined): Refusal {
  const refusal = refuseFinal(tx.run) ?? refuseStopping(tx.run);
  if (refusal) return refusal;
  beginStop(tx, 'abort', nonEmpty(reason) ?? `aborted by ${tx.by}`);
  return undefined;
}

/**
 * Abort and stop wait for the running steps to settle: an effect under way is asked to cancel;
 * a step in preflight or verification only reads, so it simply finishes.
 */
function beginStop(tx: Tx, kind: 'abort' | 'stop', reason: string): void {
  setRun(tx, { stopping: kind, reason });
  for (const s of tx.run.steps) {
    if (s.state === 'running' && s.phase === 'executing') tx.commands.push({ type: 'cancel', stepId: s.id });
  }
}

function supersede(tx: Tx, reason: string): Refusal {
  if (tx.run.state !== 'draft' && tx.run.state !== 'approved') return `${runWords(tx.run)}: only a draft or approved run can be superseded`;
  const why = nonEmpty(reason) ?? `superseded by ${tx.by}`;
  mapSteps(tx, (s) => (isFinalStep(s) ? null : { state: 'cancelled', phase: null, reason: `superseded: ${why}` }));
  setRun(tx, { state: 'superseded', endedAt: tx.at, reason: why, replan: null });
  return undefined;
}

/**
 * After a crash nothing the journal says was running is trusted: each is re-read (verified)
 * before anything else happens, so no effect is performed twice. A re-plan request lost with
 * the process is asked again for the steps drift holds.
 */
function recovered(tx: Tx): Refusal {
  const refusal = refuseFinal(tx.run);
  if (refusal) return refusal;
  mapSteps(tx, (s) => (s.state === 'running' ? { phase: 'verifying' } : null));
  for (const s of tx.run.steps) if (s.state === 'running') tx.commands.push({ type: 'verify', stepId: s.id, delayMs: 0 });
  const drifted = tx.run.steps.filter((s) => s.state === 'held' && s.heldBy === 'drift');
  if (drifted.length > 0 && tx.run.replan === null && tx.run.stopping === null) {
    tx.commands.push({ type: 'replan', reason: `after a restart: ${drifted.map((s) => `${s.id}: ${s.reason ?? 'drift'}`).join('; ')}` });
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Approval and the operator's hands on steps
// ---------------------------------------------------------------------------------------------

/** Approves a step (running ones already are); an awaiting step becomes ready. */
function approval(s: Step, by: Actor): Partial<Step> | null {
  if (isFinalStep(s) || s.state === 'running' || s.approved) return null;
  return { approved: true, approvedBy: by, ...(s.state === 'awaiting-approval' ? { state: 'ready' as const } : {}) };
}

function approveAll(tx: Tx): void {
  mapSteps(tx, (s) => approval(s, tx.by));
}

function approve(tx: Tx, stepIds: readonly string[]): Refusal {
  const refusal = refuseFinal(tx.run);
  if (refusal) return refusal;
  if (!Array.isArray(stepIds) || stepIds.length === 0) return 'no step to approve';
  for (const id of stepIds) {
    const s = findStep(tx.run, id);
    if (typeof s === 'string') return s;
    if (isFinalStep(s) || s.state === 'running') return stepWords(s);
  }
  const wanted = new Set(stepIds);
  mapSteps(tx, (s) => (wanted.has(s.id) ? approval(s, tx.by) : null));
  return undefined;
}

function approveReady(tx: Tx): Refusal {
  const refusal = refuseFinal(tx.run);
  if (refusal) return refusal;
  if (!tx.run.steps.some((s) => s.state === 'awaiting-approval')) return 'no step is awaiting approval';
  mapSteps(tx, (s) => (s.state === 'awaiting-approval' ? approval(s, tx.by) : null));
  return undefined;
}

/** Unattended: every step counts as approved from now on, by whoever chose the mode. */
function setMode(tx: Tx, mode: unknown, maxPerHost: number | undefined): Refusal {
  const refusal = refuseFinal(tx.run);
  if (refusal) return refusal;
  if (mode !== 'manual' && mode !== 'unattended') return `unknown approval mode ${JSON.stringify(mode)}`;
  if (maxPerHost !== undefined && !(Number.isInteger(maxPerHost) && maxPerHost >= 1)) return `at most ${maxPerHost} step(s) per host makes no sense: give a whole number of at least 1`;
  setRun(tx, { mode, ...(maxPerHost !== undefined ? { maxPerHost } : {}) });
  if (mode === 'unattended') approveAll(tx);
  return undefined;
}

function skip(tx: Tx, stepId: string, reason: string): Refusal {
  const refusal = refuseFinal(tx.run);
  if (refusal) return refusal;
  const s = findStep(tx.run, stepId);
  if (typeof s === 'string') return s;
  if (isFinalStep(s) || s.state === 'running') return stepWords(s);
  const why = nonEmpty(reason);
  if (why === undefined) return `a reason is needed to skip ${s.id}`;
  setStep(tx, s.id, { state: 'skipped', phase: null, reason: why, heldBy: null, endedAt: tx.at });
  return undefined;
}

const HOLDABLE: readonly StepState[] = ['pending', 'ready', 'awaiting-approval'];

function hold(tx: Tx, stepId: string, reason: string | undefined): Refusal {
  const refusal = refuseFinal(tx.run);
  if (refusal) return refusal;
  const s = findStep(tx.run, stepId);
  if (typeof s === 'string') return s;
  if (!HOLDABLE.includes(s.state)) return stepWords(s);
  setStep(tx, s.id, { state: 'held', heldBy: tx.by, reason: nonEmpty(reason) ?? null });
  return undefined;
}

/** Back to pending, approval kept: the scheduler re-derives ready or awaiting approval. */
function release(tx: Tx, stepId: string): Refusal {
  const refusal = refuseFinal(tx.run);
  if (refusal) return refusal;
  const s = findStep(tx.run, stepId);
  if (typeof s === 'string') return s;
  if (s.state !== 'held') return `${stepWords(s)}: only a held step can be released`;
  setStep(tx, s.id, { state: 'pending', heldBy: null, reason: null });
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// A step's flow: preflight → executing → verifying → succeeded | failed
// ---------------------------------------------------------------------------------------------

/** Runs `then` on the step when it is running in `phase`, else refuses. */
function inPhase(tx: Tx, stepId: string, phase: StepPhase, then: (s: Step) => Refusal | void): Refusal {
  const refusal = refuseFinal(tx.run);
  if (refusal) return refusal;
  const s = findStep(tx.run, stepId);
  if (typeof s === 'string') return s;
  if (s.state !== 'running') return stepWords(s);
  if (s.phase !== phase) return `${s.id} is not ${PHASE_WORDS[phase]} (it is ${s.phase === null ? 'between phases' : PHASE_WORDS[s.phase]})`;
  return then(s) ?? undefined;
}

const PHASE_WORDS: Readonly<Record<StepPhase, string>> = {
  preflight: 'in preflight',
  executing: 'executing',
  verifying: 'being verified',
};

function executingStep(tx: Tx, stepId: string, then: (s: Step) => void): Refusal {
  return inPhase(tx, stepId, 'executing', then);
}

/** Where a step goes when it has to wait again: ready when approved, else the scheduler decides. */
function waitingAgain(s: Step): StepState {
  return s.approved ? 'ready' : 'pending';
}

/**
 * The cluster is as the plan expects: perform the effect, one request id per attempt (hypervisor
 * logs and idempotency keys carry it). A paused or stopping run starts no effect: the step goes
 * back to waiting and will be re-checked (preflight) when it starts again.
 */
function preflightOk(tx: Tx, stepId: string): Refusal {
  return inPhase(tx, stepId, 'preflight', (s) => {
    if (tx.run.state !== 'running' || tx.run.stopping !== null) {
      setStep(tx, s.id, { state: waitingAgain(s), phase: null, startedAt: null });
      return;
    }
    const attempts = s.attempts + 1;
    setStep(tx, s.id, { phase: 'executing', attempts, progress: null, lastOutcome: null });
    tx.commands.push({ type: 'perform', stepId: s.id, requestId: `${tx.run.runId}:${s.id}:${attempts}` });
  });
}

/** The cluster is not what the plan assumed: hold the step and plan again from live state. */
function preflightDrift(tx: Tx, stepId: string, drift: readonly string[]): Refusal {
  return inPhase(tx, stepId, 'preflight', (s) => {
    const words = Array.isArray(drift) && drift.length > 0 ? drift.join('; ') : 'the cluster is not as the plan expected';
    setStep(tx, s.id, { state: 'held', phase: null, heldBy: 'drift', reason: words });
    if (tx.run.stopping === null) tx.commands.push({ type: 'replan', reason: words });
  });
}

/** A precondition fails for a reason a new plan would not fix (a host not answering): hold only. */
function preflightBlocked(tx: Tx, stepId: string, reason: string): Refusal {
  return inPhase(tx, stepId, 'preflight', (s) => {
    setStep(tx, s.id, { state: 'held', phase: null, heldBy: 'ferry', reason: nonEmpty(reason) ?? 'a precondition does not hold' });
  });
}

function effectProgress(tx: Tx, stepId: string, progress: EffectProgress): Refusal {
  const fraction = typeof progress === 'object' && progress !== null ? progress.fraction : undefined;
  if (typeof fraction !== 'number' || !Number.isFinite(fraction)) return 'the progress report has no fraction';
  return executingStep(tx, stepId, (s) => setStep(tx, s.id, { progress }));
}

/** Whatever the effector says, the result is read again: a hypervisor can finish after its client gave up. */
function effectEnded(tx: Tx, stepId: string, outcome: EffectOutcome): Refusal {
  if (!isOutcome(outcome)) return `unknown effect outcome ${JSON.stringify(outcome) ?? String(outcome)}`;
  return executingStep(tx, stepId, (s) => {
    setStep(tx, s.id, { phase: 'verifying', lastOutcome: outcome });
    tx.commands.push({ type: 'verify', stepId: s.id, delayMs: 0 });
  });
}

function isOutcome(o: unknown): o is EffectOutcome {
  if (typeof o !== 'object' || o === null) return false;
  const { status, error } = o as { status?: unknown; error?: unknown };
  if (status === 'succeeded' || status === 'cancelled') return true;
  return (status === 'failed' || status === 'timed-out') && typeof error === 'string';
}

const READ_AGAIN_MS = 1000;

function verified(tx: Tx, stepId: string, result: string, detail: string): Refusal {
  if (doneBeforeRetry(tx, stepId, result)) return undefined;
  return inPhase(tx, stepId, 'verifying', (s) => {
    switch (result) {
      case 'done':
        setStep(tx, s.id, { state: 'succeeded', phase: null, endedAt: tx.at, reason: null, heldBy: null });
        return undefined;
      case 'in-flight':
        tx.commands.push({ type: 'verify', stepId: s.id, delayMs: READ_AGAIN_MS });
        return undefined;
      case 'not-done':
        notDone(tx, s, detail);
        return undefined;
      default:
        return `unknown verification result ${JSON.stringify(result)}`;
    }
  });
}

/**
 * A step attempted before is back in preflight (its attempt was interrupted by a crash, or failed,
 * and the read then said not done) and the fresh read shows its result holds: that attempt's
 * effect finished on the cluster after all (a migration libvirt completed after its client died).
 * It succeeded; trying it again, or holding it as drift and planning around it, would be wrong.
 * A step never attempted whose result holds was changed by someone else: that stays drift.
 */
function doneBeforeRetry(tx: Tx, stepId: string, result: string): boolean {
  if (result !== 'done' || refuseFinal(tx.run) !== undefined) return false;
  const s = tx.run.steps.find((x) => x.id === stepId);
  if (s?.state !== 'running' || s.phase !== 'preflight' || s.attempts === 0) return false;
  setStep(tx, s.id, { state: 'succeeded', phase: null, endedAt: tx.at, reason: null, heldBy: null });
  return true;
}

/**
 * The fresh read shows the action did not happen. An effect that never ended (the process died
 * before it could tell) did not happen at all: the step waits again and preflight re-checks.
 * Otherwise it failed, even when the effector said it succeeded.
 */
function notDone(tx: Tx, s: Step, detail: string): void {
  const outcome = s.lastOutcome;
  if (outcome === null) {
    setStep(tx, s.id, { state: waitingAgain(s), phase: null, startedAt: null, progress: null });
    return;
  }
  const what = nonEmpty(detail) ?? 'the action did not happen';
  const reason = outcome.status === 'failed' || outcome.status === 'timed-out' ? outcome.error : outcome.status === 'cancelled' ? `cancelled: ${what}` : `the effector reported success but ${what}`;
  setStep(tx, s.id, { state: 'failed', phase: null, endedAt: tx.at, reason });
}

function failureChoice(tx: Tx, stepId: string, choice: string): Refusal {
  const refusal = refuseFinal(tx.run);
  if (refusal) return refusal;
  const s = findStep(tx.run, stepId);
  if (typeof s === 'string') return s;
  if (s.state !== 'failed') return `${s.id} has not failed (it ${STEP_WORDS[s.state]})`;
  const failure = s.reason ?? 'no reason given';
  if (choice === 'skip') {
    setStep(tx, s.id, { state: 'skipped', reason: `skipped after failure: ${failure}` });
    return undefined;
  }
  const stopping = refuseStopping(tx.run);
  if (stopping) return stopping;
  switch (choice) {
    case 'retry':
      setStep(tx, s.id, { state: waitingAgain(s), reason: null, progress: null });
      return undefined;
    case 'replan':
      tx.commands.push({ type: 'replan', reason: `${s.id} failed: ${failure}` });
      return undefined;
    case 'stop':
      beginStop(tx, 'stop', `stopped by ${tx.by} after ${s.id} failed: ${failure}`);
      return undefined;
    default:
      return `unknown failure choice ${JSON.stringify(choice)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Re-plan
// ---------------------------------------------------------------------------------------------

function refuseReplanState(run: Run): Refusal {
  if (run.state !== 'running' && run.state !== 'paused') return runWords(run);
  return refuseStopping(run);
}

function replanProposed(tx: Tx, proposal: ReplanProposal): Refusal {
  const refusal = refuseReplanState(tx.run) ?? proposalProblem(tx.run, proposal);
  if (refusal) return refusal;
  setRun(tx, { replan: proposal });
  return undefined;
}

/** Why a proposal does not fit the run (a bug upstream, refused rather than half-applied). */
function proposalProblem(run: Run, p: ReplanProposal): Refusal {
  if (!wellFormed(p)) return 'the re-plan proposal is malformed';
  if (!Number.isInteger(p.revision) || p.revision <= run.revision) return `the re-plan proposal's revision ${p.revision} is not newer than revision ${run.revision}`;
  const current = stepIndex(run.steps);
  const kept = new Set(p.diff.kept);
  const ids = new Set<string>();
  for (const s of p.steps) {
    if (ids.has(s.id)) return `the re-plan proposal has two steps ${s.id}`;
    ids.add(s.id);
    if (current.has(s.id) && !kept.has(s.id)) return `the re-plan proposal reuses the id ${s.id} for a new step`;
  }
  for (const k of kept) if (!ids.has(k) || !current.has(k)) return `the re-plan proposal keeps ${k}, which it does not hold`;
  for (const s of p.steps) for (const d of s.dependsOn) if (!ids.has(d) && !current.has(d)) return `in the re-plan proposal, ${s.id} depends on ${d}, which does not exist`;
  return undefined;
}

/** The shape the executor relies on (a proposal comes from another component, maybe another version). */
function wellFormed(p: ReplanProposal): boolean {
  if (typeof p !== 'object' || p === null || !Array.isArray(p.steps) || typeof p.diff !== 'object' || p.diff === null) return false;
  if (!Array.isArray(p.diff.kept) || !Array.isArray(p.diff.dropped) || !Array.isArray(p.diff.added)) return false;
  return p.steps.every((s) => typeof s === 'object' && s !== null && typeof s.id === 'string' && Array.isArray(s.dependsOn) && typeof s.action === 'object' && s.action !== null && ACTION_KINDS.includes(s.action.kind));
}

function replanFailed(tx: Tx, reason: string): Refusal {
  const refusal = refuseFinal(tx.run);
  if (refusal) return refusal;
  setRun(tx, { reason: `re-plan failed: ${nonEmpty(reason) ?? 'no reason given'}` });
  return undefined;
}

function replanRejected(tx: Tx): Refusal {
  const refusal = refuseFinal(tx.run);
  if (refusal) return refusal;
  if (tx.run.replan === null) return 'there is no re-plan to reject';
  setRun(tx, { replan: null });
  return undefined;
}

/**
 * The new revision replaces the unfinished steps; finished ones stay as history. A running step
 * the new plan drops is refused (its effect is under way and must be tracked to its end); a
 * running step it keeps goes on as it is. Kept steps keep their attempt count, so request ids
 * never repeat, and a step the operator held stays held. A kept step that finished since the
 * proposal stays finished.
 */
function replanAccepted(tx: Tx): Refusal {
  const p = tx.run.replan;
  const refusal = refuseReplanState(tx.run) ?? (p === null ? 'there is no re-plan to accept' : proposalProblem(tx.run, p));
  if (refusal || p === null) return refusal;
  const kept = new Set(p.diff.kept);
  const droppedRunning = tx.run.steps.find((s) => s.state === 'running' && !kept.has(s.id));
  if (droppedRunning) return `${droppedRunning.id} is running and the re-plan drops it: accept the re-plan once it has finished`;
  const current = stepIndex(tx.run.steps);
  const proposed = new Set(p.steps.map((s) => s.id));
  const history = tx.run.steps
    .filter((s) => isFinalStep(s) || !proposed.has(s.id))
    .map((s) => (isFinalStep(s) ? s : { ...s, state: 'cancelled' as const, phase: null, reason: `dropped by re-plan (revision ${p.revision})` }));
  const adopted = p.steps.filter((s) => !isFinalStep(current.get(s.id) ?? s)).map((s) => adopt(s, current.get(s.id), tx));
  setRun(tx, { revision: p.revision, constraintHash: p.constraintHash, steps: [...history, ...adopted], replan: null });
  return undefined;
}

function adopt(proposed: Step, old: Step | undefined, tx: Tx): Step {
  // a running step already waited for what it had to: its prerequisites stay the ones it had
  if (old?.state === 'running') return { ...old, action: proposed.action, plannedStart: proposed.plannedStart, plannedEnd: proposed.plannedEnd, memoryMiB: proposed.memoryMiB };
  const unattended = tx.run.mode === 'unattended';
  const fresh: Step = { ...freshStep(proposed), approved: unattended, approvedBy: unattended ? tx.by : null, attempts: old?.attempts ?? 0 };
  if (old?.state === 'held' && old.heldBy !== 'drift' && old.heldBy !== 'ferry') return { ...fresh, state: 'held', heldBy: old.heldBy, reason: old.reason };
  return fresh;
}

// ---------------------------------------------------------------------------------------------
// The passes after every accepted event
// ---------------------------------------------------------------------------------------------

/** An abort or stop ends the run once no step is running any more. */
function finishStopping(tx: Tx): void {
  const kind = tx.run.stopping;
  if (kind === null || tx.run.steps.some((s) => s.state === 'running')) return;
  const why = tx.run.reason ?? (kind === 'abort' ? 'aborted' : 'stopped');
  mapSteps(tx, (s) => (isFinalStep(s) ? null : { state: 'cancelled', phase: null, reason: s.state === 'failed' ? `failed (${s.reason ?? 'no reason given'}), then cancelled: ${why}` : `cancelled: ${why}` }));
  setRun(tx, { state: kind === 'abort' ? 'cancelled' : 'failed', stopping: null, replan: null, endedAt: tx.at, reason: why });
}

/**
 * The scheduler: pending steps whose prerequisites all succeeded become ready (approved) or await
 * approval; ready steps start in plan order while every host they touch has a free slot.
 */
function schedule(tx: Tx): void {
  if (tx.run.state !== 'running' || tx.run.stopping !== null) return;
  promote(tx);
  startReady(tx);
}

function promote(tx: Tx): void {
  const succeeded = new Set(tx.run.steps.filter((s) => s.state === 'succeeded').map((s) => s.id));
  const unattended = tx.run.mode === 'unattended';
  mapSteps(tx, (s) => {
    if (s.state !== 'pending' || !s.dependsOn.every((d) => succeeded.has(d))) return null;
    // unattended steps are normally approved with the mode; this covers any that were not
    if (unattended && !s.approved) return { state: 'ready', approved: true, approvedBy: 'ferry' };
    return { state: s.approved ? 'ready' : 'awaiting-approval' };
  });
}

function startReady(tx: Tx): void {
  const cap = Number.isInteger(tx.run.maxPerHost) && tx.run.maxPerHost >= 1 ? tx.run.maxPerHost : 1;
  const load = new Map<string, number>();
  for (const s of tx.run.steps) if (s.state === 'running') for (const n of namedNodes(s.action)) load.set(n, (load.get(n) ?? 0) + 1);
  const ready = tx.run.steps.map((s, i) => ({ s, i })).filter(({ s }) => s.state === 'ready');
  ready.sort((x, y) => x.s.plannedStart - y.s.plannedStart || x.i - y.i);
  const starting = new Set<string>();
  for (const { s } of ready) {
    const nodes = namedNodes(s.action);
    if (nodes.some((n) => (load.get(n) ?? 0) >= cap)) continue;
    for (const n of nodes) load.set(n, (load.get(n) ?? 0) + 1);
    starting.add(s.id);
    tx.commands.push({ type: 'preflight', stepId: s.id });
  }
  if (starting.size === 0) return;
  mapSteps(tx, (s) => (starting.has(s.id) ? { state: 'running', phase: 'preflight', startedAt: tx.at, endedAt: null, progress: null, lastOutcome: null, reason: null } : null));
}

const STILL_ACTIVE: readonly StepState[] = ['running', 'ready', 'awaiting-approval', 'held', 'failed'];

/**
 * A running run with nothing left to do, wait for or decide ends by itself: succeeded when every
 * step succeeded or was skipped (or dropped by a re-plan); otherwise the only steps left wait for
 * a skipped one, will never run, and the run failed.
 */
function finishWhenDone(tx: Tx): void {
  const run = tx.run;
  if (run.state !== 'running' || run.stopping !== null || run.replan !== null) return;
  if (run.steps.some((s) => STILL_ACTIVE.includes(s.state))) return;
  const stuck = run.steps.filter((s) => s.state === 'pending');
  if (stuck.length === 0) {
    setRun(tx, { state: 'succeeded', endedAt: tx.at, reason: summary(run) });
    return;
  }
  const byId = stepIndex(run.steps);
  const blockers = new Map(stuck.map((s) => [s.id, blocker(byId, s)]));
  mapSteps(tx, (s) => (blockers.has(s.id) ? { state: 'cancelled', reason: blockers.get(s.id) ?? null } : null));
  const first = stuck[0] as Step;
  setRun(tx, { state: 'failed', endedAt: tx.at, reason: `${stuck.length} step(s) could not run, ${first.id} ${blockers.get(first.id) ?? ''}`.trim() });
}

function summary(run: Run): string {
  const count = (state: StepState): number => run.steps.filter((s) => s.state === state).length;
  const skipped = count('skipped');
  return `${count('succeeded')} step(s) succeeded${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

/** Why a pending step can never run: the first prerequisite, followed down, that will never succeed. */
function blocker(byId: ReadonlyMap<string, Step>, step: Step): string {
  const seen = new Set<string>();
  let s = step;
  for (;;) {
    seen.add(s.id);
    const next = s.dependsOn.map((d) => byId.get(d) ?? d).find((d) => typeof d === 'string' || d.state !== 'succeeded');
    if (next === undefined) return 'blocked';
    if (typeof next === 'string') return `blocked by missing step ${next}`;
    if (next.state !== 'pending') return `blocked by ${next.state} ${next.id}`;
    if (seen.has(next.id)) return `blocked by a dependency cycle through ${next.id}`;
    s = next;
  }
}

function nonEmpty(text: string | undefined): string | undefined {
  const t = typeof text === 'string' ? text.trim() : '';
  return t === '' ? undefined : t;
}

