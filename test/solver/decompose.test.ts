import { describe, expect, it } from 'vitest';

import { decompose } from '../../src/solver/decompose.js';
import { initialRepair, reduce } from '../../src/solver/problem.js';
import { c, cluster, instanceOf } from './helpers.js';

describe('decomposition into independent sub-problems', () => {
  const setup = () =>
    cluster(
      { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 }, N4: { cpu: 4 } },
      { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N2', cpu: 1 }, VM3: { on: 'N3', cpu: 1 }, VM4: { on: 'N4', cpu: 1 } },
    );

  it('fenced drains on disjoint nodes are two components with their shortlists', () => {
    const { model, vm, node } = setup();
    const instance = instanceOf(model, [
      c('offline', { node: node('N1') }),
      c('offline', { node: node('N3') }),
      c('fence', { vm: vm('VM1'), nodes: [node('N1'), node('N2')] }),
      c('fence', { vm: vm('VM3'), nodes: [node('N3'), node('N4')] }),
    ]);
    const problem = reduce(instance);
    const d = decompose(problem, initialRepair(problem));
    expect(d.components).toHaveLength(2);
    expect(d.candidates.get(problem.vmIndex.get(vm('VM1')) as number)).toEqual([problem.nodeIndex.get(node('N2'))]);
    const sizes = d.components.map((g) => g.vms.length).sort();
    expect(sizes).toEqual([1, 1]);
  });

  it('a spread over the two drained VMs joins them into one component', () => {
    const { model, vm, node } = setup();
    const instance = instanceOf(model, [
      c('offline', { node: node('N1') }),
      c('offline', { node: node('N3') }),
      c('fence', { vm: vm('VM1'), nodes: [node('N2')] }),
      c('fence', { vm: vm('VM3'), nodes: [node('N4')] }),
      c('spread', { vms: [vm('VM1'), vm('VM3')] }),
    ]);
    const problem = reduce(instance);
    const d = decompose(problem, initialRepair(problem));
    expect(d.components).toHaveLength(1);
    expect(d.components[0]?.vms).toHaveLength(2);
  });
});
