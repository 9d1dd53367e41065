import type { Model } from '../../model/index.js';
import type { Action } from '../../plan/actions.js';
import type { Constraint } from '../constraint.js';
import type { CheckProblem, ConstraintDefinition } from '../definition.js';
import { PlanWatcher, problem } from '../common/check.js';
import { defineConstraint } from '../common/entry.js';
import { nonNegativeInt } from '../common/fields.js';
import { BOTH_DISCRETE_BY_DEFAULT } from '../common/modes.js';
import { encoder } from './encoding.js';
import { faces } from './faces.js';

export interface MaxOnlineArgs {
  nodes: number[];
  amount: number;
}

/**
 * BtrPlace's MaxOnlineChecker. Discrete: at most `amount` of the nodes are online at the end.
 * Continuous: also at the start and at every instant, a node counting as online from the start
 * of its boot until the end of its shutdown.
 */
class MaxOnlineCheck extends PlanWatcher {
  private online = 0;

  constructor(private readonly c: Constraint<MaxOnlineArgs>) {
    super({ vms: [], nodes: c.args.nodes });
  }

  override startsWith(origin: Model): CheckProblem | null {
    if (!this.c.continuous) return null;
    this.online = this.countOnline(origin);
    return this.online <= this.c.args.amount ? null : this.tooMany(origin, this.online, 'at the start');
  }

  protected override startAction(a: Action, model: Model): CheckProblem | null {
    if (this.c.continuous && a.kind === 'bootNode' && this.nodes.has(a.node)) {
      this.online++;
      if (this.online > this.c.args.amount) return this.tooMany(model, this.online, `when ${model.nodeName(a.node)} boots at t=${a.start}`);
    }
    return super.startAction(a, model);
  }

  protected override endAction(a: Action): void {
    if (a.kind === 'shutdownNode' && this.nodes.has(a.node)) this.online--;
  }

  override endsWith(result: Model): CheckProblem | null {
    const n = this.countOnline(result);
    return n <= this.c.args.amount ? null : this.tooMany(result, n, 'at the end');
  }

  private countOnline(model: Model): number {
    let n = 0;
    for (const node of this.nodes) if (model.mapping.isOnline(node)) n++;
    return n;
  }

  private tooMany(model: Model, n: number, when: string): CheckProblem {
    const on = [...this.nodes].filter((node) => model.mapping.isOnline(node));
    return problem(`${n} nodes online ${when}, at most ${this.c.args.amount} allowed (${on.map((x) => model.nodeName(x)).join(', ')})`, [], on);
  }
}

export const maxOnline: ConstraintDefinition<MaxOnlineArgs> = defineConstraint<MaxOnlineArgs>({
  encoder,
  faces,
  id: 'maxOnline',
  doc: 'Caps the number of online nodes in a set: at most `amount` of them are online at the end. Continuous: at every instant, a node counting as online from the start of its boot to the end of its shutdown.',
  modes: BOTH_DISCRETE_BY_DEFAULT,
  fields: [
    { key: 'nodes', kind: 'nodes', doc: 'the nodes to count' },
    { key: 'amount', kind: 'int', doc: 'the maximum number of online nodes (non-negative integer)' },
  ],
  // a node listed twice counts once (BtrPlace reads the nodes into a set)
  validate: (a) => nonNegativeInt('amount', a.amount, 'the number of nodes'),
  script: { name: 'maxOnline' },
  check: (c: Constraint<MaxOnlineArgs>) => new MaxOnlineCheck(c),
});
