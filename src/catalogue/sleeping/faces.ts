import type { SolverFaces } from '../faces/index.js';
import type { SleepingArgs } from './index.js';

/** Sleeping: the VM's state at the end (BtrPlace's makeVMTransitions). */
export const faces: SolverFaces<SleepingArgs> = {
  placement: {
    summary: 'the VM is sleeping at the end',
    vmState: (c) => ({ vm: c.args.vm, state: 'sleeping' }),
  },
  schedule: { none: 'its action comes from the target; no ordering of its own' },
  bounds: { none: 'no quick argument cites it' },
};
