import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints } from '../encoding.js';
import type { QuarantineArgs } from './index.js';

/**
 * CQuarantine: the VMs running on the node stay there (Root) and no VM from elsewhere arrives
 * (Ban). Only the variable VMs need a constraint: fixed ones already stay where they are.
 */
export const encoder: ConstraintEncoder<QuarantineArgs> = {
  encode(c: Constraint<QuarantineArgs>, ctx: EncodingContext): EncodeResult {
    const { node } = c.args;
    const n = ctx.node(node);
    if (n === undefined) return { error: `node ${node} is not in the model` };
    const out: string[] = [];
    for (const v of ctx.variableVms()) {
      if (ctx.finalState(v) !== 'running') continue;
      const here = ctx.initialHost(v) === node && ctx.initialState(v) === 'running';
      out.push(here ? `${ctx.host(v)} = ${n}` : `${ctx.host(v)} != ${n}`);
    }
    return constraints(out, 'quarantine');
  },
};
