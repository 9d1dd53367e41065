import type { Model } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { migrationOf } from '../common/migrations.js';
import { CONTINUOUS_ONLY } from '../common/modes.js';
import { readTimestamp } from './timestamp.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface DeadlineArgs {
  vm: number;
  timestamp: string;
}

/**
 * Ferry's own check (BtrPlace's DeadlineChecker accepts everything): a migration of the VM ends by
 * the deadline. Only relative deadlines (`+…`) can be checked: an absolute one depends on the wall
 * clock when the plan runs, which a plan does not record.
 */
class DeadlineCheck extends PlanWatcher {
  private readonly limit: number | undefined;

  constructor(c: Constraint<DeadlineArgs>) {
    super({ vms: [c.args.vm], nodes: [] });
    const d = readTimestamp(c.args.timestamp);
    this.limit = !('error' in d) && d.relative ? d.seconds : undefined;
  }

  // the verdict is taken when the migration starts: its end is known then
  protected override startAction(a: Action, model: Model): CheckProblem | null {
    const m = migrationOf(a, this.vms);
    if (m && this.limit !== undefined && m.end > this.limit) {
      return problem(`${model.vmName(m.vm)} finishes migrating at t=${m.end}, after its deadline t=${this.limit}`, [m.vm], [m.from, m.to]);
    }
    return super.startAction(a, model);
  }
}

/**
 * Script form: `before(VMs, "+hh:mm:ss")`; `vm` takes one VM, the DSL expands a set into one
 * Deadline per VM (BtrPlace's `newDeadline`). Shares the btrpsl name `before` with Precedence,
 * told apart by the second parameter (a timestamp string here).
 */
export const deadline: ConstraintDefinition<DeadlineArgs> = defineConstraint<DeadlineArgs>({
  encoder,
  faces,
  id: 'Deadline',
  doc: "Gives a VM's migration a deadline: it is over by the given time (\"+hh:mm:ss\" after the plan starts, or \"hh:mm:ss\" wall-clock time; \"+m'ss\", \"+m:ss\" and plain seconds are delays from the plan start). Applies to running VMs that are migrated.",
  modes: CONTINUOUS_ONLY,
  // DeadlineConverter writes `"continuous": false` (the migration constraints report discrete).
  writeContinuous: false,
  fields: [
    { key: 'vm', kind: 'vm', doc: 'the VM whose migration has a deadline (a set gives one constraint per VM)' },
    { key: 'timestamp', kind: 'timestamp', doc: 'the deadline: "+hh:mm:ss" from the plan start, "hh:mm:ss" wall-clock, or a delay "+m\'ss", "+m:ss", seconds' },
  ],
  validate: (a) => {
    const d = readTimestamp(a.timestamp);
    return 'error' in d ? { field: 'timestamp', message: d.error } : null;
  },
  script: { name: 'before' },
  check: (c: Constraint<DeadlineArgs>) => new DeadlineCheck(c),
});
