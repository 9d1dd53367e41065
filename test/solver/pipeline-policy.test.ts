import { describe, expect, it } from 'vitest';

import { TimePolicy, attemptBudgetMs, checkReserveMs, exactModelApplies, exactTimeLimitMs, partBudgetMs, splitPays } from '../../src/solver/pipeline/policy.js';

// The planner's one time-and-size policy (src/solver/pipeline/policy.ts): its deadlines must keep
// the stages in pipeline order and inside the attempt, whatever the budget.

describe('TimePolicy: the deadlines of one attempt', () => {
  const budgets = [300, 1_000, 3_000, 10_000, 30_000, 120_000];

  it('keeps the stages in order and the check reserve free, with or without the exact model', () => {
    for (const limit of budgets) {
      for (const exactFollows of [false, true]) {
        const t = new TimePolicy(1_000_000, limit, exactFollows);
        expect(t.deadline).toBe(1_000_000 + limit);
        expect(t.constructUntil).toBeGreaterThan(t.start);
        expect(t.constructUntil).toBeLessThanOrEqual(t.partsUntil);
        expect(t.partsUntil).toBeLessThanOrEqual(t.deadline);
        expect(t.improveUntil).toBeLessThanOrEqual(t.deadline);
        expect(t.widenUntil).toBeLessThanOrEqual(t.deadline - t.reserveMs);
        expect(t.lastWidenUntil).toBe(t.deadline - t.reserveMs);
        expect(t.reserveMs).toBeLessThanOrEqual(1_000);
        expect(t.reserveMs).toBeGreaterThan(0);
      }
    }
  });

  it('leaves the exact model time after the heuristic stages only when it follows them', () => {
    const alone = new TimePolicy(0, 10_000, false);
    const withExact = new TimePolicy(0, 10_000, true);
    expect(alone.improveUntil).toBe(alone.deadline);
    expect(withExact.improveUntil).toBeLessThan(withExact.deadline);
    expect(withExact.partsUntil).toBeLessThan(alone.partsUntil);
    expect(withExact.widenUntil).toBeLessThan(alone.widenUntil);
    // LNS on a widened placement never stops before its widening's own end
    expect(withExact.improveWidenedUntil).toBeGreaterThanOrEqual(withExact.widenUntil);
  });

  it('gives the exact model a bounded slice that never eats the check reserve (--time-limit is a promise)', () => {
    for (const limit of budgets) {
      const t = new TimePolicy(0, limit, true);
      for (const now of [0, limit * 0.5, limit * 0.9, limit]) {
        for (const atBound of [false, true]) {
          const ms = t.exactMs(now, atBound);
          expect(ms).toBe(exactTimeLimitMs(limit - now, limit, atBound));
          expect(ms).toBeLessThanOrEqual(5_000);
          if (ms > 0) expect(now + ms).toBeLessThanOrEqual(t.deadline - checkReserveMs(limit));
        }
      }
    }
  });

  it('spends a second widening only on time worth a MiniZinc call', () => {
    const t = new TimePolicy(0, 10_000, true);
    expect(t.worthWideningAgain(0)).toBe(true);
    expect(t.worthWideningAgain(t.lastWidenUntil - 100)).toBe(false);
  });
});

describe('the rest of the policy', () => {
  it('keeps half of what is left for a retry with more boots', () => {
    expect(attemptBudgetMs(8_000, true)).toBe(4_000);
    expect(attemptBudgetMs(8_000, false)).toBe(8_000);
  });

  it('shares the parts\' time in proportion to their VMs, never more than what is left', () => {
    expect(partBudgetMs(1_000, 1, 10, 40)).toBe(250);
    expect(partBudgetMs(1_000, 2, 10, 40)).toBe(500);
    expect(partBudgetMs(1_000, 8, 40, 40)).toBe(1_000);
  });

  it('runs the exact model only with a MiniZinc runner and on small problems', () => {
    const native = { runnerKind: 'native', nativeOnly: false, threshold: undefined };
    expect(exactModelApplies(native, 200, 2_000)).toBe(true);
    expect(exactModelApplies(native, 201, 100)).toBe(false);
    expect(exactModelApplies(native, 10, 2_001)).toBe(false);
    expect(exactModelApplies({ ...native, runnerKind: 'wasm' }, 65, 100)).toBe(false);
    expect(exactModelApplies({ ...native, runnerKind: undefined }, 1, 1)).toBe(false);
    expect(exactModelApplies({ ...native, nativeOnly: true }, 1, 1)).toBe(false);
    expect(exactModelApplies({ ...native, threshold: 5 }, 6, 10)).toBe(false);
  });

  it('splits into parts only when each part\'s search outweighs a pass over every VM', () => {
    expect(splitPays('never', 4, 400, 100, 1_000)).toBe(false);
    expect(splitPays('always', 1, 1, 1, 1_000)).toBe(true);
    expect(splitPays('always', 0, 1, 1, 1_000)).toBe(false);
    expect(splitPays('auto', 1, 400, 100, 1_000)).toBe(false);
    expect(splitPays('auto', 4, 400, 100, 1_000)).toBe(true);
    expect(splitPays('auto', 4, 4, 100, 1_000)).toBe(false);
  });
});
