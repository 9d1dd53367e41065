import { describe, expect, it } from 'vitest';

import { type Violation, checkPlan } from '../../src/checker/plan-checker.js';
import type { Action } from '../../src/plan/actions.js';
import { buildModel, constraint, id, ids, instanceOf, migrate, planOf } from './support.js';

/**
 * Issue 15 §2: the edge cases where the plan checker disagreed with BtrPlace. Where BtrPlace's
 * checker (api `*Checker`) and its solver (choco `C*`) disagree with each other, Ferry follows the
 * solver: a checker refusing the plans its own solver produces is the bug.
 */

const rules = (vs: readonly Violation[]): string[] => vs.map((v) => v.rule);

describe('gather of a single VM (CGather: "the VM may migrate, we don\'t care as it is alone")', () => {
  const model = buildModel({ on: { N1: ['VM1', 'VM2'], N2: [] } });

  it('a continuous gather of one VM lets it move (GatherChecker pinned it to its node)', () => {
    const report = checkPlan(instanceOf(model, [constraint('gather', true, { vms: ids('VM1') })]), planOf(model, [migrate('VM1', 'N1', 'N2', 0, 1)]));
    expect(report.violations).toEqual([]);
  });

  it('the same VM listed twice is still one VM', () => {
    const report = checkPlan(instanceOf(model, [constraint('gather', true, { vms: ids('VM1', 'VM1') })]), planOf(model, [migrate('VM1', 'N1', 'N2', 0, 1)]));
    expect(report.violations).toEqual([]);
  });

  it('two VMs stay pinned: moving one breaks the gather at once', () => {
    const report = checkPlan(instanceOf(model, [constraint('gather', true, { vms: ids('VM1', 'VM2') })]), planOf(model, [migrate('VM1', 'N1', 'N2', 0, 1), migrate('VM2', 'N1', 'N2', 0, 1)]));
    expect(report.violations[0]?.message).toMatch(/^gather\(\{VM1, VM2\}\) broken from 0'00 to 0'01: VM1 placed on N2, away from the others on N1/);
  });
});

describe('quarantine with a VM resumed in place (CQuarantine pins a VM located on the node there)', () => {
  const model = buildModel({ on: { N1: ['VM1'], N2: ['VM2'] }, sleeping: { N1: ['VM3'] }, ready: ['VM4'] });
  const quarantine = constraint('quarantine', true, { node: id('N1') });
  const running = (vm: string) => constraint('running', false, { vm: id(vm) });
  const resume = (vm: string, from: string, to: string, start: number, end: number): Action => ({ kind: 'resumeVM', vm: id(vm), from: id(from), to: id(to), start, end });

  it('a VM sleeping on the quarantined node resumes there (QuarantineChecker refused the placement)', () => {
    const report = checkPlan(instanceOf(model, [quarantine, running('VM3')]), planOf(model, [resume('VM3', 'N1', 'N1', 0, 1)]));
    expect(report.violations).toEqual([]);
  });

  it('resuming it elsewhere takes it away from the node', () => {
    const report = checkPlan(instanceOf(model, [quarantine, running('VM3')]), planOf(model, [resume('VM3', 'N1', 'N2', 0, 1)]));
    expect(report.violations.map((v) => v.message)).toEqual(["quarantine(@N1) broken from 0'00 to 0'01: VM3 resumed on N2, away from quarantined node N1 (as VM3 resumes on N2, 0'00 to 0'01)"]);
  });

  it('a VM from elsewhere is still never placed on it', () => {
    const report = checkPlan(instanceOf(model, [quarantine, running('VM4')]), planOf(model, [{ kind: 'bootVM', vm: id('VM4'), node: id('N1'), start: 0, end: 1 }]));
    expect(report.violations[0]?.message).toMatch(/VM4 placed on quarantined node N1/);
  });
});

describe('sync without a network view (RelocatableVM reads postCopy only with a net view)', () => {
  const model = buildModel({ on: { N1: ['VM1', 'VM2'], N2: [], N3: [] } });
  for (const vm of ['VM1', 'VM2']) model.attributes.put('vm', id(vm), 'postCopy', true);
  const sync = constraint('Sync', true, { vms: ids('VM1', 'VM2') });

  it('postCopy is ignored: the migrations end together', () => {
    const together = checkPlan(instanceOf(model, [sync]), planOf(model, [migrate('VM1', 'N1', 'N2', 0, 3), migrate('VM2', 'N1', 'N3', 1, 3)]));
    expect(together.violations).toEqual([]);
  });

  it('starting together is not enough without a network view', () => {
    const report = checkPlan(instanceOf(model, [sync]), planOf(model, [migrate('VM1', 'N1', 'N2', 0, 3), migrate('VM2', 'N1', 'N3', 0, 2)]));
    expect(rules(report.violations)).toEqual(['sync({VM1, VM2})']);
    expect(report.violations[0]?.message).toMatch(/VM2's migration ends at t=2 but VM1's ends at t=3/);
  });
});

