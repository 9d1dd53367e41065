import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, intArg, intsArg, nodeSet } from '../encoding.js';

/**
 * CBan: a VM running at the end is not on a banned node. Continuous: it must not be on one at the
 * start either (BtrPlace: no solution), and with one action per VM nothing lands there meanwhile.
 */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vm = intArg(c.args, 'vm');
    const nodes = intsArg(c.args, 'nodes');
    if ('error' in vm) return vm;
    if ('error' in nodes) return nodes;
    const out: string[] = [];
    const set = nodeSet(ctx, nodes.value);
    if (c.continuous) {
      const h = ctx.initialHost(vm.value);
      if (h !== null && ctx.initialState(vm.value) === 'running' && nodes.value.includes(h)) out.push('false % already on a banned node');
    }
    if (ctx.hasVm(vm.value) && ctx.finalState(vm.value) === 'running') out.push(`not (${ctx.host(vm.value)} in ${set})`);
    return constraints(out, 'ban');
  },
};
