import type { Model, NodeId } from '../../model/index.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { type Placement, PlanWatcher, destinationOf, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { BOTH_DISCRETE_BY_DEFAULT } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface GatherArgs {
  vms: number[];
}

/**
 * BtrPlace's GatherChecker. Discrete: at the end, the running VMs of the set share one node.
 * Continuous: the running VMs must share one node at the start, and every placement of a VM of the
 * set targets that node (the first placement picks it when none runs yet).
 * Deviation, after BtrPlace's solver: a gather of a single VM never pins it (CGather lets "a VM
 * alone" migrate, while GatherChecker refused the very plans CGather produces).
 */
class GatherCheck extends PlanWatcher {
  private used: NodeId | undefined;

  constructor(private readonly c: Constraint<GatherArgs>) {
    super({ vms: c.args.vms, nodes: [] });
  }

  override startsWith(origin: Model): CheckProblem | null {
    return this.c.continuous ? this.together(origin, (n) => (this.used = n)) : null;
  }

  protected override startPlacement(a: Placement, model: Model): CheckProblem | null {
    if (!this.c.continuous || !this.vms.has(a.vm) || this.vms.size < 2) return null;
    const to = destinationOf(a);
    if (this.used === undefined) this.used = to;
    else if (this.used !== to) {
      return problem(`${model.vmName(a.vm)} placed on ${model.nodeName(to)}, away from the others on ${model.nodeName(this.used)}`, [a.vm], [to, this.used]);
    }
    return null;
  }

  override endsWith(result: Model): CheckProblem | null {
    return this.together(result, () => undefined);
  }

  private together(model: Model, found: (n: NodeId) => void): CheckProblem | null {
    let first: { vm: number; host: NodeId } | undefined;
    for (const vm of this.vms) {
      const host = model.mapping.host(vm);
      if (!model.mapping.isRunning(vm) || host === undefined) continue;
      if (!first) {
        first = { vm, host };
        found(host);
      } else if (first.host !== host) {
        return problem(
          `${model.vmName(first.vm)} on ${model.nodeName(first.host)} and ${model.vmName(vm)} on ${model.nodeName(host)} are not gathered`,
          [first.vm, vm],
          [first.host, host],
        );
      }
    }
    return null;
  }
}

export const gather: ConstraintDefinition<GatherArgs> = defineConstraint<GatherArgs>({
  encoder,
  faces,
  id: 'gather',
  doc: 'Keeps VMs together: the running VMs of the set share one node. Continuous: they must already be together at the start and every VM placed during the plan goes to that same node (no relocation).',
  modes: BOTH_DISCRETE_BY_DEFAULT,
  fields: [{ key: 'vms', kind: 'vms', doc: 'the VMs to keep on one node' }],
  script: { name: 'gather' },
  check: (c: Constraint<GatherArgs>) => new GatherCheck(c),
});
