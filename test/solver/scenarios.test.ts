import { describe, expect, it } from 'vitest';

import { checkPlan } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import type { Action } from '../../src/plan/actions.js';
import { type PlanOptions, type PlanResult, plan } from '../../src/solver/planner.js';
import { c, cluster, instanceOf } from './helpers.js';

/**
 * Planner-level scenarios for the constraints that only shape the schedule (seq, noDelay) and for
 * splitAmong: what the constraint forces, what it forbids, and the discrete vs continuous reading.
 * Every plan is re-checked by the independent checker.
 */
async function solve(instance: Instance, options: PlanOptions = {}): Promise<PlanResult> {
  const result = await plan(instance, { objective: 'migrations', timeLimitMs: 2_000, solver: 'native', ...options });
  if (result.plan) expect(checkPlan(instance, result.plan).ok).toBe(true);
  return result;
}

const actionOn = (r: PlanResult, vm: number): Action | undefined => r.plan?.actions.find((a) => a.kind !== 'bootNode' && a.kind !== 'shutdownNode' && a.kind !== 'allocate' && a.vm === vm);

describe('seq: state changes of the VMs one at a time, in list order', () => {
  const setup = () =>
    cluster(
      { N1: { cpu: 8 }, N2: { cpu: 8 } },
      { VM1: { on: 'N1', cpu: 1 }, VM2: { on: null, cpu: 1 }, VM3: { on: null, cpu: 1 } },
    );

  it('without seq the boots and the shutdown all start at once; with seq(VM3, VM1, VM2) they follow each other', async () => {
    const { model, vm } = setup();
    model.attributes.put('vm', vm('VM1'), 'shutdown', 2).put('vm', vm('VM2'), 'boot', 3).put('vm', vm('VM3'), 'boot', 2);
    const states = [c('ready', { vm: vm('VM1') }), c('running', { vm: vm('VM2') }), c('running', { vm: vm('VM3') })];
    const free = await solve(instanceOf(model, states));
    expect([vm('VM1'), vm('VM2'), vm('VM3')].map((v) => actionOn(free, v)?.start)).toEqual([0, 0, 0]);

    const ordered = await solve(instanceOf(model, [...states, c('seq', { vms: [vm('VM3'), vm('VM1'), vm('VM2')] }, true)]));
    const [first, second, third] = [vm('VM3'), vm('VM1'), vm('VM2')].map((v) => actionOn(ordered, v));
    expect(first?.kind).toBe('bootVM');
    expect(second?.kind).toBe('shutdownVM');
    expect(third?.kind).toBe('bootVM');
    expect(first && second && third && first.end <= second.start && second.end <= third.start).toBe(true);
    // back to back: nothing waits longer than the order asks
    expect([first?.start, second?.start, third?.start]).toEqual([0, 2, 4]);
  });

  it('a listed VM with nothing to do is skipped, and migrations are not ordered by seq', async () => {
    const { model, vm, node } = setup();
    const r = await solve(instanceOf(model, [c('running', { vm: vm('VM2') }), c('ban', { vm: vm('VM1'), nodes: [node('N1')] }), c('seq', { vms: [vm('VM3'), vm('VM1'), vm('VM2')] }, true)]));
    expect(actionOn(r, vm('VM3'))).toBeUndefined();
    expect(actionOn(r, vm('VM1'))?.kind).toBe('migrateVM');
    expect(actionOn(r, vm('VM2'))?.start).toBe(0);
  });
});

