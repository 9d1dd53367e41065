import type { SolverFaces } from '../faces/index.js';
import type { RootArgs } from './index.js';

/** Root: the VM is never migrated. */
export const faces: SolverFaces<RootArgs> = {
  placement: {
    summary: 'pins the VM to its source host when it runs there',
    place(c, ctx) {
      const v = ctx.vm(c.args.vm);
      if (v !== undefined && ctx.originRunning(v)) ctx.pin(v);
    },
  },
  schedule: {
    summary: 'its VM never goes through a third node',
    order(c, sink) {
      const { vm } = c.args;
      sink.bounce((add) => add(vm, { kind: 'never', why: 'root forbids moving it' }));
    },
  },
  bounds: { summary: 'cited when its VM has nowhere to go', nowhere: (c, vm) => c.args.vm === vm },
};
