import type { Constraint } from '../constraint.js';
import { amongGroup } from '../among/encoding.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, partsArg, pairsOf } from '../encoding.js';

/** CSplitAmong: every VM group is among the node groups, and the VM groups use pairwise different node groups. */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vParts = partsArg(c.args, 'vParts');
    const pParts = partsArg(c.args, 'pParts');
    if ('error' in vParts) return vParts;
    if ('error' in pParts) return pParts;
    const groups: string[] = [];
    const text: string[] = [];
    for (const vp of vParts.value) {
      const g = ctx.fresh('splitAmongGroup');
      const r = amongGroup(c.continuous, ctx, [...new Set(vp)].filter((v) => ctx.hasVm(v)), pParts.value, g);
      if ('error' in r) return r;
      groups.push(g);
      text.push(r.mzn);
    }
    for (const [a, b] of pairsOf(groups)) text.push(`constraint ${a} != ${b};\n`);
    return { mzn: text.join('') };
  },
};
