import type { Model } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { nonNegativeInt } from '../common/fields.js';
import { CONTINUOUS_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface MaxMigrationsArgs {
  vms: number[];
  amount: number;
}

/** At most `amount` of the VMs are migrated during the plan (a VM routed through a third node counts once). */
class MaxMigrationsCheck extends PlanWatcher {
  private readonly moved = new Set<number>();

  constructor(private readonly c: Constraint<MaxMigrationsArgs>) {
    super({ vms: c.args.vms, nodes: [] });
  }

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (a.kind === 'migrateVM' && this.vms.has(a.vm)) {
      this.moved.add(a.vm);
      if (this.moved.size > this.c.args.amount) {
        return problem(`${model.vmName(a.vm)} is migration number ${this.moved.size}, at most ${this.c.args.amount} allowed`, [a.vm]);
      }
    }
    return super.startAction(a, model);
  }
}

/** Ferry's own constraint (BtrPlace has none): limits disruption to a set of VMs. */
export const maxMigrations: ConstraintDefinition<MaxMigrationsArgs> = defineConstraint<MaxMigrationsArgs>({
  id: 'maxMigrations',
  doc: 'Limits disruption: at most `amount` of the VMs are migrated during the plan.',
  modes: CONTINUOUS_ONLY,
  fields: [
    { key: 'vms', kind: 'vms', doc: 'the VMs to count' },
    { key: 'amount', kind: 'int', doc: 'the maximum number of migrated VMs (non-negative integer)' },
  ],
  validate: (a) => nonNegativeInt('amount', a.amount, 'the number of migrations'),
  script: { name: 'maxMigrations' },
  check: (c) => new MaxMigrationsCheck(c),
  encoder,
  faces,
});
