import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, runningAtEnd } from '../encoding.js';
import type { GatherArgs } from './index.js';

/**
 * CGather: the running VMs of the set share one host at the end. Continuous: VMs already running
 * must already share their host, and every VM running at the end is pinned to it (a one-VM
 * gather may still move).
 */
export const encoder: ConstraintEncoder<GatherArgs> = {
  encode(c: Constraint<GatherArgs>, ctx: EncodingContext): EncodeResult {
    const set = [...new Set(c.args.vms)].filter((v) => ctx.hasVm(v));
    const running = runningAtEnd(ctx, set);
    const out: string[] = [];
    const [first, ...rest] = running;
    if (first !== undefined) for (const v of rest) out.push(`${ctx.host(v)} = ${ctx.host(first)}`);
    if (c.continuous && set.length > 1) {
      const starts = [...new Set(set.filter((v) => ctx.initialState(v) === 'running').map((v) => ctx.initialHost(v)))];
      if (starts.length > 1) out.push('false % the set is not gathered at the start');
      const home = starts[0];
      if (home !== undefined && home !== null) for (const v of running) out.push(`${ctx.host(v)} = ${ctx.node(home) ?? 0}`);
    }
    return constraints(out, 'gather');
  },
};
