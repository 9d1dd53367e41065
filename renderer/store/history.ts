import type { StateCreator } from 'zustand';

import type { AuditLineWire, RunSummary } from '../../src/contract/procedures.js';
import type { FerryClient } from '../api/client.js';
import type { FerryState } from './types.js';

/**
 * History: the journal's runs (every cluster's, rehearsals included), one run's audit trail, and
 * its maintenance report as a file the browser downloads under the name the services chose.
 */

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
    historyRunId: null,
    audit: null,
    auditError: null,
    lastDownload: null,

    loadHistory: async () => {
      set({ historyStatus: 'loading' });
      const reply = await client.invoke('run:list', {});
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
