import type { SolverFaces } from '../faces/index.js';
import type { ResourceCapacityArgs } from './index.js';

/** ResourceCapacity: Σ of a resource over the node set ≤ amount; continuous, at every instant. */
export const faces: SolverFaces<ResourceCapacityArgs> = {
  placement: {
    summary: 'the final demand on the node set fits the amount; continuous: must hold in the source placement',
    place: (c, ctx) => ctx.add(ctx.rules.resourceCapacity(c.args.nodes, c.args.rc, c.args.amount), { holdsNow: c.continuous }),
  },
  schedule: {
    summary: 'continuous: a pooled capacity the arrivals wait for',
    order(c, sink) {
      if (c.continuous) sink.resourceCapacity(c.args.nodes, c.args.rc, c.args.amount);
    },
  },
  bounds: { none: 'no quick argument cites it' },
};
