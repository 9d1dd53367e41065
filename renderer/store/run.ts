import type { StateCreator } from 'zustand';

import type { OperatorEvent } from '../../src/contract/executor.js';
import type { StepEvent } from '../../src/contract/events.js';
import { describeNamedAction } from '../../src/executor/describe.js';
import type { ExecEvent, FailureChoice, Run, RunProgress } from '../../src/executor/types.js';
import type { FerryClient } from '../api/client.js';
import type { ComputedPlan } from './plan.js';
import type { FerryState } from './types.js';

/**
 * The run on the Execution screen: the services' run as the last event left it, fed by run:changed
 * and run:step; every operator decision goes through run:event with the revision the operator saw.
 * Nothing is kept only here: a reload finds the run again (run:list) and reads it (run:get); the
 * step log is rebuilt from the events received since.
 */

export interface StepLogLine {
  readonly at: number;
  readonly text: string;
}

export interface RunSlice {
  readonly run: Run | null;
  readonly runProgress: RunProgress | null;
  /** Why the run could not be read or an event was refused, in the services' words. */
  readonly runError: string | null;
  /** Per step, what happened to it (newest last), from run:step events. */
  readonly stepLogs: Readonly<Record<string, readonly StepLogLine[]>>;
  readonly runLoading: boolean;
  /** Shows this run (as run:create or run:get answered it) and follows its events. */
  adoptRun(run: Run, progress: RunProgress): void;
  loadRun(runId: string): Promise<void>;
  /** After a reload: the cluster's active run, else its latest, else nothing. */
  restoreRun(): Promise<void>;
  /** Stops following the run's events (the screen is left for good). */
  forgetRun(): void;
  /** An operator event against the revision shown; false when refused (runError says why). */
  sendRunEvent(event: OperatorEvent): Promise<boolean>;
  approveStep(stepId: string): Promise<boolean>;
  skipStep(stepId: string, reason: string): Promise<boolean>;
  holdStep(stepId: string, reason?: string): Promise<boolean>;
  releaseStep(stepId: string): Promise<boolean>;
  approveAllReady(): Promise<boolean>;
  pauseRun(): Promise<boolean>;
  resumeRun(): Promise<boolean>;
  abortRun(reason?: string): Promise<boolean>;
  chooseAfterFailure(stepId: string, choice: FailureChoice): Promise<boolean>;
  acceptReplan(): Promise<boolean>;
  rejectReplan(): Promise<boolean>;
}

/**
 * How run:create names the shown plan: by the request of this page's plan:compute, or, for a plan
 * reopened from History (computed in another session, maybe before a restart), by its kept id.
 */
export function planRef(plan: ComputedPlan): { readonly requestId: string } | { readonly planId: string } {
  return plan.planId !== undefined ? { planId: plan.planId } : { requestId: plan.requestId };
}

/** What `startedRequestId` holds once the plan became a run. */
export function startKey(plan: ComputedPlan): string {
  return plan.planId ?? plan.requestId;
}

/**
 * Why Start execution cannot run the shown plan, in the words shown next to the button (its
 * accessible description), or null when it can: the services still refuse a plan whose cluster
 * changed since, in their own words.
 */
export function whyNotStartable(plan: ComputedPlan, startedKey: string | null): string | null {
  if (startedKey === startKey(plan)) return 'this plan is running';
  if (plan.clusterId === null) return 'a plan of a file cannot run: open a cluster to run it';
  if (plan.result.plan === null) {
    return plan.result.status === 'infeasible' ? 'no plan to run: the constraints cannot all hold (see why below)' : 'no plan to run: none was found within the time limit';
  }
  return null;
}

/** Runs that still want an operator: shown first after a reload. */
const ACTIVE_STATES = ['running', 'paused', 'approved', 'draft'] as const;

/** At most this many log lines per step (progress events are many). */
const MAX_LOG_LINES = 50;

