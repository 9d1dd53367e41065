import type { SolverFaces } from '../faces/index.js';
import type { QuarantineArgs } from './index.js';

/** Quarantine: nothing arrives on the node, and the VMs on it stay. */
export const faces: SolverFaces<QuarantineArgs> = {
  placement: {
    summary: 'no newcomer on the node; its running VMs are pinned',
    nodeState: (c) => ({ node: c.args.node, state: 'quarantined' }),
    place(c, ctx) {
      const n = ctx.node(c.args.node);
      if (n !== undefined) ctx.pinRunningOn(n);
    },
  },
  schedule: {
    summary: 'no VM goes through the node',
    order: (c, sink) => sink.quarantine(c.args.node),
  },
  bounds: { summary: 'cited when a VM has nowhere to go', nowhere: () => true },
};
