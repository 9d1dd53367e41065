import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, nodeSet } from '../encoding.js';
import type { FenceArgs } from './index.js';

/** CFence: a VM running at the end is on one of the nodes. Continuous: it must already be inside when placed. */
export const encoder: ConstraintEncoder<FenceArgs> = {
  encode(c: Constraint<FenceArgs>, ctx: EncodingContext): EncodeResult {
    const { vm, nodes } = c.args;
    const out: string[] = [];
    if (c.continuous) {
      const h = ctx.initialHost(vm);
      if (h !== null && ctx.initialState(vm) === 'running' && !nodes.includes(h)) out.push('false % placed outside the fence');
    }
    if (ctx.hasVm(vm) && ctx.finalState(vm) === 'running') out.push(`${ctx.host(vm)} in ${nodeSet(ctx, nodes)}`);
    return constraints(out, 'fence');
  },
};
