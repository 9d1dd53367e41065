import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, intArg } from '../encoding.js';

/** CRoot: a VM that runs and keeps running never moves (d-slice host = c-slice host). */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vm = intArg(c.args, 'vm');
    if ('error' in vm) return vm;
    const v = vm.value;
    const h = ctx.initialHost(v);
    if (!ctx.hasVm(v) || h === null || ctx.initialState(v) !== 'running' || ctx.finalState(v) !== 'running') return constraints([], 'root');
    return constraints([`${ctx.host(v)} = ${ctx.node(h) ?? 0}`], 'root');
  },
};
