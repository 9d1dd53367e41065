import { describe, expect, it } from 'vitest';

import { initialRepair, reduce } from '../../src/solver/problem.js';
import { c, cluster, instanceOf } from './helpers.js';

/**
 * The reduction decides "this spread / among holds now" without placing every VM; these cases
 * pin what it must still see: broken rules, VMs listed twice, members outside every group, and
 * the group a continuous among keeps.
 */
describe('continuous spread and among in the current placement', () => {
  const base = () =>
    cluster(
      { N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8 }, N4: { cpu: 8 } },
      { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N1', cpu: 1 }, VM3: { on: 'N2', cpu: 1 }, VM4: { on: 'N3', cpu: 1 }, VM5: { on: null, cpu: 1 } },
    );

  it('a spread that holds, one that does not, one listing a VM twice', () => {
    const { model, vm } = base();
    const ok = reduce(instanceOf(model, [c('spread', { vms: [vm('VM1'), vm('VM3'), vm('VM4')] }, true)]));
    expect(ok.infeasible).toEqual([]);
    const broken = reduce(instanceOf(model, [c('spread', { vms: [vm('VM1'), vm('VM2'), vm('VM3')] }, true)]));
    expect(broken.infeasible).toHaveLength(1);
    expect(broken.infeasible[0]).toMatch(/^spread\(\{VM1, VM2, VM3\}\) is continuous but does not hold in the current placement \(VM2\)/);
    const twice = reduce(instanceOf(model, [c('spread', { vms: [vm('VM1'), vm('VM3'), vm('VM1')] }, true)]));
    expect(twice.infeasible).toHaveLength(1);
    // a VM to boot is not placed yet: it breaks nothing
    const ready = reduce(instanceOf(model, [c('running', { vm: vm('VM5') }), c('spread', { vms: [vm('VM1'), vm('VM3'), vm('VM5')] }, true)]));
    expect(ready.infeasible).toEqual([]);
  });

  it('an among in one group keeps its members there; two groups or a node outside every group break it', () => {
    const { model, vm, node } = base();
    const groups = [[node('N1'), node('N2')], [node('N3'), node('N4')]];
    const ok = reduce(instanceOf(model, [c('among', { vms: [vm('VM1'), vm('VM3')], parts: groups }, true)]));
    expect(ok.infeasible).toEqual([]);
    const v1 = ok.vmIndex.get(vm('VM1')) as number;
    expect(ok.nodes.map((_, n) => ok.domainAllows(v1, n))).toEqual([true, true, false, false]);
    const split = reduce(instanceOf(model, [c('among', { vms: [vm('VM1'), vm('VM4')], parts: groups }, true)]));
    expect(split.infeasible).toHaveLength(1);
    expect(split.infeasible[0]).toMatch(/is continuous but does not hold in the current placement \(VM4\)/);
    // VM4 sits outside every group: it breaks the among, and VM1's group (N1, N2) is still the one kept
    const outside = reduce(instanceOf(model, [c('among', { vms: [vm('VM1'), vm('VM4')], parts: [[node('N1'), node('N2')]] }, true)]));
    expect(outside.infeasible).toHaveLength(1);
    expect(outside.infeasible[0]).toMatch(/\(VM4\)/);
    const o1 = outside.vmIndex.get(vm('VM1')) as number;
    expect(outside.nodes.map((_, n) => outside.domainAllows(o1, n))).toEqual([true, true, false, false]);
    // discrete: nothing required now, no domain fixed
    const discrete = reduce(instanceOf(model, [c('among', { vms: [vm('VM1'), vm('VM4')], parts: groups })]));
    expect(discrete.infeasible).toEqual([]);
    expect(discrete.domains.size).toBe(0);
  });

  it('the repair evicts for a broken discrete spread or among only', () => {
    const { model, vm, node } = base();
    const held = initialRepair(reduce(instanceOf(model, [c('spread', { vms: [vm('VM1'), vm('VM3')] }), c('among', { vms: [vm('VM3'), vm('VM4')], parts: [[node('N2'), node('N3')]] })])));
    expect(held.queue).toEqual([]);
    expect(held.migrationsLowerBound).toBe(0);
    const problem = reduce(instanceOf(model, [c('spread', { vms: [vm('VM1'), vm('VM2')] }), c('among', { vms: [vm('VM3'), vm('VM4')], parts: [[node('N2')], [node('N3')]] })]));
    const broken = initialRepair(problem);
    expect(broken.queue.map((v) => model.vmName(problem.vms[v] as number)).sort()).toEqual(['VM2', 'VM4']);
    expect(broken.migrationsLowerBound).toBe(1);
  });
});

