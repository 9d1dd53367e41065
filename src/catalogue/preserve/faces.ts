import type { SolverFaces } from '../faces/index.js';
import type { PreserveArgs } from './index.js';

/** Preserve: the VM gets at least `amount` of the resource at the end (an allocation). */
export const faces: SolverFaces<PreserveArgs> = {
  placement: {
    summary: 'raises the VM\'s final demand of the resource to the amount',
    demandFloor: (c) => ({ vm: c.args.vm, rc: c.args.rc, amount: c.args.amount }),
  },
  schedule: { none: 'the allocation comes from the target; no ordering of its own' },
  bounds: {
    summary: 'cited by resource totals and when its VM has nowhere to go',
    totals: (c, rc) => c.args.rc === rc,
    nowhere: (c, vm) => c.args.vm === vm,
  },
};
