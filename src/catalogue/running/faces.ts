import type { SolverFaces } from '../faces/index.js';
import type { RunningArgs } from './index.js';

/** Running: the VM's state at the end (BtrPlace's makeVMTransitions). */
export const faces: SolverFaces<RunningArgs> = {
  placement: {
    summary: 'the VM is running at the end',
    vmState: (c) => ({ vm: c.args.vm, state: 'running' }),
  },
  schedule: { none: 'its action comes from the target; no ordering of its own' },
  bounds: { none: 'no quick argument cites it' },
};
