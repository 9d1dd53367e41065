import { describe, expect, it } from 'vitest';

import { bootNode, bootVM, build, cstr, firstProblem, kill, migrate, resume, runCheck, satisfied, satisfiedBy, shutdownVM, suspend } from './support.js';

describe('ban (BanTest)', () => {
  it('discrete: the final host must not be banned', () => {
    const b = build().on(0, 1, 2).run(0, 0).run(1, 1).run(2, 2);
    expect(satisfiedBy(cstr('ban', { vm: 2, nodes: [0] }), b.model)).toBe(true);
    b.run(0, 2);
    expect(satisfiedBy(cstr('ban', { vm: 2, nodes: [0] }), b.model)).toBe(false);
    expect(firstProblem(cstr('ban', { vm: 2, nodes: [0] }), b.model)).toBe('VM2 runs on banned node N0');
  });

  it('a VM passing through a banned node is refused, even discrete (BtrPlace checks placements in any mode)', () => {
    const m = build().on(0, 1, 2).run(0, 0).run(1, 1).run(2, 2).model;
    const c = cstr('ban', { vm: 0, nodes: [1] });
    expect(satisfied(c, m, [migrate(0, 0, 1, 0, 3), migrate(0, 1, 2, 3, 6)])).toBe(false);
    expect(firstProblem(c, m, [migrate(0, 0, 1, 0, 3), migrate(0, 1, 2, 3, 6)])).toBe('VM0 placed on banned node N1');
    expect(satisfied(c, m, [migrate(0, 0, 2, 0, 3)])).toBe(true);
  });

  it('sleeping or ready VMs on a banned node are fine; a boot onto it is not', () => {
    const m = build().on(0, 1).sleep(0, 1).ready(2).model;
    expect(satisfied(cstr('ban', { vm: 1, nodes: [0] }), m)).toBe(true);
    expect(satisfied(cstr('ban', { vm: 2, nodes: [0] }, true), m, [bootVM(2, 0, 0, 1)])).toBe(false);
    expect(satisfied(cstr('ban', { vm: 2, nodes: [0] }, true), m, [bootVM(2, 1, 0, 1)])).toBe(true);
    expect(satisfied(cstr('ban', { vm: 1, nodes: [0] }, true), m, [resume(1, 0, 0, 0, 1)])).toBe(false);
  });
});

describe('fence (FenceTest)', () => {
  it('discrete: the final host must be in the fence', () => {
    const b = build().on(0, 1, 2).run(0, 0).run(1, 1, 2);
    expect(satisfiedBy(cstr('fence', { vm: 2, nodes: [0, 1] }), b.model)).toBe(true);
    b.run(2, 0);
    expect(satisfiedBy(cstr('fence', { vm: 0, nodes: [0, 1] }), b.model)).toBe(false);
  });

  it('every placement targets the fence', () => {
    const m = build().on(0, 1, 2).run(0, 0).ready(1).model;
    expect(satisfied(cstr('fence', { vm: 0, nodes: [0, 1] }), m, [migrate(0, 0, 1, 0, 1)])).toBe(true);
    expect(satisfied(cstr('fence', { vm: 0, nodes: [0, 1] }), m, [migrate(0, 0, 2, 0, 1), migrate(0, 2, 1, 1, 2)])).toBe(false);
    expect(firstProblem(cstr('fence', { vm: 1, nodes: [0] }), m, [bootVM(1, 2, 0, 1)])).toBe('VM1 placed on N2, outside its fence');
  });
});

