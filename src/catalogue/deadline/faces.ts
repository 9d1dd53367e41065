import { type SolverFaces, none } from '../faces/index.js';
import type { DeadlineArgs } from './index.js';

/** Deadline: the VM's migration ends by the timestamp. */
export const faces: SolverFaces<DeadlineArgs> = {
  placement: none('schedule only: it times a migration, the target is not its business'),
  schedule: { summary: 'the migration\'s latest end', order: (c, sink) => sink.deadline(c.args.vm, c.args.timestamp) },
  bounds: none('schedule only'),
};
