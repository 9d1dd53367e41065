import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, pairsOf } from '../encoding.js';
import type { SyncArgs } from './index.js';

/**
 * CSync: the migrations of these VMs end at the same instant (pre-copy migrations; the post-copy
 * variant, starting together, is not modelled: every migration here is pre-copy).
 */
export const encoder: ConstraintEncoder<SyncArgs> = {
  encode(c: Constraint<SyncArgs>, ctx: EncodingContext): EncodeResult {
    const movers = [...new Set(c.args.vms)].filter((v) => ctx.isVariable(v) && ctx.initialState(v) === 'running' && ctx.finalState(v) === 'running');
    const out = pairsOf(movers).map(([x, y]) => `(${ctx.moves(x)} /\\ ${ctx.moves(y)}) -> ${ctx.end(x)} = ${ctx.end(y)}`);
    return constraints(out, 'Sync');
  },
};
