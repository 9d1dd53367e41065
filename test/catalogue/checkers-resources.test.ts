import { describe, expect, it } from 'vitest';

import type { Action } from '../../src/plan/actions.js';
import {
  allocate,
  allocateEvent,
  bootNode,
  bootVM,
  build,
  cstr,
  firstProblem,
  kill,
  migrate,
  rc,
  satisfied,
  satisfiedBy,
  shutdownNode,
  shutdownVM,
  suspend,
} from './support.js';

describe('maxOnline (MaxOnlineTest)', () => {
  it('discrete: counts the online nodes at the end', () => {
    const b = build().on(0, 1).off(2);
    const c = cstr('maxOnline', { nodes: [0, 1, 2], amount: 2 });
    expect(satisfiedBy(c, b.model)).toBe(true);
    b.on(2);
    expect(satisfiedBy(c, b.model)).toBe(false);
    expect(firstProblem(c, b.model)).toBe('3 nodes online at the end, at most 2 allowed (N0, N1, N2)');
  });

  it('discrete: only the end matters', () => {
    const m = build().on(0, 1).off(2).model;
    const c = cstr('maxOnline', { nodes: [0, 1, 2], amount: 2 });
    expect(satisfied(c, m)).toBe(true);
    expect(satisfied(c, m, [bootNode(2, 3, 9)])).toBe(false);
    expect(satisfied(c, m, [bootNode(2, 3, 9), shutdownNode(1, 0, 5)])).toBe(true);
  });

  it('continuous: a node counts from the start of its boot to the end of its shutdown', () => {
    const m = build().on(0, 1).off(2).model;
    const c = cstr('maxOnline', { nodes: [0, 1, 2], amount: 2 }, true);
    expect(satisfied(c, m, [bootNode(2, 3, 9), shutdownNode(1, 0, 5)])).toBe(false);
    expect(firstProblem(c, m, [bootNode(2, 3, 9), shutdownNode(1, 0, 5)])).toBe('3 nodes online when N2 boots at t=3, at most 2 allowed (N0, N1)');
    expect(satisfied(c, m, [bootNode(2, 5, 9), shutdownNode(1, 0, 5)])).toBe(true);
    expect(satisfied(c, build().on(0, 1, 2).model)).toBe(false);
  });
});

describe('overbook (OverbookTest)', () => {
  const cpu = (): ReturnType<typeof rc> => rc('cpu', 0, 0, { nodes: { 0: 1, 1: 4 }, vms: { 0: 2, 1: 2, 2: 4 } });

  it('discrete', () => {
    const r = cpu();
    const b = build().on(0, 1).run(0, 0).run(1, 1, 2, 3).resource(r);
    expect(satisfiedBy(cstr('overbook', { node: 0, rc: 'cpu', ratio: 2 }, false), b.model)).toBe(true);
    r.setConsumption(0, 4);
    expect(satisfiedBy(cstr('overbook', { node: 0, rc: 'cpu', ratio: 2 }, false), b.model)).toBe(false);
    expect(firstProblem(cstr('overbook', { node: 0, rc: 'cpu', ratio: 2 }, false), b.model)).toBe('N0 uses 4 cpu, more than 1 × 2 = 2');
    b.run(1, 0);
    expect(satisfiedBy(cstr('overbook', { node: 1, rc: 'cpu', ratio: 2 }, false), b.model)).toBe(false);
    expect(satisfiedBy(cstr('overbook', { node: 0, rc: 'mem', ratio: 2 }, false), b.model)).toBe(false);
  });

  it('continuous (judged on the final state, as BtrPlace)', () => {
    const m = build().on(0, 1).run(0, 0).run(1, 1, 2, 3).resource(cpu()).model;
    const o = cstr('overbook', { node: 1, rc: 'cpu', ratio: 2 });
    expect(o.continuous).toBe(true);
    const p: Action[] = [];
    expect(satisfied(o, m, p)).toBe(true);
    p.push(allocate(0, 0, 'cpu', 1, 2, 5));
    expect(satisfied(o, m, p)).toBe(true);
    p.push(allocate(1, 1, 'cpu', 5, 2, 5));
    expect(satisfied(o, m, p)).toBe(false);
    p.push(allocate(2, 1, 'cpu', 2, 0, 1));
    expect(satisfied(o, m, p)).toBe(true);
    p.push(allocate(3, 1, 'cpu', 3, 4, 6));
    expect(satisfied(o, m, p)).toBe(false);
    p.push(shutdownVM(2, 1, 2, 3));
    expect(satisfied(o, m, p)).toBe(true);
  });

  it('an offline node is not judged', () => {
    expect(satisfiedBy(cstr('overbook', { node: 3, rc: 'cpu', ratio: 1 }), build().off(3).resource(cpu()).model)).toBe(true);
  });
});

