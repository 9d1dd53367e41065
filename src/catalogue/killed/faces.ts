import type { SolverFaces } from '../faces/index.js';
import type { KilledArgs } from './index.js';

/** Killed: the VM's state at the end (BtrPlace's makeVMTransitions). */
export const faces: SolverFaces<KilledArgs> = {
  placement: {
    summary: 'the VM is killed at the end',
    vmState: (c) => ({ vm: c.args.vm, state: 'killed' }),
  },
  schedule: { none: 'its action comes from the target; no ordering of its own' },
  bounds: { none: 'no quick argument cites it' },
};
