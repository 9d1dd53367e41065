import { describe, expect, it } from 'vitest';

import { CORE_DURATION } from '../../src/checker/intent.js';
import { checkPlan } from '../../src/checker/plan-checker.js';
import type { Plan } from '../../src/plan/plan.js';
import { DurationModel, constantDuration } from '../../src/plan/durations.js';
import { checkAttemptPlan, plannerCheckOptions } from '../../src/solver/pipeline/attempt.js';
import { rejectedByChecker } from '../../src/solver/pipeline/check.js';
import { plan } from '../../src/solver/planner.js';
import { c, cluster, instanceOf } from './helpers.js';

/**
 * Issue 15 §2: the checker refuses actions shorter than the duration model. The planner's final
 * check must hold its plans to the model it scheduled with (here 30 s per live migration, not
 * the instance's default 1 s), so a scheduler bug that shortens a migration is caught.
 */

const { model, node } = cluster({ N1: { cpu: 8 }, N2: { cpu: 8 } }, { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N1', cpu: 2 } });
const instance = instanceOf(model, [c('offline', { node: node('N1') })]);
const thirtySeconds = (): DurationModel => DurationModel.defaults().register('migrateVM', constantDuration(30));

/** The plan with every live migration cut to `seconds` (what a scheduler ignoring the model would produce). */
function migrationsCutTo(p: Plan, seconds: number): Plan {
  return { origin: p.origin, actions: p.actions.map((a) => (a.kind === 'migrateVM' ? { ...a, end: a.start + seconds } : a)) };
}

describe("the planner's check uses the planner's duration model", () => {
  it('plans each migration as long as the model says, and its own check accepts the plan', async () => {
    const durations = thirtySeconds();
    const result = await plan(instance, { durations, timeLimitMs: 3_000, seed: 1 });
    expect(result.plan, (result.explanation ?? []).join(' | ')).toBeDefined();
    const migrations = (result.plan as Plan).actions.filter((a) => a.kind === 'migrateVM');
    expect(migrations).toHaveLength(2);
    for (const m of migrations) expect(m.end - m.start).toBeGreaterThanOrEqual(30);
    expect(checkPlan(instance, result.plan as Plan, { durations }).ok).toBe(true);
  });

  it('rejects a migration shorter than that model, which the default model would let through', async () => {
    const durations = thirtySeconds();
    const result = await plan(instance, { durations, timeLimitMs: 3_000, seed: 1 });
    const buggy = migrationsCutTo(result.plan as Plan, 2);
    // the instance's default model (1 s) sees nothing wrong: the planner's model is what catches it
    expect(checkAttemptPlan({ full: instance, options: {} }, buggy).ok).toBe(true);
    const report = checkAttemptPlan({ full: instance, options: { durations } }, buggy);
    expect(report.ok).toBe(false);
    expect(report.violations.map((v) => v.rule)).toEqual([CORE_DURATION, CORE_DURATION]);
    const lines = rejectedByChecker({ full: instance, options: { durations } }, buggy);
    expect(lines?.[0]).toMatch(/^core: duration: .*less than the 30 s the duration model gives/);
  });

  it('a zero-second migration is refused with or without a model of its own', async () => {
    const result = await plan(instance, { timeLimitMs: 3_000, seed: 1 });
    const zero = migrationsCutTo(result.plan as Plan, 0);
    expect(checkAttemptPlan({ full: instance, options: {} }, zero).ok).toBe(false);
    expect(checkAttemptPlan({ full: instance, options: { durations: thirtySeconds() } }, zero).ok).toBe(false);
  });

  it('passes the model only when the planner was given one (else the checker keeps the instance default)', () => {
    const durations = thirtySeconds();
    expect(plannerCheckOptions({})).toEqual({});
    expect(plannerCheckOptions({ durations }).durations).toBe(durations);
  });
});
