import { type ReactNode, memo, useCallback, useEffect, useRef } from 'react';

import { describeNamedAction } from '../../../src/executor/describe.js';
import type { Step } from '../../../src/executor/types.js';
import { formatInterval } from '../../../src/plan/format.js';
import { shown } from '../../components/text.js';
import { useRowVirtualizer } from '../../plan-view/virtual-rows.js';

/**
 * The plan's steps in order, virtualised (only the rows in view are in the DOM): id, when, what,
 * and why (the step's reason when the plan gives one). A long text wraps (the row grows) rather
 * than being cut. Selecting a row selects the step in the Gantt and the hosts in the placement map.
 */

const ROW_HEIGHT = 30;
const MAX_HEIGHT = 480;
const rowHeight = (): number => ROW_HEIGHT;

export const PlanSteps = memo(function PlanSteps({ steps, reasons, selected, onSelect }: { readonly steps: readonly Step[]; readonly reasons?: ReadonlyMap<string, string>; readonly selected: string | null; onSelect(stepId: string): void }): ReactNode {
  const container = useRef<HTMLDivElement>(null);
  // a stable key function: a new one makes the virtualizer measure every row again
  const key = useCallback((i: number) => steps[i]?.id ?? i, [steps]);
  const rows = useRowVirtualizer(container, { count: steps.length, estimate: rowHeight, key });
  useEffect(() => {
    if (selected === null) return;
    const index = steps.findIndex((s) => s.id === selected);
    if (index >= 0) rows.scrollToIndex(index, { align: 'auto' });
  }, [selected, steps, rows]);
  const total = rows.getTotalSize();
  return (
    <div ref={container} className="ferry-rows" role="grid" aria-label="Plan steps" aria-rowcount={steps.length} style={{ height: Math.min(MAX_HEIGHT, Math.max(ROW_HEIGHT * 2, total + 2)) }}>
      <div style={{ height: total, position: 'relative' }}>
        {rows.getVirtualItems().map((item) => {
          const step = steps[item.index];
          if (!step) return null;
          const what = describeNamedAction(step.action);
          const why = shown(step.reason ?? reasons?.get(step.id) ?? '');
          return (
            <div
              key={item.key}
              ref={rows.measureElement}
              data-index={item.index}
              role="row"
              aria-rowindex={item.index + 1}
              aria-selected={step.id === selected}
              aria-label={`${step.id}: ${what}`}
              className="ferry-row ferry-row--wrap"
              style={{ top: 0, transform: `translateY(${item.start}px)`, minHeight: ROW_HEIGHT }}
              onClick={() => onSelect(step.id)}
              tabIndex={-1}
            >
              <span role="cell" className="ferry-id">
                {step.id}
              </span>
              <span role="cell" className="ferry-time">
                {formatInterval(step.plannedStart, step.plannedEnd)}
              </span>
              <span role="cell" className="ferry-what">
                {what}
                {step.dependsOn.length > 0 ? <span className="ferry-muted"> · after {step.dependsOn.join(', ')}</span> : null}
              </span>
              <span role="cell" className="ferry-why">
                {why}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
});
