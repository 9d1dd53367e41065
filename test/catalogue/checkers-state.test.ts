import { describe, expect, it } from 'vitest';

import type { Action } from '../../src/plan/actions.js';
import {
  allocate,
  allocateEvent,
  bootNode,
  bootVM,
  build,
  cstr,
  defOf,
  firstProblem,
  forge,
  kill,
  migrate,
  resume,
  satisfied,
  satisfiedBy,
  shutdownNode,
  shutdownVM,
  suspend,
} from './support.js';

describe('online / offline (OnlineTest, OfflineTest)', () => {
  it('online: the node is online at the end and never shut down', () => {
    const m = build().on(0).off(1).model;
    expect(satisfiedBy(cstr('online', { node: 0 }), m)).toBe(true);
    expect(satisfiedBy(cstr('online', { node: 1 }), m)).toBe(false);
    expect(firstProblem(cstr('online', { node: 1 }), m)).toBe('N1 is not online at the end');
    expect(satisfied(cstr('online', { node: 1 }), m, [bootNode(1, 0, 3)])).toBe(true);
    // shut down and booted again: BtrPlace refuses the shutdown itself
    expect(firstProblem(cstr('online', { node: 0 }), m, [shutdownNode(0, 0, 1), bootNode(0, 1, 2)])).toBe('N0 must stay online but is shut down');
  });

  it('offline: the node is offline at the end, its VMs leave first, it is never booted', () => {
    const m = build().on(0, 1).run(0, 0).model;
    const off = cstr('offline', { node: 0 });
    expect(satisfied(off, m)).toBe(false);
    expect(satisfied(off, m, [shutdownNode(1, 0, 1), shutdownVM(0, 0, 0, 1)])).toBe(false);
    expect(satisfied(off, m, [shutdownNode(1, 0, 1), shutdownVM(0, 0, 0, 1), shutdownNode(0, 1, 2)])).toBe(true);
    expect(satisfiedBy(cstr('offline', { node: 5 }), build().off(5).model)).toBe(true);
    const down = build().off(0).model;
    expect(firstProblem(off, down, [bootNode(0, 0, 1), shutdownNode(0, 1, 2)])).toBe('N0 must stay offline but is booted');
  });
});

/** Every kind of action on VM0 (the DenyMyVMsActionsTest battery). */
function oneActionOnVm0(kind: Action['kind']): Action {
  switch (kind) {
    case 'bootVM':
      return bootVM(0, 0, 0, 3);
    case 'resumeVM':
      return resume(0, 0, 1, 0, 3);
    case 'migrateVM':
      return migrate(0, 0, 1, 0, 3);
    case 'suspendVM':
      return suspend(0, 0, 1, 0, 3);
    case 'shutdownVM':
      return shutdownVM(0, 0, 0, 3);
    case 'killVM':
      return kill(0, 0, 0, 3);
    case 'forgeVM':
      return forge(0, 0, 3);
    case 'allocate':
      return allocate(0, 0, 'cpu', 3, 4, 5);
    case 'bootNode':
      return bootNode(2, 0, 3);
    case 'shutdownNode':
      return shutdownNode(2, 0, 3);
  }
}

const VM_KINDS = ['bootVM', 'resumeVM', 'migrateVM', 'suspendVM', 'shutdownVM', 'killVM', 'forgeVM', 'allocate'] as const;

