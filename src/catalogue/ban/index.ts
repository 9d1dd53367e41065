import type { Model } from '../../model/index.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { type Placement, PlanWatcher, destinationOf, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { BOTH_DISCRETE_BY_DEFAULT } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface BanArgs {
  vm: number;
  nodes: number[];
}

/**
 * BtrPlace's BanChecker. Discrete: at the end, the VM, if running, is not on a banned node.
 * Any mode: no placement (migration, boot, resume) of the VM onto a banned node — BtrPlace checks
 * placements whatever the mode; an initial violation is the solver's business (continuous ⇒ no plan).
 */
class BanCheck extends PlanWatcher {
  protected override startPlacement(a: Placement, model: Model): CheckProblem | null {
    const to = destinationOf(a);
    if (this.vms.has(a.vm) && this.nodes.has(to)) {
      return problem(`${model.vmName(a.vm)} placed on banned node ${model.nodeName(to)}`, [a.vm], [to]);
    }
    return null;
  }

  override endsWith(result: Model): CheckProblem | null {
    const map = result.mapping;
    for (const vm of this.vms) {
      const host = map.host(vm);
      if (map.isRunning(vm) && host !== undefined && this.nodes.has(host)) {
        return problem(`${result.vmName(vm)} runs on banned node ${result.nodeName(host)}`, [vm], [host]);
      }
    }
    return null;
  }
}

/**
 * Script form: `ban(VMs, nodes)`; the `vm` parameter takes one VM, the DSL expands a VM set into
 * one Ban per VM (BtrPlace's `Ban.newBan`).
 */
export const ban: ConstraintDefinition<BanArgs> = defineConstraint<BanArgs>({
  encoder,
  faces,
  id: 'ban',
  doc: 'Keeps a VM off a set of nodes: whenever the VM runs, its host is not one of the banned nodes. Continuous: the VM must not be on a banned node at the start either, and is never placed onto one.',
  modes: BOTH_DISCRETE_BY_DEFAULT,
  fields: [
    { key: 'vm', kind: 'vm', doc: 'the VM to keep away (a set gives one ban per VM)' },
    { key: 'nodes', kind: 'nodes', doc: 'the banned nodes' },
  ],
  script: { name: 'ban' },
  check: (c: Constraint<BanArgs>) => new BanCheck({ vms: [c.args.vm], nodes: c.args.nodes }),
  // the hooks watch placements of the VM only: other VMs on the banned nodes do not matter
  observes: (c: Constraint<BanArgs>) => ({ vms: [c.args.vm], nodes: [] }),
});
