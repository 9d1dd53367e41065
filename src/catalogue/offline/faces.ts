import type { SolverFaces } from '../faces/index.js';
import type { OfflineArgs } from './index.js';

/** Offline: the node's state at the end. */
export const faces: SolverFaces<OfflineArgs> = {
  placement: {
    summary: 'the node is offline at the end',
    nodeState: (c) => ({ node: c.args.node, state: 'offline' }),
  },
  schedule: {
    summary: 'the node\'s power action',
    order: (c, sink) => sink.offline(c.args.node),
  },
  bounds: { summary: 'changes node states: cited by every capacity argument and by resource totals', changesNodeState: true, totals: () => true, },
};