describe('state constraints deny the actions not leading to their state (DenyMyVMsActionsTest)', () => {
  const allowedBy: Record<string, readonly string[]> = {
    running: ['bootVM', 'resumeVM', 'migrateVM', 'allocate'],
    ready: ['shutdownVM', 'forgeVM'],
    sleeping: ['suspendVM'],
    killed: ['killVM'],
  };

  it.each(Object.entries(allowedBy))('%s', (id, allowed) => {
    const check = (a: Action): boolean => {
      const chk = defOf(id).check(cstr(id, { vm: 0 }));
      return chk.start?.(a, build().on(0, 1, 2).run(0, 0).model) === null;
    };
    for (const kind of VM_KINDS) expect([kind, check(oneActionOnVm0(kind))]).toEqual([kind, allowed.includes(kind)]);
    // other VMs and node actions are not concerned
    expect(check(shutdownVM(5, 0, 0, 3))).toBe(true);
    expect(check(oneActionOnVm0('bootNode'))).toBe(true);
    expect(check(oneActionOnVm0('shutdownNode'))).toBe(true);
  });

  it('allocation events and substitutions on the VM are denied except for Running', () => {
    const m = build().on(0, 1).run(0, 0).model;
    const withEvent = migrate(0, 0, 1, 0, 3, { post: [allocateEvent(0, 'cpu', 3)] });
    expect(satisfied(cstr('running', { vm: 0 }), m, [withEvent])).toBe(true);
    expect(firstProblem(cstr('ready', { vm: 0 }), m, [shutdownVM(0, 0, 0, 1), bootVM(0, 1, 1, 2, { pre: [allocateEvent(0, 'cpu', 3)] })])).toBe(
      'VM0 must end ready but is given a new cpu allocation',
    );
  });
});

describe('running / ready / sleeping / killed: final states (RunningTest, ReadyTest, SleepingTest, KilledTest)', () => {
  it('running', () => {
    const b = build().on(0);
    const r = cstr('running', { vm: 0 });
    b.run(0, 0);
    expect(satisfiedBy(r, b.model)).toBe(true);
    b.ready(0);
    expect(satisfiedBy(r, b.model)).toBe(false);
    expect(firstProblem(r, b.model)).toBe('VM0 is not running at the end (ready)');
    b.sleep(0, 0);
    expect(satisfiedBy(r, b.model)).toBe(false);
    expect(satisfiedBy(r, build().model)).toBe(false);
  });

  it('running: booting a ready VM passes, shutting it down fails', () => {
    const m = build().on(0).ready(0).model;
    expect(satisfied(cstr('running', { vm: 0 }), m, [bootVM(0, 0, 0, 1)])).toBe(true);
    expect(satisfied(cstr('running', { vm: 0 }), m)).toBe(false);
    const on = build().on(0).run(0, 0).model;
    expect(firstProblem(cstr('running', { vm: 0 }), on, [shutdownVM(0, 0, 0, 1), bootVM(0, 0, 1, 2)])).toBe('VM0 must end running but is shut down');
  });

  it('ready', () => {
    const b = build().on(0).ready(0);
    const r = cstr('ready', { vm: 0 });
    expect(satisfiedBy(r, b.model)).toBe(true);
    b.run(0, 0);
    expect(satisfiedBy(r, b.model)).toBe(false);
    expect(satisfied(r, b.model, [shutdownVM(0, 0, 0, 1)])).toBe(true);
    b.sleep(0, 0);
    expect(satisfiedBy(r, b.model)).toBe(false);
    expect(satisfied(r, build().model, [forge(0, 0, 1)])).toBe(true);
  });

  it('sleeping', () => {
    const b = build().on(0).sleep(0, 0);
    const s = cstr('sleeping', { vm: 0 });
    expect(satisfiedBy(s, b.model)).toBe(true);
    b.ready(0);
    expect(satisfiedBy(s, b.model)).toBe(false);
    b.run(0, 0);
    expect(satisfiedBy(s, b.model)).toBe(false);
    expect(satisfied(s, b.model, [suspend(0, 0, 0, 0, 1)])).toBe(true);
  });

  it('killed', () => {
    const k = cstr('killed', { vm: 0 });
    expect(satisfiedBy(k, build().model)).toBe(true);
    expect(satisfiedBy(k, build().ready(0).model)).toBe(false);
    expect(satisfiedBy(k, build().on(0).run(0, 0).model)).toBe(false);
    expect(satisfiedBy(k, build().on(0).sleep(0, 0).model)).toBe(false);
    expect(satisfied(k, build().on(0).run(0, 0).model, [kill(0, 0, 0, 1)])).toBe(true);
    expect(firstProblem(k, build().on(0).run(0, 0).model)).toBe('VM0 is not killed at the end (running)');
  });
});

