import type { Model } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { DISCRETE_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface OfflineArgs {
  node: number;
}

/** BtrPlace's OfflineChecker: the node is offline at the end, and no action boots it. */
class OfflineCheck extends PlanWatcher {
  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (a.kind === 'bootNode' && this.nodes.has(a.node)) return problem(`${model.nodeName(a.node)} must stay offline but is booted`, [], [a.node]);
    return super.startAction(a, model);
  }

  override endsWith(result: Model): CheckProblem | null {
    for (const n of this.nodes) {
      if (!result.mapping.isOffline(n)) return problem(`${result.nodeName(n)} is not offline at the end`, [], [n]);
    }
    return null;
  }
}

/** Script form: `offline(nodes)`; `node` takes one node, the DSL expands a set into one Offline per node. */
export const offline: ConstraintDefinition<OfflineArgs> = defineConstraint<OfflineArgs>({
  encoder,
  faces,
  id: 'offline',
  doc: 'Wants a node down: the node is offline at the end of the plan (its VMs leave first, then it is shut down; it is never booted).',
  modes: DISCRETE_ONLY,
  fields: [{ key: 'node', kind: 'node', doc: 'the node to have offline (a set gives one constraint per node)' }],
  script: { name: 'offline' },
  check: (c: Constraint<OfflineArgs>) => new OfflineCheck({ vms: [], nodes: [c.args.node] }),
});
