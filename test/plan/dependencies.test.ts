import { describe, expect, it } from 'vitest';

import type { Action, Allocate, BootNode, BootVM, MigrateVM, ResumeVM, ShutdownNode, SuspendVM } from '../../src/plan/actions.js';
import { PlanMonitor, executableActions, extractDependencies } from '../../src/plan/dependencies.js';
import { buildModel } from './support.js';

const mig = (vm: number, from: number, to: number, start: number, end: number): MigrateVM => ({ kind: 'migrateVM', vm, from, to, start, end });
const bootNode = (node: number, start: number, end: number): BootNode => ({ kind: 'bootNode', node, start, end });
const bootVm = (vm: number, node: number, start: number, end: number): BootVM => ({ kind: 'bootVM', vm, node, start, end });
const shutdownNode = (node: number, start: number, end: number): ShutdownNode => ({ kind: 'shutdownNode', node, start, end });
const allocate = (vm: number, node: number, rc: string, amount: number, start: number, end: number): Allocate => ({ kind: 'allocate', vm, node, rc, amount, start, end });

// The actions of BtrPlace's DependenciesExtractorTest (VMs VM0.., nodes N0..).
const m1 = mig(0, 1, 0, 0, 5);
const m2 = mig(1, 2, 3, 0, 5);
const b1 = bootNode(4, 0, 5);
const r1 = bootVm(2, 4, 5, 7);
const s1 = shutdownNode(5, 3, 7);
const m3 = mig(3, 5, 1, 0, 2);
const m4 = mig(4, 5, 1, 7, 9);

describe('extractDependencies (BtrPlace DependenciesExtractorTest)', () => {
  it('disjoint graphs: no dependency', () => {
    const origin = buildModel({ on: { N0: ['VM0'], N1: [], N2: ['VM1'], N3: [], N5: [] } });
    const deps = extractDependencies({ origin, actions: [m1, m2, s1] });
    expect(deps.get(m1)).toEqual([]);
    expect(deps.get(m2)).toEqual([]);
    expect(deps.get(s1)).toEqual([]);
  });

  it('a VM booted on a node depends on the boot of that node', () => {
    const origin = buildModel({ on: { N4: [] }, ready: ['VM2'] });
    const deps = extractDependencies({ origin, actions: [b1, r1] });
    expect(deps.get(b1)).toEqual([]);
    expect(deps.get(r1)).toEqual([b1]);
  });

  it('no dependency when the freeing action ends after the demanding one starts', () => {
    const origin = buildModel({ on: { N0: [], N1: ['VM0'], N5: ['VM3'] } });
    const deps = extractDependencies({ origin, actions: [m1, m3, m4] });
    expect(deps.get(m1)).toEqual([]);
    expect(deps.get(m3)).toEqual([]);
    // m4 goes to N1, which m1 [0,5] frees; m3 also goes to N1 but frees N5, not N1
    expect(deps.get(m4)).toEqual([m1]);
  });

  it('a ShutdownNode [3,7] on N5 depends on the MigrateVM [0,2] leaving N5', () => {
    const origin = buildModel({ on: { N1: [], N5: ['VM3'] } });
    const deps = extractDependencies({ origin, actions: [s1, m3] });
    expect(deps.get(m3)).toEqual([]);
    expect(deps.get(s1)).toEqual([m3]);
  });

  it('an Allocate 3→5 [5,7] depends on an Allocate 5→3 [0,3] on the same node', () => {
    const origin = buildModel({ on: { N0: ['VM0', 'VM1'] }, rc: { cpu: { cap: 8, cons: { VM0: 3, VM1: 5 } } } });
    const a1 = allocate(0, 0, 'cpu', 5, 5, 7);
    const a2 = allocate(1, 0, 'cpu', 3, 0, 3);
    const deps = extractDependencies({ origin, actions: [a1, a2] });
    expect(deps.get(a2)).toEqual([]);
    expect(deps.get(a1)).toEqual([a2]);
    // an allocation over an unknown resource takes no part
    const ghost = allocate(1, 0, 'gpu', 9, 8, 9);
    expect(extractDependencies({ origin, actions: [a2, ghost] }).get(ghost)).toEqual([]);
  });

  it('the end of a freeing action must not be after the start (equal is enough)', () => {
    const origin = buildModel({ on: { N1: ['VM1'], N2: ['VM2'] } });
    const away = mig(1, 1, 2, 0, 3);
    const onTime = mig(2, 2, 1, 3, 4);
    const early = mig(2, 2, 1, 2, 4);
    expect(extractDependencies({ origin, actions: [away, onTime] }).get(onTime)).toEqual([away]);
    expect(extractDependencies({ origin, actions: [away, early] }).get(early)).toEqual([]);
  });

  it('sameVm: orders the actions of one VM (BtrPlace does not)', () => {
    const origin = buildModel({ on: { N1: ['VM1'], N2: [] } });
    const suspend: SuspendVM = { kind: 'suspendVM', vm: 1, from: 1, to: 1, start: 0, end: 2 };
    const resume: ResumeVM = { kind: 'resumeVM', vm: 1, from: 1, to: 2, start: 2, end: 4 };
    const plan = { origin, actions: [resume, suspend] };
    expect(extractDependencies(plan).get(resume)).toEqual([]);
    expect(extractDependencies(plan, { sameVm: true }).get(resume)).toEqual([suspend]);
  });
});

