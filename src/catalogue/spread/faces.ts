import { type SolverFaces, none } from '../faces/index.js';
import type { SpreadArgs } from './index.js';

/** Spread: distinct hosts at the end; continuous, a member arrives only where no member still is. */
export const faces: SolverFaces<SpreadArgs> = {
  placement: {
    summary: 'members on pairwise distinct hosts; continuous: must hold in the source placement',
    place: (c, ctx) => ctx.add(ctx.rules.spread(c.args.vms), { holdsNow: c.continuous }),
  },
  schedule: {
    summary: 'continuous: a member arrives where another was only after it left (rings go through a third node)',
    order(c, sink) {
      if (!c.continuous) return;
      const vms = c.args.vms;
      sink.spread(vms);
      const why = `${sink.where}: continuous spread`;
      sink.bounce((add) => {
        for (const v of vms) add(v, { kind: 'apart', others: vms, why });
      });
    },
  },
  bounds: none('its rule carries its own "needs k distinct hosts" argument'),
};
