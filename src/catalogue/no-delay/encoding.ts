import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints } from '../encoding.js';
import type { NoDelayArgs } from './index.js';

/** CNoDelay: the VM's action, if any, starts at t = 0. */
export const encoder: ConstraintEncoder<NoDelayArgs> = {
  encode(c: Constraint<NoDelayArgs>, ctx: EncodingContext): EncodeResult {
    const { vm } = c.args;
    if (!ctx.isVariable(vm)) return constraints([], 'noDelay');
    return constraints([`${ctx.start(vm)} = 0`], 'noDelay');
  },
};
