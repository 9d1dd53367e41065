import { type SolverFaces, none } from '../faces/index.js';
import type { SyncArgs } from './index.js';

/** Sync: the migrations end together. */
export const faces: SolverFaces<SyncArgs> = {
  placement: none('schedule only: it times migrations, the target is not its business'),
  schedule: {
    summary: 'the migrations meet at one instant; its VMs never go through a third node',
    order(c, sink) {
      const vms = c.args.vms;
      sink.sync(vms);
      const why = `${sink.where}: Sync ties the migrations together`;
      sink.bounce((add) => {
        for (const v of vms) add(v, { kind: 'never', why });
      });
    },
  },
  bounds: none('schedule only'),
};
