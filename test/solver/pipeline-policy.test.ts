import { describe, expect, it } from 'vitest';

import {
  CHECK_RESERVE_SHARE,
  CONSTRUCT_SHARE,
  EXACT_SHARE,
  IMPROVE_SHARE_WITH_EXACT,
  LNS_NATIVE,
  LNS_WASM,
  type MznCallPolicy,
  PARTS_SHARE_ALONE,
  PARTS_SHARE_WITH_EXACT,
  TimePolicy,
  WIDEN_POLICY,
  WIDEN_SHARE_WITH_EXACT,
  attemptBudgetMs,
  checkReserveMs,
  exactModelApplies,
  exactTimeLimitMs,
  lnsPolicy,
  mznCallLimitMs,
  parallelThresholdMs,
  partBudgetMs,
  partConstructUntil,
  splitPays,
  worthMznCall,
} from '../../src/solver/pipeline/policy.js';

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
        // LNS too leaves the final check its reserve (its MiniZinc calls ran to the deadline itself)
        expect(t.improveUntil).toBeLessThanOrEqual(t.deadline - t.reserveMs);
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
    expect(alone.improveUntil).toBe(alone.deadline - alone.reserveMs);
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

  it('an attempt that kept half for a boot retry that will not come gets the rest (extendTo), never less', () => {
    const t = new TimePolicy(0, 5_000, true);
    const widenBefore = t.widenUntil;
    t.extendTo(4_000);
    expect(t.deadline).toBe(5_000);
    t.extendTo(10_000);
    expect(t.deadline).toBe(10_000);
    expect(t.timeLimit).toBe(10_000);
    // the stages still to run take their shares of the longer budget
    expect(t.widenUntil).toBeGreaterThan(widenBefore);
    expect(t.lastWidenUntil).toBe(10_000 - t.reserveMs);
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

describe('the shares never exceed the time limit', () => {
  it('every share is a fraction of the budget, in pipeline order, the check reserve kept after the heuristic stages', () => {
    const shares = [CONSTRUCT_SHARE, PARTS_SHARE_WITH_EXACT, PARTS_SHARE_ALONE, IMPROVE_SHARE_WITH_EXACT, WIDEN_SHARE_WITH_EXACT, EXACT_SHARE, CHECK_RESERVE_SHARE];
    for (const share of shares) {
      expect(share).toBeGreaterThan(0);
      expect(share).toBeLessThan(1);
    }
    expect(CONSTRUCT_SHARE).toBeLessThanOrEqual(PARTS_SHARE_WITH_EXACT);
    expect(PARTS_SHARE_WITH_EXACT).toBeLessThanOrEqual(PARTS_SHARE_ALONE);
    expect(PARTS_SHARE_ALONE).toBeLessThanOrEqual(1 - CHECK_RESERVE_SHARE);
    expect(IMPROVE_SHARE_WITH_EXACT).toBeLessThanOrEqual(WIDEN_SHARE_WITH_EXACT);
    // the exact model's share fits after the first widening, before the check's reserve
    expect(WIDEN_SHARE_WITH_EXACT + EXACT_SHARE).toBeLessThanOrEqual(1 - CHECK_RESERVE_SHARE);
  });

  it('no deadline of an attempt lies past its end, whatever the budget', () => {
    for (const limit of [1, 50, 299, 300, 1_000, 7_777, 30_000, 3_600_000]) {
      for (const exactFollows of [false, true]) {
        const t = new TimePolicy(5_000, limit, exactFollows);
        for (const until of [t.constructUntil, t.partsUntil, t.improveUntil, t.widenUntil, t.improveWidenedUntil, t.lastWidenUntil]) {
          expect(until).toBeGreaterThanOrEqual(t.start);
          expect(until).toBeLessThanOrEqual(t.deadline);
        }
        for (const now of [t.start, t.start + limit / 3, t.deadline]) {
          const ms = t.exactMs(now, false);
          if (ms > 0) expect(now + ms).toBeLessThanOrEqual(t.deadline);
        }
      }
    }
  });

  it("sends parts to worker threads only when the in-process work outweighs the workers' start and rebuild", () => {
    expect(parallelThresholdMs(0)).toBe(1_000);
    expect(parallelThresholdMs(1_000)).toBe(2 * (200 + 1.5 * 1_000));
    expect(parallelThresholdMs(2_000)).toBeGreaterThan(parallelThresholdMs(1_000));
  });

  it("a part's construction ends within the part's own budget", () => {
    for (const [start, end] of [[0, 1_000], [10_000, 10_001], [5, 5]] as const) {
      const until = partConstructUntil(start, end);
      expect(until).toBeGreaterThanOrEqual(start);
      expect(until).toBeLessThanOrEqual(end);
    }
    expect(partConstructUntil(0, 1_000)).toBe(1_000 * CONSTRUCT_SHARE);
  });
});

describe("the searches' MiniZinc calls", () => {
  const policies: [string, MznCallPolicy][] = [
    ['LNS native', LNS_NATIVE.mzn],
    ['LNS WASM', LNS_WASM.mzn],
    ['widening', WIDEN_POLICY.mzn],
  ];

  it.each(policies)('%s: a call is made only when its limit fits before the deadline, less the grace', (_name, p) => {
    let calls = 0;
    for (let left = -100; left <= 20_000; left += 7) {
      if (!worthMznCall(p, left)) continue;
      calls++;
      const limit = mznCallLimitMs(p, left);
      expect(limit).toBeLessThanOrEqual(p.callMs);
      expect(limit).toBeGreaterThanOrEqual(p.minCallMs);
      expect(limit + p.graceMs).toBeLessThanOrEqual(left);
    }
    expect(calls).toBeGreaterThan(0);
    expect(worthMznCall(p, Math.min(p.callMs, p.minLeftMs) - 1)).toBe(false);
  });

  it('WASM calls are longer and fewer than native ones (its flattening alone costs seconds)', () => {
    expect(lnsPolicy('native')).toBe(LNS_NATIVE);
    expect(lnsPolicy(undefined)).toBe(LNS_NATIVE);
    expect(lnsPolicy('wasm')).toBe(LNS_WASM);
    expect(LNS_WASM.mzn.callMs).toBeGreaterThan(LNS_NATIVE.mzn.callMs);
    expect(LNS_WASM.mznHosts).toBeGreaterThan(LNS_NATIVE.mznHosts);
  });

  it('widening stops its MiniZinc calls with a call\'s worth of time left and the runner\'s grace kept', () => {
    expect(worthMznCall(WIDEN_POLICY.mzn, 299)).toBe(false);
    expect(mznCallLimitMs(WIDEN_POLICY.mzn, 300)).toBe(200);
    expect(mznCallLimitMs(WIDEN_POLICY.mzn, 10_000)).toBe(1_500);
  });
});
