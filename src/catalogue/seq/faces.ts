import { type SolverFaces, none } from '../faces/index.js';
import type { SeqArgs } from './index.js';

/** Seq: the state-changing actions of the VMs, one after the other. */
export const faces: SolverFaces<SeqArgs> = {
  placement: none('schedule only: it orders actions, the target is not its business'),
  schedule: { summary: 'the VMs\' state-changing actions in list order', order: (c, sink) => sink.seq(c.args.vms) },
  bounds: none('schedule only'),
};
