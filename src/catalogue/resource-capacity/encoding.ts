import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, leavingDuration, leavingStart, nodeSet } from '../encoding.js';
import type { ResourceCapacityArgs } from './index.js';

/**
 * CResourceCapacity: the running VMs on the nodes use at most `amount` of `rc` in total.
 * Discrete: at the end. Continuous: at the start too (else no solution) and at every instant,
 * a cumulative over the c- and d-slices of the variable VMs on the node set (BtrPlace's aliased
 * cumulative); fixed VMs running there take their share of `amount` up front.
 */
export const encoder: ConstraintEncoder<ResourceCapacityArgs> = {
  encode(c: Constraint<ResourceCapacityArgs>, ctx: EncodingContext): EncodeResult {
    const { nodes, rc, amount } = c.args;
    const inSet = new Set(nodes);
    const S = nodeSet(ctx, nodes);
    let fixed = 0;
    for (const n of inSet) for (const v of ctx.fixedRunningOn(n)) fixed += ctx.consumption(v, rc) ?? 0;
    const left = amount - fixed;
    const variable = ctx.variableVms();
    const out: string[] = [];
    if (left < 0) return constraints(['false % the VMs that may not move already use more'], 'resourceCapacity');
    const finals = variable.filter((v) => ctx.finalState(v) === 'running' && (ctx.consumption(v, rc) ?? 0) > 0);
    if (!c.continuous) {
      if (finals.length > 0) out.push(`sum([${finals.map((v) => `${ctx.consumption(v, rc) ?? 0} * bool2int(${ctx.host(v)} in ${S})`).join(', ')}]) <= ${left}`);
      return constraints(out, 'resourceCapacity');
    }
    let atStart = 0;
    const starts: string[] = [];
    const durations: string[] = [];
    const heights: number[] = [];
    for (const v of variable) {
      const h = ctx.initialHost(v);
      if (ctx.initialState(v) !== 'running' || h === null || !inSet.has(h)) continue;
      const use = ctx.initialConsumption(v, rc) ?? 0;
      atStart += use;
      if (use === 0) continue;
      starts.push(leavingStart(ctx, v));
      durations.push(leavingDuration(ctx, v));
      heights.push(use);
    }
    if (atStart > left) out.push('false % over the amount at the start');
    for (const v of finals) {
      // cumulative solvers reject a task taller than the capacity even when it lasts 0 s
      if ((ctx.consumption(v, rc) ?? 0) > left) {
        out.push(`not (${ctx.host(v)} in ${S})`);
        continue;
      }
      starts.push(`(if ${ctx.host(v)} in ${S} then ${ctx.dStart(v)} else ${ctx.horizon} endif)`);
      durations.push(`(if ${ctx.host(v)} in ${S} then ${ctx.horizon} - ${ctx.dStart(v)} else 0 endif)`);
      heights.push(ctx.consumption(v, rc) ?? 0);
    }
    if (heights.length > 0) out.push(`cumulative([${starts.join(', ')}], [${durations.join(', ')}], [${heights.join(', ')}], ${left})`);
    const body = constraints(out, 'resourceCapacity');
    return heights.length > 0 ? { mzn: `include "cumulative.mzn";\n${body.mzn}` } : body;
  },
};
