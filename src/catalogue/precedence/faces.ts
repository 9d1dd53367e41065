import { type SolverFaces, none } from '../faces/index.js';
import type { PrecedenceArgs } from './index.js';

/** Precedence: vm1's migration ends before vm2's starts. */
export const faces: SolverFaces<PrecedenceArgs> = {
  placement: none('schedule only: it orders migrations, the target is not its business'),
  schedule: { summary: 'vm1\'s migration before vm2\'s', order: (c, sink) => sink.precedence(c.args.vm1, c.args.vm2) },
  bounds: none('schedule only'),
};
