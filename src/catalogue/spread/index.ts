import type { Model, NodeId } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { type Placement, PlanWatcher, destinationOf, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { BOTH_CONTINUOUS_BY_DEFAULT } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface SpreadArgs {
  vms: number[];
}

/**
 * BtrPlace's SpreadChecker. Discrete: at the end, the running VMs of the set are on pairwise
 * distinct nodes. Continuous: a node hosting (running or sleeping) a VM of the set is denied to the
 * others until that VM has left it (end of its migration, shutdown, suspend or kill), so a VM may
 * only arrive once the previous one has gone. An initial co-location is not reported by the
 * checker (BtrPlace's solver refuses it up front).
 */
class SpreadCheck extends PlanWatcher {
  private readonly denied = new Set<NodeId>();

  constructor(private readonly c: Constraint<SpreadArgs>) {
    super({ vms: c.args.vms, nodes: [] });
  }

  override startsWith(origin: Model): CheckProblem | null {
    if (this.c.continuous) {
      for (const vm of this.vms) {
        const h = origin.mapping.host(vm);
        if (h !== undefined) this.denied.add(h);
      }
    }
    return null;
  }

  protected override startPlacement(a: Placement, model: Model): CheckProblem | null {
    if (!this.c.continuous || !this.vms.has(a.vm)) return null;
    const to = destinationOf(a);
    if (this.denied.has(to)) {
      const others = [...this.vms].filter((v) => v !== a.vm && model.mapping.host(v) === to);
      const who = others.length > 0 ? others.map((v) => model.vmName(v)).join(', ') : 'another VM of the set';
      return problem(`${model.vmName(a.vm)} placed on ${model.nodeName(to)} while ${who} is still there`, [a.vm, ...others], [to]);
    }
    this.denied.add(to);
    return null;
  }

  protected override endAction(a: Action): void {
    if (!this.c.continuous) return;
    switch (a.kind) {
      case 'migrateVM':
      case 'suspendVM':
        if (this.vms.has(a.vm)) this.denied.delete(a.from);
        break;
      case 'shutdownVM':
        if (this.vms.has(a.vm)) this.denied.delete(a.node);
        break;
      case 'killVM':
        if (this.vms.has(a.vm) && a.node !== null) this.denied.delete(a.node);
        break;
      default:
        break;
    }
  }

  override endsWith(result: Model): CheckProblem | null {
    const seen = new Map<NodeId, number>();
    for (const vm of this.vms) {
      const host = result.mapping.host(vm);
      if (!result.mapping.isRunning(vm) || host === undefined) continue;
      const other = seen.get(host);
      if (other !== undefined) {
        return problem(`${result.vmName(other)} and ${result.vmName(vm)} both on ${result.nodeName(host)}`, [other, vm], [host]);
      }
      seen.set(host, vm);
    }
    return null;
  }
}

export const spread: ConstraintDefinition<SpreadArgs> = defineConstraint<SpreadArgs>({
  encoder,
  faces,
  id: 'spread',
  doc: 'Keeps VMs apart: the running VMs of the set are on pairwise distinct nodes. Continuous (the default): it must hold from the start, and a VM only arrives on a node once the VM of the set it hosted has left.',
  modes: BOTH_CONTINUOUS_BY_DEFAULT,
  fields: [{ key: 'vms', kind: 'vms', doc: 'the VMs to keep on distinct nodes' }],
  script: { name: 'spread' },
  check: (c: Constraint<SpreadArgs>) => new SpreadCheck(c),
});
