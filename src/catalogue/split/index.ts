import type { Model, NodeId, VmId } from '../../model/index.js';
import type { Action, PlanEvent } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, SlicedPlacement, destinationOf, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { disjointParts, vmLabelOf } from '../common/fields.js';
import { BOTH_DISCRETE_BY_DEFAULT } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface SplitArgs {
  parts: number[][];
}

/**
 * BtrPlace's SplitChecker. Discrete: at the end, no node runs VMs of two different groups.
 * Continuous: it must hold at the start, and again after every placement of a VM of the groups.
 * Deviation, to match the solver's slices rather than BtrPlace's checker: a VM occupies its
 * destination from the start of its placement and its source until its departure ends (BtrPlace's
 * checker moved a migrating VM at its start and never saw VMs leave, rejecting valid plans where a
 * group arrives once the other has gone).
 */
class SplitCheck extends PlanWatcher {
  private readonly groupOf = new Map<VmId, number>();
  private placement: SlicedPlacement | undefined;

  constructor(private readonly c: Constraint<SplitArgs>) {
    super({ vms: c.args.parts.flat(), nodes: [] });
    c.args.parts.forEach((p, i) => p.forEach((vm) => this.groupOf.set(vm, i)));
  }

  override startsWith(origin: Model): CheckProblem | null {
    if (!this.c.continuous) return null;
    this.placement = new SlicedPlacement(origin.mapping, this.vms);
    return this.apart(origin, (n) => origin.mapping.runningVMs(n), origin.mapping.onlineNodes());
  }

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (!this.placement || !this.placement.onStart(a)) return null;
    if (a.kind !== 'migrateVM' && a.kind !== 'bootVM' && a.kind !== 'resumeVM') return null;
    const g = this.groupOf.get(a.vm);
    if (g === undefined) return null;
    const to = destinationOf(a);
    for (const other of this.placement.running(to)) {
      const og = this.groupOf.get(other);
      if (og !== undefined && og !== g) {
        return problem(`${model.vmName(a.vm)} placed on ${model.nodeName(to)} while ${model.vmName(other)}, from another group, is still there`, [a.vm, other], [to]);
      }
    }
    return null;
  }

  protected override endAction(a: Action): void {
    this.placement?.onEnd(a);
  }

  protected override consume(event: PlanEvent, action: Action, model: Model): CheckProblem | null {
    // the clone joins its original's group; the original keeps its slices (and its group) until
    // its own shutdown ends
    if (event.kind === 'substitutedVM') {
      const g = this.groupOf.get(event.vm);
      if (g !== undefined) this.groupOf.set(event.newVm, g);
    }
    return super.consume(event, action, model);
  }

  override endsWith(result: Model): CheckProblem | null {
    return this.apart(result, (n) => result.mapping.runningVMs(n), result.mapping.onlineNodes());
  }

  private apart(model: Model, runningOn: (n: NodeId) => ReadonlySet<VmId>, nodes: Iterable<NodeId>): CheckProblem | null {
    for (const n of nodes) {
      let first: VmId | undefined;
      for (const vm of runningOn(n)) {
        const g = this.groupOf.get(vm);
        if (g === undefined) continue;
        if (first === undefined) first = vm;
        else if (this.groupOf.get(first) !== g) {
          return problem(`${model.vmName(first)} and ${model.vmName(vm)}, from different groups, both on ${model.nodeName(n)}`, [first, vm], [n]);
        }
      }
    }
    return null;
  }
}

export const split: ConstraintDefinition<SplitArgs> = defineConstraint<SplitArgs>({
  encoder,
  faces,
  id: 'split',
  doc: 'Keeps groups of VMs apart: running VMs of different groups never share a node. Continuous: it must hold from the start, and a VM only arrives on a node once the VMs of the other groups have left it.',
  modes: BOTH_DISCRETE_BY_DEFAULT,
  fields: [{ key: 'parts', kind: 'vmParts', doc: 'the disjoint groups of VMs to keep apart' }],
  validate: (a) => disjointParts('parts', a.parts, vmLabelOf, 'the groups of VMs'),
  script: { name: 'split' },
  check: (c: Constraint<SplitArgs>) => new SplitCheck(c),
});