describe('the reduction, step by step', () => {
  const base = () =>
    cluster(
      { N1: { cpu: 8 }, N2: { cpu: 8 }, N3: { cpu: 8 }, N4: { cpu: 8 } },
      { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N1', cpu: 1 }, VM3: { on: 'N2', cpu: 1 }, VM4: { on: 'N3', cpu: 1 } },
    );

  it('reports the reasons in step order: node states, VM states, then continuous rules against the current placement', () => {
    const { model, vm, node } = base();
    const problem = reduce(
      instanceOf(model, [
        c('spread', { vms: [vm('VM1'), vm('VM2')] }, true),
        c('sleeping', { vm: vm('VM3') }),
        c('offline', { node: node('N4') }),
        c('running', { vm: vm('VM3') }),
        c('online', { node: node('N4') }),
      ]),
    );
    expect(problem.infeasible).toHaveLength(3);
    expect(problem.infeasible[0]).toMatch(/^offline\(N4\) and online\(N4\) contradict each other/);
    expect(problem.infeasible[1]).toMatch(/^sleeping\(VM3\) and running\(VM3\) contradict each other/);
    expect(problem.infeasible[2]).toMatch(/^spread\(\{VM1, VM2\}\) is continuous but does not hold/);
  });

  it('a group mask shared by the members of one among is copied before one member narrows its own', () => {
    const { model, vm, node } = base();
    const wide = [[node('N1'), node('N2')], [node('N3'), node('N4')]];
    const narrow = [[node('N1')], [node('N2'), node('N3'), node('N4')]];
    const problem = reduce(instanceOf(model, [c('among', { vms: [vm('VM1'), vm('VM3')], parts: wide }, true), c('among', { vms: [vm('VM1')], parts: narrow }, true)]));
    expect(problem.infeasible).toEqual([]);
    const allowed = (name: string): boolean[] => problem.nodes.map((_, n) => problem.domainAllows(problem.vmIndex.get(vm(name)) as number, n));
    expect(allowed('VM1')).toEqual([true, false, false, false]);
    expect(allowed('VM3')).toEqual([true, true, false, false]);
    expect(allowed('VM4')).toEqual([true, true, true, true]);
  });

  it('evicts from an overloaded node the VM relieving it most per migration (ties: the least memory), and counts it in the bound', () => {
    // preserve raises VM2's cpu to 6 on an 8-core N1 that also holds VM1 (1) and VM5 (3): 2 cores
    // over; VM2 and VM5 each relieve it all, VM5 has less memory to copy, VM1 relieves half
    const { model, vm } = cluster({ N1: { cpu: 8 }, N2: { cpu: 8 } }, { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N1', cpu: 1, mem: 8192 }, VM5: { on: 'N1', cpu: 3, mem: 1024 } });
    const problem = reduce(instanceOf(model, [c('preserve', { vm: vm('VM2'), rc: 'cpu', amount: 6 })]), { objective: 'migrations' });
    expect(problem.infeasible).toEqual([]);
    const repair = initialRepair(problem);
    expect(repair.queue.map((v) => model.vmName(problem.vms[v] as number))).toEqual(['VM5']);
    expect(repair.forced).toEqual([]);
    expect(repair.migrationsLowerBound).toBe(1);
    expect(repair.lowerBound).toBe(1);
  });
});
