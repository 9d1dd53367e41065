import { describe, expect, it } from 'vitest';

import type { Constraint } from '../../src/catalogue/constraint.js';
import { CATALOGUE } from '../../src/catalogue/registry.js';
import { quickInfeasibility } from '../../src/solver/bounds.js';
import { FACES, SCHEDULE_ONLY_IDS, facesOf } from '../../src/solver/faces.js';
import { describeConstraint } from '../../src/catalogue/describe.js';
import { reduce } from '../../src/solver/problem.js';
import { parseConstraints } from '../../src/solver/schedule/constraints.js';
import { cluster, instanceOf } from './helpers.js';

/**
 * Issue 15 §4: the heuristic planner reads each constraint through its catalogue faces and one
 * typed reader; no solver module switches on constraint ids.
 */

const { model, vm, node } = cluster({ N1: { cpu: 8 }, N2: { cpu: 8 } }, { VM1: { on: 'N1', cpu: 2 }, VM2: { on: 'N2', cpu: 2 } });
const bad = (id: string, args: Record<string, unknown>): Constraint => ({ id, continuous: true, args });

describe('solver faces registry', () => {
  it('has the faces of every catalogue entry', () => {
    expect([...FACES.keys()].sort()).toEqual(CATALOGUE.map((d) => d.id).sort());
  });

  it('knows the schedule-only constraints from their `none` placement faces', () => {
    expect([...SCHEDULE_ONLY_IDS].sort()).toEqual(['Deadline', 'Precedence', 'Serialize', 'Sync', 'noDelay', 'seq']);
  });

  it('prints `>>` exactly for the discrete mode of constraints that have both modes', () => {
    const both = CATALOGUE.filter((d) => d.modes.discrete && d.modes.continuous).map((d) => d.id);
    expect(both.sort()).toEqual(['among', 'ban', 'fence', 'gather', 'lonely', 'maxOnline', 'overbook', 'resourceCapacity', 'split', 'splitAmong', 'spread']);
    expect(describeConstraint(model, { id: 'spread', continuous: false, args: { vms: [vm('VM1')] } })).toBe('>>spread({VM1})');
    expect(describeConstraint(model, { id: 'running', continuous: false, args: { vm: vm('VM1') } })).toBe('running(VM1)');
  });
});

describe('one typed reader for every face', () => {
  // the same bad argument, read by the placement and by the scheduler: one located sentence
  const cases: [Constraint, string][] = [
    [bad('maxOnline', { nodes: [node('N1')], amount: 'two' }), 'constraints[0].amount: expected an integer, got "two"'],
    [bad('spread', { vms: [vm('VM1'), 'VM2'] }), 'constraints[0].vms: expected a list of VM ids, got [0,"VM2"]'],
    [bad('overbook', { node: node('N1'), rc: 'cpu', ratio: 0.5 }), 'constraints[0].ratio: the overbooking ratio must be >= 1.0, got 0.5'],
    [bad('resourceCapacity', { nodes: [node('N1')], rc: 'cpu', amount: -1 }), 'constraints[0].amount'],
    [bad('ban', { vm: vm('VM1') }), 'constraints[0].nodes: expected a list of node ids, got nothing'],
  ];

  it.each(cases)('%j: the same located error from the placement and the schedule', (c, message) => {
    const problem = reduce(instanceOf(model, [c]));
    expect(problem.infeasible).toHaveLength(1);
    expect(problem.infeasible[0]).toContain(message);
    const parsed = parseConstraints([c], model);
    expect('ok' in parsed && parsed.ok === false ? parsed.reason : 'accepted').toBe(problem.infeasible[0]);
    expect(facesOf(c, 'constraints[0]')).toEqual({ error: problem.infeasible[0] });
  });

  it('leaves a constraint the catalogue does not know to the checker, noted as ignored', () => {
    const unknown: Constraint = { id: 'notInCatalogue', continuous: false, args: {} };
    expect(facesOf(unknown, 'constraints[0]')).toBeUndefined();
    expect(reduce(instanceOf(model, [unknown])).ignored).toEqual(['notInCatalogue']);
    expect('ok' in parseConstraints([unknown], model)).toBe(false);
  });

  it('cites constraints in quick bounds through their bounds faces', () => {
    const big = cluster({ N1: { cpu: 4 }, N2: { cpu: 4 } }, { VM1: { on: 'N1', cpu: 3 }, VM2: { on: 'N2', cpu: 3 } });
    const cs: Constraint[] = [
      { id: 'preserve', continuous: false, args: { vm: big.vm('VM2'), rc: 'cpu', amount: 3 } },
      { id: 'offline', continuous: false, args: { node: big.node('N2') } },
    ];
    const [totals] = quickInfeasibility(reduce(instanceOf(big.model, cs)));
    // node states first, then the demands, in constraint order
    expect(totals?.kind).toBe('totals');
    expect(totals?.constraints).toEqual([1, 0]);
    const banned: Constraint = { id: 'ban', continuous: false, args: { vm: vm('VM2'), nodes: [node('N1')] } };
    const nowhere = quickInfeasibility(reduce(instanceOf(model, [banned, { id: 'offline', continuous: false, args: { node: node('N2') } }])));
    expect(nowhere[0]?.kind).toBe('nowhere');
    expect([...(nowhere[0]?.constraints ?? [])].sort()).toEqual([0, 1]);
  });
});
