import type { Constraint } from '../catalogue/constraint.js';
import { overbook } from '../catalogue/overbook/index.js';
import type { Plan } from '../plan/plan.js';

/**
 * The plan over a copy of its origin whose capacities are the virtual ones, when some Overbook
 * constraint applies: ⌊physical × ratio⌋ with the smallest ratio of each node and resource, whatever
 * the constraint's mode (BtrPlace's CShareableResource caps the scheduler's cumulatives with it).
 * Undefined when nothing is overbooked.
 */
export function withOverbooking(plan: Plan, constraints: readonly Constraint[]): Plan | undefined {
  const ratios = new Map<string, Map<number, number>>();
  for (const c of constraints) {
    if (c.id !== overbook.id) continue;
    // arguments through the entry's typed reader (a bad one is the constraints check's report)
    const read = overbook.readArgs(c.args);
    if ('problem' in read) continue;
    const { node, rc, ratio } = read.args;
    const byNode = ratios.get(rc) ?? new Map<number, number>();
    byNode.set(node, Math.min(byNode.get(node) ?? Infinity, ratio));
    ratios.set(rc, byNode);
  }
  if (ratios.size === 0) return undefined;
  const origin = plan.origin.clone();
  for (const [rc, byNode] of ratios) {
    const r = origin.resource(rc);
    if (!r) continue;
    // a product beyond exact integers is no limit at all (and must not overflow to Infinity)
    for (const [node, ratio] of byNode) r.setCapacity(node, Math.min(Number.MAX_SAFE_INTEGER, Math.floor(r.capacity(node) * ratio)));
  }
  return { origin, actions: plan.actions };
}
