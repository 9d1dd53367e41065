import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, intsArg, pairsOf } from '../encoding.js';

/**
 * CSync: the migrations of these VMs end at the same instant (pre-copy migrations; the post-copy
 * variant, starting together, is not modelled: every migration here is pre-copy).
 */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vms = intsArg(c.args, 'vms');
    if ('error' in vms) return vms;
    const movers = [...new Set(vms.value)].filter((v) => ctx.isVariable(v) && ctx.initialState(v) === 'running' && ctx.finalState(v) === 'running');
    const out = pairsOf(movers).map(([x, y]) => `(${ctx.moves(x)} /\\ ${ctx.moves(y)}) -> ${ctx.end(x)} = ${ctx.end(y)}`);
    return constraints(out, 'Sync');
  },
};
