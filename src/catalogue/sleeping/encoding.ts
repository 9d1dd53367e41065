import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult } from '../encoding.js';
import type { SleepingArgs } from './index.js';

/**
 * CSleeping: the VM is sleeping at the end. A core fact: the final state of every VM is data in the
 * exact model (BtrPlace's makeVMTransitions picks the transition from the state constraints), so
 * the text only checks the fact was applied.
 */
export const encoder: ConstraintEncoder<SleepingArgs> = {
  core(c: Constraint<SleepingArgs>) {
    return { vmStates: [{ vm: c.args.vm, state: 'sleeping' as const }] };
  },
  encode(c: Constraint<SleepingArgs>, ctx: EncodingContext): EncodeResult {
    const { vm } = c.args;
    if (ctx.finalState(vm) !== 'sleeping') return { error: `the final state of vm ${vm} is ${ctx.finalState(vm)}, not sleeping` };
    return { mzn: `% ${ctx.fresh('sleeping')}: vm ${vm} ends sleeping (data)\n` };
  },
};
