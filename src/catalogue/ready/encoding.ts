import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult } from '../encoding.js';
import type { ReadyArgs } from './index.js';

/**
 * CReady: the VM is ready at the end. A core fact: the final state of every VM is data in the
 * exact model (BtrPlace's makeVMTransitions picks the transition from the state constraints), so
 * the text only checks the fact was applied.
 */
export const encoder: ConstraintEncoder<ReadyArgs> = {
  core(c: Constraint<ReadyArgs>) {
    return { vmStates: [{ vm: c.args.vm, state: 'ready' as const }] };
  },
  encode(c: Constraint<ReadyArgs>, ctx: EncodingContext): EncodeResult {
    const { vm } = c.args;
    if (ctx.finalState(vm) !== 'ready') return { error: `the final state of vm ${vm} is ${ctx.finalState(vm)}, not ready` };
    return { mzn: `% ${ctx.fresh('ready')}: vm ${vm} ends ready (data)\n` };
  },
};
