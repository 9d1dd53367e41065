import type { Model } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { DISCRETE_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface OnlineArgs {
  node: number;
}

/** BtrPlace's OnlineChecker: the node is online at the end, and no action shuts it down. */
class OnlineCheck extends PlanWatcher {
  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (a.kind === 'shutdownNode' && this.nodes.has(a.node)) return problem(`${model.nodeName(a.node)} must stay online but is shut down`, [], [a.node]);
    return super.startAction(a, model);
  }

  override endsWith(result: Model): CheckProblem | null {
    for (const n of this.nodes) {
      if (!result.mapping.isOnline(n)) return problem(`${result.nodeName(n)} is not online at the end`, [], [n]);
    }
    return null;
  }
}

/** Script form: `online(nodes)`; `node` takes one node, the DSL expands a set into one Online per node. */
export const online: ConstraintDefinition<OnlineArgs> = defineConstraint<OnlineArgs>({
  encoder,
  faces,
  id: 'online',
  doc: 'Wants a node up: the node is online at the end of the plan (booted if it is offline, never shut down).',
  modes: DISCRETE_ONLY,
  fields: [{ key: 'node', kind: 'node', doc: 'the node to have online (a set gives one constraint per node)' }],
  script: { name: 'online' },
  check: (c: Constraint<OnlineArgs>) => new OnlineCheck({ vms: [], nodes: [c.args.node] }),
});
