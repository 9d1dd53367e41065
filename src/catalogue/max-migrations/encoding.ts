import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodeResult, type EncodingContext, constraints } from '../encoding.js';
import type { MaxMigrationsArgs } from './index.js';

/** At most `amount` of the VMs migrate: a sum over the exact model's `moves` booleans. */
export const encoder: ConstraintEncoder<MaxMigrationsArgs> = {
  encode(c: Constraint<MaxMigrationsArgs>, ctx: EncodingContext): EncodeResult {
    const { vms, amount } = c.args;
    const moving = [...new Set(vms)].filter((v) => ctx.hasVm(v)).map((v) => `bool2int(${ctx.moves(v)})`);
    return constraints(moving.length === 0 ? [] : [`${moving.join(' + ')} <= ${amount}`], 'maxMigrations');
  },
};
