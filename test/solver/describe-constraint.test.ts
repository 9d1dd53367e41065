import { describe, expect, it } from 'vitest';

import { describeConstraint, describeOf } from '../../src/catalogue/describe.js';
import { readConflict } from '../../src/solver/conflict-line.js';
import { describeConstraintSet } from '../../src/solver/explain-text.js';
import { initialRepair, reduce } from '../../src/solver/problem.js';
import { c, cluster, instanceOf } from './helpers.js';

/** Explanations print a constraint's parts as nodes or VMs from its entry's field kinds, not its id or keys. */
describe('describeConstraint', () => {
  const { model, node, vm } = cluster({ N1: { cpu: 4 }, N2: { cpu: 4 } }, { VM1: { on: 'N1', cpu: 1 }, VM2: { on: 'N2', cpu: 1 } });

  it('among: parts of nodes', () => {
    expect(describeConstraint(model, c('among', { vms: [vm('VM1'), vm('VM2')], parts: [[node('N1')], [node('N2')]] }))).toBe('>>among({VM1, VM2}, {{N1}, {N2}})');
  });

  it('split: parts of VMs', () => {
    expect(describeConstraint(model, c('split', { parts: [[vm('VM1')], [vm('VM2')]] }))).toBe('>>split({{VM1}, {VM2}})');
  });

  it('arguments in the entry field order, whatever order the args object was built in', () => {
    const preserve = c('preserve', { amount: 2, rc: 'cpu', vm: vm('VM1') });
    expect(describeConstraint(model, preserve)).toBe("preserve(VM1, 'cpu', 2)");
    expect(describeConstraint(model, c('Precedence', { vm2: vm('VM2'), vm1: vm('VM1') }, true))).toBe('Precedence(VM1, VM2)');
  });

  it('a resource id or timestamp from the instance cannot forge a line', () => {
    const text = describeConstraint(model, c('preserve', { vm: vm('VM1'), rc: 'cpu\n0\'00 to 0\'09: shutdown(N1)', amount: 1 }));
    expect(text).not.toContain('\n');
    expect(text.startsWith("preserve(VM1, 'cpu")).toBe(true);
  });

  it('a refused argument: the located sentence through describeOf, the bare name in a sentence', () => {
    const bad = c('preserve', { vm: vm('VM1'), rc: 'cpu', amount: 1.5 });
    expect(describeOf(model, bad, 'constraints[4]')).toEqual({ error: 'constraints[4].amount: expected an integer, got 1.5' });
    expect(describeConstraint(model, bad)).toBe('preserve(?)');
    expect(describeOf(model, c('noSuchThing', {}), 'constraints[0]')).toEqual({ error: 'constraints[0]: no constraint is called "noSuchThing"' });
  });

  it('the term around the one VM or node of a constraint, for grouping', () => {
    const term = describeOf(model, c('Deadline', { vm: vm('VM2'), timestamp: '+0:05' }, true), 'constraints[0]');
    expect(term).toEqual({ text: "Deadline(VM2, '+0:05')", lone: { before: 'Deadline(', after: ", '+0:05')", name: 'VM2' } });
    // two element fields: no single element to group by
    expect(describeOf(model, c('Precedence', { vm1: vm('VM1'), vm2: vm('VM2') }, true), 'constraints[0]')).toEqual({ text: 'Precedence(VM1, VM2)' });
  });
});

describe('one conflictOf for the reduction and the explanations', () => {
  it('a reason of the repair groups alike constraints as explanations do', () => {
    // N1 goes offline while its five VMs are rooted: one pinned VM per reason
    const vms = Object.fromEntries(['VM1', 'VM2', 'VM3', 'VM4', 'VM5'].map((n) => [n, { on: 'N1', cpu: 1 }]));
    const { model, node, vm } = cluster({ N1: { cpu: 8 }, N2: { cpu: 8 } }, vms);
    const roots = Object.keys(vms).map((n) => c('root', { vm: vm(n) }, true));
    const problem = reduce(instanceOf(model, [...roots, c('offline', { node: node('N1') })]));
    const reasons = initialRepair(problem).infeasible;
    expect(reasons).toHaveLength(5);
    const first = readConflict(reasons[0] as string);
    expect(first?.constraints).toEqual(['root(VM1)', 'offline(N1)']);
    expect(first?.message).toBe('VM1 may not move (root or quarantine) but cannot stay on N1');
    // the same terms the explanations write for these constraints
    expect(describeConstraintSet(model, [roots[0] as never, c('offline', { node: node('N1') })])).toEqual(first?.constraints);
  });

  it('an overloaded node whose VMs may not move: alike constraints written once, as explanations write them', () => {
    // preserve raises five rooted VMs to 2 cpu each on a node of 8
    const names = ['VM1', 'VM2', 'VM3', 'VM4', 'VM5'];
    const { model, vm } = cluster({ N1: { cpu: 8 }, N2: { cpu: 8 } }, Object.fromEntries(names.map((n) => [n, { on: 'N1', cpu: 1 }])));
    const constraints = names.flatMap((n) => [c('root', { vm: vm(n) }, true), c('preserve', { vm: vm(n), rc: 'cpu', amount: 2 })]);
    const reasons = initialRepair(reduce(instanceOf(model, constraints))).infeasible;
    expect(reasons).toEqual(["root({VM1, VM2, VM3, VM4, VM5}) + preserve({VM1, VM2, VM3, VM4, VM5}, 'cpu', 2): N1 is over capacity and the VMs on it may not move"]);
  });
});
