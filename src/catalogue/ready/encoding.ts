import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, intArg } from '../encoding.js';

/**
 * CReady: the VM is ready at the end. A core fact: the final state of every VM is data in the
 * exact model (BtrPlace's makeVMTransitions picks the transition from the state constraints), so
 * the text only checks the fact was applied.
 */
export const encoder: ConstraintEncoder = {
  core(c: Constraint) {
    const vm = c.args['vm'];
    return typeof vm === 'number' ? { vmStates: [{ vm, state: 'ready' as const }] } : {};
  },
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vm = intArg(c.args, 'vm');
    if ('error' in vm) return vm;
    if (ctx.finalState(vm.value) !== 'ready') return { error: `the final state of vm ${vm.value} is ${ctx.finalState(vm.value)}, not ready` };
    return { mzn: `% ${ctx.fresh('ready')}: vm ${vm.value} ends ready (data)\n` };
  },
};
