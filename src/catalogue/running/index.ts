import type { Model } from '../../model/index.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { DenyVmActions, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { DISCRETE_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface RunningArgs {
  vm: number;
}

/**
 * BtrPlace's RunningChecker: the VM is running at the end; its actions may only place it
 * (boot, resume, migrate) — shutdown, suspend, kill and forge are refused. Deviation: BtrPlace
 * also refuses an Allocate on the VM and its substitution by a clone, which its own solver emits
 * for a running VM with a Preserve or a re-instantiation; both keep the VM running, so they pass.
 */
class RunningCheck extends DenyVmActions {
  override endsWith(result: Model): CheckProblem | null {
    for (const vm of this.vms) {
      if (!result.mapping.isRunning(vm)) return problem(`${result.vmName(vm)} is not running at the end (${result.vmState(vm)})`, [vm]);
    }
    return null;
  }
}

const ALLOWED = new Set(['migrateVM', 'bootVM', 'resumeVM', 'allocate', 'allocateEvent', 'substitutedVM'] as const);

/** Script form: `running(VMs)`; `vm` takes one VM, the DSL expands a set into one Running per VM. */
export const running: ConstraintDefinition<RunningArgs> = defineConstraint<RunningArgs>({
  encoder,
  faces,
  id: 'running',
  doc: 'Wants a VM running at the end of the plan: booted if ready, resumed if sleeping, left running (possibly moved) otherwise.',
  modes: DISCRETE_ONLY,
  fields: [{ key: 'vm', kind: 'vm', doc: 'the VM to have running (a set gives one constraint per VM)' }],
  script: { name: 'running' },
  check: (c: Constraint<RunningArgs>) => new RunningCheck({ vms: [c.args.vm], nodes: [] }, ALLOWED, 'running'),
});
