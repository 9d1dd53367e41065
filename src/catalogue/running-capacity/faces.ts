import type { SolverFaces } from '../faces/index.js';
import type { RunningCapacityArgs } from './index.js';

/** RunningCapacity (discrete only): at most `amount` running VMs on the node set at the end. */
export const faces: SolverFaces<RunningCapacityArgs> = {
  placement: {
    summary: 'at most `amount` running VMs on the node set',
    place: (c, ctx) => ctx.add(ctx.rules.runningCapacity(c.args.nodes, c.args.amount)),
  },
  schedule: { none: 'discrete only: it shapes the target, not the order' },
  bounds: { none: 'no quick argument cites it' },
};