describe('gather (GatherTest)', () => {
  it('discrete', () => {
    const b = build().on(0, 1).run(0, 0).ready(1);
    const g = cstr('gather', { vms: [0, 1] });
    expect(satisfiedBy(g, b.model)).toBe(true);
    b.run(0, 1);
    expect(satisfiedBy(g, b.model)).toBe(true);
    b.run(1, 1);
    expect(satisfiedBy(g, b.model)).toBe(false);
    expect(firstProblem(g, b.model)).toBe('VM0 on N0 and VM1 on N1 are not gathered');
  });

  it('continuous', () => {
    const g = cstr('gather', { vms: [0, 1] }, true);
    const apart = build().on(0, 1).run(0, 0).run(1, 1).model;
    expect(satisfied(g, apart)).toBe(false);
    const oneReady = build().on(0, 1).run(0, 0).ready(1).model;
    expect(satisfied(g, oneReady)).toBe(true);
    expect(satisfied(g, oneReady, [bootVM(1, 0, 0, 1)])).toBe(true);
    expect(satisfied(g, oneReady, [bootVM(1, 1, 0, 1)])).toBe(false);
    // both moving together to N1: the first move already splits them
    const together = build().on(0, 1).run(0, 0, 1).model;
    expect(satisfied(g, together, [migrate(1, 0, 1, 0, 1), migrate(0, 0, 1, 0, 1)])).toBe(false);
    // discrete accepts the same plan: they end together
    expect(satisfied(cstr('gather', { vms: [0, 1] }, false), together, [migrate(1, 0, 1, 0, 1), migrate(0, 0, 1, 0, 1)])).toBe(true);
  });
});

describe('lonely (LonelyTest)', () => {
  it('discrete: sleeping VMs do not count', () => {
    const b = build().on(0, 1, 2).run(0, 0).run(1, 1).sleep(1, 3);
    expect(satisfiedBy(cstr('lonely', { vms: [0, 1] }), b.model)).toBe(true);
    expect(satisfiedBy(cstr('lonely', { vms: [0, 1, 3] }), b.model)).toBe(true);
    b.run(0, 2);
    expect(satisfiedBy(cstr('lonely', { vms: [0, 1] }), b.model)).toBe(false);
    expect(firstProblem(cstr('lonely', { vms: [0, 1] }), b.model)).toBe('VM0 is not alone on N0: VM2 runs there too');
  });

  it('continuous', () => {
    const m = build().on(0, 1, 2).run(0, 0, 1).run(1, 2, 3).model;
    const l = cstr('lonely', { vms: [0, 1] }, true);
    expect(satisfied(l, m)).toBe(true);
    const plan = [migrate(1, 0, 1, 2, 4)];
    expect(satisfied(l, m, plan)).toBe(false);
    plan.push(shutdownVM(2, 1, 0, 1));
    expect(satisfied(l, m, plan)).toBe(false);
    plan.push(migrate(3, 1, 2, 1, 2));
    expect(satisfied(l, m, plan)).toBe(true);
  });

  it('continuous: a foreign VM may not arrive on a node hosting lonely VMs', () => {
    const m = build().on(0, 1).run(0, 0).run(1, 2).model;
    const l = cstr('lonely', { vms: [0] }, true);
    expect(firstProblem(l, m, [migrate(2, 1, 0, 0, 1), migrate(2, 0, 1, 1, 2)])).toBe('VM2 placed on N0, which is reserved for lonely VMs');
    // discrete only looks at the end
    expect(satisfied(cstr('lonely', { vms: [0] }, false), m, [migrate(2, 1, 0, 0, 1), migrate(2, 0, 1, 1, 2)])).toBe(true);
  });
});

