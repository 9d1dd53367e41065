import type { Model } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint, resolveMode } from '../common/entry.js';
import { isValueOfKind, vmLabelOf } from '../common/fields.js';
import { CONTINUOUS_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface PrecedenceArgs {
  /** the VM migrating first */
  vm1: number;
  /** the VM migrating once vm1's migration is over */
  vm2: number;
}

/**
 * Ferry's own check (BtrPlace's PrecedenceChecker accepts everything): every migration of vm1 is
 * over before a migration of vm2 starts (ending and starting at the same instant is fine).
 */
class PrecedenceCheck extends PlanWatcher {
  private firstActive = 0;
  private secondStarted: number | undefined;

  constructor(private readonly c: Constraint<PrecedenceArgs>) {
    super({ vms: [c.args.vm1, c.args.vm2], nodes: [] });
  }

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (a.kind !== 'migrateVM') return super.startAction(a, model);
    const { vm1, vm2 } = this.c.args;
    if (a.vm === vm1) {
      if (this.secondStarted !== undefined) {
        return problem(`${model.vmName(vm1)} starts migrating at t=${a.start}, after ${model.vmName(vm2)} started at t=${this.secondStarted}`, [vm1, vm2]);
      }
      this.firstActive++;
    } else if (a.vm === vm2) {
      if (this.firstActive > 0) return problem(`${model.vmName(vm2)} starts migrating at t=${a.start} before ${model.vmName(vm1)} has finished`, [vm1, vm2]);
      this.secondStarted ??= a.start;
    }
    return null;
  }

  protected override endAction(a: Action): void {
    if (a.kind === 'migrateVM' && a.vm === this.c.args.vm1) this.firstActive--;
  }
}

/**
 * Script form: `before(VMs1, VMs2)` with two VM sets, expanded here into one Precedence per pair
 * (BtrPlace's `newPrecedence` cross product). Shares the btrpsl name `before` with Deadline.
 */
export const precedence: ConstraintDefinition<PrecedenceArgs> = defineConstraint<PrecedenceArgs>({
  encoder,
  faces,
  id: 'Precedence',
  doc: "Orders two migrations: the first VM's migration is over before the second VM's starts. Both VMs must be running and stay running.",
  modes: CONTINUOUS_ONLY,
  // PrecedenceConverter writes `"continuous": false` (the migration constraints report discrete).
  writeContinuous: false,
  fields: [
    { key: 'vm1', kind: 'vm', doc: 'the VM migrating first' },
    { key: 'vm2', kind: 'vm', doc: 'the VM migrating after' },
  ],
  validate: (a) => (a.vm1 === a.vm2 ? { field: 'vm2', message: `${vmLabelOf(a.vm1)} cannot migrate before itself` } : null),
  script: {
    name: 'before',
    params: [
      { name: 'vms1', kind: 'vms', doc: 'the VMs migrating first' },
      { name: 'vms2', kind: 'vms', doc: 'the VMs migrating once the first ones are done (not empty)' },
    ],
    build(values: readonly unknown[], continuous: boolean) {
      const [first, second] = values;
      if (values.length !== 2 || !isValueOfKind('vms', first) || !isValueOfKind('vms', second)) {
        return { error: 'before expects two sets of VMs (or a set of VMs and a deadline)' };
      }
      const mode = resolveMode(CONTINUOUS_ONLY, continuous);
      if (typeof mode !== 'boolean') return { error: `${mode.error} ('before')` };
      const befores = first as number[];
      const afters = second as number[];
      if (afters.length === 0) return { error: "parameter 'vms2' of before expects a non-empty set of VMs" };
      const out: Constraint<PrecedenceArgs>[] = [];
      for (const vm1 of befores) {
        for (const vm2 of afters) {
          if (vm1 === vm2) return { error: `parameter 'vms2' of before: ${vmLabelOf(vm1)} cannot migrate before itself` };
          out.push({ id: 'Precedence', continuous: mode, args: { vm1, vm2 } });
        }
      }
      return out;
    },
  },
  check: (c: Constraint<PrecedenceArgs>) => new PrecedenceCheck(c),
});
