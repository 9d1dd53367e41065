import { isFinalStep, nextStepNumber, stepKey } from './steps.js';
import type { PlanDiff, Run, Step } from './types.js';

/**
 * What a re-plan changes: the current revision's unfinished steps against the new plan's steps,
 * matched by what they do (`stepKey`, as a multiset: two identical migrations match two). A
 * matched step keeps its old id, so the operator's view, the journal and the hypervisor's
 * request ids stay continuous; every reference to it is renamed.
 *
 * `proposed` normally carries fresh ids (`stepsFromPlan(plan, { firstId: nextStepNumber(run) })`);
 * a new step whose id the run already uses is renumbered after the run's ids all the same.
 */
export function diffPlans(current: Run, proposed: readonly Step[]): { steps: Step[]; diff: PlanDiff } {
  const unfinished = current.steps.filter((s) => !isFinalStep(s));
  const waiting = new Map<string, string[]>();
  for (const s of unfinished) {
    const key = stepKey(s.action);
    const ids = waiting.get(key);
    if (ids) ids.push(s.id);
    else waiting.set(key, [s.id]);
  }
  const rename = new Map<string, string>();
  const kept: string[] = [];
  const added: string[] = [];
  for (const s of proposed) {
    const old = waiting.get(stepKey(s.action))?.shift();
    if (old !== undefined) {
      rename.set(s.id, old);
      kept.push(old);
    } else added.push(s.id);
  }
  renumberCollisions(current, proposed, added, rename);
  const keptSet = new Set(kept);
  const dropped = unfinished.filter((s) => !keptSet.has(s.id)).map((s) => s.id);
  const newId = (id: string): string => rename.get(id) ?? id;
  const steps = proposed.map((s) => ({ ...s, id: newId(s.id), dependsOn: s.dependsOn.map(newId) }));
  return { steps, diff: { kept, dropped, added: added.map(newId) } };
}

/** New steps whose ids the run (or a kept step) already uses get fresh ones after the run's. */
function renumberCollisions(current: Run, proposed: readonly Step[], added: readonly string[], rename: Map<string, string>): void {
  const isNew = new Set(added);
  const taken = new Set(current.steps.map((s) => s.id));
  for (const s of proposed) if (!isNew.has(s.id)) taken.add(s.id);
  let next = Math.max(nextStepNumber(current), nextStepNumber({ ...current, steps: proposed }));
  for (const id of added) {
    if (!taken.has(id)) continue;
    while (taken.has(`s${next}`)) next++;
    rename.set(id, `s${next}`);
    taken.add(`s${next}`);
  }
}
