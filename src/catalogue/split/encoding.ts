import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, arrivesAfterLeaving, constraints, runningAtEnd } from '../encoding.js';
import type { SplitArgs } from './index.js';

/**
 * CSplit: running VMs of different groups never share a node at the end. Continuous: it holds at
 * the start, and a VM arrives on a node only once the VMs of the other groups have left it.
 */
export const encoder: ConstraintEncoder<SplitArgs> = {
  encode(c: Constraint<SplitArgs>, ctx: EncodingContext): EncodeResult {
    const groups = c.args.parts.map((p) => [...new Set(p)].filter((v) => ctx.hasVm(v)));
    const out: string[] = [];
    for (let a = 0; a < groups.length; a++) {
      for (let b = a + 1; b < groups.length; b++) {
        const ga = groups[a] ?? [];
        const gb = groups[b] ?? [];
        for (const x of runningAtEnd(ctx, ga)) {
          for (const y of runningAtEnd(ctx, gb)) {
            if (ctx.isVariable(x) || ctx.isVariable(y)) out.push(`${ctx.host(x)} != ${ctx.host(y)}`);
            else if (ctx.host(x) === ctx.host(y)) out.push('false % fixed VMs of two groups share a node');
          }
        }
        if (!c.continuous) continue;
        for (const x of ga) {
          for (const y of gb) {
            const hx = ctx.initialHost(x);
            if (hx !== null && hx === ctx.initialHost(y) && ctx.initialState(x) === 'running' && ctx.initialState(y) === 'running') {
              out.push('false % two groups share a node at the start');
            }
            for (const rule of [arrivesAfterLeaving(ctx, x, y), arrivesAfterLeaving(ctx, y, x)]) if (rule !== null) out.push(rule);
          }
        }
      }
    }
    return constraints(out, 'split');
  },
};
