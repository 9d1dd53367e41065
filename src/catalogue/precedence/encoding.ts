import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, intArg } from '../encoding.js';

/**
 * CPrecedence: the first VM's migration ends before the second's starts. BtrPlace requires both to
 * be migration candidates (running → running), else there is no solution; the order binds when both move.
 */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const before = intArg(c.args, 'vmBefore', 'vm1', 'before');
    const after = intArg(c.args, 'vmAfter', 'vm2', 'after');
    if ('error' in before) return before;
    if ('error' in after) return after;
    const [b, a] = [before.value, after.value];
    const candidate = (v: number): boolean => ctx.hasVm(v) && ctx.initialState(v) === 'running' && ctx.finalState(v) === 'running';
    if (!candidate(b) || !candidate(a)) return constraints(['false % precedence needs two running VMs that keep running'], 'Precedence');
    if (!ctx.isVariable(b) || !ctx.isVariable(a)) return constraints([], 'Precedence');
    return constraints([`(${ctx.moves(b)} /\\ ${ctx.moves(a)}) -> ${ctx.end(b)} <= ${ctx.start(a)}`], 'Precedence');
  },
};
