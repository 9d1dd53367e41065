import type { Model, NodeId, VmId } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, actionWords, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { nonNegativeInt } from '../common/fields.js';
import { BOTH_DISCRETE_BY_DEFAULT } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface ResourceCapacityArgs {
  nodes: number[];
  rc: string;
  amount: number;
}

/**
 * ResourceCapacity. Discrete (BtrPlace's ResourceCapacityChecker): at the end, the running VMs on
 * the (online) nodes consume at most `amount` of the resource in total; a missing resource view is
 * a violation.
 * Continuous: also at the start and at every instant, with the slices of BtrPlace's solver
 * (CResourceCapacity: one aliased cumulative over the c- and d-slices on the nodes), which Ferry's
 * scheduler and exact model follow too: a VM holds its amount on its source until the action
 * taking it away ends (migration, shutdown, suspend, kill) and on its destination from the start
 * of the action bringing it there (migration, boot, resume) — a migration inside the set counts on
 * both nodes while it runs, a migration out of the set frees its amount when it ends. An Allocate
 * raising a VM's amount books the increase from its start, one lowering it frees the difference
 * at its end; a migration's future amount (a post allocation event) is booked on its destination.
 * Deviation from BtrPlace's checker, which charged departures at their start, never credited a
 * migration out, and ignored that a migration inside the set holds two nodes: it refused the
 * plans its own solver produced and accepted some its solver never would.
 */
class ResourceCapacityCheck extends PlanWatcher {
  /** The amount held on the nodes at the instant being checked. */
  private used = 0;

  constructor(private readonly c: Constraint<ResourceCapacityArgs>) {
    super({ vms: [], nodes: c.args.nodes });
  }

  override startsWith(origin: Model): CheckProblem | null {
    if (!this.c.continuous) return null;
    const view = origin.resource(this.c.args.rc);
    if (!view) return problem(`no resource '${this.c.args.rc}' to cap`);
    this.used = 0;
    for (const n of this.nodes) this.used += view.sumConsumption(origin.mapping.runningVMs(n));
    return this.used <= this.c.args.amount ? null : this.over(origin, 'at the start', this.used);
  }

  override start(a: Action, model: Model): CheckProblem | null {
    const base = super.start(a, model);
    if (!this.c.continuous) return base;
    const rc = this.c.args.rc;
    // allocation events hooked before the action apply from its start (the model does not have them yet)
    const before = new Map<VmId, number>();
    for (const e of a.hooks?.pre ?? []) {
      if (e.kind !== 'allocateEvent' || e.rc !== rc) continue;
      const host = runningHost(model, e.vm);
      if (host !== undefined && this.nodes.has(host)) this.used += e.amount - (before.get(e.vm) ?? this.consumption(e.vm, model));
      before.set(e.vm, e.amount);
    }
    const amount = (vm: VmId): number => before.get(vm) ?? this.consumption(vm, model);
    switch (a.kind) {
      case 'migrateVM':
        if (this.nodes.has(a.to)) this.used += futureAmount(a, rc) ?? amount(a.vm);
        break;
      case 'bootVM':
        if (this.nodes.has(a.node)) this.used += amount(a.vm);
        break;
      case 'resumeVM':
        if (this.nodes.has(a.to)) this.used += amount(a.vm);
        break;
      case 'allocate':
        if (a.rc === rc && this.nodes.has(a.node)) this.used += Math.max(0, a.amount - amount(a.vm));
        break;
      default:
        break;
    }
    return this.used <= this.c.args.amount ? base : this.over(model, `when ${activityWords(a, model)} at t=${a.start}`, this.used);
  }