describe('preserve (PreserveTest)', () => {
  it('final allocation and every allocation during the plan', () => {
    const r = rc('cpu', 3, 3, { vms: { 0: 3, 1: 1, 2: 3 } });
    const m = build().on(0, 1).run(0, 0).sleep(0, 1).run(0, 2).resource(r).model;
    const p = cstr('preserve', { vm: 0, rc: 'cpu', amount: 3 });
    expect(satisfiedBy(p, m)).toBe(true);
    r.unsetConsumption(2);
    expect(satisfiedBy(p, m)).toBe(true);
    expect(satisfiedBy(cstr('preserve', { vm: 2, rc: 'mem', amount: 3 }), m)).toBe(false);
    expect(satisfied(cstr('preserve', { vm: 2, rc: 'cpu', amount: 4 }), m)).toBe(false);
    expect(satisfied(cstr('preserve', { vm: 2, rc: 'cpu', amount: 4 }), m, [allocate(2, 0, 'cpu', 7, 5, 7)])).toBe(true);
    r.setConsumption(0, 1);
    expect(satisfied(p, m)).toBe(false);
    expect(firstProblem(p, m)).toBe('VM0 has 1 cpu at the end, less than the 3 it must keep');
    expect(satisfied(p, m, [migrate(0, 0, 1, 0, 3, { post: [allocateEvent(0, 'cpu', 4)] })])).toBe(true);
  });

  it('an allocation below the amount fails even if a later one fixes it', () => {
    const m = build().on(0).run(0, 0).resource(rc('cpu', 8, 1)).model;
    const p = cstr('preserve', { vm: 0, rc: 'cpu', amount: 3 });
    expect(firstProblem(p, m, [allocate(0, 0, 'cpu', 2, 0, 0), allocate(0, 0, 'cpu', 4, 1, 1)])).toBe('VM0 is allocated 2 cpu, less than the 3 it must keep');
    expect(satisfied(p, m, [allocate(0, 0, 'cpu', 4, 1, 1)])).toBe(true);
    // a VM not running at the end is not concerned
    expect(satisfied(p, m, [shutdownVM(0, 0, 0, 1)])).toBe(true);
  });
});

