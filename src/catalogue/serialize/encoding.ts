import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, pairsOf } from '../encoding.js';
import type { SerializeArgs } from './index.js';

/** CSerialize: the migrations of these VMs never overlap (pairwise disjunction; BtrPlace: cumulative of capacity 1). */
export const encoder: ConstraintEncoder<SerializeArgs> = {
  encode(c: Constraint<SerializeArgs>, ctx: EncodingContext): EncodeResult {
    const movers = [...new Set(c.args.vms)].filter((v) => ctx.isVariable(v) && ctx.initialState(v) === 'running' && ctx.finalState(v) === 'running');
    const out = pairsOf(movers).map(
      ([x, y]) => `not (${ctx.moves(x)} /\\ ${ctx.moves(y)}) \\/ ${ctx.end(x)} <= ${ctx.start(y)} \\/ ${ctx.end(y)} <= ${ctx.start(x)}`,
    );
    return constraints(out, 'Serialize');
  },
};
