import type { SolverFaces } from '../faces/index.js';
import type { AmongArgs } from './index.js';

/** Among: the VMs end within one group of nodes; continuous, the group they use now. */
export const faces: SolverFaces<AmongArgs> = {
  placement: {
    summary: 'members within one node group; continuous: must hold now, and the group in use stays the group',
    place: (c, ctx) => ctx.add(ctx.rules.among(c.args.vms, c.args.parts), { holdsNow: c.continuous }),
  },
  schedule: {
    summary: 'continuous: a VM goes through a third node only inside its current group',
    order(c, sink) {
      if (!c.continuous) return;
      const groups = sink.nodeGroups(c.args.parts);
      const vms = c.args.vms;
      const why = `${sink.where}: continuous among`;
      const mapping = sink.model.mapping;
      sink.bounce((add) => {
        for (const v of vms) {
          const host = mapping.host(v);
          const g = host === undefined ? undefined : groups.groupOf.get(host);
          add(v, g !== undefined ? { kind: 'allowed', nodes: groups.set(g), why } : { kind: 'never', why });
        }
      });
    },
  },
  bounds: { none: 'no quick argument cites it' },
};
