/** The runners' wait past a MiniZinc call's time limit is proportionate: a flat 3 s let a 2.5 s call run 5.5 s. */
import { describe, expect, it } from 'vitest';

import { TIME_LIMIT_GRACE_MS, timeLimitGraceMs } from '../../main/node/solver/mzn-session.js';

describe('timeLimitGraceMs', () => {
  it('a short call gets a short grace, a long one at most the old 3 s', () => {
    expect(timeLimitGraceMs(500)).toBe(100);
    expect(timeLimitGraceMs(2_500)).toBe(125);
    expect(timeLimitGraceMs(600_000)).toBe(TIME_LIMIT_GRACE_MS);
  });

  it('never more than 5 % of the call past 100 ms', () => {
    for (const limit of [0, 1, 100, 1_000, 10_000, 59_999]) expect(timeLimitGraceMs(limit)).toBeLessThanOrEqual(Math.max(100, limit * 0.05 + 1));
  });
});
