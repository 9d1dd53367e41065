import { describe, expect, it } from 'vitest';

import type { Constraint } from '../../src/catalogue/constraint.js';
import type { CheckProblem } from '../../src/catalogue/definition.js';
import type { Model } from '../../src/model/index.js';
import type { Action } from '../../src/plan/actions.js';
import { replay } from '../../src/plan/replay.js';
import { allocate, allocateEvent, bootNode, bootVM, build, cstr, defOf, kill, migrate, rc, runCheck, shutdownNode, shutdownVM, suspend } from './support.js';

/** Drives a check with the real plan replay (the plan checker's driver), every hook, every mode. */
function viaReplay(c: Constraint, origin: Model, actions: readonly Action[]): string[] {
  const check = defOf(c.id).check(c);
  const problems: CheckProblem[] = [];
  const note = (p: CheckProblem | null | undefined): void => {
    if (p) problems.push(p);
  };
  const r = replay(
    { origin, actions },
    {
      startsWith: (m) => note(check.startsWith?.(m)),
      beforeEnd: (a, _t, m) => note(check.end?.(a, m)),
      beforeStart: (a, _t, m) => note(check.start?.(a, m)),
      endsWith: (m) => note(check.endsWith(m)),
    },
  );
  if (!r.ok) throw new Error(`the test plan is not executable: ${r.problem.message}`);
  return problems.map((p) => p.message);
}

interface Scenario {
  readonly name: string;
  readonly constraint: Constraint;
  readonly origin: Model;
  readonly actions: readonly Action[];
  readonly holds: boolean;
}

const cpu = (): ReturnType<typeof rc> => rc('cpu', 8, 2);
const base = (): ReturnType<typeof build> => build().on(0, 1, 2).off(3).run(0, 0, 1).run(1, 2).ready(4).resource(cpu());

/** Executable plans (capacities, preconditions) for which the two drivers must agree. */
const SCENARIOS: Scenario[] = [
  { name: 'spread: one leaves before the other arrives', constraint: cstr('spread', { vms: [0, 2] }), origin: base().model, actions: [migrate(2, 1, 2, 0, 2), migrate(0, 0, 1, 2, 3)], holds: true },
  { name: 'spread: arrives too early', constraint: cstr('spread', { vms: [0, 2] }), origin: base().model, actions: [migrate(2, 1, 2, 0, 2), migrate(0, 0, 1, 1, 3)], holds: false },
  { name: 'ban: boot onto a banned node', constraint: cstr('ban', { vm: 4, nodes: [2] }), origin: base().model, actions: [bootVM(4, 2, 0, 1)], holds: false },
  { name: 'fence: boot inside', constraint: cstr('fence', { vm: 4, nodes: [1, 2] }), origin: base().model, actions: [bootVM(4, 2, 0, 1)], holds: true },
  { name: 'gather C: pinned', constraint: cstr('gather', { vms: [0, 1] }, true), origin: base().model, actions: [migrate(1, 0, 2, 0, 1)], holds: false },
  { name: 'lonely C: arrival on a private node', constraint: cstr('lonely', { vms: [2] }, true), origin: base().model, actions: [migrate(0, 0, 1, 0, 1)], holds: false },
  { name: 'split C: in turn', constraint: cstr('split', { parts: [[0, 1], [2]] }, true), origin: base().model, actions: [shutdownVM(2, 1, 0, 1), migrate(0, 0, 1, 1, 2)], holds: true },
  { name: 'split C: overlapping', constraint: cstr('split', { parts: [[0, 1], [2]] }, true), origin: base().model, actions: [shutdownVM(2, 1, 0, 2), migrate(0, 0, 1, 1, 2)], holds: false },
  { name: 'maxOnline C: boot after shutdown ends', constraint: cstr('maxOnline', { nodes: [0, 1, 2, 3], amount: 3 }, true), origin: base().on(4).model, actions: [shutdownVM(2, 1, 0, 1), shutdownNode(1, 1, 2), bootNode(3, 2, 3)], holds: true },
  { name: 'maxOnline C: boot during shutdown', constraint: cstr('maxOnline', { nodes: [0, 1, 2, 3], amount: 3 }, true), origin: base().model, actions: [shutdownVM(2, 1, 0, 1), shutdownNode(1, 1, 3), bootNode(3, 2, 3)], holds: false },
  { name: 'resourceCapacity C: allocation increase', constraint: cstr('resourceCapacity', { nodes: [1], rc: 'cpu', amount: 3 }, true), origin: base().model, actions: [allocate(2, 1, 'cpu', 4, 1, 1)], holds: false },
  { name: 'resourceCapacity C: fits', constraint: cstr('resourceCapacity', { nodes: [1], rc: 'cpu', amount: 4 }, true), origin: base().model, actions: [allocate(2, 1, 'cpu', 4, 1, 1)], holds: true },
  { name: 'preserve: allocation event on the migration', constraint: cstr('preserve', { vm: 0, rc: 'cpu', amount: 3 }), origin: base().model, actions: [migrate(0, 0, 2, 0, 1, { post: [allocateEvent(0, 'cpu', 3)] })], holds: true },
  { name: 'preserve: too small an allocation event', constraint: cstr('preserve', { vm: 0, rc: 'cpu', amount: 3 }), origin: base().model, actions: [migrate(0, 0, 2, 0, 1, { post: [allocateEvent(0, 'cpu', 1)] })], holds: false },
  { name: 'running: suspended is refused', constraint: cstr('running', { vm: 0 }), origin: base().model, actions: [suspend(0, 0, 0, 0, 1)], holds: false },
  { name: 'killed: kill passes', constraint: cstr('killed', { vm: 1 }), origin: base().model, actions: [kill(1, 0, 0, 1)], holds: true },
  { name: 'offline: VMs leave, then the node stops', constraint: cstr('offline', { node: 1 }), origin: base().model, actions: [migrate(2, 1, 2, 0, 1), shutdownNode(1, 1, 2)], holds: true },
  { name: 'seq: one at a time in order', constraint: cstr('seq', { vms: [4, 2] }), origin: base().model, actions: [bootVM(4, 2, 0, 1), shutdownVM(2, 1, 1, 2)], holds: true },
  { name: 'seq: wrong order', constraint: cstr('seq', { vms: [4, 2] }), origin: base().model, actions: [shutdownVM(2, 1, 0, 1), bootVM(4, 2, 1, 2)], holds: false },
  { name: 'Serialize: back to back', constraint: cstr('Serialize', { vms: [0, 1] }), origin: base().model, actions: [migrate(0, 0, 2, 0, 1), migrate(1, 0, 2, 1, 2)], holds: true },
  { name: 'Precedence: overlapping', constraint: cstr('Precedence', { vm1: 0, vm2: 1 }), origin: base().model, actions: [migrate(0, 0, 2, 0, 2), migrate(1, 0, 2, 1, 2)], holds: false },
  { name: 'Sync: ends together', constraint: cstr('Sync', { vms: [0, 2] }), origin: base().model, actions: [migrate(0, 0, 2, 0, 2), migrate(2, 1, 2, 1, 2)], holds: true },
];

describe('the checks give the same verdicts under the real replay as under the test driver', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const byReplay = viaReplay(s.constraint, s.origin, s.actions);
    const byHelper = runCheck(s.constraint, s.origin, s.actions).problems.map((p) => p.message);
    expect(byReplay.length === 0).toBe(s.holds);
    expect(byReplay).toEqual(byHelper);
  });
});
