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

export interface SyncArgs {
  vms: number[];
}

/**
 * Ferry's own check (BtrPlace's SyncChecker accepts everything): the migrations of the VMs meet at
 * one instant — their ends, or their starts for VMs migrated in post-copy (attribute
 * `postCopy=true`), as CSync posts. VMs that do not migrate are not concerned.
 * Post-copy exists only with a network view: without a `net` view, BtrPlace's RelocatableVM never
 * reads `postCopy` and every migration is pre-copy, so the ends meet.
 */
class SyncCheck extends PlanWatcher {
  private first: { vm: VmId; instant: number; postCopy: boolean } | undefined;

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    const m = migrationOf(a, this.vms);
    if (!m) return super.startAction(a, model);
    const postCopy = hasNetworkView(model) && model.attributes.getBoolean('vm', m.vm, 'postCopy') === true;
    const instant = postCopy ? m.start : m.end;
    if (!this.first) {
      this.first = { vm: m.vm, instant, postCopy };
      return null;
    }
    if (this.first.instant !== instant) {
      const f = this.first;
      const word = (pc: boolean): string => (pc ? 'starts' : 'ends');
      return problem(
        `${model.vmName(m.vm)}'s migration ${word(postCopy)} at t=${instant} but ${model.vmName(f.vm)}'s ${word(f.postCopy)} at t=${f.instant}`,
        [m.vm, f.vm],
      );
    }
    return null;
  }
}

/** Does the model carry a `net` view (BtrPlace's Network, JSON id `net`)? */
function hasNetworkView(model: Model): boolean {
  return model.opaqueViews.some((v) => typeof v === 'object' && v !== null && !Array.isArray(v) && v['id'] === 'net');
}

export const sync: ConstraintDefinition<SyncArgs> = defineConstraint<SyncArgs>({
  encoder,
  faces,
  id: 'Sync',
  doc: 'Synchronises migrations: the migrations of these VMs end at the same instant (or start together for VMs migrated in post-copy).',
  modes: CONTINUOUS_ONLY,
  // SyncConverter writes `"continuous": false` (the migration constraints report discrete).
  writeContinuous: false,
  fields: [{ key: 'vms', kind: 'vms', doc: 'the VMs whose migrations are synchronised (at least 2)' }],
  validate: (a) => (new Set(a.vms).size >= 2 ? null : { field: 'vms', message: 'expects at least 2 VMs' }),
  script: { name: 'sync' },
  check: (c: Constraint<SyncArgs>) => new SyncCheck({ vms: c.args.vms, nodes: [] }),
});
