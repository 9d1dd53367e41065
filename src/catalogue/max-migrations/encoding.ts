import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodeResult, type EncodingContext, constraints, intArg, intsArg } from '../encoding.js';

/** At most `amount` of the VMs migrate: a sum over the exact model's `moves` booleans. */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vms = intsArg(c.args, 'vms');
    const amount = intArg(c.args, 'amount');
    if ('error' in vms) return vms;
    if ('error' in amount) return amount;
    const moving = [...new Set(vms.value)].filter((v) => ctx.hasVm(v)).map((v) => `bool2int(${ctx.moves(v)})`);
    return constraints(moving.length === 0 ? [] : [`${moving.join(' + ')} <= ${amount.value}`], 'maxMigrations');
  },
};