/** A step event in operator words (names already through safeName where the executor put them). */
export function logText(event: ExecEvent, step: StepEvent['step']): string {
  const by = 'by' in event ? ` by ${event.by}` : '';
  switch (event.type) {
    case 'effect-progress': {
      const p = event.progress;
      const pct = `${Math.round(p.fraction * 100)} %`;
      const moved = p.bytesMoved !== undefined && p.bytesTotal !== undefined ? `, ${mib(p.bytesMoved)} of ${mib(p.bytesTotal)}` : '';
      const left = p.secondsLeft !== undefined && p.secondsLeft !== null ? `, about ${Math.round(p.secondsLeft)} s left` : '';
      return `${pct}${moved}${left}${p.message ? ` — ${p.message}` : ''}`;
    }
    case 'effect-ended':
      return event.outcome.status === 'succeeded' || event.outcome.status === 'cancelled' ? `effect ${event.outcome.status}` : `effect ${event.outcome.status}: ${event.outcome.error}`;
    case 'verified':
      return `verified: ${event.result} (${event.detail})`;
    case 'preflight-ok':
      return 'preflight: the cluster is as planned';
    case 'preflight-drift':
      return `preflight found drift: ${event.drift.join('; ')}`;
    case 'preflight-blocked':
      return `preflight blocked: ${event.reason}`;
    case 'skip':
      return `skipped${by}: ${event.reason}`;
    case 'hold':
      return `held${by}${event.reason ? `: ${event.reason}` : ''}`;
    case 'failure-choice':
      return `${event.choice}${by}`;
    case 'approve':
    case 'approve-ready':
      return `approved${by}`;
    default:
      return `${event.type}${by} (${describeNamedAction(step.action)})`;
  }
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

export function createRunSlice(client: FerryClient): StateCreator<FerryState, [], [], RunSlice> {
  return (set, get) => {
    let unsubscribe: (() => void) | null = null;
    let followed: string | null = null;
    /** run:changed events received for the followed run: tells whether one came while a run:event was answered. */
    let changesSeen = 0;

    /** A newer revision (or the same with more done) replaces what is shown; events of other runs are ignored. */
    function accept(run: Run, progress: RunProgress): void {
      const shown = get().run;
      if (shown && shown.runId !== run.runId) return;
      set({ run, runProgress: progress });
      showInStatusBar(run, progress);
    }

    /** A run under way is background work the status bar lists (with its progress). */
    function showInStatusBar(run: Run, progress: RunProgress): void {
      if (run.state !== 'running' && run.state !== 'paused') {
        get().endTask('run');
        return;
      }
      const done = progress.succeeded + progress.skipped;
      get().startTask({ id: 'run', label: `${run.state === 'paused' ? 'Paused' : 'Running'}: ${done}/${progress.total} steps`, route: 'execution', progress: progress.total === 0 ? 1 : done / progress.total });
    }

    function appendLog(event: StepEvent): void {
      if (event.runId !== get().run?.runId) return;
      const { stepId } = event.event as { stepId?: string };
      const id = stepId ?? event.step.id;
      const lines = get().stepLogs[id] ?? [];
      const line = { at: event.event.at, text: logText(event.event, event.step) };
      // a step event also carries the step as it is now: the list shows it before the next run:changed
      const run = get().run;
      if (run) {
        const steps = run.steps.map((s) => (s.id === event.step.id ? event.step : s));
        set({ run: { ...run, steps } });
      }
      set({ stepLogs: { ...get().stepLogs, [id]: [...lines, line].slice(-MAX_LOG_LINES) } });
    }

    function follow(runId: string): void {
      if (followed === runId) return;
      unsubscribe?.();
      followed = runId;
      const stopChanged = client.subscribe('run:changed', { runId }, (reply) => {
        if (reply.ok) {
          changesSeen++;
          accept(reply.value.run, reply.value.progress);
        }
        // the transport was lost: events may be missing, read the run again
        else if (reply.error.code === 'unavailable') void get().loadRun(runId);
      });
      const stopSteps = client.subscribe('run:step', { runId }, (reply) => {
        if (reply.ok) appendLog(reply.value);
      });
      unsubscribe = () => {
        stopChanged();
        stopSteps();
      };
    }

    async function send(event: OperatorEvent): Promise<boolean> {
      const run = get().run;
      if (!run) return false;
      const before = changesSeen;
      const reply = await client.invoke('run:event', { runId: run.runId, revision: run.revision, event });
      if (!reply.ok) {
        set({ runError: reply.error.message });
        // a stale revision: show the run as it is now so that the operator decides on what is real
        if (reply.error.code === 'conflict') await get().loadRun(run.runId);
        return false;
      }
      // The reply shows the run as the event left it, and travels apart from run:changed (HTTP vs
      // WebSocket): it can arrive after later changes (an abort's cancelled effects end the run at
      // once), and must not replace them. run:changed, in order, tells every accepted change anyway.
      if (followed !== reply.value.run.runId || changesSeen === before) accept(reply.value.run, reply.value.progress);
      set({ runError: reply.value.refused });
      return reply.value.refused === null;
    }

    return {
      run: null,
      runProgress: null,
      runError: null,
      stepLogs: {},
      runLoading: false,

      adoptRun: (run, progress) => {
        if (get().run?.runId !== run.runId) set({ stepLogs: {} });
        set({ run, runProgress: progress, runError: null });
        showInStatusBar(run, progress);
        follow(run.runId);
      },

      loadRun: async (runId) => {
        set({ runLoading: true });
        const reply = await client.invoke('run:get', { runId });
        set({ runLoading: false });
        if (!reply.ok) {
          set({ runError: reply.error.message });
          return;
        }
        if (get().run?.runId !== runId) set({ stepLogs: {}, run: null });
        set({ run: reply.value.run, runProgress: reply.value.progress, runError: null });
        showInStatusBar(reply.value.run, reply.value.progress);
        follow(runId);
      },

      restoreRun: async () => {
        const clusterId = get().clusterId;
        set({ runLoading: true });
        const reply = await client.invoke('run:list', {});
        set({ runLoading: false });
        if (!reply.ok) {
          set({ runError: reply.error.message });
          return;
        }
        // the cluster's own runs first, then its rehearsals; the active one wins, else the newest
        const mine = reply.value.runs.filter((r) => r.clusterId === clusterId || r.clusterId.startsWith('rehearsal:'));
        const byNewest = [...mine].sort((a, b) => b.createdAt - a.createdAt);
        const pick = byNewest.find((r) => (ACTIVE_STATES as readonly string[]).includes(r.state) && r.clusterId === clusterId) ?? byNewest.find((r) => (ACTIVE_STATES as readonly string[]).includes(r.state)) ?? byNewest[0];
        if (pick) await get().loadRun(pick.runId);
      },

      forgetRun: () => {
        unsubscribe?.();
        unsubscribe = null;
        followed = null;
      },

      sendRunEvent: send,
      approveStep: (stepId) => send({ type: 'approve', stepIds: [stepId] }),
      skipStep: (stepId, reason) => send({ type: 'skip', stepId, reason }),
      holdStep: (stepId, reason) => send(reason === undefined ? { type: 'hold', stepId } : { type: 'hold', stepId, reason }),
      releaseStep: (stepId) => send({ type: 'release', stepId }),
      approveAllReady: () => send({ type: 'approve-ready' }),
      pauseRun: () => send({ type: 'pause' }),
      resumeRun: () => send({ type: 'resume' }),
      abortRun: (reason) => send(reason === undefined ? { type: 'abort' } : { type: 'abort', reason }),
      chooseAfterFailure: (stepId, choice) => send({ type: 'failure-choice', stepId, choice }),
      acceptReplan: () => send({ type: 'replan-accepted' }),
      rejectReplan: () => send({ type: 'replan-rejected' }),
    };
  };
}
