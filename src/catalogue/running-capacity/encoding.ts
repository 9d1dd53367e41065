import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, nodeSet } from '../encoding.js';
import type { RunningCapacityArgs } from './index.js';

/** CRunningCapacity: at most `amount` VMs running on the nodes at the end (discrete only, as since BtrPlace 1.12). */
export const encoder: ConstraintEncoder<RunningCapacityArgs> = {
  encode(c: Constraint<RunningCapacityArgs>, ctx: EncodingContext): EncodeResult {
    const { nodes, amount } = c.args;
    const inSet = new Set(nodes);
    let fixed = 0;
    for (const n of inSet) fixed += ctx.fixedRunningOn(n).length;
    const left = amount - fixed;
    if (left < 0) return constraints(['false % the VMs that may not move already exceed it'], 'runningCapacity');
    const S = nodeSet(ctx, nodes);
    const finals = ctx.variableVms().filter((v) => ctx.finalState(v) === 'running');
    if (finals.length <= left) return constraints([], 'runningCapacity');
    return constraints([`sum([${finals.map((v) => `bool2int(${ctx.host(v)} in ${S})`).join(', ')}]) <= ${left}`], 'runningCapacity');
  },
};
