import type { Model, VmId } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { migrationOf } from '../common/migrations.js';
import { CONTINUOUS_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface SerializeArgs {
  vms: number[];
}

/**
 * Ferry's own check (BtrPlace's SerializeChecker accepts everything): the migrations of the VMs
 * never overlap — one may start at the instant another ends.
 */
class SerializeCheck extends PlanWatcher {
  private readonly active = new Map<VmId, number>();

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    const m = migrationOf(a, this.vms);
    if (!m) return super.startAction(a, model);
    const [other] = this.active.keys();
    if (other !== undefined) {
      return problem(`${model.vmName(m.vm)} starts migrating at t=${m.start} while ${model.vmName(other)} is still migrating`, [m.vm, other]);
    }
    this.active.set(m.vm, (this.active.get(m.vm) ?? 0) + 1);
    return null;
  }

  protected override endAction(a: Action): void {
    const m = migrationOf(a, this.vms);
    if (!m) return;
    const n = (this.active.get(m.vm) ?? 1) - 1;
    if (n <= 0) this.active.delete(m.vm);
    else this.active.set(m.vm, n);
  }
}

export const serialize: ConstraintDefinition<SerializeArgs> = defineConstraint<SerializeArgs>({
  encoder,
  faces,
  id: 'Serialize',
  doc: 'Migrates VMs one at a time: the migrations of these VMs never overlap.',
  modes: CONTINUOUS_ONLY,
  // SerializeConverter writes `"continuous": false` (the migration constraints report discrete).
  writeContinuous: false,
  fields: [{ key: 'vms', kind: 'vms', doc: 'the VMs whose migrations must not overlap (at least 2)' }],
  validate: (a) => (new Set(a.vms).size >= 2 ? null : { field: 'vms', message: 'expects at least 2 VMs' }),
  script: { name: 'serialize' },
  check: (c: Constraint<SerializeArgs>) => new SerializeCheck({ vms: c.args.vms, nodes: [] }),
});
