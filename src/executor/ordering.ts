import { definitionOf } from '../catalogue/registry.js';
import type { Constraint } from '../catalogue/constraint.js';
import { type Action, actionNodes, actionVm } from '../plan/actions.js';
import type { Plan } from '../plan/plan.js';

/**
 * Order that continuous constraints put between actions on *different* hosts. BtrPlace's
 * dependency graph (src/plan/dependencies.ts) only says which actions free the room another needs
 * on the same node; when steps run at their real pace rather than at their planned times, that is
 * not enough for a continuous constraint whose elements span several nodes (`seq`, `precedence`,
 * `serialize`, a continuous `maxOnline` swapping one node for another, a continuous
 * `resourceCapacity` over a set of nodes): the checker accepted the plan in its planned order, so
 * among the actions such a constraint involves, an action waits for every one that the plan
 * finishes before it starts. Discrete constraints only judge the final state and add nothing.
 *
 * Groups are the actions naming a VM or a node the constraint involves; the edges within a group
 * are all the (earlier end ≤ later start) pairs, so the cost grows with the square of the largest
 * continuous group — small in operator scripts (a handful of VMs or hosts).
 */
export function orderingDependencies(plan: Plan, constraints: readonly Constraint[]): Map<Action, Set<Action>> {
  const edges = new Map<Action, Set<Action>>();
  for (const c of constraints) {
    if (!c.continuous || SAME_NODE_SUFFICES.has(c.id)) continue;
    const definition = definitionOf(c.id);
    if (!definition) continue;
    const involved = definition.involved(c);
    const group = actionsInvolving(plan.actions, new Set(involved.vms), new Set(involved.nodes));
    addPlannedOrder(group, edges);
  }
  return edges;
}

/**
 * Continuous constraints whose every instant is judged node by node (a node's capacity, which VMs
 * share a node, where one VM may be): the same-node dependencies already keep them, and grouping
 * their actions (an `overbook` over every host, say) would only serialise the plan for nothing.
 * (Issue: this belongs in each catalogue folder, beside its checker, as its scheduling order.)
 */
export const SAME_NODE_SUFFICES: ReadonlySet<string> = new Set([
  'overbook',
  'preserve',
  'root',
  'ban',
  'fence',
  'offline',
  'online',
  'running',
  'ready',
  'sleeping',
  'killed',
  'spread',
  'split',
  'lonely',
  'quarantine',
]);

function actionsInvolving(actions: readonly Action[], vms: ReadonlySet<number>, nodes: ReadonlySet<number>): Action[] {
  return actions.filter((a) => {
    const vm = actionVm(a);
    return (vm !== undefined && vms.has(vm)) || actionNodes(a).some((n) => nodes.has(n));
  });
}

/** Each action of the group waits for every action of the group that ends by its start. */
function addPlannedOrder(group: readonly Action[], edges: Map<Action, Set<Action>>): void {
  if (group.length < 2) return;
  const byEnd = [...group].sort((x, y) => x.end - y.end);
  for (const later of group) {
    for (const earlier of byEnd) {
      if (earlier.end > later.start) break;
      // two instantaneous actions at one instant are simultaneous: neither waits for the other
      if (earlier === later || later.end <= earlier.start) continue;
      let set = edges.get(later);
      if (!set) edges.set(later, (set = new Set()));
      set.add(earlier);
    }
  }
}
