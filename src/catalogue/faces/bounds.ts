import type { VmId } from '../../model/index.js';
import type { Constraint } from '../constraint.js';

/**
 * The bounds face: which quick infeasibility arguments (src/solver/bounds.ts) cite the
 * constraint, so an explanation names the constraints its proof rests on.
 */
export type BoundsFace<Args> =
  | { readonly none: string }
  | {
      readonly summary: string;
      /** It changes which nodes are online at the end (cited by every capacity argument). */
      readonly changesNodeState?: boolean;
      /** Cited by "not enough `rc` in total". */
      totals?(c: Constraint<Args>, rc: string): boolean;
      /** Cited by "`vm` has nowhere to go". */
      nowhere?(c: Constraint<Args>, vm: VmId): boolean;
    };
