import { type SolverFaces, none } from '../faces/index.js';
import type { DeadlineArgs } from './index.js';
import { canonicalTimestamp, readTimestamp } from './timestamp.js';

/** Deadline: the VM's migration ends by the timestamp. */
export const faces: SolverFaces<DeadlineArgs> = {
  placement: none('schedule only: it times a migration, the target is not its business'),
  schedule: {
    summary: "the migration's latest end",
    order(c, sink) {
      // the entry's parser decides what the timestamp means; the scheduler gets BtrPlace's form of it
      const d = readTimestamp(c.args.timestamp);
      if (!('error' in d)) sink.deadline(c.args.vm, canonicalTimestamp(d));
    },
  },
  bounds: none('schedule only'),
};