describe('spread (SpreadTest)', () => {
  it('discrete', () => {
    const b = build().on(0, 1, 2, 3).run(0, 0, 2).run(1, 1);
    const s = cstr('spread', { vms: [0, 1, 2] }, false);
    expect(satisfiedBy(s, b.model)).toBe(false);
    expect(firstProblem(s, b.model)).toBe('VM0 and VM2 both on N0');
    b.run(3, 0);
    expect(satisfiedBy(s, b.model)).toBe(true);
  });

  it('continuous: a VM arrives only once the other has left', () => {
    const m = build().on(0, 1, 2, 3).run(0, 0).run(1, 1).model;
    const s = cstr('spread', { vms: [0, 1] });
    expect(s.continuous).toBe(true);
    expect(satisfied(s, m)).toBe(true);
    const m1 = migrate(0, 0, 1, 1, 2);
    expect(satisfied(s, m, [m1])).toBe(false);
    expect(firstProblem(s, m, [m1])).toBe('VM0 placed on N1 while VM1 is still there');
    expect(satisfied(s, m, [m1, migrate(1, 1, 2, 0, 1)])).toBe(true);
    // overlapping by one second: VM1 leaves N1 at 2, VM0 arrives at 1
    expect(satisfied(s, m, [migrate(0, 0, 1, 1, 2), migrate(1, 1, 2, 0, 2)])).toBe(false);
    // discrete ignores the order
    expect(satisfied(cstr('spread', { vms: [0, 1] }, false), m, [migrate(0, 0, 1, 1, 2), migrate(1, 1, 2, 0, 2)])).toBe(true);
  });

  it('continuous: an initial co-location is only judged at the end', () => {
    const m = build().on(0, 1, 2).run(0, 0).run(1, 1, 2).model;
    const s = cstr('spread', { vms: [0, 1, 2] }, true);
    expect(satisfied(s, m)).toBe(false);
    expect(satisfied(s, m, [migrate(2, 1, 2, 0, 5)])).toBe(true);
  });

  it('continuous: the node frees when the VM is shut down, suspended or killed', () => {
    const m = build().on(0, 1).run(0, 0).ready(1).model;
    const s = cstr('spread', { vms: [0, 1] }, true);
    expect(satisfied(s, m, [shutdownVM(0, 0, 0, 2), bootVM(1, 0, 2, 3)])).toBe(true);
    expect(satisfied(s, m, [shutdownVM(0, 0, 0, 2), bootVM(1, 0, 1, 3)])).toBe(false);
    // a sleeping VM no longer counts once its suspend is over
    expect(satisfied(s, m, [suspend(0, 0, 0, 0, 1), bootVM(1, 0, 1, 3)])).toBe(true);
  });
});

describe('among (AmongTest)', () => {
  const parts = [[0, 1], [2]];

  it('discrete', () => {
    const b = build().on(0, 1, 2).run(0, 0).run(1, 1).sleep(2, 2);
    const a = cstr('among', { vms: [0, 1, 2], parts });
    expect(satisfiedBy(a, b.model)).toBe(true);
    b.run(2, 2);
    expect(satisfiedBy(a, b.model)).toBe(false);
    b.sleep(1, 2);
    expect(satisfiedBy(a, b.model)).toBe(true);
  });

  it('continuous: the VMs may not switch group, even back and forth', () => {
    const m = build().on(0, 1, 2).run(0, 0).run(1, 1, 2).model;
    const a = cstr('among', { vms: [0, 1, 2], parts }, true);
    expect(satisfied(a, m)).toBe(true);
    expect(satisfied(a, m, [migrate(2, 1, 2, 0, 1), migrate(2, 2, 1, 1, 2)])).toBe(false);
    expect(satisfied(a, m, [migrate(2, 1, 0, 0, 1)])).toBe(true);
    expect(satisfied(cstr('among', { vms: [0, 1, 2], parts }, false), m, [migrate(2, 1, 2, 0, 1), migrate(2, 2, 1, 1, 2)])).toBe(true);
  });

  it('continuous: the first placement picks the group when none runs', () => {
    const m = build().on(0, 1, 2, 3).ready(0, 1).model;
    const a = cstr('among', { vms: [0, 1], parts }, true);
    expect(satisfied(a, m, [bootVM(0, 2, 0, 1), bootVM(1, 2, 1, 2)])).toBe(true);
    expect(satisfied(a, m, [bootVM(0, 2, 0, 1), bootVM(1, 0, 1, 2)])).toBe(false);
    expect(firstProblem(a, m, [bootVM(0, 3, 0, 1)])).toBe('VM0 placed on N3, outside every allowed group');
  });
});