  override end(a: Action, model: Model): CheckProblem | null {
    if (!this.c.continuous) return super.end(a, model);
    const rc = this.c.args.rc;
    // the end hook sees the model before the action's effect: the amounts held until now
    switch (a.kind) {
      case 'migrateVM':
        if (this.nodes.has(a.from)) this.used -= this.consumption(a.vm, model);
        break;
      case 'shutdownVM':
        if (this.nodes.has(a.node)) this.used -= this.consumption(a.vm, model);
        break;
      case 'suspendVM':
        if (this.nodes.has(a.from)) this.used -= this.consumption(a.vm, model);
        break;
      case 'killVM': {
        const host = runningHost(model, a.vm);
        if (host !== undefined && this.nodes.has(host)) this.used -= this.consumption(a.vm, model);
        break;
      }
      case 'allocate':
        if (a.rc === rc && this.nodes.has(a.node)) this.used -= Math.max(0, this.consumption(a.vm, model) - a.amount);
        break;
      default:
        break;
    }
    // allocation events hooked after the action: the VM's new amount from its end, where it runs
    // then (a migrating VM's destination booked it at the start)
    for (const e of a.hooks?.post ?? []) {
      if (e.kind !== 'allocateEvent' || e.rc !== rc || (a.kind === 'migrateVM' && e.vm === a.vm)) continue;
      const host = hostAfter(a, e.vm, model);
      if (host !== undefined && this.nodes.has(host)) this.used += e.amount - this.consumption(e.vm, model);
    }
    const base = super.end(a, model);
    return this.used <= this.c.args.amount ? base : this.over(model, `when ${activityWords(a, model)} at t=${a.end}`, this.used);
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

  private over(model: Model, when: string, used: number): CheckProblem {
    const names = [...this.nodes].map((n) => model.nodeName(n)).join(', ');
    return problem(`${names} would use ${used} ${this.c.args.rc} ${when}, more than the ${this.c.args.amount} allowed`, [], [...this.nodes]);
  }
}

/** Where the VM runs, if it does. */
function runningHost(model: Model, vm: VmId): NodeId | undefined {
  return model.mapping.isRunning(vm) ? model.mapping.host(vm) : undefined;
}

/** Where `vm` runs once `a` has ended (the model is the one before its effect). */
function hostAfter(a: Action, vm: VmId, model: Model): NodeId | undefined {
  if (a.kind !== 'bootNode' && a.kind !== 'shutdownNode' && a.vm === vm) {
    switch (a.kind) {
      case 'bootVM':
        return a.node;
      case 'resumeVM':
      case 'migrateVM':
        return a.to;
      case 'shutdownVM':
      case 'suspendVM':
      case 'killVM':
        return undefined;
      default:
        break;
    }
  }
  return runningHost(model, vm);
}

/** A migration's amount on its destination: the allocation event hooked after it, if any. */
function futureAmount(a: Action, rc: string): number | undefined {
  let amount: number | undefined;
  for (const e of a.hooks?.post ?? []) if (e.kind === 'allocateEvent' && e.rc === rc && a.kind === 'migrateVM' && e.vm === a.vm) amount = e.amount;
  return amount;
}

/** "VM2 arrives on N2", "VM3 is given 6": what made the budget move. */
function activityWords(a: Action, model: Model): string {
  switch (a.kind) {
    case 'migrateVM':
      return `${model.vmName(a.vm)} arrives on ${model.nodeName(a.to)}`;
    case 'bootVM':
      return `${model.vmName(a.vm)} arrives on ${model.nodeName(a.node)}`;
    case 'resumeVM':
      return `${model.vmName(a.vm)} arrives on ${model.nodeName(a.to)}`;
    case 'allocate':
      return `${model.vmName(a.vm)} is given ${a.amount}`;
    default:
      return a.kind === 'bootNode' || a.kind === 'shutdownNode' ? `${model.nodeName(a.node)} is ${actionWords(a)}` : `${model.vmName(a.vm)}'s allocation changes as it is ${actionWords(a)}`;
  }
}

export const resourceCapacity: ConstraintDefinition<ResourceCapacityArgs> = defineConstraint<ResourceCapacityArgs>({
  encoder,
  faces,
  id: 'resourceCapacity',
  doc: 'Caps the use of a resource on a set of nodes: the running VMs on those nodes consume at most `amount` of it in total. Continuous: it must hold from the start and at every instant of the plan, a moving VM counting on its source until it has left and on its destination from the start of its move.',
  modes: BOTH_DISCRETE_BY_DEFAULT,
  fields: [
    { key: 'nodes', kind: 'nodes', doc: 'the nodes whose use is capped' },
    { key: 'rc', kind: 'string', doc: 'the resource id, e.g. "cpu"' },
    { key: 'amount', kind: 'int', doc: 'the maximum total use (non-negative integer)' },
  ],
  validate: (a) => nonNegativeInt('amount', a.amount, 'the amount of resource'),
  script: { name: 'resourceCapacity' },
  check: (c: Constraint<ResourceCapacityArgs>) => new ResourceCapacityCheck(c),
  // continuous: an allocation event hooked on any action changes the share of a VM on the nodes
  // (whichever VM is there by then); discrete: only the final state counts
  observes: (c: Constraint<ResourceCapacityArgs>) => (c.continuous ? 'all' : { vms: [], nodes: [] }),
});
