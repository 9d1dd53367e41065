import type { Constraint } from '../constraint.js';
import type { ConstraintEncoder, EncodingContext, EncodeResult } from '../encoding.js';
import type { OverbookArgs } from './index.js';

/**
 * COverbook: the node's capacity of `rc` becomes ⌊capacity × ratio⌋ (smallest ratio wins). A core
 * fact: the capacity is data of the core cumulative, which holds at every instant whatever the
 * mode (BtrPlace's core TaskScheduler does the same).
 */
export const encoder: ConstraintEncoder<OverbookArgs> = {
  core(c: Constraint<OverbookArgs>) {
    const { node, rc, ratio } = c.args;
    return { overbook: [{ node, rc, ratio }] };
  },
  encode(c: Constraint<OverbookArgs>, ctx: EncodingContext): EncodeResult {
    const { node, rc, ratio } = c.args;
    if (ctx.node(node) === undefined) return { error: `node ${node} is not in the model` };
    return { mzn: `% overbook ${rc} × ${ratio} on node ${node}: applied to the capacity data\n` };
  },
};
