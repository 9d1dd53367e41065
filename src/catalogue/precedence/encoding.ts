import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints } from '../encoding.js';
import type { PrecedenceArgs } from './index.js';

/**
 * CPrecedence: the first VM's migration ends before the second's starts. BtrPlace requires both to
 * be migration candidates (running → running), else there is no solution; the order binds when both move.
 */
export const encoder: ConstraintEncoder<PrecedenceArgs> = {
  encode(c: Constraint<PrecedenceArgs>, ctx: EncodingContext): EncodeResult {
    const { vm1: b, vm2: a } = c.args;
    const candidate = (v: number): boolean => ctx.hasVm(v) && ctx.initialState(v) === 'running' && ctx.finalState(v) === 'running';
    if (!candidate(b) || !candidate(a)) return constraints(['false % precedence needs two running VMs that keep running'], 'Precedence');
    if (!ctx.isVariable(b) || !ctx.isVariable(a)) return constraints([], 'Precedence');
    return constraints([`(${ctx.moves(b)} /\\ ${ctx.moves(a)}) -> ${ctx.end(b)} <= ${ctx.start(a)}`], 'Precedence');
  },
};
