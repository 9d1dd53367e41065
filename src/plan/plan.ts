import type { Model } from '../model/index.js';
import type { Action } from './actions.js';

/**
 * A reconfiguration plan: the model it starts from and timed actions (BtrPlace's
 * ReconfigurationPlan). Actions are kept sorted by (start, end) by whoever builds the plan.
 */
export interface Plan {
  readonly origin: Model;
  readonly actions: readonly Action[];
}

/** Plan duration: the latest action end (0 for an empty plan). */
export function planDuration(plan: Plan): number {
  let d = 0;
  for (const a of plan.actions) if (a.end > d) d = a.end;
  return d;
}

/** Sort by start, then end (BtrPlace's TimedBasedActionComparator order for printing). */
export function sortActions(actions: readonly Action[]): Action[] {
  return [...actions].sort((a, b) => a.start - b.start || a.end - b.end);
}
