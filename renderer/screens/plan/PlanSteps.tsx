import { type ReactNode, memo, useEffect, useRef } from 'react';

import { describeNamedAction } from '../../../src/executor/describe.js';
import type { Step } from '../../../src/executor/types.js';
import { formatInterval } from '../../../src/plan/format.js';
import { shown } from '../../components/text.js';
import { useRowWindow } from '../../plan-view/windowing.js';

/**
 * The plan's steps in order, virtualised (only the rows in view are in the DOM): id, when, what,
 * and why (the step's reason when the plan gives one). Selecting a row selects the step in the
 * Gantt and the hosts in the placement map.
 */

const ROW_HEIGHT = 30;

export const PlanSteps = memo(function PlanSteps({ steps, reasons, selected, onSelect }: { readonly steps: readonly Step[]; readonly reasons?: ReadonlyMap<string, string>; readonly selected: string | null; onSelect(stepId: string): void }): ReactNode {
  const container = useRef<HTMLDivElement>(null);
  const win = useRowWindow(container, steps.length, ROW_HEIGHT);
  const { scrollTo } = win;
  useEffect(() => {
    if (selected === null) return;
    const index = steps.findIndex((s) => s.id === selected);
    if (index >= 0) scrollTo(index);
  }, [selected, steps, scrollTo]);
  const rows: ReactNode[] = [];
  for (let i = win.first; i < win.last; i++) {
    const step = steps[i];
    if (!step) continue;
    const what = describeNamedAction(step.action);
    const why = shown(step.reason ?? reasons?.get(step.id) ?? '');
    rows.push(
      <div
        key={step.id}
        role="row"
        aria-rowindex={i + 1}
        aria-selected={step.id === selected}
        aria-label={`${step.id}: ${what}`}
        className="ferry-row"
        style={{ top: i * ROW_HEIGHT, height: ROW_HEIGHT }}
        onClick={() => onSelect(step.id)}
        tabIndex={-1}
      >
        <span role="cell" className="ferry-id">
          {step.id}
        </span>
        <span role="cell" className="ferry-time">
          {formatInterval(step.plannedStart, step.plannedEnd)}
        </span>
        <span role="cell" className="ferry-what" title={what}>
          {what}
          {step.dependsOn.length > 0 ? <span className="ferry-muted"> · after {step.dependsOn.join(', ')}</span> : null}
        </span>
        <span role="cell" className="ferry-why" title={why}>
          {why}
        </span>
      </div>,
    );
  }
  return (
    <div ref={container} className="ferry-rows" role="grid" aria-label="Plan steps" aria-rowcount={steps.length} style={{ height: Math.min(480, Math.max(ROW_HEIGHT * 2, steps.length * ROW_HEIGHT + 2)) }}>
      <div style={{ height: win.totalHeight, position: 'relative' }}>{rows}</div>
    </div>
  );
});
