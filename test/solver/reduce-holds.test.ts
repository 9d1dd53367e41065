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
