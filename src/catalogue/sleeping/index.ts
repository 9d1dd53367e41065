import type { Model } from '../../model/index.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { DenyVmActions, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { DISCRETE_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface SleepingArgs {
  vm: number;
}

/** BtrPlace's SleepingChecker: the VM is sleeping at the end; only a suspend may touch it. */
class SleepingCheck extends DenyVmActions {
  override endsWith(result: Model): CheckProblem | null {
    for (const vm of this.vms) {
      if (!result.mapping.isSleeping(vm)) return problem(`${result.vmName(vm)} is not sleeping at the end (${result.vmState(vm)})`, [vm]);
    }
    return null;
  }
}

const ALLOWED = new Set(['suspendVM'] as const);

/** Script form: `sleeping(VMs)`; `vm` takes one VM, the DSL expands a set into one Sleeping per VM. */
export const sleeping: ConstraintDefinition<SleepingArgs> = defineConstraint<SleepingArgs>({
  encoder,
  faces,
  id: 'sleeping',
  doc: 'Wants a VM sleeping (suspended on its node) at the end of the plan.',
  modes: DISCRETE_ONLY,
  fields: [{ key: 'vm', kind: 'vm', doc: 'the VM to have sleeping (a set gives one constraint per VM)' }],
  script: { name: 'sleeping' },
  check: (c: Constraint<SleepingArgs>) => new SleepingCheck({ vms: [c.args.vm], nodes: [] }, ALLOWED, 'sleeping'),
});
