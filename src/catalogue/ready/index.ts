import type { Model } from '../../model/index.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { DenyVmActions, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { DISCRETE_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface ReadyArgs {
  vm: number;
}

/** BtrPlace's ReadyChecker: the VM is ready at the end; only a shutdown or a forge may touch it. */
class ReadyCheck extends DenyVmActions {
  override endsWith(result: Model): CheckProblem | null {
    for (const vm of this.vms) {
      if (!result.mapping.isReady(vm)) return problem(`${result.vmName(vm)} is not ready at the end (${result.vmState(vm)})`, [vm]);
    }
    return null;
  }
}

const ALLOWED = new Set(['shutdownVM', 'forgeVM'] as const);

/** Script form: `ready(VMs)`; `vm` takes one VM, the DSL expands a set into one Ready per VM. */
export const ready: ConstraintDefinition<ReadyArgs> = defineConstraint<ReadyArgs>({
  encoder,
  faces,
  id: 'ready',
  doc: 'Wants a VM ready (defined but not running) at the end of the plan: shut down if running, forged from its template if not yet created.',
  modes: DISCRETE_ONLY,
  fields: [{ key: 'vm', kind: 'vm', doc: 'the VM to have ready (a set gives one constraint per VM)' }],
  script: { name: 'ready' },
  check: (c: Constraint<ReadyArgs>) => new ReadyCheck({ vms: [c.args.vm], nodes: [] }, ALLOWED, 'ready'),
});
