import type { Model, VmId } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, actionWords, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { firstDuplicate, vmLabelOf } from '../common/fields.js';
import { CONTINUOUS_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface SeqArgs {
  vms: number[];
}

/**
 * BtrPlace's SeqChecker: the state-changing actions of the VMs (boot, shutdown, suspend, resume,
 * forge, and kill of a VM running at the start; migrations are ignored) happen one at a time and in
 * list order; a VM without such an action is skipped. An action of a VM listed before one already
 * acted, or starting while another one is pending, is a violation.
 */
class SeqCheck extends PlanWatcher {
  private readonly order: VmId[];
  private pending: VmId | undefined;
  private readonly runningAtStart = this.track(new Set<VmId>());

  constructor(c: Constraint<SeqArgs>) {
    super({ vms: c.args.vms, nodes: [] });
    this.order = [...c.args.vms];
  }

  override startsWith(origin: Model): CheckProblem | null {
    for (const vm of this.vms) if (origin.mapping.isRunning(vm)) this.runningAtStart.add(vm);
    return null;
  }

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    switch (a.kind) {
      case 'bootVM':
      case 'shutdownVM':
      case 'suspendVM':
      case 'resumeVM':
      case 'forgeVM':
        return this.makePending(a, model);
      case 'killVM':
        return this.runningAtStart.has(a.vm) ? this.makePending(a, model) : null;
      default:
        return null;
    }
  }

  protected override endAction(a: Action): void {
    if (a.kind !== 'bootNode' && a.kind !== 'shutdownNode' && a.kind !== 'migrateVM' && a.kind !== 'allocate' && a.vm === this.pending) {
      this.pending = undefined;
    }
  }

  override substitute(vm: VmId, newVm: VmId): void {
    super.substitute(vm, newVm);
    const i = this.order.indexOf(vm);
    if (i >= 0) this.order[i] = newVm;
    if (this.pending === vm) this.pending = newVm;
  }

  private makePending(a: Action & { vm: VmId }, model: Model): CheckProblem | null {
    const vm = a.vm;
    if (!this.vms.has(vm)) return null;
    if (this.pending !== undefined) {
      return problem(`${model.vmName(vm)} is ${actionWords(a)} at t=${a.start} while ${model.vmName(this.pending)} has not finished`, [vm, this.pending]);
    }
    // skip the VMs listed before this one: they had no action, or it is over
    while (this.order.length > 0 && this.order[0] !== vm) this.order.shift();
    if (this.order.length === 0) return problem(`${model.vmName(vm)} is ${actionWords(a)} at t=${a.start}, after a VM listed later`, [vm]);
    this.pending = vm;
    return null;
  }
}

export const seq: ConstraintDefinition<SeqArgs> = defineConstraint<SeqArgs>({
  encoder,
  faces,
  id: 'seq',
  doc: 'Orders state changes: the boots, shutdowns, suspends, resumes, forges and kills of the listed VMs happen one after the other, in list order (migrations are not concerned; VMs without a state change are skipped).',
  modes: CONTINUOUS_ONLY,
  fields: [{ key: 'vms', kind: 'orderedVms', doc: 'the VMs, in the order their actions must follow' }],
  validate: (a) => {
    const dup = firstDuplicate(a.vms);
    return dup === undefined ? null : { field: 'vms', message: `the list of VMs must not contain duplicates (${vmLabelOf(dup)})` };
  },
  script: { name: 'seq' },
  check: (c: Constraint<SeqArgs>) => new SeqCheck(c),
});
