import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, intArg } from '../encoding.js';

/**
 * CQuarantine: the VMs running on the node stay there (Root) and no VM from elsewhere arrives
 * (Ban). Only the variable VMs need a constraint: fixed ones already stay where they are.
 */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const node = intArg(c.args, 'node');
    if ('error' in node) return node;
    const n = ctx.node(node.value);
    if (n === undefined) return { error: `node ${node.value} is not in the model` };
    const out: string[] = [];
    for (const v of ctx.variableVms()) {
      if (ctx.finalState(v) !== 'running') continue;
      const here = ctx.initialHost(v) === node.value && ctx.initialState(v) === 'running';
      out.push(here ? `${ctx.host(v)} = ${n}` : `${ctx.host(v)} != ${n}`);
    }
    return constraints(out, 'quarantine');
  },
};
