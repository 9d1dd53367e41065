import type { Model, NodeId, VmId } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { nonNegativeInt } from '../common/fields.js';
import { BOTH_DISCRETE_BY_DEFAULT } from '../common/modes.js';
import { encoder } from './encoding.js';

export interface ResourceCapacityArgs {
  nodes: number[];
  rc: string;
  amount: number;
}

/**
 * BtrPlace's ResourceCapacityChecker. Discrete: at the end, the running VMs on the (online) nodes
 * consume at most `amount` of the resource in total; a missing resource view is a violation.
 * Continuous: also at the start, then a running budget: a VM arriving on the nodes (boot, resume,
 * migration from outside) takes its consumption at its start, a VM leaving by shutdown, suspend or
 * kill gives it back at its start; migrations inside the set or out of it do not change the
 * budget (as in BtrPlace). Consumptions are read in the model at that instant.
 * Deviations: an Allocate takes only its increase (BtrPlace charged the VM's whole consumption
 * again, rejecting plans that fit), and a kill gives back only what a running VM held.
 */
class ResourceCapacityCheck extends PlanWatcher {
  private free = 0;

  constructor(private readonly c: Constraint<ResourceCapacityArgs>) {
    super({ vms: [], nodes: c.args.nodes });
  }

  override startsWith(origin: Model): CheckProblem | null {
    if (!this.c.continuous) return null;
    const view = origin.resource(this.c.args.rc);
    if (!view) return problem(`no resource '${this.c.args.rc}' to cap`);
    this.free = this.c.args.amount;
    for (const n of this.nodes) this.free -= view.sumConsumption(origin.mapping.runningVMs(n));
    return this.free >= 0 ? null : this.over(origin, 'at the start');
  }

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (!this.c.continuous) return null;
    switch (a.kind) {
      case 'bootVM':
        return this.arrive(a.vm, a.node, model, a);
      case 'resumeVM':
        return this.arrive(a.vm, a.to, model, a);
      case 'migrateVM':
        return !this.nodes.has(a.from) && this.nodes.has(a.to) ? this.arrive(a.vm, a.to, model, a) : null;
      case 'shutdownVM':
        return this.leave(a.vm, a.node, model);
      case 'suspendVM':
        return this.leave(a.vm, a.from, model);
      case 'killVM':
        return a.node !== null && model.mapping.isRunning(a.vm) ? this.leave(a.vm, a.node, model) : null;
      case 'allocate': {
        if (!this.nodes.has(a.node) || a.rc !== this.c.args.rc) return null;
        const increase = a.amount - this.consumption(a.vm, model);
        if (increase <= 0) return null;
        this.free -= increase;
        return this.free >= 0 ? null : this.over(model, `when ${model.vmName(a.vm)} is given ${a.amount} at t=${a.start}`);
      }
      default:
        return null;
    }
  }

  override endsWith(result: Model): CheckProblem | null {
    const view = result.resource(this.c.args.rc);
    if (!view) return problem(`no resource '${this.c.args.rc}' to cap`);
    let used = 0;
    for (const n of this.nodes) if (result.mapping.isOnline(n)) used += view.sumConsumption(result.mapping.runningVMs(n));
    return used <= this.c.args.amount ? null : this.over(result, 'at the end', used);
  }

  private consumption(vm: VmId, model: Model): number {
    return model.resource(this.c.args.rc)?.consumption(vm) ?? 0;
  }

  private arrive(vm: VmId, node: NodeId, model: Model, a: Action): CheckProblem | null {
    if (!this.nodes.has(node)) return null;
    this.free -= this.consumption(vm, model);
    return this.free >= 0 ? null : this.over(model, `when ${model.vmName(vm)} arrives on ${model.nodeName(node)} at t=${a.start}`);
  }

  private leave(vm: VmId, node: NodeId, model: Model): CheckProblem | null {
    if (this.nodes.has(node)) this.free += this.consumption(vm, model);
    return null;
  }

  private over(model: Model, when: string, used = this.c.args.amount - this.free): CheckProblem {
    const names = [...this.nodes].map((n) => model.nodeName(n)).join(', ');
    return problem(`${names} would use ${used} ${this.c.args.rc} ${when}, more than the ${this.c.args.amount} allowed`, [], [...this.nodes]);
  }
}

export const resourceCapacity: ConstraintDefinition<ResourceCapacityArgs> = defineConstraint<ResourceCapacityArgs>({
  encoder,
  id: 'resourceCapacity',
  doc: 'Caps the use of a resource on a set of nodes: the running VMs on those nodes consume at most `amount` of it in total. Continuous: it must hold from the start and at every instant of the plan.',
  modes: BOTH_DISCRETE_BY_DEFAULT,
  fields: [
    { key: 'nodes', kind: 'nodes', doc: 'the nodes whose use is capped' },
    { key: 'rc', kind: 'string', doc: 'the resource id, e.g. "cpu"' },
    { key: 'amount', kind: 'int', doc: 'the maximum total use (non-negative integer)' },
  ],
  validate: (a) => nonNegativeInt('amount', a.amount, 'the amount of resource'),
  script: { name: 'resourceCapacity' },
  check: (c: Constraint<ResourceCapacityArgs>) => new ResourceCapacityCheck(c),
});
