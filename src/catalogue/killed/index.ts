import type { Model } from '../../model/index.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { DenyVmActions, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { DISCRETE_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface KilledArgs {
  vm: number;
}

/** BtrPlace's KilledChecker: the VM is gone from the mapping at the end; only a kill may touch it. */
class KilledCheck extends DenyVmActions {
  override endsWith(result: Model): CheckProblem | null {
    for (const vm of this.vms) {
      if (result.mapping.hasVM(vm)) return problem(`${result.vmName(vm)} is not killed at the end (${result.vmState(vm)})`, [vm]);
    }
    return null;
  }
}

const ALLOWED = new Set(['killVM'] as const);

/** Script form: `killed(VMs)`; `vm` takes one VM, the DSL expands a set into one Killed per VM. */
export const killed: ConstraintDefinition<KilledArgs> = defineConstraint<KilledArgs>({
  encoder,
  faces,
  id: 'killed',
  doc: 'Wants a VM destroyed: it is removed from the cluster, whatever its state (the kill starts at once).',
  modes: DISCRETE_ONLY,
  fields: [{ key: 'vm', kind: 'vm', doc: 'the VM to kill (a set gives one constraint per VM)' }],
  script: { name: 'killed' },
  check: (c: Constraint<KilledArgs>) => new KilledCheck({ vms: [c.args.vm], nodes: [] }, ALLOWED, 'killed'),
});
