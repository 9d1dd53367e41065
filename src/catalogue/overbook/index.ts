import type { Model } from '../../model/index.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { BOTH_CONTINUOUS_BY_DEFAULT } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface OverbookArgs {
  node: number;
  rc: string;
  ratio: number;
}

/**
 * BtrPlace's OverbookChecker: at the end, if the node is online, the consumptions of its running
 * VMs fit in capacity × ratio (a missing resource view is a violation). BtrPlace's checker looks at
 * the final state only, in both modes; the per-instant capacity is the core scheduler's invariant.
 */
class OverbookCheck extends PlanWatcher {
  constructor(private readonly c: Constraint<OverbookArgs>) {
    super({ vms: [], nodes: [c.args.node] });
  }

  override endsWith(result: Model): CheckProblem | null {
    const { rc, ratio } = this.c.args;
    const view = result.resource(rc);
    if (!view) return problem(`no resource '${rc}' to overbook`);
    for (const node of this.nodes) {
      if (!result.mapping.isOnline(node)) continue;
      const allowed = view.capacity(node) * ratio;
      const used = view.sumConsumption(result.mapping.runningVMs(node));
      if (used > allowed) {
        return problem(`${result.nodeName(node)} uses ${used} ${rc}, more than ${view.capacity(node)} × ${ratio} = ${allowed}`, [...result.mapping.runningVMs(node)], [node]);
      }
    }
    return null;
  }
}

/** Script form: `overbook(nodes, "rc", ratio)`; `node` takes one node, the DSL expands a set (BtrPlace's `newOverbooks`). */
export const overbook: ConstraintDefinition<OverbookArgs> = defineConstraint<OverbookArgs>({
  encoder,
  faces,
  id: 'overbook',
  doc: "Sets how far a node's resource may be overcommitted: the running VMs may consume up to capacity × ratio (ratio ≥ 1). With several ratios on one node, the smallest wins.",
  modes: BOTH_CONTINUOUS_BY_DEFAULT,
  fields: [
    { key: 'node', kind: 'node', doc: 'the node (a set gives one constraint per node)' },
    { key: 'rc', kind: 'string', doc: 'the resource id, e.g. "cpu"' },
    { key: 'ratio', kind: 'number', doc: 'the overbooking ratio, at least 1.0' },
  ],
  validate: (a) => (a.ratio >= 1 ? null : { field: 'ratio', message: `the overbooking ratio must be >= 1.0, got ${a.ratio}` }),
  script: { name: 'overbook' },
  check: (c: Constraint<OverbookArgs>) => new OverbookCheck(c),
});
