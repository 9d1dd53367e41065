import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, intArg } from '../encoding.js';

/**
 * CKilled: the VM is killed at the end. A core fact: the final state of every VM is data in the
 * exact model (BtrPlace's makeVMTransitions picks the transition from the state constraints), so
 * the text only checks the fact was applied.
 */
export const encoder: ConstraintEncoder = {
  core(c: Constraint) {
    const vm = c.args['vm'];
    return typeof vm === 'number' ? { vmStates: [{ vm, state: 'killed' as const }] } : {};
  },
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vm = intArg(c.args, 'vm');
    if ('error' in vm) return vm;
    if (ctx.finalState(vm.value) !== 'killed') return { error: `the final state of vm ${vm.value} is ${ctx.finalState(vm.value)}, not killed` };
    return { mzn: `% ${ctx.fresh('killed')}: vm ${vm.value} ends killed (data)\n` };
  },
};
