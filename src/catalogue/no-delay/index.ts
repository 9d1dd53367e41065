import type { Model } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, actionWords, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { DISCRETE_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface NoDelayArgs {
  vm: number;
}

/**
 * BtrPlace's NoDelayChecker: every action of the VM (migration, boot, shutdown, suspend, resume,
 * kill, forge) starts at t=0. Allocations are not watched.
 */
class NoDelayCheck extends PlanWatcher {
  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (a.kind !== 'bootNode' && a.kind !== 'shutdownNode' && a.kind !== 'allocate' && this.vms.has(a.vm) && a.start !== 0) {
      return problem(`${model.vmName(a.vm)} must act at once but is ${actionWords(a)} at t=${a.start}`, [a.vm]);
    }
    return super.startAction(a, model);
  }
}

/** Script form: `noDelay(VMs)`; `vm` takes one VM, the DSL expands a set into one NoDelay per VM. */
export const noDelay: ConstraintDefinition<NoDelayArgs> = defineConstraint<NoDelayArgs>({
  encoder,
  faces,
  id: 'noDelay',
  doc: 'Acts on a VM at once: every action on the VM starts at the beginning of the plan (t=0).',
  modes: DISCRETE_ONLY,
  // NoDelayConverter writes `"continuous": false` although the mode cannot change.
  writeContinuous: 'mode',
  fields: [{ key: 'vm', kind: 'vm', doc: 'the VM to act on at once (a set gives one constraint per VM)' }],
  script: { name: 'noDelay' },
  check: (c: Constraint<NoDelayArgs>) => new NoDelayCheck({ vms: [c.args.vm], nodes: [] }),
});
