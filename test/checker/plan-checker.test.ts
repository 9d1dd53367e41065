import { describe, expect, it } from 'vitest';

import { CORE_CAPACITY, CORE_ORIGIN, CORE_PRECONDITION, CORE_STRUCTURE, type Violation, checkPlan, formatViolations } from '../../src/checker/plan-checker.js';
import {
  bootNode,
  bootVm,
  buildModel,
  constraint,
  id,
  ids,
  instanceOf,
  migrate,
  planOf,
  shutdownNode,
  shutdownVm,
} from './support.js';

/** The fields a test asserts, with the actions as `kind VMn` / `kind Nn` labels. */
function summary(v: Violation): { rule: string; from: number; to: number | null; actions: string[]; vms: number[]; nodes: number[] } {
  return {
    rule: v.rule,
    from: v.from,
    to: v.to,
    actions: v.actions.map((a) => `${a.kind} ${'vm' in a ? `VM${a.vm}` : `N${a.node}`} ${a.start}-${a.end}`),
    vms: [...v.vms].sort((a, b) => a - b),
    nodes: [...v.nodes].sort((a, b) => a - b),
  };
}

const spreadOf = (continuous: boolean, ...vms: string[]) => constraint('spread', continuous, { vms: ids(...vms) });

describe('checkPlan: valid plans pass', () => {
  it('accepts a plan that keeps every constraint, continuous and discrete, and returns the result', () => {
    const model = buildModel({ on: { N1: ['VM1', 'VM2'], N2: ['VM3'], N3: [] }, off: ['N4'] });
    // VM2 leaves N1 for N3 while VM3 stays on N2: spread(VM2, VM3) and spread(VM1, VM2) hold at every instant
    const plan = planOf(model, [migrate('VM2', 'N1', 'N3', 0, 3), shutdownVm('VM3', 'N2', 3, 4), shutdownNode('N2', 4, 6)]);
    const instance = instanceOf(model, [
      spreadOf(true, 'VM2', 'VM3'),
      spreadOf(false, 'VM1', 'VM2'),
      constraint('ban', true, { vm: id('VM2'), nodes: ids('N2') }),
      constraint('offline', false, { node: id('N4') }),
      constraint('offline', false, { node: id('N2') }),
      constraint('ready', false, { vm: id('VM3') }),
    ]);
    const report = checkPlan(instance, plan);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.result?.mapping.host(id('VM2'))).toBe(id('N3'));
    expect(report.result?.mapping.isOffline(id('N2'))).toBe(true);
  });

  it('accepts an empty plan on a model that already satisfies everything', () => {
    const model = buildModel({ on: { N1: ['VM1'], N2: ['VM2'] } });
    const report = checkPlan(instanceOf(model, [spreadOf(true, 'VM1', 'VM2')]), planOf(model, []));
    expect(report.ok).toBe(true);
  });
});

