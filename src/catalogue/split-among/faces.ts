import type { SolverFaces } from '../faces/index.js';
import type { SplitAmongArgs } from './index.js';

/** SplitAmong: each VM group within one node group, distinct groups for distinct VM groups. */
export const faces: SolverFaces<SplitAmongArgs> = {
  placement: {
    summary: 'each VM group within its own node group; continuous: must hold in the source placement',
    place: (c, ctx) => ctx.add(ctx.rules.splitAmong(c.args.vParts, c.args.pParts), { holdsNow: c.continuous }),
  },
  schedule: {
    summary: 'continuous: its VMs never go through a third node',
    order(c, sink) {
      if (!c.continuous) return;
      const vParts = c.args.vParts;
      sink.bounce((add) => {
        for (const g of vParts) for (const v of g) add(v, { kind: 'never', why: 'continuous splitAmong' });
      });
    },
  },
  bounds: { none: 'no quick argument cites it' },
};
