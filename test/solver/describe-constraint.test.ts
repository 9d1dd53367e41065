import { describe, expect, it } from 'vitest';

import { describeConstraint } from '../../src/solver/problem.js';
import { c, cluster } from './helpers.js';

/** Explanations print a constraint's parts as nodes or VMs from its entry's parameter kinds, not its id. */
describe('describeConstraint', () => {
  const { model, node, vm } = cluster({ N1: { cpu: 4 }, N2: { cpu: 4 } }, { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N2', cpu: 1 } });

  it('among: parts of nodes', () => {
    expect(describeConstraint(model, c('among', { vms: [vm('VM1'), vm('VM2')], parts: [[node('N1')], [node('N2')]] }))).toBe('>>among({VM1, VM2}, {{N1}, {N2}})');
  });

  it('split: parts of VMs', () => {
    expect(describeConstraint(model, c('split', { parts: [[vm('VM1')], [vm('VM2')]] }))).toBe('>>split({{VM1}, {VM2}})');
  });
});
