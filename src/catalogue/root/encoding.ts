import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints } from '../encoding.js';
import type { RootArgs } from './index.js';

/** CRoot: a VM that runs and keeps running never moves (d-slice host = c-slice host). */
export const encoder: ConstraintEncoder<RootArgs> = {
  encode(c: Constraint<RootArgs>, ctx: EncodingContext): EncodeResult {
    const v = c.args.vm;
    const h = ctx.initialHost(v);
    if (!ctx.hasVm(v) || h === null || ctx.initialState(v) !== 'running' || ctx.finalState(v) !== 'running') return constraints([], 'root');
    return constraints([`${ctx.host(v)} = ${ctx.node(h) ?? 0}`], 'root');
  },
};
