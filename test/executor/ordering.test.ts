import { describe, expect, it } from 'vitest';

import type { Constraint } from '../../src/catalogue/constraint.js';
import { definitionOf } from '../../src/catalogue/registry.js';
import { stepsFromPlan } from '../../src/executor/index.js';
import { SAME_NODE_SUFFICES } from '../../src/executor/ordering.js';
import type { Action } from '../../src/plan/actions.js';
import { buildModel, id } from '../plan/support.js';

/**
 * Continuous constraints across hosts order the steps as the checked plan did: a step waits for
 * the actions its constraint involves that the plan finishes before it starts — which BtrPlace's
 * room-on-the-same-node dependencies alone do not say.
 */

const relocate = (vm: string, from: string, to: string, start: number, end: number): Action => ({ kind: 'migrateVM', vm: id(vm), from: id(from), to: id(to), start, end });
const origin = () => buildModel({ on: { N1: ['VM1'], N2: [], N3: ['VM2'], N4: [] } });
const seq = (continuous: boolean): Constraint => ({ id: 'seq', continuous, args: { vms: [id('VM1'), id('VM2')] } });

describe('steps ordered by continuous constraints', () => {
  const first = relocate('VM1', 'N1', 'N2', 0, 2);
  const second = relocate('VM2', 'N3', 'N4', 2, 4);

  it('seq over two hosts: the second migration waits for the first', () => {
    const steps = stepsFromPlan({ origin: origin(), actions: [first, second] }, { constraints: [seq(true)] });
    expect(steps.map((s) => [s.id, s.dependsOn])).toEqual([
      ['s1', []],
      ['s2', ['s1']],
    ]);
  });

  it('without the constraint, or with its discrete form, the two hosts are independent', () => {
    expect(stepsFromPlan({ origin: origin(), actions: [first, second] }).map((s) => s.dependsOn)).toEqual([[], []]);
    expect(stepsFromPlan({ origin: origin(), actions: [first, second] }, { constraints: [seq(false)] }).map((s) => s.dependsOn)).toEqual([[], []]);
  });

  it('actions that overlap in the plan, or are simultaneous and instantaneous, do not wait for each other', () => {
    const overlapping = relocate('VM2', 'N3', 'N4', 1, 3);
    expect(stepsFromPlan({ origin: origin(), actions: [first, overlapping] }, { constraints: [seq(true)] }).map((s) => s.dependsOn)).toEqual([[], []]);
    const grow1: Action = { kind: 'allocate', vm: id('VM1'), node: id('N1'), rc: 'cpu', amount: 2, start: 1, end: 1 };
    const grow2: Action = { kind: 'allocate', vm: id('VM2'), node: id('N3'), rc: 'cpu', amount: 2, start: 1, end: 1 };
    const model = buildModel({ on: { N1: ['VM1'], N3: ['VM2'] }, rc: { cpu: { cap: 8, cons: { VM1: 1, VM2: 1 } } } });
    expect(stepsFromPlan({ origin: model, actions: [grow1, grow2] }, { constraints: [seq(true)] }).map((s) => s.dependsOn)).toEqual([[], []]);
  });

  it('a continuous maxOnline swapping one node for another: the boot waits for the shutdown', () => {
    const model = buildModel({ on: { N1: [], N2: [] }, off: ['N3'] });
    const off: Action = { kind: 'shutdownNode', node: id('N2'), start: 0, end: 3 };
    const on: Action = { kind: 'bootNode', node: id('N3'), start: 3, end: 6 };
    const maxOnline: Constraint = { id: 'maxOnline', continuous: true, args: { nodes: [id('N1'), id('N2'), id('N3')], amount: 2 } };
    expect(stepsFromPlan({ origin: model, actions: [off, on] }).map((s) => s.dependsOn)).toEqual([[], []]);
    expect(stepsFromPlan({ origin: model, actions: [off, on] }, { constraints: [maxOnline] }).map((s) => s.dependsOn)).toEqual([[], ['s1']]);
  });

  it('node-local continuous constraints (an overbook over every host) add no order: the same-node dependencies keep them', () => {
    const overbook: Constraint = { id: 'overbook', continuous: true, args: { nodes: [1, 2, 3, 4].map((n) => id(`N${n}`)), rc: 'cpu', ratio: 3 } };
    expect(stepsFromPlan({ origin: origin(), actions: [first, second] }, { constraints: [overbook] }).map((s) => s.dependsOn)).toEqual([[], []]);
    for (const constraintId of SAME_NODE_SUFFICES) expect(definitionOf(constraintId), constraintId).toBeDefined();
  });
});