describe('noDelay (NoDelayTest)', () => {
  it('every action of the VM starts at t=0', () => {
    const m = build().on(0, 1, 2, 3).run(0, 0).run(1, 1).model;
    const nd = cstr('noDelay', { vm: 0 });
    expect(nd.continuous).toBe(false);
    const plan: Action[] = [];
    expect(satisfied(nd, m, plan)).toBe(true);
    plan.push(migrate(0, 0, 2, 0, 1));
    expect(satisfied(nd, m, plan)).toBe(true);
    plan.push(migrate(1, 1, 3, 0, 1));
    expect(satisfied(nd, m, plan)).toBe(true);
    plan.push(migrate(1, 3, 1, 1, 2));
    expect(satisfied(nd, m, plan)).toBe(true);
    plan.push(migrate(0, 2, 0, 1, 2));
    expect(satisfied(nd, m, plan)).toBe(false);
    expect(firstProblem(nd, m, plan)).toBe('VM0 must act at once but is migrated at t=1');
  });

  it('covers boot, shutdown, suspend, resume, kill and forge; not allocations', () => {
    const m = build().on(0).ready(0).model;
    const nd = cstr('noDelay', { vm: 0 });
    expect(satisfied(nd, m, [bootVM(0, 0, 1, 2)])).toBe(false);
    expect(satisfied(nd, m, [bootVM(0, 0, 0, 2)])).toBe(true);
    const on = build().on(0).run(0, 0).model;
    for (const late of [shutdownVM(0, 0, 2, 3), suspend(0, 0, 0, 2, 3), kill(0, 0, 2, 3)]) expect(satisfied(nd, on, [late])).toBe(false);
    expect(satisfied(nd, build().on(0).sleep(0, 0).model, [resume(0, 0, 0, 1, 2)])).toBe(false);
    expect(satisfied(nd, build().model, [forge(0, 3, 4)])).toBe(false);
    expect(satisfied(nd, on, [allocate(0, 0, 'cpu', 2, 5, 5)])).toBe(true);
  });
});

describe('seq (SeqTest)', () => {
  const m = build().on(0, 1).run(0, 0).ready(1).sleep(0, 2).run(0, 3).model;
  const seq = cstr('seq', { vms: [0, 1, 2, 3] });

  it('in order, one at a time, migrations ignored', () => {
    expect(seq.continuous).toBe(true);
    expect(satisfied(seq, m, [migrate(3, 0, 1, 0, 1), suspend(0, 0, 0, 2, 3), bootVM(1, 0, 3, 4), resume(2, 0, 0, 4, 5)])).toBe(true);
  });

  it('overlapping actions fail', () => {
    expect(satisfied(seq, m, [bootVM(1, 0, 3, 4), resume(2, 0, 0, 3, 5)])).toBe(false);
    expect(firstProblem(seq, m, [bootVM(1, 0, 3, 4), resume(2, 0, 0, 3, 5)])).toBe('VM2 is resumed at t=3 while VM1 has not finished');
  });

  it('out of order fails', () => {
    expect(satisfied(seq, m, [bootVM(1, 0, 3, 4), resume(2, 0, 0, 0, 1)])).toBe(false);
    expect(firstProblem(seq, m, [bootVM(1, 0, 3, 4), resume(2, 0, 0, 0, 1)])).toBe('VM1 is booted at t=3, after a VM listed later');
  });

  it('VMs without a state change are skipped (testContinuousSatisfied2)', () => {
    const m2 = build().on(0, 1).ready(0).run(0, 1).run(1, 2).run(0, 3).model;
    const p = [bootVM(0, 0, 0, 1), suspend(2, 1, 1, 1, 2), shutdownVM(3, 0, 2, 3)];
    expect(satisfied(cstr('seq', { vms: [0, 1, 2, 3] }), m2, p)).toBe(true);
  });

  it('a kill counts only for a VM running at the start', () => {
    const m3 = build().on(0).ready(0).run(0, 1).model;
    expect(satisfied(cstr('seq', { vms: [1, 0] }), m3, [kill(0, null, 0, 1), shutdownVM(1, 0, 0, 2)])).toBe(true);
    expect(satisfied(cstr('seq', { vms: [0, 1] }), m3, [kill(1, 0, 0, 1), bootVM(0, 0, 0, 2)])).toBe(false);
  });
});
