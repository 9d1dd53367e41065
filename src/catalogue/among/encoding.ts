import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, nodeSet, runningAtEnd } from '../encoding.js';
import type { AmongArgs } from './index.js';

/**
 * CAmong: the running VMs of the set end within one group of nodes (a group variable; a VM outside
 * every group violates it). Continuous: the VMs running at the start must already be in a single
 * group, which then is the group.
 */
export const encoder: ConstraintEncoder<AmongArgs> = {
  encode(c: Constraint<AmongArgs>, ctx: EncodingContext): EncodeResult {
    const { vms, parts } = c.args;
    return amongGroup(c.continuous, ctx, [...new Set(vms)].filter((v) => ctx.hasVm(v)), parts, ctx.fresh('amongGroup'));
  },
};

/** Shared with splitAmong: declares `group` (1..k) and keeps the running VMs inside it. */
export function amongGroup(continuous: boolean, ctx: EncodingContext, set: readonly number[], parts: readonly (readonly number[])[], group: string): EncodeResult {
  const k = parts.length;
  if (k === 0) return constraints(runningAtEnd(ctx, set).length > 0 ? ['false % no group of nodes'] : [], 'among');
  const sets = parts.map((p) => nodeSet(ctx, p));
  const out: string[] = [];
  for (const v of runningAtEnd(ctx, set)) {
    out.push(`exists(j in 1..${k})(${group} = j /\\ ${ctx.host(v)} in [${sets.join(', ')}][j])`);
  }
  if (continuous) {
    const groupsAtStart = new Set<number>();
    for (const v of set) {
      const h = ctx.initialHost(v);
      if (h === null || ctx.initialState(v) !== 'running') continue;
      const g = parts.findIndex((p) => p.includes(h));
      groupsAtStart.add(g);
    }
    if (groupsAtStart.has(-1) || groupsAtStart.size > 1) out.push('false % not within one group at the start');
    const [only] = [...groupsAtStart];
    if (groupsAtStart.size === 1 && only !== undefined && only >= 0) out.push(`${group} = ${only + 1}`);
  }
  return { mzn: `var 1..${k}: ${group};\n${constraints(out, 'among').mzn}` };
}
