import { describe, expect, it } from 'vitest';

import { checkPlan } from '../../src/checker/plan-checker.js';
import { modelToJson } from '../../src/instance/json.js';
import type { Model } from '../../src/model/index.js';
import { replay } from '../../src/plan/replay.js';
import { buildModel, constraint, id, instanceOf, migrate, planOf } from './support.js';

// The checker replays over its own copies of the origin (overbooked, then lifted capacities) and
// lets the replay change them in place rather than copy them once more. Whatever path a check
// takes, the caller's model and plan are never changed, and a check run twice says the same.

/** N2 overbooked to ⌊8 × 1.5⌋ = 12 cpu; VM3 uses 6 of it. */
function model(): Model {
  return buildModel({
    on: { N1: ['VM1', 'VM2'], N2: ['VM3'], N3: [] },
    rc: { cpu: { cap: 8, cons: { VM1: 4, VM2: 4, VM3: 6 } } },
  });
}
const overbook = constraint('overbook', true, { node: id('N2'), rc: 'cpu', ratio: 1.5 });
/** broken only in the final state: the checker replays again to find since when (a third replay) */
const atMostTwo = constraint('runningCapacity', true, { nodes: [id('N2')], amount: 2 });
const json = (m: Model): string => JSON.stringify(modelToJson(m));
const summary = (r: ReturnType<typeof checkPlan>): string[] => r.violations.map((v) => `${v.from}-${v.to} ${v.message}`);

describe('checkPlan over its own copies', () => {
  it('an overload within overbooking, a lifted second pass and a located violation leave the model untouched', () => {
    const origin = model();
    const before = json(origin);
    // 4 + 4 + 6 = 14 > 12 on N2 from 0'00; then 3 VMs run there, at most 2 allowed
    const plan = planOf(origin, [migrate('VM1', 'N1', 'N2', 0, 5), migrate('VM2', 'N1', 'N2', 0, 5)]);
    const instance = instanceOf(origin, [overbook, atMostTwo]);
    const first = checkPlan(instance, plan);
    expect(json(origin)).toBe(before);
    expect(summary(first)).toEqual([
      expect.stringMatching(/^0-null core: capacity: N2 over 'cpu' capacity .*\(14 > 12, overbooking included\)/),
      expect.stringMatching(/^5-null overbook\(@N2, "cpu", 1\.5\)/),
      expect.stringMatching(/^5-null runningCapacity\(\{@N2\}, 2\)/),
    ]);
    // the same again, and the same on a model built afresh
    expect(summary(checkPlan(instance, plan))).toEqual(summary(first));
    const fresh = model();
    expect(summary(checkPlan(instanceOf(fresh, [overbook, atMostTwo]), planOf(fresh, plan.actions)))).toEqual(summary(first));
    expect(json(origin)).toBe(before);
  });

  it('a plan within overbooking ends on the physical capacities, its origin untouched', () => {
    const origin = model();
    const before = json(origin);
    const report = checkPlan(instanceOf(origin, [overbook]), planOf(origin, [migrate('VM1', 'N1', 'N2', 0, 5)]));
    expect(report.violations).toEqual([]);
    const result = report.result as Model;
    expect(result).not.toBe(origin);
    expect(result.mapping.host(id('VM1'))).toBe(id('N2'));
    expect(result.resource('cpu')?.capacity(id('N2'))).toBe(8);
    expect(result.resource('cpu')?.consumption(id('VM3'))).toBe(6);
    expect(json(origin)).toBe(before);
  });
});

describe('replay and its origin', () => {
  it('copies the origin by default, and changes it in place only when the caller gives it up', () => {
    const origin = model();
    const before = json(origin);
    const plan = planOf(origin, [migrate('VM1', 'N1', 'N3', 0, 5)]);
    const copied = replay(plan);
    expect(copied.ok && copied.result !== origin && copied.result.mapping.host(id('VM1')) === id('N3')).toBe(true);
    expect(json(origin)).toBe(before);
    const consumed = replay(plan, undefined, { consumeOrigin: true });
    expect(consumed.ok && consumed.result === origin).toBe(true);
    expect(origin.mapping.host(id('VM1'))).toBe(id('N3'));
  });
});
