import { type SolverFaces, none } from '../faces/index.js';
import type { NoDelayArgs } from './index.js';

/** NoDelay: the VM's action starts at 0. */
export const faces: SolverFaces<NoDelayArgs> = {
  placement: none('schedule only: it times an action, the target is not its business'),
  schedule: { summary: 'the VM\'s action starts at 0 (top priority)', order: (c, sink) => sink.noDelay(c.args.vm) },
  bounds: none('schedule only'),
};
