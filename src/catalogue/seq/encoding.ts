import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints } from '../encoding.js';
import type { SeqArgs } from './index.js';

/**
 * CSequentialVMTransitions: the state-changing actions of the listed VMs (boot, shutdown,
 * suspend, resume, kill, forge; migrations ignored) run in list order without overlap; VMs without
 * a state change are skipped.
 */
export const encoder: ConstraintEncoder<SeqArgs> = {
  encode(c: Constraint<SeqArgs>, ctx: EncodingContext): EncodeResult {
    const changing = c.args.vms.filter((v) => ctx.hasVm(v) && ctx.isVariable(v) && ctx.initialState(v) !== ctx.finalState(v));
    const out: string[] = [];
    for (let i = 1; i < changing.length; i++) out.push(`${ctx.end(changing[i - 1] as number)} <= ${ctx.start(changing[i] as number)}`);
    return constraints(out, 'seq');
  },
};
