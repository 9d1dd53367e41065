import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult } from '../encoding.js';
import type { KilledArgs } from './index.js';

/**
 * CKilled: the VM is killed at the end. A core fact: the final state of every VM is data in the
 * exact model (BtrPlace's makeVMTransitions picks the transition from the state constraints), so
 * the text only checks the fact was applied.
 */
export const encoder: ConstraintEncoder<KilledArgs> = {
  core(c: Constraint<KilledArgs>) {
    return { vmStates: [{ vm: c.args.vm, state: 'killed' as const }] };
  },
  encode(c: Constraint<KilledArgs>, ctx: EncodingContext): EncodeResult {
    const { vm } = c.args;
    if (ctx.finalState(vm) !== 'killed') return { error: `the final state of vm ${vm} is ${ctx.finalState(vm)}, not killed` };
    return { mzn: `% ${ctx.fresh('killed')}: vm ${vm} ends killed (data)\n` };
  },
};
