import type { Model } from '../../model/index.js';
import type { Action, PlanEvent } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { nonNegativeInt } from '../common/fields.js';
import { DISCRETE_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface PreserveArgs {
  vm: number;
  rc: string;
  amount: number;
}

/**
 * BtrPlace's PreserveChecker: at the end, the VM, if running, is allocated at least `amount` of
 * the resource (a missing resource view is a violation); every allocation of that resource to the
 * VM during the plan (Allocate action or allocation event) gives at least `amount`.
 */
class PreserveCheck extends PlanWatcher {
  constructor(private readonly c: Constraint<PreserveArgs>) {
    super({ vms: [c.args.vm], nodes: [] });
  }

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (a.kind === 'allocate') {
      const p = this.allocation(a.vm, a.rc, a.amount, model);
      if (p) return p;
    }
    return super.startAction(a, model);
  }

  protected override consume(e: PlanEvent, a: Action, model: Model): CheckProblem | null {
    if (e.kind === 'allocateEvent') {
      const p = this.allocation(e.vm, e.rc, e.amount, model);
      if (p) return p;
    }
    return super.consume(e, a, model);
  }

  private allocation(vm: number, rc: string, amount: number, model: Model): CheckProblem | null {
    if (!this.vms.has(vm) || rc !== this.c.args.rc || amount >= this.c.args.amount) return null;
    return problem(`${model.vmName(vm)} is allocated ${amount} ${rc}, less than the ${this.c.args.amount} it must keep`, [vm]);
  }

  override endsWith(result: Model): CheckProblem | null {
    const { rc, amount } = this.c.args;
    const view = result.resource(rc);
    if (!view) return problem(`no resource '${rc}' to preserve`);
    for (const vm of this.vms) {
      if (result.mapping.isRunning(vm) && view.consumption(vm) < amount) {
        return problem(`${result.vmName(vm)} has ${view.consumption(vm)} ${rc} at the end, less than the ${amount} it must keep`, [vm]);
      }
    }
    return null;
  }
}

/** Script form: `preserve(VMs, "rc", amount)`; `vm` takes one VM, the DSL expands a set into one Preserve per VM. */
export const preserve: ConstraintDefinition<PreserveArgs> = defineConstraint<PreserveArgs>({
  encoder,
  faces,
  id: 'preserve',
  doc: 'Guarantees a VM an amount of a resource: if it runs at the end, it is allocated at least `amount` (its host must have room). With several on one VM, the largest amount wins.',
  modes: DISCRETE_ONLY,
  fields: [
    { key: 'vm', kind: 'vm', doc: 'the VM (a set gives one constraint per VM)' },
    { key: 'rc', kind: 'string', doc: 'the resource id, e.g. "cpu"' },
    { key: 'amount', kind: 'int', doc: 'the minimum allocation (non-negative integer)' },
  ],
  validate: (a) => nonNegativeInt('amount', a.amount, 'the amount of resource'),
  script: { name: 'preserve' },
  check: (c: Constraint<PreserveArgs>) => new PreserveCheck(c),
});