describe('split (SplitTest)', () => {
  const parts = [[0, 1], [2, 3], [4]];

  it('discrete', () => {
    const b = build().on(0, 1, 2).run(0, 0, 1).run(1, 2, 3);
    const s = cstr('split', { parts });
    expect(satisfiedBy(s, b.model)).toBe(true);
    b.run(2, 2);
    expect(satisfiedBy(s, b.model)).toBe(true);
    b.run(0, 2);
    expect(satisfiedBy(s, b.model)).toBe(false);
  });

  it('continuous: an initial violation fails, discrete judges the end', () => {
    const m = build().on(0, 1, 2).run(0, 0, 1, 2).run(1, 3).model;
    const plan = [migrate(2, 0, 1, 0, 1)];
    expect(satisfied(cstr('split', { parts }, true), m, plan)).toBe(false);
    expect(satisfied(cstr('split', { parts }, false), m, plan)).toBe(true);
    plan.push(migrate(2, 1, 0, 5, 6), migrate(2, 0, 1, 6, 7));
    expect(satisfied(cstr('split', { parts }, true), m, plan)).toBe(false);
    plan.push(suspend(0, 0, 0, 2, 3), shutdownVM(1, 0, 2, 3));
    expect(satisfied(cstr('split', { parts }, false), m, plan)).toBe(true);
  });

  it('continuous: a VM arrives once the other group has left, not before', () => {
    const m = build().on(0, 1).run(0, 0).run(1, 2).model;
    const s = cstr('split', { parts }, true);
    expect(satisfied(s, m, [migrate(0, 0, 1, 0, 2), migrate(2, 1, 0, 0, 2)])).toBe(false);
    expect(firstProblem(s, m, [migrate(0, 0, 1, 0, 2), migrate(2, 1, 0, 0, 2)])).toBe('VM0 placed on N1 while VM2, from another group, is still there');
    // VM0 arrives on N1 once VM2's shutdown is over (ends before starts at t=2), not a second earlier
    expect(satisfied(s, m, [shutdownVM(2, 1, 0, 2), migrate(0, 0, 1, 2, 4)])).toBe(true);
    expect(satisfied(s, m, [shutdownVM(2, 1, 0, 2), migrate(0, 0, 1, 1, 4)])).toBe(false);
  });
});

describe('splitAmong (SplitAmongTest)', () => {
  const vParts = [[0, 1], [2, 3]];
  const pParts = [[0, 1], [2, 3]];

  it('discrete', () => {
    const b = build().on(0, 1, 2, 3).run(0, 0, 1).run(2, 2).run(3, 3);
    const s = cstr('splitAmong', { vParts, pParts });
    expect(satisfiedBy(s, b.model)).toBe(true);
    b.run(2, 1);
    expect(satisfiedBy(s, b.model)).toBe(false);
    b.run(2, 0);
    b.run(3, 2);
    expect(satisfiedBy(s, b.model)).toBe(false);
  });

  it('continuous', () => {
    const b = build().on(0, 1, 2, 3).run(0, 0, 1).run(2, 2).run(3, 3);
    const s = cstr('splitAmong', { vParts, pParts }, true);
    expect(satisfied(s, b.model)).toBe(true);
    expect(satisfied(s, b.model, [migrate(0, 0, 1, 3, 4)])).toBe(true);
    b.run(3, 4);
    expect(satisfied(s, b.model, [migrate(0, 0, 1, 3, 4)])).toBe(true);
    expect(satisfied(s, b.model, [migrate(0, 0, 1, 3, 4), migrate(1, 0, 2, 0, 2)])).toBe(false);
  });

  it('continuous: a whole group may not change node group, even in order', () => {
    const m = build().on(0, 1, 2, 3, 4).run(0, 0).run(2, 2).model;
    const s = cstr('splitAmong', { vParts: [[0], [2]], pParts: [[0, 1], [2, 3], [4]] }, true);
    expect(satisfied(s, m, [migrate(0, 0, 4, 0, 1)])).toBe(false);
    expect(satisfied(cstr('splitAmong', { vParts: [[0], [2]], pParts: [[0, 1], [2, 3], [4]] }, false), m, [migrate(0, 0, 4, 0, 1)])).toBe(true);
  });
});