describe('resourceCapacity during moves (CResourceCapacity: an aliased cumulative over c- and d-slices)', () => {
  const model = buildModel({ on: { N1: ['VM1', 'VM2'], N2: ['VM3'], N3: [] }, ready: ['VM4'], rc: { cpu: { cap: 10, cons: 2 } } });
  const cap = (amount: number) => constraint('resourceCapacity', true, { nodes: ids('N1', 'N2'), rc: 'cpu', amount });

  it('a move inside the set holds both nodes while it runs (BtrPlace\'s checker saw no change)', () => {
    const report = checkPlan(instanceOf(model, [cap(7)]), planOf(model, [migrate('VM1', 'N1', 'N2', 0, 2)]));
    expect(report.violations.map((v) => [v.from, v.to])).toEqual([[0, 2]]);
    expect(report.violations[0]?.message).toMatch(/N1, N2 would use 8 cpu when VM1 arrives on N2 at t=0, more than the 7 allowed/);
    expect(checkPlan(instanceOf(model, [cap(8)]), planOf(model, [migrate('VM1', 'N1', 'N2', 0, 2)])).violations).toEqual([]);
  });

  it('a move out of the set frees its share when it ends: a boot may follow (BtrPlace\'s checker never credited it)', () => {
    const running = constraint('running', false, { vm: id('VM4') });
    const after = [migrate('VM1', 'N1', 'N3', 0, 2), { kind: 'bootVM' as const, vm: id('VM4'), node: id('N2'), start: 2, end: 3 }];
    expect(checkPlan(instanceOf(model, [cap(6), running]), planOf(model, after)).violations).toEqual([]);
    const during = [migrate('VM1', 'N1', 'N3', 0, 2), { kind: 'bootVM' as const, vm: id('VM4'), node: id('N2'), start: 1, end: 3 }];
    expect(checkPlan(instanceOf(model, [cap(6), running]), planOf(model, during)).violations[0]?.message).toMatch(/would use 8 cpu when VM4 arrives on N2 at t=1/);
  });
});

describe('allocations that would starve a running VM (BtrPlace: without a Preserve a VM keeps needing what it consumes)', () => {
  const model = buildModel({ on: { N1: ['VM1'] }, rc: { cpu: { cap: 10, cons: 4 } } });
  const allocate = (amount: number): Action => ({ kind: 'allocate', vm: id('VM1'), node: id('N1'), rc: 'cpu', amount, start: 0, end: 1 });

  it('lowering a VM below its consumption without a preserve is refused, located and worded', () => {
    const report = checkPlan(instanceOf(model), planOf(model, [allocate(2)]));
    expect(report.violations.map((v) => [v.rule, v.from, v.to, v.vms])).toEqual([['core: allocation', 0, 1, ids('VM1')]]);
    expect(report.violations[0]?.message).toBe("core: allocation: VM1 is given 2 'cpu' from 0'00 to 0'01, less than the 4 it consumes, and no preserve on VM1 and 'cpu' asks for less: it would be starved");
  });

  it('a preserve asking for less makes it the VM\'s allocation (CShareableResource), never below the preserve', () => {
    expect(checkPlan(instanceOf(model, [constraint('preserve', false, { vm: id('VM1'), rc: 'cpu', amount: 2 })]), planOf(model, [allocate(2)])).violations).toEqual([]);
    expect(rules(checkPlan(instanceOf(model, [constraint('preserve', false, { vm: id('VM1'), rc: 'cpu', amount: 3 })]), planOf(model, [allocate(2)])).violations)).toContain('preserve(VM1, "cpu", 3)');
  });

  it('raising it is fine; an allocation event hooked on another action is judged too', () => {
    expect(checkPlan(instanceOf(model), planOf(model, [allocate(6)])).violations).toEqual([]);
    const two = buildModel({ on: { N1: ['VM1'], N2: [] }, rc: { cpu: { cap: 10, cons: 4 } } });
    const moved: Action = { ...migrate('VM1', 'N1', 'N2', 0, 1), hooks: { pre: [], post: [{ kind: 'allocateEvent', vm: id('VM1'), rc: 'cpu', amount: 1 }] } };
    expect(rules(checkPlan(instanceOf(two), planOf(two, [moved])).violations)).toEqual(['core: allocation']);
  });
});