describe('executableActions and PlanMonitor (BtrPlace DefaultReconfigurationPlanMonitorTest)', () => {
  const a1 = bootNode(2, 0, 3); // no deps
  const a2 = bootVm(2, 0, 0, 3); // no deps
  const a3 = mig(0, 0, 2, 4, 5); // deps: a1
  const a4 = mig(1, 1, 0, 4, 7); // no deps
  const plan = () => ({ origin: buildModel({ on: { N0: ['VM0'], N1: ['VM1'] }, off: ['N2'], ready: ['VM2'] }), actions: [a1, a3, a2, a4] as Action[] });

  it('lists the actions executable now', () => {
    const deps = extractDependencies(plan());
    expect(executableActions(deps, new Set())).toEqual([a1, a2, a4]);
    expect(executableActions(deps, new Set([a1]))).toEqual([a2, a3, a4]);
    expect(executableActions(deps, new Set([a1, a2, a3, a4]))).toEqual([]);
  });

  it('commits actions one by one and reports what they unblock', () => {
    const p = plan();
    const monitor = new PlanMonitor(p);
    expect(monitor.currentModel().equals(p.origin)).toBe(true);
    expect(monitor.isBlocked(a1)).toBe(false);
    expect(monitor.isBlocked(a2)).toBe(false);
    expect(monitor.isBlocked(a3)).toBe(true);
    expect(monitor.isBlocked(a4)).toBe(false);

    const blocked = monitor.commit(a3);
    expect(blocked.ok).toBe(false);
    if (!blocked.ok) expect(blocked.message).toBe("relocate(VM0,N2) waits for boot(N2) (0'00 to 0'03)");

    expect(monitor.commit(a4)).toEqual({ ok: true, unblocked: [] });
    expect(monitor.commit(a1)).toEqual({ ok: true, unblocked: [a3] });
    expect(monitor.isBlocked(a3)).toBe(false);
    const twice = monitor.commit(a1);
    expect(twice.ok).toBe(false);
    expect(monitor.commit(a2).ok).toBe(true);
    expect(monitor.commit(a3).ok).toBe(true);
    expect(monitor.isDone()).toBe(true);
    expect(monitor.committedCount()).toBe(4);
    const end = monitor.currentModel();
    expect(end.mapping.host(0)).toBe(2);
    expect(end.mapping.host(1)).toBe(0);
    expect(end.mapping.host(2)).toBe(0);
    // the origin is untouched
    expect(p.origin.mapping.host(0)).toBe(0);
  });

  it('refuses an action that cannot be applied and leaves the model unchanged', () => {
    const origin = buildModel({ on: { N0: ['VM0'], N1: [] } });
    const bad = mig(0, 1, 0, 0, 1); // VM0 is on N0, not N1
    const monitor = new PlanMonitor({ origin, actions: [bad] });
    const r = monitor.commit(bad);
    expect(r).toEqual({ ok: false, message: 'cannot relocate VM0 to N0: VM0 runs on N0, not on N1' });
    expect(monitor.currentModel().equals(origin)).toBe(true);
    expect(monitor.committedCount()).toBe(0);
    const same = mig(0, 0, 0, 0, 1);
    expect(new PlanMonitor({ origin, actions: [same] }).commit(same)).toEqual({ ok: false, message: 'cannot relocate VM0 to N0: the source and the destination are both N0' });
  });
});
