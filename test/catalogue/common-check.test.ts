import { describe, expect, it } from 'vitest';

import { PlanWatcher, SlicedPlacement } from '../../src/catalogue/common/check.js';
import type { VmId } from '../../src/model/index.js';
import type { Action } from '../../src/plan/actions.js';
import { allocate, allocateEvent, bootNode, bootVM, build, forge, kill, migrate, resume, shutdownNode, shutdownVM, suspend } from './support.js';

/** Exposes what the base class follows (AllowAllConstraintCheckerTest). */
class Probe extends PlanWatcher {
  readonly extra = this.track(new Set<VmId>([0, 5]));
  followed(): number[] {
    return [...this.vms].sort((a, b) => a - b);
  }
}

describe('PlanWatcher (AllowAllConstraintChecker)', () => {
  const m = build().on(0, 1).run(0, 0).model;

  it('accepts every action and event', () => {
    const w = new Probe({ vms: [0, 1], nodes: [0] });
    expect(w.startsWith(m)).toBeNull();
    const actions: Action[] = [
      migrate(0, 0, 1, 0, 3, { post: [allocateEvent(0, 'cpu', 3)] }),
      bootVM(0, 0, 0, 3),
      resume(0, 0, 1, 0, 3),
      suspend(0, 0, 1, 0, 3),
      shutdownVM(0, 0, 0, 3),
      kill(0, 0, 0, 3),
      forge(0, 0, 3),
      bootNode(0, 0, 3),
      shutdownNode(0, 0, 3),
      allocate(0, 0, 'cpu', 3, 4, 5),
    ];
    for (const a of actions) {
      expect(w.start(a, m)).toBeNull();
      expect(w.end(a, m)).toBeNull();
    }
    expect(w.endsWith(m)).toBeNull();
  });

  it('follows a VM substituted by its clone, in its VMs and in tracked sets (testMyVMsTracking)', () => {
    const w = new Probe({ vms: [0, 1], nodes: [] });
    w.start(bootVM(9, 1, 0, 1, { pre: [{ kind: 'substitutedVM', vm: 0, newVm: 9 }] }), m);
    expect(w.followed()).toEqual([1, 9]);
    expect([...w.extra].sort((a, b) => a - b)).toEqual([5, 9]);
    // a VM the check does not follow is not added
    w.start(bootVM(8, 1, 0, 1, { pre: [{ kind: 'substitutedVM', vm: 4, newVm: 8 }] }), m);
    expect(w.followed()).toEqual([1, 9]);
  });
});

describe('SlicedPlacement', () => {
  it('a migrating VM sits on both nodes until its migration ends', () => {
    const m = build().on(0, 1, 2).run(0, 0).run(1, 1).model;
    const p = new SlicedPlacement(m.mapping, new Set([0, 1]));
    const mig = migrate(0, 0, 2, 0, 2);
    expect(p.onStart(mig)).toBe(true);
    expect([...p.hosts(0)].sort()).toEqual([0, 2]);
    expect([...p.running(2)]).toEqual([0]);
    p.onEnd(mig);
    expect([...p.hosts(0)]).toEqual([2]);
    expect([...p.running(0)]).toEqual([]);
    p.onEnd(shutdownVM(1, 1, 0, 1));
    expect([...p.hosts(1)]).toEqual([]);
  });

  it('ignores the VMs it does not follow', () => {
    const m = build().on(0, 1).run(0, 0, 3).model;
    const p = new SlicedPlacement(m.mapping, new Set([0]));
    expect([...p.running(0)]).toEqual([0]);
    expect(p.onStart(migrate(3, 0, 1, 0, 1))).toBe(false);
  });
});
