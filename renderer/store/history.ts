import type { StateCreator } from 'zustand';

import type { AuditLineWire, OutputOf, PastPlan, RunSummary } from '../../src/contract/procedures.js';
import type { FerryClient } from '../api/client.js';
import type { ComputedPlan } from './plan.js';
import { shownResult } from './plan-origin.js';
import type { FerryState } from './types.js';

/**
 * History: the plans computed (run or not, the journal keeps the last 200) and the journal's runs
 * (every cluster's, rehearsals included); one past plan's summary, reopened in the Plan screen;
 * one run's audit trail, and its maintenance report as a file the browser downloads under the
 * name the services chose.
 */

/** One past plan in full (plan:get). */
export type PastPlanDetail = OutputOf<'plan:get'>;

export type HistoryStatus = 'idle' | 'loading' | 'ready' | 'error';
export type ReportFormat = 'md' | 'html';

export interface Download {
  readonly fileName: string;
  readonly bytes: number;
}

export interface HistorySlice {
  readonly historyStatus: HistoryStatus;
  readonly historyError: string | null;
  /** Newest first. */
  readonly pastRuns: readonly RunSummary[];
  /** Computed plans, newest first (no bodies). */
  readonly pastPlans: readonly PastPlan[];
  /** Plans computed but not kept (journal full, locked), in the services' words. */
  readonly planNotes: readonly string[];
  /** Why the past plans cannot be listed (the runs may still be). */
  readonly pastPlansError: string | null;
  readonly historyPlanId: string | null;
  readonly pastPlan: PastPlanDetail | null;
  readonly pastPlanError: string | null;
  selectPastPlan(planId: string): Promise<void>;
  /** Shows the past plan in the Plan screen; false (notified) when it cannot be read. */
  openPastPlan(planId: string): Promise<boolean>;
  readonly historyRunId: string | null;
  readonly audit: readonly AuditLineWire[] | null;
  readonly auditError: string | null;
  /** The last report handed to the browser (what the operator saved). */
  readonly lastDownload: Download | null;
  loadHistory(): Promise<void>;
  selectHistoryRun(runId: string): Promise<void>;
  /** Fetches the run's report and saves it as a file; the file name, or null (notified). */
  downloadReport(runId: string, format: ReportFormat): Promise<string | null>;
}

const MEDIA_TYPES: Readonly<Record<ReportFormat, string>> = { md: 'text/markdown;charset=utf-8', html: 'text/html;charset=utf-8' };

/** Hands a text to the browser as a file download (a Blob URL, revoked once clicked). */
export function saveTextFile(fileName: string, content: string, mediaType: string): number {
  const blob = new Blob([content], { type: mediaType });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  // the services chose the name; the browser still sanitises it for the file system
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
  return blob.size;
}

export function createHistorySlice(client: FerryClient): StateCreator<FerryState, [], [], HistorySlice> {
  return (set, get) => ({
    historyStatus: 'idle',
    historyError: null,
    pastRuns: [],
    pastPlans: [],
    planNotes: [],
    pastPlansError: null,
    historyPlanId: null,
    pastPlan: null,
    pastPlanError: null,
    historyRunId: null,
    audit: null,
    auditError: null,
    lastDownload: null,

    loadHistory: async () => {
      set({ historyStatus: 'loading' });
      const [reply, plans] = await Promise.all([client.invoke('run:list', {}), client.invoke('plan:list', {})]);
      if (plans.ok) set({ pastPlans: plans.value.plans, planNotes: plans.value.notes, pastPlansError: null });
      else set({ pastPlansError: plans.error.message });
      if (!reply.ok) {
        set({ historyStatus: 'error', historyError: reply.error.message });
        return;
      }
      const pastRuns = [...reply.value.runs].sort((a, b) => b.createdAt - a.createdAt);
      set({ historyStatus: 'ready', historyError: null, pastRuns });
    },

    selectHistoryRun: async (runId) => {
      set({ historyRunId: runId, audit: null, auditError: null });
      const reply = await client.invoke('run:audit', { runId });
      if (get().historyRunId !== runId) return;
      if (!reply.ok) set({ auditError: reply.error.message });
      else set({ audit: reply.value.audit });
    },

    selectPastPlan: async (planId) => {
      set({ historyPlanId: planId, pastPlan: null, pastPlanError: null });
      const reply = await client.invoke('plan:get', { planId });
      if (get().historyPlanId !== planId) return;
      if (!reply.ok) set({ pastPlanError: reply.error.message });
      else set({ pastPlan: reply.value });
    },

    openPastPlan: async (planId) => {
      const loaded = get().pastPlan;
      const reply = loaded?.plan.planId === planId ? ({ ok: true, value: loaded } as const) : await client.invoke('plan:get', { planId });
      const plan = reply.ok ? storedPlan(reply.value) : { ok: false as const, message: reply.error.message };
      if (!plan.ok) {
        get().notify('danger', 'The plan cannot be shown', plan.message);
        return false;
      }
      if (get().planStatus === 'computing') {
        get().notify('warning', 'A plan is being computed', 'Wait for it, or cancel it, to open a past plan.');
        return false;
      }
      get().showStoredPlan(plan.value);
      get().navigate('plan');
      return true;
    },

    downloadReport: async (runId, format) => {
      const reply = await client.invoke('run:report', { runId, format });
      if (!reply.ok) {
        get().notify('danger', 'The report could not be made', reply.error.message);
        return null;
      }
      const { fileName, content } = reply.value;
      const bytes = saveTextFile(fileName, content, MEDIA_TYPES[format]);
      set({ lastDownload: { fileName, bytes } });
      get().notify('success', 'Report saved', fileName);
      return fileName;
    },
  });
}

/** A past plan as the Plan screen shows a computed one, marked by its planId: run:create names it by that, in any session. */
function storedPlan(detail: PastPlanDetail): { readonly ok: true; readonly value: ComputedPlan } | { readonly ok: false; readonly message: string } {
  const { plan, computed } = detail;
  if (computed.kind !== 'result') return { ok: false, message: `plan ${plan.planId} holds no result` };
  // kept whole: the origin travels with the plan
  const shown = shownResult(computed.result, null);
  if (!shown.ok) return shown;
  return {
    ok: true,
    value: {
      requestId: plan.requestId,
      planId: plan.planId,
      clusterId: plan.source.kind === 'cluster' ? plan.source.name : null,
      script: detail.script.text,
      constraintHash: computed.constraintHash,
      result: shown.result,
      diagnostics: computed.diagnostics,
      windowSeconds: detail.options.windowSeconds ?? null,
      computedAt: plan.computedAt,
      disabledLines: [],
    },
  };
}