describe('checkPlan: continuous vs discrete spread', () => {
  // VM2 arrives on N2 at 0'02 while VM3 only leaves N2 at 0'05: co-located during [2, 5), apart at the end.
  const model = buildModel({ on: { N1: ['VM2'], N2: ['VM3'], N3: [] } });
  const plan = planOf(model, [migrate('VM3', 'N2', 'N3', 1, 5), migrate('VM2', 'N1', 'N2', 2, 4)]);

  it('the continuous one is broken from 0\'02 to 0\'05, the discrete one (>>) holds', () => {
    const report = checkPlan(instanceOf(model, [spreadOf(true, 'VM2', 'VM3'), spreadOf(false, 'VM2', 'VM3')]), plan);
    expect(report.ok).toBe(false);
    expect(report.violations.map(summary)).toEqual([
      { rule: 'spread({VM2, VM3})', from: 2, to: 5, actions: ['migrateVM VM2 2-4'], vms: ids('VM2', 'VM3'), nodes: ids('N2') },
    ]);
    const v = report.violations[0] as Violation;
    expect(v.constraint?.continuous).toBe(true);
    expect(v.message).toBe("spread({VM2, VM3}) broken from 0'02 to 0'05: VM2 placed on N2 while VM3 is still there (as VM2 migrates from N1 to N2, 0'02 to 0'04)");
    // the state is reachable: the result is given even though a constraint is broken
    expect(report.result?.mapping.host(id('VM2'))).toBe(id('N2'));
  });

  it('an arrival exactly when the other VM leaves is fine (ends before starts)', () => {
    const touching = planOf(model, [migrate('VM3', 'N2', 'N3', 1, 2), migrate('VM2', 'N1', 'N2', 2, 4)]);
    expect(checkPlan(instanceOf(model, [spreadOf(true, 'VM2', 'VM3')]), touching).ok).toBe(true);
  });

  it('a violation lasting to the end of the plan has no end, and the discrete one fails at the end', () => {
    const stays = planOf(model, [migrate('VM2', 'N1', 'N2', 2, 4)]);
    const report = checkPlan(instanceOf(model, [spreadOf(true, 'VM2', 'VM3'), spreadOf(false, 'VM2', 'VM3')]), stays);
    expect(report.violations.map(summary)).toEqual([
      { rule: 'spread({VM2, VM3})', from: 2, to: null, actions: ['migrateVM VM2 2-4'], vms: ids('VM2', 'VM3'), nodes: ids('N2') },
      { rule: '>>spread({VM2, VM3})', from: 4, to: null, actions: ['migrateVM VM2 2-4'], vms: ids('VM2', 'VM3'), nodes: ids('N2') },
    ]);
    expect(report.violations[0]?.constraint?.continuous).toBe(true);
    expect(report.violations[1]?.constraint?.continuous).toBe(false);
    expect(report.violations[1]?.message).toBe(">>spread({VM2, VM3}) broken at the end (0'04): VM2 and VM3 both on N2");
  });
});

