import type { Model } from '../../model/index.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { nonNegativeInt } from '../common/fields.js';
import { DISCRETE_ONLY } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface RunningCapacityArgs {
  nodes: number[];
  amount: number;
}

/**
 * BtrPlace's RunningCapacityChecker, discrete (the continuous version was removed from BtrPlace
 * in 1.12.0): at the end, the nodes run at most `amount` VMs in total.
 */
class RunningCapacityCheck extends PlanWatcher {
  constructor(private readonly c: Constraint<RunningCapacityArgs>) {
    super({ vms: [], nodes: c.args.nodes });
  }

  override endsWith(result: Model): CheckProblem | null {
    let n = 0;
    for (const node of this.nodes) n += result.mapping.runningVMs(node).size;
    if (n <= this.c.args.amount) return null;
    const names = [...this.nodes].map((x) => result.nodeName(x));
    return problem(`${n} VMs running on ${names.join(', ')} at the end, at most ${this.c.args.amount} allowed`, [], [...this.nodes]);
  }
}

export const runningCapacity: ConstraintDefinition<RunningCapacityArgs> = defineConstraint<RunningCapacityArgs>({
  encoder,
  faces,
  id: 'runningCapacity',
  doc: 'Caps the number of running VMs on a set of nodes: at the end, the nodes run at most `amount` VMs in total.',
  modes: DISCRETE_ONLY,
  fields: [
    { key: 'nodes', kind: 'nodes', doc: 'the nodes to count on' },
    { key: 'amount', kind: 'int', doc: 'the maximum number of running VMs (non-negative integer)' },
  ],
  validate: (a) => nonNegativeInt('amount', a.amount, 'the number of VMs'),
  script: { name: 'runningCapacity' },
  check: (c: Constraint<RunningCapacityArgs>) => new RunningCapacityCheck(c),
});
