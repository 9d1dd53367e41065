import type { SolverFaces } from '../faces/index.js';
import type { LonelyArgs } from './index.js';

/** Lonely: members share nodes only with members; continuous, at every instant. */
export const faces: SolverFaces<LonelyArgs> = {
  placement: {
    summary: 'members share their hosts only with members',
    place: (c, ctx) => ctx.add(ctx.rules.lonely(c.args.vms)),
  },
  schedule: {
    summary: 'continuous: members and other VMs arrive on a node only after the others left it',
    order(c, sink) {
      if (!c.continuous) return;
      const vms = c.args.vms;
      sink.lonely(vms);
      const why = `${sink.where}: continuous lonely`;
      sink.bounce((add) => {
        for (const v of vms) add(v, { kind: 'never', why });
      });
    },
  },
  bounds: { none: 'no quick argument cites it' },
};
