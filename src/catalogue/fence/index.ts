import type { Model } from '../../model/index.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { type Placement, PlanWatcher, destinationOf, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { BOTH_DISCRETE_BY_DEFAULT } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface FenceArgs {
  vm: number;
  nodes: number[];
}

/**
 * BtrPlace's FenceChecker. Discrete: at the end, the VM, if running, is on one of the nodes.
 * Any mode: every placement of the VM targets one of the nodes.
 */
class FenceCheck extends PlanWatcher {
  protected override startPlacement(a: Placement, model: Model): CheckProblem | null {
    const to = destinationOf(a);
    if (this.vms.has(a.vm) && !this.nodes.has(to)) {
      return problem(`${model.vmName(a.vm)} placed on ${model.nodeName(to)}, outside its fence`, [a.vm], [to]);
    }
    return null;
  }

  override endsWith(result: Model): CheckProblem | null {
    const map = result.mapping;
    for (const vm of this.vms) {
      const host = map.host(vm);
      if (map.isRunning(vm) && host !== undefined && !this.nodes.has(host)) {
        return problem(`${result.vmName(vm)} runs on ${result.nodeName(host)}, outside its fence`, [vm], [host]);
      }
    }
    return null;
  }
}

/** Script form: `fence(VMs, nodes)`; `vm` takes one VM, the DSL expands a set into one Fence per VM. */
export const fence: ConstraintDefinition<FenceArgs> = defineConstraint<FenceArgs>({
  encoder,
  faces,
  id: 'fence',
  doc: 'Keeps a VM within a set of nodes: whenever the VM runs, its host is one of the nodes. Continuous: a VM already placed must already be inside, and every placement targets one of the nodes.',
  modes: BOTH_DISCRETE_BY_DEFAULT,
  fields: [
    { key: 'vm', kind: 'vm', doc: 'the VM to fence (a set gives one fence per VM)' },
    { key: 'nodes', kind: 'nodes', doc: 'the allowed nodes' },
  ],
  script: { name: 'fence' },
  check: (c: Constraint<FenceArgs>) => new FenceCheck({ vms: [c.args.vm], nodes: c.args.nodes }),
  // the hooks watch placements of the VM only: other VMs on the nodes do not matter
  observes: (c: Constraint<FenceArgs>) => ({ vms: [c.args.vm], nodes: [] }),
});
