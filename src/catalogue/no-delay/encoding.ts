import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, intArg } from '../encoding.js';

/** CNoDelay: the VM's action, if any, starts at t = 0. */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vm = intArg(c.args, 'vm');
    if ('error' in vm) return vm;
    if (!ctx.isVariable(vm.value)) return constraints([], 'noDelay');
    return constraints([`${ctx.start(vm.value)} = 0`], 'noDelay');
  },
};
