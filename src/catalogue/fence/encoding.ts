import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, intArg, intsArg, nodeSet } from '../encoding.js';

/** CFence: a VM running at the end is on one of the nodes. Continuous: it must already be inside when placed. */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vm = intArg(c.args, 'vm');
    const nodes = intsArg(c.args, 'nodes');
    if ('error' in vm) return vm;
    if ('error' in nodes) return nodes;
    const out: string[] = [];
    if (c.continuous) {
      const h = ctx.initialHost(vm.value);
      if (h !== null && ctx.initialState(vm.value) === 'running' && !nodes.value.includes(h)) out.push('false % placed outside the fence');
    }
    if (ctx.hasVm(vm.value) && ctx.finalState(vm.value) === 'running') out.push(`${ctx.host(vm.value)} in ${nodeSet(ctx, nodes.value)}`);
    return constraints(out, 'fence');
  },
};
