import type { Model } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { CONTINUOUS_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface RootArgs {
  vm: number;
}

/** BtrPlace's RootChecker: the VM is never migrated (it may still change state). */
class RootCheck extends PlanWatcher {
  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (a.kind === 'migrateVM' && this.vms.has(a.vm)) {
      return problem(`${model.vmName(a.vm)} must stay on ${model.nodeName(a.from)} but is migrated to ${model.nodeName(a.to)}`, [a.vm], [a.from, a.to]);
    }
    return super.startAction(a, model);
  }
}

/** Script form: `root(VMs)`; `vm` takes one VM, the DSL expands a set into one Root per VM. */
export const root: ConstraintDefinition<RootArgs> = defineConstraint<RootArgs>({
  encoder,
  faces,
  id: 'root',
  doc: 'Pins a VM to its node: a running VM that stays running is never migrated.',
  modes: CONTINUOUS_ONLY,
  fields: [{ key: 'vm', kind: 'vm', doc: 'the VM to pin (a set gives one constraint per VM)' }],
  script: { name: 'root' },
  check: (c: Constraint<RootArgs>) => new RootCheck({ vms: [c.args.vm], nodes: [] }),
});
