/**
 * `--time-limit` is a promise: every MiniZinc call the planner makes gets at most what remains of
 * the budget (minus the final check's reserve), and a stage with nothing left does not run. No
 * timed assertions: a recording runner says what each call was given and when it was made.
 */
import { describe, expect, it } from 'vitest';

import { checkPlan } from '../../src/checker/plan-checker.js';
import { generateTight } from '../../src/solver/generate.js';
import { exactTimeLimitMs, plan } from '../../src/solver/planner.js';
import type { MznRequest, MznResult, MznRunner } from '../../src/solver/ports.js';

/** A runner that finds nothing at once and records each call's time limit and start time. */
function recordingRunner(): MznRunner & { calls: { limitMs: number | undefined; at: number }[] } {
  const calls: { limitMs: number | undefined; at: number }[] = [];
  return {
    kind: 'native',
    solvers: ['gecode'],
    calls,
    solve(request: MznRequest): Promise<MznResult> {
      calls.push({ limitMs: request.timeLimitMs, at: Date.now() });
      return Promise.resolve({ status: 'UNKNOWN', elapsedMs: 0 });
    },
  };
}

describe('exactTimeLimitMs', () => {
  it('nothing left, or less than a MiniZinc call needs: 0, the stage is skipped', () => {
    expect(exactTimeLimitMs(0, 10_000, false)).toBe(0);
    expect(exactTimeLimitMs(-50, 10_000, true)).toBe(0);
    expect(exactTimeLimitMs(400, 1_000, false)).toBe(0);
  });

  it('never more than what remains once the final check is reserved', () => {
    for (const limit of [1_000, 3_000, 10_000, 60_000]) {
      for (const remaining of [0, 200, 900, 2_500, 9_000, 59_000]) {
        for (const atBound of [false, true]) expect(exactTimeLimitMs(remaining, limit, atBound)).toBeLessThanOrEqual(Math.max(0, remaining - 100));
      }
    }
  });

  it('a generous budget still gives a bounded share (the exact model schedules too)', () => {
    expect(exactTimeLimitMs(59_000, 60_000, false)).toBe(5_000);
    expect(exactTimeLimitMs(9_000, 10_000, false)).toBe(3_000);
  });
});

describe('the planner hands its stages the remaining budget', () => {
  const instance = generateTight({ nodes: 12, seed: 3 });

  it('with no time at all, no MiniZinc call is made and a checked answer comes back', async () => {
    const runner = recordingRunner();
    const result = await plan(instance, { objective: 'mttr', timeLimitMs: 0, runner });
    expect(runner.calls).toEqual([]);
    if (result.plan) expect(checkPlan(instance, result.plan).ok).toBe(true);
  });

  it('every MiniZinc call ends, by its own limit, within the time limit', async () => {
    const runner = recordingRunner();
    const timeLimitMs = 1_000;
    const start = Date.now();
    await plan(instance, { objective: 'mttr', timeLimitMs, runner });
    expect(runner.calls.length).toBeGreaterThan(0);
    for (const call of runner.calls) {
      expect(call.limitMs).toBeDefined();
      expect(call.at - start + (call.limitMs ?? Infinity)).toBeLessThanOrEqual(timeLimitMs);
    }
  });
});
