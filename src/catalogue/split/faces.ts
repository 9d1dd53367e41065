import type { SolverFaces } from '../faces/index.js';
import type { SplitArgs } from './index.js';

/** Split: VMs of different groups never share a node; continuous, at every instant. */
export const faces: SolverFaces<SplitArgs> = {
  placement: {
    summary: 'VMs of different groups on different hosts; continuous: must hold in the source placement',
    place: (c, ctx) => ctx.add(ctx.rules.split(c.args.parts), { holdsNow: c.continuous }),
  },
  schedule: {
    summary: 'continuous: a VM arrives on a node only after the VMs of the other groups left it',
    order(c, sink) {
      if (!c.continuous) return;
      const groups = c.args.parts;
      sink.split(groups);
      const why = `${sink.where}: continuous split`;
      sink.bounce((add) => {
        for (let g = 0; g < groups.length; g++) {
          const rule = { kind: 'apart', others: groups.filter((_, j) => j !== g).flat(), why } as const;
          for (const v of groups[g] ?? []) add(v, rule);
        }
      });
    },
  },
  bounds: { none: 'no quick argument cites it' },
};
