import type { Constraint } from '../constraint.js';
import { amongGroup } from '../among/encoding.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, pairsOf } from '../encoding.js';
import type { SplitAmongArgs } from './index.js';

/** CSplitAmong: every VM group is among the node groups, and the VM groups use pairwise different node groups. */
export const encoder: ConstraintEncoder<SplitAmongArgs> = {
  encode(c: Constraint<SplitAmongArgs>, ctx: EncodingContext): EncodeResult {
    const { vParts, pParts } = c.args;
    const groups: string[] = [];
    const text: string[] = [];
    for (const vp of vParts) {
      const g = ctx.fresh('splitAmongGroup');
      const r = amongGroup(c.continuous, ctx, [...new Set(vp)].filter((v) => ctx.hasVm(v)), pParts, g);
      if ('error' in r) return r;
      groups.push(g);
      text.push(r.mzn);
    }
    for (const [a, b] of pairsOf(groups)) text.push(`constraint ${a} != ${b};\n`);
    return { mzn: text.join('') };
  },
};
