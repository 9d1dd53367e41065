import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, intArg } from '../encoding.js';

/**
 * CRunning: the VM is running at the end. A core fact: the final state of every VM is data in the
 * exact model (BtrPlace's makeVMTransitions picks the transition from the state constraints), so
 * the text only checks the fact was applied.
 */
export const encoder: ConstraintEncoder = {
  core(c: Constraint) {
    const vm = c.args['vm'];
    return typeof vm === 'number' ? { vmStates: [{ vm, state: 'running' as const }] } : {};
  },
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vm = intArg(c.args, 'vm');
    if ('error' in vm) return vm;
    if (ctx.finalState(vm.value) !== 'running') return { error: `the final state of vm ${vm.value} is ${ctx.finalState(vm.value)}, not running` };
    return { mzn: `% ${ctx.fresh('running')}: vm ${vm.value} ends running (data)\n` };
  },
};
