import type { SolverFaces } from '../faces/index.js';
import type { OverbookArgs } from './index.js';

/** Overbook: a node's capacity of a resource times the ratio (the smallest ratio wins). */
export const faces: SolverFaces<OverbookArgs> = {
  placement: {
    summary: 'scales the final capacity of the resource on the node',
    capacityRatio: (c) => ({ node: c.args.node, rc: c.args.rc, ratio: c.args.ratio }),
  },
  schedule: {
    summary: 'scales the capacity during the whole plan',
    order: (c, sink) => sink.overbook(c.args.node, c.args.rc, c.args.ratio),
  },
  bounds: { none: 'counted in the capacities the arguments read' },
};
