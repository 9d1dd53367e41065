import type { SolverFaces } from '../faces/index.js';
import type { OnlineArgs } from './index.js';

/** Online: the node's state at the end. */
export const faces: SolverFaces<OnlineArgs> = {
  placement: {
    summary: 'the node is online at the end',
    nodeState: (c) => ({ node: c.args.node, state: 'online' }),
  },
  schedule: {
    summary: 'the node\'s power action',
    order: (c, sink) => sink.online(c.args.node),
  },
  bounds: { summary: 'changes node states: cited by every capacity argument', changesNodeState: true, },
};
