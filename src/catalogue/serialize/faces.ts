import { type SolverFaces, none } from '../faces/index.js';
import type { SerializeArgs } from './index.js';

/** Serialize: the migrations never overlap. */
export const faces: SolverFaces<SerializeArgs> = {
  placement: none('schedule only: it orders migrations, the target is not its business'),
  schedule: { summary: 'the migrations one at a time', order: (c, sink) => sink.serialize(c.args.vms) },
  bounds: none('schedule only'),
};
