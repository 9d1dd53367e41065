import type { SolverFaces } from '../faces/index.js';
import type { ReadyArgs } from './index.js';

/** Ready: the VM's state at the end (BtrPlace's makeVMTransitions). */
export const faces: SolverFaces<ReadyArgs> = {
  placement: {
    summary: 'the VM is ready at the end',
    vmState: (c) => ({ vm: c.args.vm, state: 'ready' }),
  },
  schedule: { none: 'its action comes from the target; no ordering of its own' },
  bounds: { none: 'no quick argument cites it' },
};
