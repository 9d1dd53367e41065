import type { Constraint } from '../constraint.js';
import type { ConstraintEncoder, EncodingContext, EncodeResult } from '../encoding.js';
import type { PreserveArgs } from './index.js';

/**
 * CPreserve: a VM running at the end gets at least `amount` of `rc`. A core fact: the VM's final
 * demand (its d-slice height) is data; the VM becomes variable so it can move if its node lacks room.
 */
export const encoder: ConstraintEncoder<PreserveArgs> = {
  core(c: Constraint<PreserveArgs>) {
    const { vm, rc, amount } = c.args;
    return { preserve: [{ vm, rc, amount }] };
  },
  encode(c: Constraint<PreserveArgs>, ctx: EncodingContext): EncodeResult {
    const { vm, rc, amount } = c.args;
    if (ctx.hasVm(vm) && ctx.finalState(vm) === 'running' && (ctx.consumption(vm, rc) ?? amount) < amount) {
      return { error: `the demand of vm ${vm} for ${rc} was not raised to ${amount}` };
    }
    return { mzn: `% preserve ${rc} >= ${amount} for vm ${vm}: applied to the demand data\n` };
  },
};
