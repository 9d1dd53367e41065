import type { SolverFaces } from '../faces/index.js';
import type { GatherArgs } from './index.js';

/** Gather: one shared host at the end; continuous, the VMs may not move at all. */
export const faces: SolverFaces<GatherArgs> = {
  placement: {
    summary: 'members share one host; continuous: must hold in the source placement',
    place: (c, ctx) => ctx.add(ctx.rules.gather(c.args.vms), { holdsNow: c.continuous }),
  },
  schedule: {
    summary: 'continuous: its VMs never go through a third node',
    order(c, sink) {
      if (!c.continuous) return;
      const vms = c.args.vms;
      sink.bounce((add) => {
        for (const v of vms) add(v, { kind: 'never', why: 'continuous gather pins its VMs' });
      });
    },
  },
  bounds: { none: 'no quick argument cites it' },
};