describe('checkPlan: a continuous constraint broken without any hook noticing', () => {
  it('is located by replaying its state test: an initial co-location never undone is broken from the start', () => {
    const model = buildModel({ on: { N1: ['VM1', 'VM2'], N2: ['VM3'], N3: [] } });
    const plan = planOf(model, [migrate('VM3', 'N2', 'N3', 0, 2)]);
    const report = checkPlan(instanceOf(model, [spreadOf(true, 'VM1', 'VM2')]), plan);
    expect(report.violations.map(summary)).toEqual([{ rule: 'spread({VM1, VM2})', from: 0, to: null, actions: [], vms: ids('VM1', 'VM2'), nodes: ids('N1') }]);
    expect(report.violations[0]?.message).toBe('spread({VM1, VM2}) broken from the start to the end: VM1 and VM2 both on N1');
  });

  it('a growth hooked after a migration is booked on the destination from its start (the d-slice holds the future amount)', () => {
    const model = buildModel({ on: { N1: ['VM1'], N2: [] }, rc: { cpu: { cap: 10, cons: 2 } } });
    const grow = { ...migrate('VM1', 'N1', 'N2', 1, 3), hooks: { pre: [], post: [{ kind: 'allocateEvent' as const, vm: id('VM1'), rc: 'cpu', amount: 5 }] } };
    const cap = constraint('resourceCapacity', true, { nodes: ids('N2'), rc: 'cpu', amount: 4 });
    const report = checkPlan(instanceOf(model, [cap]), planOf(model, [grow]));
    expect(report.violations.map((v) => [v.rule, v.from, v.to, v.nodes])).toEqual([['resourceCapacity({@N2}, "cpu", 4)', 1, null, ids('N2')]]);
    expect(report.violations[0]?.message).toMatch(/ broken from 0'01 to the end: N2 would use 5 cpu when VM1 arrives on N2 at t=1, more than the 4 allowed/);
  });

  it('a growth no hook watches (a discrete cap, only the end counts) is broken at the end', () => {
    const model = buildModel({ on: { N1: ['VM1'], N2: [] }, rc: { cpu: { cap: 10, cons: 2 } } });
    const grow = { ...migrate('VM1', 'N1', 'N2', 1, 3), hooks: { pre: [], post: [{ kind: 'allocateEvent' as const, vm: id('VM1'), rc: 'cpu', amount: 5 }] } };
    const cap = constraint('resourceCapacity', false, { nodes: ids('N2'), rc: 'cpu', amount: 4 });
    const report = checkPlan(instanceOf(model, [cap]), planOf(model, [grow]));
    expect(report.violations.map((v) => [v.from, v.to])).toEqual([[3, null]]);
    expect(report.violations[0]?.message).toMatch(/ broken at the end \(0'03\): N2 would use 5 cpu at the end, more than the 4 allowed$/);
  });

  it('an initial co-location resolved by the plan is broken until the VM has left', () => {
    const model = buildModel({ on: { N1: ['VM1', 'VM2'], N2: [] } });
    const plan = planOf(model, [migrate('VM2', 'N1', 'N2', 1, 4)]);
    const report = checkPlan(instanceOf(model, [spreadOf(true, 'VM1', 'VM2')]), plan);
    // no hook reports it and the final state is fine: BtrPlace's checker accepts this plan too
    expect(report.ok).toBe(true);
  });
});

describe('checkPlan: ban and offline', () => {
  it('a ban broken mid-plan is reported with the time the VM spends on the banned node, though the end is fine', () => {
    const model = buildModel({ on: { N1: ['VM1'], N2: [], N3: [] } });
    const plan = planOf(model, [migrate('VM1', 'N1', 'N2', 1, 3), migrate('VM1', 'N2', 'N3', 3, 6)]);
    const report = checkPlan(instanceOf(model, [constraint('ban', false, { vm: id('VM1'), nodes: ids('N2') })]), plan);
    expect(report.violations.map(summary)).toEqual([
      { rule: '>>ban(VM1, {@N2})', from: 1, to: 6, actions: ['migrateVM VM1 1-3'], vms: ids('VM1'), nodes: ids('N2') },
    ]);
  });

  it('offline(N3) is broken by a BootNode on N3, from its start to the end', () => {
    const model = buildModel({ on: { N1: ['VM1'] }, off: ['N3'] });
    const plan = planOf(model, [bootNode('N3', 0, 3), migrate('VM1', 'N1', 'N3', 3, 5)]);
    const report = checkPlan(instanceOf(model, [constraint('offline', false, { node: id('N3') })]), plan);
    expect(report.violations.map(summary)).toEqual([{ rule: 'offline(@N3)', from: 0, to: null, actions: ['bootNode N3 0-3'], vms: [], nodes: ids('N3') }]);
    expect(report.violations[0]?.message).toBe("offline(@N3) broken from the start to the end: N3 must stay offline but is booted (as N3 boots, 0'00 to 0'03)");
  });

  it('offline(N3) is broken by a boot even when N3 is shut down again before the end', () => {
    const model = buildModel({ on: { N1: [] }, off: ['N3'] });
    const plan = planOf(model, [bootNode('N3', 0, 3), shutdownNode('N3', 5, 7)]);
    const report = checkPlan(instanceOf(model, [constraint('offline', false, { node: id('N3') })]), plan);
    expect(report.violations.map(summary)).toEqual([{ rule: 'offline(@N3)', from: 0, to: 7, actions: ['bootNode N3 0-3'], vms: [], nodes: ids('N3') }]);
  });
});

describe('checkPlan: core rules', () => {
  it('reports a capacity overload with its whole interval, then still checks every constraint over the whole plan', () => {
    const model = buildModel({ on: { N1: ['VM1'], N2: ['VM2'], N3: [] }, rc: { cpu: { cap: 4, cons: { VM1: 2, VM2: 3 } } } });
    // VM1 arrives on N2 at 0 but VM2 only leaves N2 at 4: 2 + 3 > 4 during [0, 4)
    const plan = planOf(model, [migrate('VM1', 'N1', 'N2', 0, 2), migrate('VM2', 'N2', 'N3', 0, 4), migrate('VM2', 'N3', 'N1', 6, 8)]);
    const report = checkPlan(instanceOf(model, [constraint('ban', true, { vm: id('VM2'), nodes: ids('N1') })]), plan);
    expect(report.ok).toBe(false);
    expect(report.result).toBeUndefined();
    expect(report.violations.map(summary)).toEqual([
      { rule: CORE_CAPACITY, from: 0, to: 4, actions: ['migrateVM VM1 0-2', 'migrateVM VM2 0-4'], vms: ids('VM1', 'VM2'), nodes: ids('N2') },
      { rule: 'ban(VM2, {@N1})', from: 6, to: null, actions: ['migrateVM VM2 6-8'], vms: ids('VM2'), nodes: ids('N1') },
    ]);
    expect(report.violations[0]?.message).toMatch(/^core: capacity: N2 over 'cpu' capacity from 0'00 to 0'04 \(5 > 4\)/);
  });

  it('an allocation hooked after a migration books the new amount on the destination from the start', () => {
    const model = buildModel({ on: { N1: ['VM1'], N2: ['VM2'], N3: [] }, rc: { cpu: { cap: 4, cons: { VM1: 2, VM2: 1 } } } });
    const grow = { ...migrate('VM1', 'N1', 'N2', 1, 3), hooks: { pre: [], post: [{ kind: 'allocateEvent' as const, vm: id('VM1'), rc: 'cpu', amount: 4 }] } };
    const plan = planOf(model, [grow, migrate('VM2', 'N2', 'N3', 2, 5)]);
    const report = checkPlan(instanceOf(model), plan);
    expect(report.violations.map(summary)).toEqual([
      { rule: CORE_CAPACITY, from: 1, to: 5, actions: ['migrateVM VM1 1-3', 'migrateVM VM2 2-5'], vms: ids('VM1', 'VM2'), nodes: ids('N2') },
    ]);
    expect(report.violations[0]?.message).toMatch(/^core: capacity: N2 over 'cpu' capacity from 0'01 to 0'05 \(5 > 4\)/);
  });

  it('a model overloaded from the start is reported from 0\'00', () => {
    const model = buildModel({ on: { N1: ['VM1', 'VM2'], N2: [] }, rc: { cpu: { cap: 3, cons: 2 } } });
    const report = checkPlan(instanceOf(model), planOf(model, [migrate('VM2', 'N1', 'N2', 0, 2)]));
    expect(report.violations.map(summary)).toEqual([{ rule: CORE_CAPACITY, from: 0, to: 2, actions: ['migrateVM VM2 0-2'], vms: ids('VM1', 'VM2'), nodes: ids('N1') }]);
  });

  it('overbooking raises the capacity at every instant to the floor of capacity × the smallest ratio', () => {
    const model = buildModel({ on: { N1: ['VM1'], N2: ['VM2'] }, rc: { cpu: { cap: 4, cons: 3 } } });
    const plan = planOf(model, [migrate('VM1', 'N1', 'N2', 0, 2)]);
    const overbook = (ratio: number) => constraint('overbook', true, { node: id('N2'), rc: 'cpu', ratio });
    const fits = checkPlan(instanceOf(model, [overbook(2)]), plan);
    expect(fits.violations).toEqual([]);
    expect(fits.result?.resource('cpu')?.capacity(id('N2'))).toBe(4); // the physical capacity, untouched
    const tight = checkPlan(instanceOf(model, [overbook(2), overbook(1.2)]), plan);
    expect(tight.violations.map((v) => [v.rule, v.from, v.to])).toEqual([
      [CORE_CAPACITY, 0, null],
      ['overbook(@N2, "cpu", 1.2)', 2, null],
    ]);
    expect(tight.violations[0]?.message).toContain("N2 over 'cpu' capacity from the start to the end (6 > 4, overbooking included)");
    expect(tight.violations[1]?.message).toContain('N2 uses 6 cpu, more than 4 × 1.2 = 4.8');
  });

  it('an overload lasting to the end has no end', () => {
    const model = buildModel({ on: { N1: ['VM1'], N2: ['VM2'] }, rc: { cpu: { cap: 4, cons: 3 } } });
    const report = checkPlan(instanceOf(model), planOf(model, [migrate('VM1', 'N1', 'N2', 2, 3)]));
    expect(report.violations.map(summary)).toEqual([{ rule: CORE_CAPACITY, from: 2, to: null, actions: ['migrateVM VM1 2-3'], vms: ids('VM1', 'VM2'), nodes: ids('N2') }]);
  });

  it('reports a precondition failure first, with the action, and the constraints broken before it', () => {
    const model = buildModel({ on: { N1: ['VM1'], N2: ['VM2'], N3: [] } });
    // N1 is shut down at 0'02 while VM1 is still migrating away (until 0'03)
    const plan = planOf(model, [migrate('VM1', 'N1', 'N2', 0, 3), shutdownNode('N1', 2, 4)]);
    const report = checkPlan(instanceOf(model, [spreadOf(true, 'VM1', 'VM2')]), plan);
    expect(report.violations.map(summary)).toEqual([
      { rule: CORE_PRECONDITION, from: 2, to: null, actions: ['shutdownNode N1 2-4'], vms: [], nodes: ids('N1') },
      { rule: 'spread({VM1, VM2})', from: 0, to: null, actions: ['migrateVM VM1 0-3'], vms: ids('VM1', 'VM2'), nodes: ids('N2') },
    ]);
    expect(report.violations[0]?.message).toMatch(/^core: precondition: the plan cannot be carried out at 0'02: cannot shut down N1/);
  });

  it('rejects a plan that does not start from the instance model, naming the difference', () => {
    const model = buildModel({ on: { N1: ['VM1'], N2: [] } });
    const other = buildModel({ on: { N1: [], N2: ['VM1'] } });
    const report = checkPlan(instanceOf(model), planOf(other, []));
    expect(report.violations.map(summary)).toEqual([{ rule: CORE_ORIGIN, from: 0, to: null, actions: [], vms: ids('VM1'), nodes: [] }]);
    expect(report.violations[0]?.message).toBe("core: origin: the plan does not start from the instance's model: VM1 is running on N1 in the instance but running on N2 in the plan");
  });

  it('rejects malformed times and two overlapping actions on one VM without replaying', () => {
    const model = buildModel({ on: { N1: ['VM1', 'VM2'], N2: [], N3: [] } });
    const plan = planOf(model, [
      migrate('VM1', 'N1', 'N2', 0, 3),
      migrate('VM1', 'N2', 'N3', 2, 4), // overlaps the first one on VM1 during [2, 3)
      migrate('VM2', 'N1', 'N2', 5, 4), // ends before it starts
      migrate('VM2', 'N1', 'N3', -1, 1.5),
    ]);
    const report = checkPlan(instanceOf(model, [spreadOf(true, 'VM1', 'VM2')]), plan);
    expect(report.ok).toBe(false);
    expect(report.result).toBeUndefined();
    expect(report.violations.map((v) => [v.rule, v.from, v.to])).toEqual([
      [CORE_STRUCTURE, 5, 5],
      [CORE_STRUCTURE, 0, 0],
      [CORE_STRUCTURE, 2, 3],
    ]);
    expect(report.violations[0]?.message).toContain("ends (0'04) before it starts (0'05)");
    expect(report.violations[1]?.message).toContain('is not an integer');
    expect(report.violations[2]?.message).toContain('two actions on VM1 overlap from 0\'02 to 0\'03');
    expect(report.violations[2]?.message).toContain('the plan was not replayed');
  });

  it('allocations of distinct resources of one VM may overlap, not an allocation and a migration', () => {
    const model = buildModel({ on: { N1: ['VM1'], N2: [] }, rc: { cpu: { cap: 10, cons: 1 }, mem: { cap: 10, cons: 1 } } });
    const allocate = (rc: string, start: number, end: number) => ({ kind: 'allocate' as const, vm: id('VM1'), node: id('N1'), rc, amount: 2, start, end });
    expect(checkPlan(instanceOf(model), planOf(model, [allocate('cpu', 0, 2), allocate('mem', 1, 3)])).ok).toBe(true);
    const clash = checkPlan(instanceOf(model), planOf(model, [allocate('cpu', 0, 2), migrate('VM1', 'N1', 'N2', 1, 3)]));
    expect(clash.violations.map((v) => [v.rule, v.from, v.to, v.vms])).toEqual([[CORE_STRUCTURE, 1, 2, ids('VM1')]]);
  });

  it('an unknown constraint is never silently accepted', () => {
    const model = buildModel({ on: { N1: ['VM1'] } });
    const report = checkPlan(instanceOf(model, [constraint('noSuchThing', false, {})]), planOf(model, []));
    expect(report.ok).toBe(false);
    expect(report.violations[0]?.rule).toBe('noSuchThing');
  });
});

describe('checkPlan: several broken constraints at once', () => {
  it('reports every broken constraint, each with its own interval, sorted by time', () => {
    const model = buildModel({ on: { N1: ['VM1', 'VM2'], N2: ['VM3'], N3: [] }, off: ['N4'] });
    const plan = planOf(model, [
      migrate('VM1', 'N1', 'N2', 0, 2), // onto VM3's node (spread VM1 VM3) and onto a banned node
      bootNode('N4', 1, 3), // offline(N4)
      migrate('VM3', 'N2', 'N3', 4, 6), // VM3 leaves at 0'06: spread holds again
    ]);
    const report = checkPlan(
      instanceOf(model, [
        spreadOf(true, 'VM1', 'VM3'),
        constraint('ban', true, { vm: id('VM1'), nodes: ids('N2') }),
        constraint('offline', false, { node: id('N4') }),
        spreadOf(false, 'VM1', 'VM3'), // holds at the end
      ]),
      plan,
    );
    expect(report.violations.map(summary)).toEqual([
      { rule: 'ban(VM1, {@N2})', from: 0, to: null, actions: ['migrateVM VM1 0-2'], vms: ids('VM1'), nodes: ids('N2') },
      { rule: 'spread({VM1, VM3})', from: 0, to: 6, actions: ['migrateVM VM1 0-2'], vms: ids('VM1', 'VM3'), nodes: ids('N2') },
      { rule: 'offline(@N4)', from: 1, to: null, actions: ['bootNode N4 1-3'], vms: [], nodes: ids('N4') },
    ]);
    const text = formatViolations(report, model);
    expect(text[0]).toMatch(/^- ban\(VM1, \{@N2\}\) broken from the start to the end: /);
    expect(text).toContain("    0'00 to 0'02: VM1 migrates from N1 to N2");
  });
});

describe('checkPlan: seq', () => {
  const model = buildModel({ on: { N1: ['VM1', 'VM2', 'VM3'] } });
  const seq = constraint('seq', true, { vms: ids('VM1', 'VM2', 'VM3') });
  // the shutdowns are asked for: a VM keeps its state otherwise (core: state)
  const instance = instanceOf(model, [seq, ...['VM1', 'VM2', 'VM3'].map((vm) => constraint('ready', false, { vm: id(vm) }))]);

  it('accepts the shutdowns in list order, one after the other', () => {
    const plan = planOf(model, [shutdownVm('VM1', 'N1', 0, 2), shutdownVm('VM2', 'N1', 2, 3), shutdownVm('VM3', 'N1', 3, 5)]);
    expect(checkPlan(instance, plan).ok).toBe(true);
  });

  it('reports two overlapping state changes for the time they overlap', () => {
    const plan = planOf(model, [shutdownVm('VM1', 'N1', 0, 3), shutdownVm('VM2', 'N1', 2, 4), shutdownVm('VM3', 'N1', 4, 5)]);
    const report = checkPlan(instance, plan);
    expect(report.violations.map(summary)).toEqual([
      { rule: 'seq({VM1, VM2, VM3})', from: 2, to: 3, actions: ['shutdownVM VM2 2-4'], vms: ids('VM1', 'VM2'), nodes: [] },
    ]);
  });

  it('reports a state change out of the list order at the instant it starts', () => {
    const plan = planOf(model, [shutdownVm('VM2', 'N1', 0, 2), shutdownVm('VM1', 'N1', 3, 4)]);
    const report = checkPlan(instanceOf(model, [seq, constraint('ready', false, { vm: id('VM1') }), constraint('ready', false, { vm: id('VM2') })]), plan);
    expect(report.violations.map(summary)).toEqual([{ rule: 'seq({VM1, VM2, VM3})', from: 3, to: 3, actions: ['shutdownVM VM1 3-4'], vms: ids('VM1'), nodes: [] }]);
    expect(report.violations[0]?.message).toMatch(/^seq\(\{VM1, VM2, VM3\}\) broken at 0'03: /);
  });
});

describe('checkPlan: boots', () => {
  it('a VM booted on a node being booted must wait for the node: precondition', () => {
    const model = buildModel({ on: { N1: [] }, off: ['N2'], ready: ['VM1'] });
    const plan = planOf(model, [bootNode('N2', 0, 3), bootVm('VM1', 'N2', 2, 4)]);
    const report = checkPlan(instanceOf(model, [constraint('running', false, { vm: id('VM1') })]), plan);
    expect(report.violations.map(summary)).toEqual([{ rule: CORE_PRECONDITION, from: 2, to: null, actions: ['bootVM VM1 2-4'], vms: ids('VM1'), nodes: ids('N2') }]);
  });
});

describe('checkPlan: migration scheduling constraints', () => {
  const model = buildModel({ on: { N1: ['VM1', 'VM2', 'VM3'], N2: [], N3: [] } });

  it('a deadline met exactly passes, missed by one second fails for the duration of the late migration', () => {
    const deadline = constraint('Deadline', true, { vm: id('VM1'), timestamp: '+00:00:05' });
    expect(checkPlan(instanceOf(model, [deadline]), planOf(model, [migrate('VM1', 'N1', 'N2', 2, 5)])).ok).toBe(true);
    const late = checkPlan(instanceOf(model, [deadline]), planOf(model, [migrate('VM1', 'N1', 'N2', 3, 6)]));
    expect(late.violations.map(summary)).toEqual([
      { rule: 'before(VM1, "+00:00:05")', from: 3, to: 6, actions: ['migrateVM VM1 3-6'], vms: ids('VM1'), nodes: ids('N1', 'N2') },
    ]);
    expect(late.violations[0]?.message).toContain('finishes migrating at t=6, after its deadline t=5');
  });

  it('precedence: the second migration may start when the first ends, not before', () => {
    const before = constraint('Precedence', true, { vm1: id('VM1'), vm2: id('VM2') });
    const inOrder = planOf(model, [migrate('VM1', 'N1', 'N2', 0, 3), migrate('VM2', 'N1', 'N3', 3, 5)]);
    expect(checkPlan(instanceOf(model, [before]), inOrder).ok).toBe(true);
    const early = planOf(model, [migrate('VM1', 'N1', 'N2', 0, 3), migrate('VM2', 'N1', 'N3', 2, 5)]);
    const report = checkPlan(instanceOf(model, [before]), early);
    expect(report.violations.map(summary)).toEqual([
      { rule: 'before(VM1, VM2)', from: 2, to: 3, actions: ['migrateVM VM2 2-5'], vms: ids('VM1', 'VM2'), nodes: [] },
    ]);
    const reversed = planOf(model, [migrate('VM2', 'N1', 'N3', 0, 2), migrate('VM1', 'N1', 'N2', 2, 3)]);
    expect(checkPlan(instanceOf(model, [before]), reversed).violations.map(summary)).toEqual([
      { rule: 'before(VM1, VM2)', from: 2, to: 2, actions: ['migrateVM VM1 2-3'], vms: ids('VM1', 'VM2'), nodes: [] },
    ]);
  });

  it('serialize: back-to-back migrations pass, an overlap is reported for as long as it lasts', () => {
    const serialize = constraint('Serialize', true, { vms: ids('VM1', 'VM2', 'VM3') });
    const oneByOne = planOf(model, [migrate('VM1', 'N1', 'N2', 0, 2), migrate('VM2', 'N1', 'N2', 2, 4), migrate('VM3', 'N1', 'N3', 4, 6)]);
    expect(checkPlan(instanceOf(model, [serialize]), oneByOne).ok).toBe(true);
    const overlapping = planOf(model, [migrate('VM1', 'N1', 'N2', 0, 2), migrate('VM2', 'N1', 'N2', 2, 5), migrate('VM3', 'N1', 'N3', 4, 6)]);
    const report = checkPlan(instanceOf(model, [serialize]), overlapping);
    expect(report.violations.map(summary)).toEqual([
      { rule: 'serialize({VM1, VM2, VM3})', from: 4, to: 5, actions: ['migrateVM VM3 4-6'], vms: ids('VM2', 'VM3'), nodes: [] },
    ]);
    expect(report.violations[0]?.message).toBe("serialize({VM1, VM2, VM3}) broken from 0'04 to 0'05: VM3 starts migrating at t=4 while VM2 is still migrating (as VM3 migrates from N1 to N3, 0'04 to 0'06)");
  });
});
