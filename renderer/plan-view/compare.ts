import { describeNamedAction } from '../../src/executor/describe.js';
import { stepKey } from '../../src/executor/steps.js';
import type { NamedAction } from '../../src/cluster/ports.js';
import { formatTime } from '../../src/plan/format.js';
import { formatMemory } from '../../src/text/memory.js';
import { type SummaryFigures, optimalityText } from './summary.js';

/**
 * Two computed plans side by side (the previous and the current one, e.g. with and without a
 * toggled constraint): every summary figure that differs, spelled out, then the actions only one
 * of them has.
 */

export interface ComparedPlan {
  readonly figures: SummaryFigures;
  readonly actions: readonly NamedAction[];
}

export interface PlanComparison {
  /** One sentence per figure that differs (empty: the same figures). */
  readonly figures: readonly string[];
  /** Actions of the previous plan the current one does not have, and the reverse (operator words). */
  readonly onlyPrevious: readonly string[];
  readonly onlyCurrent: readonly string[];
}

export function comparePlans(previous: ComparedPlan, current: ComparedPlan): PlanComparison {
  const a = previous.figures;
  const b = current.figures;
  const figures: string[] = [];
  if (a.status !== b.status) figures.push(`status: ${optimalityText(a)} before, ${optimalityText(b)} now`);
  countDiff(figures, 'migrations', a.migrations, b.migrations, (n) => String(n), ['more', 'fewer']);
  countDiff(figures, 'steps', a.steps, b.steps, (n) => String(n), ['more', 'fewer']);
  countDiff(figures, 'data moved', a.memoryMovedMiB, b.memoryMovedMiB, formatMemory, ['more', 'less']);
  countDiff(figures, 'duration', a.durationSeconds, b.durationSeconds, formatTime, ['longer', 'shorter']);
  if (a.fitsWindow !== b.fitsWindow && b.fitsWindow !== null) figures.push(b.fitsWindow ? 'now fits the window (it did not before)' : 'no longer fits the window');
  const keysA = new Map(previous.actions.map((x) => [stepKey(x), x]));
  const keysB = new Map(current.actions.map((x) => [stepKey(x), x]));
  const only = (from: Map<string, NamedAction>, other: Map<string, NamedAction>): string[] => [...from].filter(([k]) => !other.has(k)).map(([, x]) => describeNamedAction(x));
  return { figures, onlyPrevious: only(keysA, keysB), onlyCurrent: only(keysB, keysA) };
}

function countDiff(out: string[], what: string, before: number | null, now: number | null, show: (n: number) => string, words: readonly [string, string]): void {
  if (before === now) return;
  if (before === null || now === null) {
    out.push(`${what}: ${before === null ? '–' : show(before)} before, ${now === null ? '–' : show(now)} now`);
    return;
  }
  const delta = now - before;
  out.push(`${what}: ${show(before)} → ${show(now)} (${show(Math.abs(delta))} ${delta > 0 ? words[0] : words[1]})`);
}
