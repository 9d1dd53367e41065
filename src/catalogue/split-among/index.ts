import type { Model, NodeId, VmId } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, SlicedPlacement, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { disjointParts, nodeLabelOf, vmLabelOf } from '../common/fields.js';
import { BOTH_DISCRETE_BY_DEFAULT } from '../common/modes.js';
import { groupOf } from '../among/index.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface SplitAmongArgs {
  vParts: number[][];
  pParts: number[][];
}

/**
 * BtrPlace's SplitAmongChecker. Discrete: at the end, each group of VMs runs within one group of
 * nodes, and two groups of VMs never use the same group of nodes. Continuous: it must hold at the
 * start and after every placement (so a group can neither spread over two node groups nor move to
 * another one). Like Split, a VM occupies its source until its departure ends and its destination
 * from the start of its placement (BtrPlace's checker never saw VMs leave).
 */
class SplitAmongCheck extends PlanWatcher {
  private readonly vGroups: Set<VmId>[];
  private placement: SlicedPlacement | undefined;

  constructor(private readonly c: Constraint<SplitAmongArgs>) {
    super({ vms: c.args.vParts.flat(), nodes: c.args.pParts.flat() });
    this.vGroups = c.args.vParts.map((p) => this.track(new Set(p)));
  }

  override startsWith(origin: Model): CheckProblem | null {
    if (!this.c.continuous) return null;
    this.placement = new SlicedPlacement(origin.mapping, this.vms);
    return this.checkHosts(origin, (vm) => hostsIn(origin, vm));
  }

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (!this.placement || !this.placement.onStart(a)) return null;
    const placement = this.placement;
    return this.checkHosts(model, (vm) => placement.hosts(vm));
  }

  protected override endAction(a: Action): void {
    this.placement?.onEnd(a);
  }

  override endsWith(result: Model): CheckProblem | null {
    return this.checkHosts(result, (vm) => hostsIn(result, vm));
  }

  private checkHosts(model: Model, hostsOf: (vm: VmId) => ReadonlySet<NodeId>): CheckProblem | null {
    const pParts = this.c.args.pParts;
    const usedBy = new Map<number, VmId>();
    for (const vGroup of this.vGroups) {
      let chosen: { group: number; vm: VmId; node: NodeId } | undefined;
      for (const vm of vGroup) {
        for (const host of hostsOf(vm)) {
          const g = groupOf(pParts, host);
          if (g === -1) return problem(`${model.vmName(vm)} runs on ${model.nodeName(host)}, outside every group of nodes`, [vm], [host]);
          if (!chosen) {
            const other = usedBy.get(g);
            if (other !== undefined) {
              return problem(`${model.vmName(vm)} and ${model.vmName(other)}, from different groups, use the same group of nodes`, [vm, other], [host]);
            }
            chosen = { group: g, vm, node: host };
            usedBy.set(g, vm);
          } else if (chosen.group !== g) {
            return problem(
              `${model.vmName(chosen.vm)} on ${model.nodeName(chosen.node)} and ${model.vmName(vm)} on ${model.nodeName(host)}, from one group, are in different groups of nodes`,
              [chosen.vm, vm],
              [chosen.node, host],
            );
          }
        }
      }
    }
    return null;
  }
}

function hostsIn(model: Model, vm: VmId): ReadonlySet<NodeId> {
  const h = model.mapping.host(vm);
  return model.mapping.isRunning(vm) && h !== undefined ? new Set([h]) : new Set();
}

export const splitAmong: ConstraintDefinition<SplitAmongArgs> = defineConstraint<SplitAmongArgs>({
  encoder,
  faces,
  id: 'splitAmong',
  doc: 'Gives each group of VMs its own group of nodes: the running VMs of one group are all within a single group of nodes, and two groups of VMs never use the same group of nodes. Continuous: it must hold from the start, and a group neither spreads nor changes group of nodes.',
  modes: BOTH_DISCRETE_BY_DEFAULT,
  fields: [
    { key: 'vParts', kind: 'vmParts', doc: 'the disjoint groups of VMs' },
    { key: 'pParts', kind: 'nodeParts', doc: 'the disjoint groups of nodes' },
  ],
  // BtrPlace checks the node groups; overlapping VM groups make no sense either (a VM would have
  // to be in two groups of nodes), so they are refused too.
  validate: (a) => disjointParts('pParts', a.pParts, nodeLabelOf, 'the groups of nodes') ?? disjointParts('vParts', a.vParts, vmLabelOf, 'the groups of VMs'),
  script: { name: 'splitAmong' },
  check: (c: Constraint<SplitAmongArgs>) => new SplitAmongCheck(c),
  // the hooks follow the slices of the groups' VMs only: actions of other VMs on the nodes do not matter
  observes: (c: Constraint<SplitAmongArgs>) => ({ vms: c.args.vParts.flat(), nodes: [] }),
});
