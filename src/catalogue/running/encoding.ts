import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult } from '../encoding.js';
import type { RunningArgs } from './index.js';

/**
 * CRunning: the VM is running at the end. A core fact: the final state of every VM is data in the
 * exact model (BtrPlace's makeVMTransitions picks the transition from the state constraints), so
 * the text only checks the fact was applied.
 */
export const encoder: ConstraintEncoder<RunningArgs> = {
  core(c: Constraint<RunningArgs>) {
    return { vmStates: [{ vm: c.args.vm, state: 'running' as const }] };
  },
  encode(c: Constraint<RunningArgs>, ctx: EncodingContext): EncodeResult {
    const { vm } = c.args;
    if (ctx.finalState(vm) !== 'running') return { error: `the final state of vm ${vm} is ${ctx.finalState(vm)}, not running` };
    return { mzn: `% ${ctx.fresh('running')}: vm ${vm} ends running (data)\n` };
  },
};
