import type { StateCreator } from 'zustand';

import type { Diagnostic } from '../../src/dsl/diagnostics.js';
import type { PlanProgressEvent } from '../../src/contract/events.js';
import type { PlanOptionsInput, RehearsalFault } from '../../src/contract/procedures.js';
import type { FerryClient } from '../api/client.js';
import { type ShownResult, heldOriginOf, shownResult } from './plan-origin.js';
import { planRef, startKey } from './run.js';
import type { FerryState } from './types.js';

/**
 * Planning: compute a plan of the effective script (live progress, cancel), keep the previous
 * result for comparison, and turn the shown plan into a run (or a rehearsal) against the constraint
 * hash the operator saw. The plan itself is the services': run:create names it by request id.
 */

export type PlanStatus = 'idle' | 'computing' | 'done' | 'error';

/** The best plan so far while planning runs (figures only: the screen shows the final plan). */
export interface PlanProgressView {
  readonly elapsedMs: number;
  readonly stage: string;
  readonly objective: number;
  readonly lowerBound: number;
  readonly migrations: number;
  readonly steps: number;
}

export interface ComputedPlan {
  readonly requestId: string;
  /** Set when reopened from History: the kept plan run:create names (the request was another session's). */
  readonly planId?: string;
  /** The cluster planned, or null for an instance file (no run can be created from it). */
  readonly clusterId: string | null;
  /** The script planned (the effective one: toggled-off statements blanked). */
  readonly script: string;
  readonly constraintHash: string;
  /** The plan whole (an origin the answer left out is put back). */
  readonly result: ShownResult;
  /** The script's warnings. */
  readonly diagnostics: readonly Diagnostic[];
  readonly windowSeconds: number | null;
  readonly computedAt: number;
  /** Which of the active constraints were toggled off when it was computed (what-if). */
  readonly disabledLines: readonly number[];
}

export interface PlanSlice {
  readonly planStatus: PlanStatus;
  /** The request under way (null when idle). */
  readonly planRequestId: string | null;
  readonly planStartedAt: number | null;
  readonly planProgress: PlanProgressView | null;
  /** Why the last compute failed (transport, refused options), in the services' words. */
  readonly planError: string | null;
  /** The script's errors when the last compute was refused for them. */
  readonly planScriptErrors: readonly Diagnostic[];
  readonly currentPlan: ComputedPlan | null;
  /** The plan computed before the current one, kept for "Compare with previous". */
  readonly previousPlan: ComputedPlan | null;
  readonly planOptions: PlanOptionsInput;
  setPlanOptions(options: PlanOptionsInput): void;
  computePlan(): Promise<void>;
  /** Shows a plan computed earlier (History's "Open in Plan") as the current one. */
  showStoredPlan(plan: ComputedPlan): void;
  cancelPlan(): Promise<void>;
  /** The step selected in the Gantt or the list (shared by both). */
  readonly selectedStepId: string | null;
  selectStep(stepId: string | null): void;
  /** Creates the run of the current plan and starts it, then goes to Execution; the run id, or null (notified). */
  startExecution(): Promise<string | null>;
  /** The same on a simulated copy of the cluster with these faults injected. */
  rehearse(faults: readonly RehearsalFault[]): Promise<string | null>;
  readonly runCreating: boolean;
  /** The request (the kept plan's id when reopened from History) whose plan became a (real) run: it cannot start twice. */
  readonly startedRequestId: string | null;
}

/** Short plannings by default: the console is interactive (the CLI's default is 10 s). */
export const CONSOLE_PLAN_OPTIONS: PlanOptionsInput = { timeLimitS: 5 };

function newRequestId(): string {
  const random = Math.floor(Math.random() * 36 ** 6).toString(36);
  return `plan-${Date.now().toString(36)}-${random}`;
}

function progressView(event: PlanProgressEvent): PlanProgressView {
  return { elapsedMs: event.elapsedMs, stage: event.stage, objective: event.objective, lowerBound: event.lowerBound, migrations: event.migrations, steps: event.steps };
}

