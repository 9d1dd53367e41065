import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, nodeSet } from '../encoding.js';
import type { BanArgs } from './index.js';

/**
 * CBan: a VM running at the end is not on a banned node. Continuous: it must not be on one at the
 * start either (BtrPlace: no solution), and with one action per VM nothing lands there meanwhile.
 */
export const encoder: ConstraintEncoder<BanArgs> = {
  encode(c: Constraint<BanArgs>, ctx: EncodingContext): EncodeResult {
    const { vm, nodes } = c.args;
    const out: string[] = [];
    const set = nodeSet(ctx, nodes);
    if (c.continuous) {
      const h = ctx.initialHost(vm);
      if (h !== null && ctx.initialState(vm) === 'running' && nodes.includes(h)) out.push('false % already on a banned node');
    }
    if (ctx.hasVm(vm) && ctx.finalState(vm) === 'running') out.push(`not (${ctx.host(vm)} in ${set})`);
    return constraints(out, 'ban');
  },
};
