import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, intsArg, pairsOf } from '../encoding.js';

/** CSerialize: the migrations of these VMs never overlap (pairwise disjunction; BtrPlace: cumulative of capacity 1). */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vms = intsArg(c.args, 'vms');
    if ('error' in vms) return vms;
    const movers = [...new Set(vms.value)].filter((v) => ctx.isVariable(v) && ctx.initialState(v) === 'running' && ctx.finalState(v) === 'running');
    const out = pairsOf(movers).map(
      ([x, y]) => `not (${ctx.moves(x)} /\\ ${ctx.moves(y)}) \\/ ${ctx.end(x)} <= ${ctx.start(y)} \\/ ${ctx.end(y)} <= ${ctx.start(x)}`,
    );
    return constraints(out, 'Serialize');
  },
};