describe('noDelay: every action of the VM starts at t=0', () => {
  // three VMs leave N1; two migrations at a time per host, so one of them would wait
  const drain = () =>
    cluster(
      { N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8 }, N4: { cpu: 8 } },
      { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N1', cpu: 1 }, VM3: { on: 'N1', cpu: 1 } },
    );

  it('forces the chosen VM into the first wave of a drain', async () => {
    const { model, vm, node } = drain();
    const offline = c('offline', { node: node('N1') });
    for (const chosen of ['VM1', 'VM2', 'VM3']) {
      const r = await solve(instanceOf(model, [offline, c('noDelay', { vm: vm(chosen) }, false)]));
      expect(r.migrations).toBe(3);
      expect(actionOn(r, vm(chosen))?.start).toBe(0);
      // the cap still holds: exactly one migration waits
      expect(r.plan?.actions.filter((a) => a.kind === 'migrateVM' && a.start > 0)).toHaveLength(1);
    }
  });

  it('cannot hold when the VM must wait for another action (Precedence): no plan', async () => {
    const { model, vm, node } = drain();
    const r = await solve(instanceOf(model, [c('offline', { node: node('N1') }), c('Precedence', { vm1: vm('VM1'), vm2: vm('VM2') }, true), c('noDelay', { vm: vm('VM2') }, false)]));
    expect(r.plan).toBeUndefined();
    expect(r.status).not.toBe('optimal');
  });

  it('three noDelay on VMs leaving one host exceed the cap of 2: no plan, but a cap of 3 gives one', async () => {
    const { model, vm, node } = drain();
    const constraints = [c('offline', { node: node('N1') }), ...['VM1', 'VM2', 'VM3'].map((n) => c('noDelay', { vm: vm(n) }, false))];
    expect((await solve(instanceOf(model, constraints))).plan).toBeUndefined();
    const wide = await solve(instanceOf(model, constraints), { budgets: { maxConcurrentMigrationsPerHost: 3 } });
    expect(wide.plan?.actions.filter((a) => a.kind === 'migrateVM').map((a) => a.start)).toEqual([0, 0, 0]);
  });
});

describe('splitAmong: each VM group in its own node group', () => {
  const setup = () =>
    cluster(
      { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 }, N4: { cpu: 4 } },
      { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N2', cpu: 1 }, VM3: { on: 'N1', cpu: 1 }, VM4: { on: 'N3', cpu: 1 } },
    );
  const args = (vm: (n: string) => number, node: (n: string) => number) => ({
    vParts: [[vm('VM1'), vm('VM2')], [vm('VM3')]],
    pParts: [[node('N1'), node('N2')], [node('N3'), node('N4')]],
  });

  it('discrete: moves VM3 out of the first group of nodes, one migration, into the second group', async () => {
    const { model, vm, node } = setup();
    const r = await solve(instanceOf(model, [c('splitAmong', args(vm, node), false)]));
    expect(r.migrations).toBe(1);
    const move = actionOn(r, vm('VM3'));
    expect(move?.kind).toBe('migrateVM');
    expect(move?.kind === 'migrateVM' && [node('N3'), node('N4')].includes(move.to)).toBe(true);
  });

  it('discrete: a group pushed out of its node group takes the whole group along, and the other group stays apart', async () => {
    const { model, vm, node } = setup();
    const banVm2 = c('ban', { vm: vm('VM2'), nodes: [node('N1'), node('N2')] });
    // alone, the ban moves VM2 only
    expect((await solve(instanceOf(model, [banVm2]))).migrations).toBe(1);
    // with splitAmong, VM1 follows VM2 into N3/N4, and VM3 (the other group) stays on N1
    const r = await solve(instanceOf(model, [c('splitAmong', args(vm, node), false), banVm2]));
    expect(r.migrations).toBe(2);
    for (const member of ['VM1', 'VM2']) {
      const move = actionOn(r, vm(member));
      expect(move?.kind === 'migrateVM' && [node('N3'), node('N4')].includes(move.to)).toBe(true);
    }
    expect(actionOn(r, vm('VM3'))).toBeUndefined();
  });

  it('continuous and violated now: no plan, and the explanation says to write it with >>', async () => {
    const { model, vm, node } = setup();
    const r = await solve(instanceOf(model, [c('splitAmong', args(vm, node), true)]));
    expect(r.plan).toBeUndefined();
    expect(r.status).toBe('infeasible');
    expect((r.explanation ?? []).join('\n')).toMatch(/splitAmong.*>>/s);
  });
});