describe('quarantine (QuarantineTest)', () => {
  const m = build().on(0, 1, 2).run(0, 0).run(1, 1).ready(2).run(2, 3).model;

  it('VMs elsewhere may change; nothing may arrive', () => {
    const q = cstr('quarantine', { node: 0 });
    expect(satisfied(q, m)).toBe(true);
    expect(satisfied(q, m, [shutdownVM(1, 1, 1, 2)])).toBe(true);
    expect(satisfied(q, m, [shutdownVM(1, 1, 1, 2), bootVM(2, 0, 0, 1)])).toBe(false);
    expect(satisfied(cstr('quarantine', { node: 1 }), m, [bootVM(2, 2, 0, 1)])).toBe(true);
    expect(satisfied(cstr('quarantine', { node: 1 }), m, [bootVM(2, 2, 0, 1), migrate(3, 2, 1, 0, 1)])).toBe(false);
    expect(firstProblem(q, m, [migrate(1, 1, 0, 0, 1)])).toBe('VM1 placed on quarantined node N0');
  });

  it('its VMs may not leave', () => {
    expect(firstProblem(cstr('quarantine', { node: 0 }), m, [migrate(0, 0, 1, 0, 1)])).toBe('VM0 migrated away from quarantined node N0');
    // shutting it down is not a move
    expect(satisfied(cstr('quarantine', { node: 0 }), m, [shutdownVM(0, 0, 0, 1)])).toBe(true);
  });

  it('an empty quarantined node is fine (BtrPlace failed it on an addAll result)', () => {
    const empty = build().on(0, 1).run(1, 1).model;
    expect(satisfied(cstr('quarantine', { node: 0 }), empty)).toBe(true);
    expect(satisfied(cstr('quarantine', { node: 0 }), empty, [migrate(1, 1, 0, 0, 1)])).toBe(false);
  });
});

describe('root (RootTest)', () => {
  it('the VM is never migrated', () => {
    const m = build().on(0, 1).run(0, 1).model;
    const r = cstr('root', { vm: 1 });
    expect(satisfiedBy(r, build().ready(1).model)).toBe(true);
    expect(satisfied(r, m)).toBe(true);
    expect(satisfied(r, m, [migrate(1, 0, 1, 1, 2)])).toBe(false);
    expect(firstProblem(r, m, [migrate(1, 0, 1, 1, 2)])).toBe('VM1 must stay on N0 but is migrated to N1');
    expect(satisfied(r, m, [shutdownVM(1, 0, 0, 1)])).toBe(true);
  });
});

describe('placement checks follow a VM replaced by its clone', () => {
  it('a ban applies to the clone booted with a substitution', () => {
    const m = build().on(0, 1, 2).run(0, 1).model;
    const reinstantiate = [bootVM(7, 1, 0, 1, { pre: [{ kind: 'substitutedVM', vm: 1, newVm: 7 }] }), shutdownVM(1, 0, 1, 2)];
    // the boot of the clone carries the substitution before it starts: VM7 is now the banned VM
    expect(satisfied(cstr('ban', { vm: 1, nodes: [1] }), m, reinstantiate)).toBe(false);
    expect(satisfied(cstr('ban', { vm: 1, nodes: [2] }), m, reinstantiate)).toBe(true);
  });

  it('runCheck reports every problem of a plan, BtrPlace stops at the first', () => {
    const m = build().on(0, 1, 2).run(0, 0).model;
    const out = runCheck(cstr('ban', { vm: 0, nodes: [1, 2] }), m, [migrate(0, 0, 1, 0, 1), migrate(0, 1, 2, 1, 2), bootNode(3, 0, 1), kill(0, 2, 2, 3)]);
    expect(out.problems.map((p) => p.message)).toEqual(['VM0 placed on banned node N1', 'VM0 placed on banned node N2']);
  });
});