describe('resourceCapacity (ResourceCapacityTest)', () => {
  it('discrete', () => {
    const r = rc('foo', 1, 1, { vms: { 1: 2 } });
    const b = build().on(0, 1, 2).run(0, 0, 1).run(1, 2).run(2, 3).resource(r);
    const c = cstr('resourceCapacity', { nodes: [0, 1], rc: 'foo', amount: 4 });
    expect(satisfiedBy(c, b.model)).toBe(true);
    expect(satisfiedBy(cstr('resourceCapacity', { nodes: [0, 1], rc: 'bar', amount: 100 }), b.model)).toBe(false);
    r.setConsumption(0, 3);
    expect(satisfiedBy(c, b.model)).toBe(false);
    expect(firstProblem(c, b.model)).toBe('N0, N1 would use 6 foo at the end, more than the 4 allowed');
    b.sleep(0, 1).sleep(0, 2);
    expect(satisfiedBy(c, b.model)).toBe(true);
  });

  it("continuous: BtrPlace's checker plan with allocations, under its solver's slices", () => {
    const m = build().on(0, 1, 2).run(0, 0, 1).run(1, 2).run(2, 3).ready(4).resource(rc('foo', 1, 1)).model;
    const c = cstr('resourceCapacity', { nodes: [0, 1], rc: 'foo', amount: 4 }, true);
    expect(satisfied(c, m)).toBe(true);
    // ResourceCapacityTest's plan: its checker books VM3 at 1 and frees VM2 when its shutdown
    // starts; CResourceCapacity's slices book VM3's future 2 on N1 from its start, while VM2 holds
    // N1 until its shutdown ends, and VM1's raise to 2 comes while VM0 still holds N0
    const plan = [
      migrate(3, 2, 1, 0, 1, { post: [allocateEvent(3, 'foo', 2)] }),
      shutdownVM(2, 1, 1, 2),
      bootVM(4, 2, 2, 3),
      allocate(1, 0, 'foo', 2, 2, 3),
      migrate(0, 0, 2, 3, 4),
    ];
    expect(firstProblem(c, m, plan)).toBe('N0, N1 would use 5 foo when VM3 arrives on N1 at t=0, more than the 4 allowed');
    // the same actions in an order the slices allow: VM3 arrives once VM2 has gone, VM1 grows once VM0 has left
    const ordered = [
      shutdownVM(2, 1, 0, 1),
      migrate(3, 2, 1, 1, 2, { post: [allocateEvent(3, 'foo', 2)] }),
      bootVM(4, 2, 2, 3),
      migrate(0, 0, 2, 2, 3),
      allocate(1, 0, 'foo', 2, 3, 4),
    ];
    expect(satisfied(c, m, ordered)).toBe(true);
  });

  it('continuous: a migration out of the set frees its share when it ends (CFeasibleContinuousResolution)', () => {
    // CResourceCapacityTest.testFeasibleContinuousResolution: VM4 (5) boots on N0 once VM0 and VM1
    // have left the set {N0, N1} for N2; BtrPlace's checker never credited a migration out
    const m = build().on(0, 1, 2).run(0, 0, 1).run(1, 2, 3).ready(4).resource(rc('cpu', 5, 5).setConsumption(0, 2).setConsumption(1, 3).setConsumption(2, 3).setConsumption(3, 1)).model;
    const c = cstr('resourceCapacity', { nodes: [0, 1], rc: 'cpu', amount: 10 }, true);
    expect(satisfied(c, m, [migrate(0, 0, 2, 0, 1), migrate(1, 0, 2, 0, 1), bootVM(4, 0, 1, 2)])).toBe(true);
    expect(firstProblem(c, m, [migrate(0, 0, 2, 0, 2), migrate(1, 0, 2, 0, 1), bootVM(4, 0, 1, 2)])).toBe('N0, N1 would use 11 cpu when VM4 arrives on N0 at t=1, more than the 10 allowed');
  });

  it('continuous: a migration inside the set holds both nodes while it runs (c- and d-slice)', () => {
    const m = build().on(0, 1).run(0, 0).run(1, 1).resource(rc('cpu', 10, 2)).model;
    const c = cstr('resourceCapacity', { nodes: [0, 1], rc: 'cpu', amount: 5 }, true);
    // BtrPlace's checker ignored a move inside the set; its solver's aliased cumulative counts VM0 twice while it moves
    expect(firstProblem(c, m, [migrate(0, 0, 1, 0, 3)])).toBe('N0, N1 would use 6 cpu when VM0 arrives on N1 at t=0, more than the 5 allowed');
    const six = cstr('resourceCapacity', { nodes: [0, 1], rc: 'cpu', amount: 6 }, true);
    expect(satisfied(six, m, [migrate(0, 0, 1, 0, 3)])).toBe(true);
    // once it has arrived it counts once: VM1 may grow then, not before
    expect(satisfied(six, m, [migrate(0, 0, 1, 0, 3), allocate(1, 1, 'cpu', 3, 3, 4)])).toBe(true);
    expect(satisfied(six, m, [migrate(0, 0, 1, 0, 3), allocate(1, 1, 'cpu', 3, 2, 4)])).toBe(false);
  });

  it('continuous: over the budget at an instant fails though the end fits', () => {
    const m = build().on(0, 1, 2).run(0, 0).run(2, 1, 2).resource(rc('cpu', 10, 2)).model;
    const c = cstr('resourceCapacity', { nodes: [0], rc: 'cpu', amount: 4 }, true);
    // VM1 arrives at 0, VM2 at 1 while VM0 leaves only at 2 (its shutdown starts at 2)
    const tooEarly = [migrate(1, 2, 0, 0, 1), migrate(2, 2, 0, 1, 2), shutdownVM(0, 0, 2, 3)];
    expect(satisfied(cstr('resourceCapacity', { nodes: [0], rc: 'cpu', amount: 4 }, false), m, tooEarly)).toBe(true);
    expect(satisfied(c, m, tooEarly)).toBe(false);
    expect(firstProblem(c, m, tooEarly)).toBe('N0 would use 6 cpu when VM2 arrives on N0 at t=1, more than the 4 allowed');
    const inOrder = [shutdownVM(0, 0, 0, 1), migrate(1, 2, 0, 0, 1), migrate(2, 2, 0, 1, 2)];
    expect(satisfied(c, m, inOrder)).toBe(true);
    expect(satisfied(c, build().on(0).run(0, 0, 1, 2).resource(rc('cpu', 10, 2)).model)).toBe(false);
  });

  it('continuous: an Allocate takes its increase only', () => {
    const m = build().on(0).run(0, 0).resource(rc('cpu', 10, 3)).model;
    const c = cstr('resourceCapacity', { nodes: [0], rc: 'cpu', amount: 4 }, true);
    expect(satisfied(c, m, [allocate(0, 0, 'cpu', 4, 2, 2)])).toBe(true);
    expect(satisfied(c, m, [allocate(0, 0, 'cpu', 5, 2, 2)])).toBe(false);
  });

  it('continuous: killing a running VM frees its share; a suspend too', () => {
    const m = build().on(0, 1).run(0, 0).run(1, 1, 2).resource(rc('cpu', 10, 2)).model;
    const c = cstr('resourceCapacity', { nodes: [0], rc: 'cpu', amount: 4 }, true);
    expect(satisfied(c, m, [kill(0, 0, 0, 1), migrate(1, 1, 0, 1, 2), migrate(2, 1, 0, 1, 2)])).toBe(true);
    // the killed VM holds its share until the kill ends
    expect(satisfied(c, m, [kill(0, 0, 0, 1), migrate(1, 1, 0, 0, 1), migrate(2, 1, 0, 0, 1)])).toBe(false);
    expect(satisfied(c, m, [suspend(0, 0, 0, 0, 1), migrate(1, 1, 0, 0, 1), migrate(2, 1, 0, 1, 2)])).toBe(true);
    expect(satisfied(c, m, [migrate(1, 1, 0, 0, 1), migrate(2, 1, 0, 0, 1)])).toBe(false);
  });
});

describe('runningCapacity (RunningCapacityTest)', () => {
  it('discrete', () => {
    const b = build().on(0, 1).run(0, 0).ready(1).run(1, 2).ready(3);
    const c = cstr('runningCapacity', { nodes: [0, 1], amount: 2 });
    expect(satisfiedBy(c, b.model)).toBe(true);
    b.run(1, 1);
    expect(satisfiedBy(c, b.model)).toBe(false);
    expect(firstProblem(c, b.model)).toBe('3 VMs running on N0, N1 at the end, at most 2 allowed');
  });

  it('only the end counts (no continuous mode since BtrPlace 1.12)', () => {
    const m = build().on(0, 1).run(0, 0).ready(1).model;
    const c = cstr('runningCapacity', { nodes: [0], amount: 1 });
    expect(satisfied(c, m, [bootVM(1, 0, 0, 2), shutdownVM(0, 0, 1, 2)])).toBe(true);
    expect(satisfied(c, m, [bootVM(1, 0, 0, 2)])).toBe(false);
  });
});
