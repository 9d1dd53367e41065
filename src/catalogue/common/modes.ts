import type { Modes } from '../definition.js';

/** Both modes, discrete unless asked (BtrPlace's SimpleConstraint with a `false` default). */
export const BOTH_DISCRETE_BY_DEFAULT: Modes = { discrete: true, continuous: true, defaultContinuous: false };
/** Both modes, continuous unless asked (Spread, Overbook: their 1-argument constructors). */
export const BOTH_CONTINUOUS_BY_DEFAULT: Modes = { discrete: true, continuous: true, defaultContinuous: true };
/** Only the final state is constrained (`setContinuous(true)` returns false). */
export const DISCRETE_ONLY: Modes = { discrete: true, continuous: false, defaultContinuous: false };
/** Always continuous (`setContinuous(false)` returns false, so btrpsl rejects `>>`). */
export const CONTINUOUS_ONLY: Modes = { discrete: false, continuous: true, defaultContinuous: true };