export function createPlanSlice(client: FerryClient): StateCreator<FerryState, [], [], PlanSlice> {
  return (set, get) => {
    /** Creates the run (or rehearsal) of the current plan, starts it and shows it. */
    async function launch(rehearsal: readonly RehearsalFault[] | null): Promise<string | null> {
      const plan = get().currentPlan;
      if (!plan || plan.result.plan === null) {
        get().notify('warning', 'No plan to run', 'Compute a plan first.');
        return null;
      }
      if (plan.clusterId === null) {
        get().notify('warning', 'A plan of a file cannot run', 'Open a cluster and plan it to run the plan.');
        return null;
      }
      set({ runCreating: true });
      const base = { clusterId: plan.clusterId, ...planRef(plan), constraintHash: plan.constraintHash };
      const reply = rehearsal === null ? await client.invoke('run:create', base) : await client.invoke('run:rehearse', { ...base, faults: [...rehearsal] });
      set({ runCreating: false });
      if (!reply.ok) {
        get().notify('danger', rehearsal === null ? 'The run was not created' : 'The rehearsal was not created', reply.error.message);
        return null;
      }
      const { run } = reply.value;
      if (rehearsal === null) set({ startedRequestId: startKey(plan) });
      get().adoptRun(reply.value.run, reply.value.progress);
      // pressing Start execution is the operator's approval of the plan shown: the steps still need theirs
      await get().sendRunEvent({ type: 'start' });
      get().navigate('execution');
      return run.runId;
    }

    return {
      planStatus: 'idle',
      planRequestId: null,
      planStartedAt: null,
      planProgress: null,
      planError: null,
      planScriptErrors: [],
      currentPlan: null,
      previousPlan: null,
      planOptions: CONSOLE_PLAN_OPTIONS,
      setPlanOptions: (planOptions) => set({ planOptions }),
      selectedStepId: null,
      selectStep: (selectedStepId) => set({ selectedStepId }),
      runCreating: false,
      startedRequestId: null,

      computePlan: async () => {
        if (get().planStatus === 'computing') return;
        const requestId = newRequestId();
        const source = get().sourceInput();
        const script = get().effectiveScript();
        const options = get().planOptions;
        const disabledLines = [...get().disabled].sort((a, b) => a - b);
        // taken now: a newer read may replace the snapshot while planning runs
        const held = heldOriginOf(get().source, get().snapshot);
        set({ planStatus: 'computing', planRequestId: requestId, planStartedAt: Date.now(), planProgress: null, planError: null, planScriptErrors: [] });
        get().startTask({ id: 'plan', label: 'Computing a plan', route: 'plan' });
        // subscribe first: the first improving plan may come before plan:compute answers
        const stop = client.subscribe('plan:progress', { requestId }, (reply) => {
          if (reply.ok && get().planRequestId === requestId) set({ planProgress: progressView(reply.value) });
        });
        const reply = await client.invoke('plan:compute', { ...source, requestId, script: { text: script, name: 'console.btrp' }, options, ...(held ? { originHeld: held.ref } : {}), ...sourceNameOf(get().source) });
        stop();
        get().endTask('plan');
        if (get().planRequestId !== requestId) return;
        if (!reply.ok) {
          set({ planStatus: 'error', planRequestId: null, planError: reply.error.message });
          return;
        }
        const computed = reply.value;
        if (computed.kind === 'script-errors') {
          set({ planStatus: 'error', planRequestId: null, planError: 'The script has errors: fix them in the Constraints screen.', planScriptErrors: computed.diagnostics });
          return;
        }
        const shown = shownResult(computed.result, held);
        if (!shown.ok) {
          set({ planStatus: 'error', planRequestId: null, planError: shown.message });
          return;
        }
        const plan: ComputedPlan = {
          requestId,
          clusterId: 'clusterId' in source ? source.clusterId : null,
          script,
          constraintHash: computed.constraintHash,
          result: shown.result,
          diagnostics: computed.diagnostics,
          windowSeconds: options.windowSeconds ?? null,
          computedAt: Date.now(),
          disabledLines,
        };
        set({ planStatus: 'done', planRequestId: null, currentPlan: plan, previousPlan: get().currentPlan, selectedStepId: null });
      },

      showStoredPlan: (plan) => {
        if (get().planStatus === 'computing') return;
        set({ planStatus: 'done', planError: null, planScriptErrors: [], currentPlan: plan, previousPlan: get().currentPlan, selectedStepId: null });
      },

      cancelPlan: async () => {
        const requestId = get().planRequestId;
        if (requestId === null) return;
        const reply = await client.invoke('plan:cancel', { requestId });
        if (!reply.ok) get().notify('warning', 'The planning was not cancelled', reply.error.message);
      },

      startExecution: () => launch(null),
      rehearse: (faults) => launch(faults),
    };
  };
}

/** A what-if on a file is kept in History under the file's name. */
function sourceNameOf(source: FerryState['source']): { sourceName?: string } {
  return source.kind === 'file' ? { sourceName: source.fileName } : {};
}
