import type { Model, NodeId } from '../../model/index.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { type Placement, PlanWatcher, destinationOf, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { disjointParts, nodeLabelOf } from '../common/fields.js';
import { BOTH_DISCRETE_BY_DEFAULT } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface AmongArgs {
  vms: number[];
  parts: number[][];
}

/** Index of the node group holding `node`, -1 when none does (BtrPlace's getAssociatedPGroup). */
export function groupOf(parts: readonly (readonly number[])[], node: NodeId): number {
  let index = groupIndexes.get(parts);
  if (index === undefined) {
    index = groupIndex(parts);
    groupIndexes.set(parts, index);
  }
  if (index instanceof Int32Array) return index[node] ?? -1;
  return index.get(node) ?? -1;
}

/**
 * Node -> group, per groups array (constraint arguments are never mutated): the checker asks for
 * every VM of every `among` at the start and at the end, and a linear search over 5,000 nodes each
 * time was a tenth of the check on the TDSC files (which also share one array between constraints).
 */
const groupIndexes = new WeakMap<readonly (readonly number[])[], Int32Array | Map<number, number>>();

function groupIndex(parts: readonly (readonly number[])[]): Int32Array | Map<number, number> {
  let max = -1;
  let total = 0;
  for (const p of parts) {
    total += p.length;
    for (const id of p) if (id > max) max = id;
  }
  // the first group holding a node wins, as a search in order would find it
  if (max < 4 * total + 1024 && parts.every((p) => p.every((id) => Number.isInteger(id) && id >= 0))) {
    const index = new Int32Array(max + 1).fill(-1);
    for (let g = parts.length - 1; g >= 0; g--) for (const id of parts[g] ?? []) index[id] = g;
    return index;
  }
  const index = new Map<number, number>();
  for (let g = parts.length - 1; g >= 0; g--) for (const id of parts[g] ?? []) index.set(id, g);
  return index;
}

/**
 * BtrPlace's AmongChecker. Discrete: at the end, every running VM of the set is in one same group
 * of nodes. Continuous: the running VMs must already be in one group at the start; every placement
 * of a VM of the set targets that group (the first placement picks it when none runs yet).
 */
class AmongCheck extends PlanWatcher {
  private selected = -1;

  constructor(private readonly c: Constraint<AmongArgs>) {
    // the groups are read from the arguments: no set of every node (thousands, per constraint, per check)
    super({ vms: c.args.vms, nodes: [] });
  }

  override startsWith(origin: Model): CheckProblem | null {
    if (!this.c.continuous) return null;
    const r = this.oneGroup(origin);
    if (typeof r !== 'number') return r;
    this.selected = r;
    return null;
  }

  protected override startPlacement(a: Placement, model: Model): CheckProblem | null {
    if (!this.c.continuous || !this.vms.has(a.vm)) return null;
    const to = destinationOf(a);
    const g = groupOf(this.c.args.parts, to);
    if (this.selected === -1) {
      if (g === -1) return problem(`${model.vmName(a.vm)} placed on ${model.nodeName(to)}, outside every allowed group`, [a.vm], [to]);
      this.selected = g;
    } else if (g !== this.selected) {
      return problem(`${model.vmName(a.vm)} placed on ${model.nodeName(to)}, outside the group the other VMs use`, [a.vm], [to]);
    }
    return null;
  }

  override endsWith(result: Model): CheckProblem | null {
    const r = this.oneGroup(result);
    return typeof r === 'number' ? null : r;
  }

  /** The group used by the running VMs (-1 when none runs), or the problem. */
  private oneGroup(model: Model): number | CheckProblem {
    let first: { vm: number; group: number; host: NodeId } | undefined;
    for (const vm of this.vms) {
      const host = model.mapping.host(vm);
      if (!model.mapping.isRunning(vm) || host === undefined) continue;
      const g = groupOf(this.c.args.parts, host);
      if (g === -1) return problem(`${model.vmName(vm)} runs on ${model.nodeName(host)}, outside every allowed group`, [vm], [host]);
      if (!first) first = { vm, group: g, host };
      else if (first.group !== g) {
        return problem(
          `${model.vmName(first.vm)} on ${model.nodeName(first.host)} and ${model.vmName(vm)} on ${model.nodeName(host)} are in different groups`,
          [first.vm, vm],
          [first.host, host],
        );
      }
    }
    return first?.group ?? -1;
  }
}

export const among: ConstraintDefinition<AmongArgs> = defineConstraint<AmongArgs>({
  encoder,
  faces,
  id: 'among',
  doc: 'Keeps VMs within one group of nodes: all the running VMs of the set are hosted by nodes of a single group, whichever it is. Continuous: they must already be in one group at the start and may not switch group.',
  modes: BOTH_DISCRETE_BY_DEFAULT,
  fields: [
    { key: 'vms', kind: 'vms', doc: 'the VMs to keep together in one group' },
    { key: 'parts', kind: 'nodeParts', doc: 'the disjoint groups of nodes' },
  ],
  validate: (a) => disjointParts('parts', a.parts, nodeLabelOf, 'the groups of nodes'),
  script: { name: 'among' },
  check: (c: Constraint<AmongArgs>) => new AmongCheck(c),
  // the hooks watch placements of the VMs only (wherever they go): actions on the nodes do not matter
  observes: (c: Constraint<AmongArgs>) => ({ vms: c.args.vms, nodes: [] }),
});
