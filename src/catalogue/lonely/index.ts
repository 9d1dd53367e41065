import type { Model, NodeId } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { type Placement, PlanWatcher, destinationOf, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { BOTH_DISCRETE_BY_DEFAULT } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface LonelyArgs {
  vms: number[];
}

/**
 * BtrPlace's LonelyChecker. Discrete: at the end, a running VM of the set shares its node only with
 * running VMs of the set (sleeping VMs do not count). Continuous: it must hold at the start; nodes
 * then are "private" (hosting set VMs) or "idle" (online and hosting no running VM); a set VM may
 * go anywhere (its node becomes private), another VM may not arrive on a private node. As in
 * BtrPlace, a node never becomes idle again during the plan, and the final state is re-checked.
 */
class LonelyCheck extends PlanWatcher {
  private readonly idle = new Set<NodeId>();
  private readonly privateNodes = new Set<NodeId>();

  constructor(private readonly c: Constraint<LonelyArgs>) {
    super({ vms: c.args.vms, nodes: [] });
  }

  override startsWith(origin: Model): CheckProblem | null {
    if (!this.c.continuous) return null;
    const p = this.alone(origin);
    if (p) return p;
    const map = origin.mapping;
    for (const vm of this.vms) {
      const h = map.host(vm);
      if (map.isRunning(vm) && h !== undefined) this.privateNodes.add(h);
    }
    for (const n of map.onlineNodes()) if (map.runningVMs(n).size === 0) this.idle.add(n);
    return null;
  }

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (a.kind === 'bootNode') {
      this.idle.add(a.node);
      return null;
    }
    return super.startAction(a, model);
  }

  protected override startPlacement(a: Placement, model: Model): CheckProblem | null {
    if (!this.c.continuous) return null;
    const to = destinationOf(a);
    const wasIdle = this.idle.delete(to);
    if (this.vms.has(a.vm)) {
      this.privateNodes.add(to);
      return null;
    }
    if (!wasIdle && this.privateNodes.has(to)) {
      return problem(`${model.vmName(a.vm)} placed on ${model.nodeName(to)}, which is reserved for lonely VMs`, [a.vm], [to]);
    }
    return null;
  }

  override endsWith(result: Model): CheckProblem | null {
    return this.alone(result);
  }

  private alone(model: Model): CheckProblem | null {
    const map = model.mapping;
    for (const vm of this.vms) {
      const host = map.host(vm);
      if (!map.isRunning(vm) || host === undefined) continue;
      for (const other of map.runningVMs(host)) {
        if (other !== vm && !this.vms.has(other)) {
          return problem(`${model.vmName(vm)} is not alone on ${model.nodeName(host)}: ${model.vmName(other)} runs there too`, [vm, other], [host]);
        }
      }
    }
    return null;
  }
}

export const lonely: ConstraintDefinition<LonelyArgs> = defineConstraint<LonelyArgs>({
  encoder,
  faces,
  id: 'lonely',
  doc: 'Gives VMs nodes of their own: a running VM of the set shares its node only with VMs of the set. Continuous: it must hold from the start, and no other VM arrives on a node hosting VMs of the set.',
  modes: BOTH_DISCRETE_BY_DEFAULT,
  fields: [{ key: 'vms', kind: 'vms', doc: 'the VMs that must not share nodes with others' }],
  script: { name: 'lonely' },
  check: (c: Constraint<LonelyArgs>) => new LonelyCheck(c),
  // continuous: any VM placed anywhere may land on a reserved node, and any placement or node boot
  // changes which nodes are idle; discrete: only the set's substitutions matter to the hooks
  observes: (c: Constraint<LonelyArgs>) => (c.continuous ? 'all' : { vms: c.args.vms, nodes: [] }),
});
