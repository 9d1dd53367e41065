import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, intArg, intsArg, nodeSet } from '../encoding.js';

/** CRunningCapacity: at most `amount` VMs running on the nodes at the end (discrete only, as since BtrPlace 1.12). */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const nodes = intsArg(c.args, 'nodes');
    const amount = intArg(c.args, 'amount');
    if ('error' in nodes) return nodes;
    if ('error' in amount) return amount;
    const inSet = new Set(nodes.value);
    let fixed = 0;
    for (const n of inSet) fixed += ctx.fixedRunningOn(n).length;
    const left = amount.value - fixed;
    if (left < 0) return constraints(['false % the VMs that may not move already exceed it'], 'runningCapacity');
    const S = nodeSet(ctx, nodes.value);
    const finals = ctx.variableVms().filter((v) => ctx.finalState(v) === 'running');
    if (finals.length <= left) return constraints([], 'runningCapacity');
    return constraints([`sum([${finals.map((v) => `bool2int(${ctx.host(v)} in ${S})`).join(', ')}]) <= ${left}`], 'runningCapacity');
  },
};
