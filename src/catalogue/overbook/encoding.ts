import type { Constraint } from '../constraint.js';
import type { ConstraintEncoder, EncodingContext, EncodeResult } from '../encoding.js';

/**
 * COverbook: the node's capacity of `rc` becomes ⌊capacity × ratio⌋ (smallest ratio wins). A core
 * fact: the capacity is data of the core cumulative, which holds at every instant whatever the
 * mode (BtrPlace's core TaskScheduler does the same).
 */
export const encoder: ConstraintEncoder = {
  core(c: Constraint) {
    const { node, rc, ratio } = c.args;
    return typeof node === 'number' && typeof rc === 'string' && typeof ratio === 'number' ? { overbook: [{ node, rc, ratio }] } : {};
  },
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const { node, rc, ratio } = c.args;
    if (typeof node !== 'number' || typeof rc !== 'string' || typeof ratio !== 'number') return { error: "overbook needs 'node', 'rc' and 'ratio'" };
    if (ratio < 1) return { error: `the ratio must be at least 1 (got ${ratio})` };
    if (ctx.node(node) === undefined) return { error: `node ${node} is not in the model` };
    return { mzn: `% overbook ${rc} × ${ratio} on node ${node}: applied to the capacity data\n` };
  },
};
