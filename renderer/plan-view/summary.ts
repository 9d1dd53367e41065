import type { PlanResultWire } from '../../src/contract/events.js';
import { formatTime } from '../../src/plan/format.js';
import { formatMemory } from '../../src/text/memory.js';

/**
 * The plan summary in operator words, figure by figure: migrations and their bound, data moved,
 * duration and its bound, whether it fits the window, proven optimal or the gap, solve time.
 */

export interface SummaryFigures {
  readonly status: PlanResultWire['status'];
  readonly migrations: number | null;
  readonly migrationsBound: number | null;
  readonly memoryMovedMiB: number | null;
  readonly durationSeconds: number | null;
  readonly durationBound: number | null;
  /** null: no window was asked for (or no plan). */
  readonly fitsWindow: boolean | null;
  readonly windowSeconds: number | null;
  readonly gap: number | null;
  readonly solveMs: number;
  readonly steps: number;
}

export interface SummaryRow {
  readonly label: string;
  readonly value: string;
}

export function summaryFigures(result: PlanResultWire, windowSeconds: number | null): SummaryFigures {
  const duration = result.durationSeconds;
  return {
    status: result.status,
    migrations: result.migrations,
    migrationsBound: result.migrationsLowerBound,
    memoryMovedMiB: result.memoryMovedMiB,
    durationSeconds: duration,
    durationBound: result.durationLowerBound,
    fitsWindow: windowSeconds === null || duration === null ? null : duration <= windowSeconds,
    windowSeconds,
    gap: result.gap,
    solveMs: result.solveMs,
    steps: result.plan?.actions.length ?? 0,
  };
}

export function summaryRows(f: SummaryFigures): SummaryRow[] {
  return [
    { label: 'Migrations', value: f.migrations === null ? 'no plan' : `${f.migrations}${f.migrationsBound === null ? '' : ` (at least ${f.migrationsBound})`}` },
    { label: 'Data moved', value: f.memoryMovedMiB === null ? '–' : formatMemory(f.memoryMovedMiB) },
    { label: 'Duration', value: f.durationSeconds === null ? '–' : `${formatTime(f.durationSeconds)}${f.durationBound === null ? '' : ` (at least ${formatTime(f.durationBound)})`}` },
    { label: 'Window', value: windowText(f) },
    { label: 'Optimality', value: optimalityText(f) },
    { label: 'Solve time', value: formatMs(f.solveMs) },
  ];
}

function windowText(f: SummaryFigures): string {
  if (f.windowSeconds === null) return 'no window set';
  if (f.fitsWindow === null) return `window ${formatTime(f.windowSeconds)}`;
  return f.fitsWindow ? `fits the ${formatTime(f.windowSeconds)} window` : `does not fit the ${formatTime(f.windowSeconds)} window`;
}

export function optimalityText(f: Pick<SummaryFigures, 'status' | 'gap'>): string {
  switch (f.status) {
    case 'optimal':
      return 'proven optimal';
    case 'feasible':
      return f.gap === null ? 'not proven optimal' : `within ${formatPercent(f.gap)} of optimal`;
    case 'infeasible':
      return 'no plan exists';
    case 'unknown':
      return 'no plan found';
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function formatPercent(gap: number): string {
  return `${(gap * 100).toFixed(gap < 0.01 ? 2 : 1)} %`;
}
