import type { Model } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { type Placement, PlanWatcher, destinationOf, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { CONTINUOUS_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface QuarantineArgs {
  node: number;
}

/**
 * BtrPlace's QuarantineChecker: the VMs running on the node at the start are never migrated away
 * (Root), and nothing is placed onto the node (Ban): no migration, boot or resume to it.
 * Deviations:
 * - BtrPlace's startsWith fails when the node runs no VM (a `Set.addAll` result used as the
 *   verdict); an empty quarantined node is fine here;
 * - a VM sleeping on the node at the start belongs to it, as in BtrPlace's solver (CQuarantine
 *   pins every future-running VM located on the node there): it may resume in place (the checker
 *   refused that placement), and resuming elsewhere takes it away from the node.
 */
class QuarantineCheck extends PlanWatcher {
  override startsWith(origin: Model): CheckProblem | null {
    this.vms.clear();
    for (const n of this.nodes) for (const vm of hostedOn(origin, n)) this.vms.add(vm);
    return null;
  }

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (a.kind === 'migrateVM' && this.vms.has(a.vm)) {
      return problem(`${model.vmName(a.vm)} migrated away from quarantined node ${model.nodeName(a.from)}`, [a.vm], [a.from]);
    }
    return super.startAction(a, model);
  }

  protected override startPlacement(a: Placement, model: Model): CheckProblem | null {
    const to = destinationOf(a);
    if (a.kind === 'resumeVM' && this.vms.has(a.vm)) {
      // a VM of the node resumes: in place only
      return this.nodes.has(to) ? null : problem(`${model.vmName(a.vm)} resumed on ${model.nodeName(to)}, away from quarantined node ${model.nodeName(a.from)}`, [a.vm], [a.from, to]);
    }
    if (this.nodes.has(to)) return problem(`${model.vmName(a.vm)} placed on quarantined node ${model.nodeName(to)}`, [a.vm], [to]);
    return null;
  }
}

/** The VMs the node hosts: running or sleeping there. */
function hostedOn(model: Model, node: number): number[] {
  return [...model.mapping.runningVMs(node), ...model.mapping.sleepingVMs(node)];
}

/** Script form: `quarantine(nodes)`; `node` takes one node, the DSL expands a set into one Quarantine per node. */
export const quarantine: ConstraintDefinition<QuarantineArgs> = defineConstraint<QuarantineArgs>({
  encoder,
  faces,
  id: 'quarantine',
  doc: 'Isolates a node for the duration of the plan: the VMs running on it stay there, and no VM from elsewhere is placed onto it.',
  modes: CONTINUOUS_ONLY,
  fields: [{ key: 'node', kind: 'node', doc: 'the node to isolate (a set gives one constraint per node)' }],
  script: { name: 'quarantine' },
  check: (c: Constraint<QuarantineArgs>) => new QuarantineCheck({ vms: [], nodes: [c.args.node] }),
  // the VMs on the node at the start may never migrate, wherever they are by then (startsWith)
  observes: (c: Constraint<QuarantineArgs>, origin: Model) => ({ vms: hostedOn(origin, c.args.node), nodes: [c.args.node] }),
});
