import type { SolverFaces } from '../faces/index.js';
import type { BanArgs } from './index.js';

/** Ban: a domain restriction; continuous, it must hold now. A bounce is a placement: refused in either mode. */
export const faces: SolverFaces<BanArgs> = {
  placement: {
    summary: 'restricts the VM\'s domain; continuous: the VM may not be a banned node now',
    place(c, ctx) {
      const v = ctx.vm(c.args.vm);
      if (v !== undefined) {
        const set = new Set(ctx.nodes(c.args.nodes));
        ctx.restrict(v, (n) => !set.has(n));
      }
      if (!c.continuous) return;
      ctx.afterRules(() => {
        const { vm, nodes } = c.args;
        const mapping = ctx.model.mapping;
        const h = mapping.isRunning(vm) ? mapping.host(vm) : undefined;
        if (h === undefined || nodes.includes(h) !== true) return null;
        return `${ctx.describe()} is continuous but ${ctx.vmName(vm)} is on ${ctx.model.nodeName(h)} now; write it with '>>' to only require it at the end`;
      });
    },
  },
  schedule: {
    summary: 'a VM going through a third node avoids a banned node',
    order(c, sink) {
      const { vm } = c.args;
      const nodes = new Set(c.args.nodes);
      const why = c.continuous ? 'continuous ban' : 'ban (any placement, as BtrPlace checks it)';
      sink.bounce((add) => add(vm, { kind: 'banned', nodes, why }));
    },
  },
  bounds: { summary: 'cited when its VM has nowhere to go', nowhere: (c, vm) => c.args.vm === vm },
};
