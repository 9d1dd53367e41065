import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { namedAction, newRun, nextStepNumber, stepKey, stepsFromPlan } from '../../src/executor/index.js';
import type { Step } from '../../src/executor/index.js';
import { parseInstanceText } from '../../src/instance/json.js';
import type { Action } from '../../src/plan/actions.js';
import { buildModel, id } from '../plan/support.js';
import { mig, step } from './support.js';

const relocate = (vm: string, from: string, to: string, start: number, end: number): Action => ({ kind: 'migrateVM', vm: id(vm), from: id(from), to: id(to), start, end });

/** N1 {VM1, VM2}, N2 {VM3}, N3 {}, N4 offline, VM5 ready; mem and cpu per VM. */
const origin = () =>
  buildModel({
    on: { N1: ['VM1', 'VM2'], N2: ['VM3'], N3: [] },
    off: ['N4'],
    ready: ['VM5'],
    rc: { cpu: { cap: 8, cons: { VM1: 2, VM2: 3 } }, mem: { cap: 16384, cons: { VM1: 4096, VM2: 8192 } } },
  });

describe('stepsFromPlan', () => {
  // given out of order: c [10,15], d [5,8], a [0,5], b [0,10]
  const a = relocate('VM1', 'N1', 'N3', 0, 5);
  const b: Action = { kind: 'bootNode', node: id('N4'), start: 0, end: 10 };
  const c = relocate('VM2', 'N1', 'N4', 10, 15);
  const d: Action = { kind: 'bootVM', vm: id('VM5'), node: id('N1'), start: 5, end: 8 };

  it('one pending step per action in (start, end) order, with names, dependencies and the memory moved', () => {
    const steps = stepsFromPlan({ origin: origin(), actions: [c, d, a, b] });
    expect(steps.map((s) => [s.id, s.action, s.plannedStart, s.plannedEnd, s.dependsOn, s.memoryMiB])).toEqual([
      ['s1', { kind: 'migrateVM', vm: 'VM1', from: 'N1', to: 'N3' }, 0, 5, [], 4096],
      ['s2', { kind: 'bootNode', node: 'N4' }, 0, 10, [], 0],
      // VM5 boots on N1 once VM1 has left it
      ['s3', { kind: 'bootVM', vm: 'VM5', node: 'N1' }, 5, 8, ['s1'], 0],
      // VM2 goes to N4 once N4 is up
      ['s4', { kind: 'migrateVM', vm: 'VM2', from: 'N1', to: 'N4' }, 10, 15, ['s2'], 8192],
    ]);
    for (const s of steps) {
      expect(s).toMatchObject({ state: 'pending', phase: null, approved: false, approvedBy: null, attempts: 0, reason: null, heldBy: null, progress: null, startedAt: null, endedAt: null, lastOutcome: null });
    }
  });

  it('firstId, an explicit memory resource, stable order for ties', () => {
    const twin = relocate('VM3', 'N2', 'N3', 0, 5);
    const steps = stepsFromPlan({ origin: origin(), actions: [twin, a] }, { firstId: 7, memoryResource: 'cpu' });
    expect(steps.map((s) => [s.id, s.action.kind === 'migrateVM' ? s.action.vm : '', s.memoryMiB])).toEqual([
      ['s7', 'VM3', 0],
      ['s8', 'VM1', 2],
    ]);
    expect(stepsFromPlan({ origin: origin(), actions: [a] }, { memoryResource: 'nope' })[0]?.memoryMiB).toBe(0);
  });

  it("the previous action of the same VM is a prerequisite (a forge before the VM's boot)", () => {
    const model = buildModel({ on: { N1: [] }, vms: ['VM7'] });
    const forge: Action = { kind: 'forgeVM', vm: 7, start: 0, end: 3 };
    const boot: Action = { kind: 'bootVM', vm: 7, node: id('N1'), start: 3, end: 5 };
    expect(stepsFromPlan({ origin: model, actions: [boot, forge] }).map((s) => s.dependsOn)).toEqual([[], ['s1']]);
  });

  it('on the seed instance: names from the naming views, memory from mem', () => {
    const parsed = parseInstanceText(readFileSync(new URL('../../examples/seed.json', import.meta.url), 'utf8'));
    if (!parsed.ok) throw new Error('the seed does not parse');
    const model = parsed.value.model;
    // VM1 (0) N1 (0) → N3 (2); VM3 (2) N4 (3) → N1 (0); N4 shut down
    const steps = stepsFromPlan({
      origin: model,
      actions: [
        { kind: 'migrateVM', vm: 0, from: 0, to: 2, start: 0, end: 2 },
        { kind: 'migrateVM', vm: 2, from: 3, to: 0, start: 2, end: 4 },
        { kind: 'shutdownNode', node: 3, start: 4, end: 8 },
      ],
    });
    expect(steps.map((s) => [s.id, stepKey(s.action), s.dependsOn, s.memoryMiB])).toEqual([
      ['s1', stepKey(mig('VM1', 'N1', 'N3')), [], 4096],
      ['s2', stepKey(mig('VM3', 'N4', 'N1')), ['s1'], 4096],
      ['s3', stepKey({ kind: 'shutdownNode', node: 'N4' }), ['s2'], 0],
    ]);
  });
});

describe('namedAction', () => {
  it('turns ids into names, vm#/node# labels when unnamed', () => {
    const model = origin();
    expect(namedAction(model, { kind: 'killVM', vm: 1, node: null, start: 0, end: 0 })).toEqual({ kind: 'killVM', vm: 'VM1', node: null });
    expect(namedAction(model, { kind: 'allocate', vm: 2, node: 1, rc: 'cpu', amount: 5, start: 0, end: 1 })).toEqual({ kind: 'allocate', vm: 'VM2', node: 'N1', rc: 'cpu', amount: 5 });
    expect(namedAction(model, { kind: 'suspendVM', vm: 99, from: 1, to: 98, start: 0, end: 1 })).toEqual({ kind: 'suspendVM', vm: 'vm#99', from: 'N1', to: 'node#98' });
  });
});

describe('stepKey', () => {
  it('is equal for the same action and differs for any field', () => {
    expect(stepKey(mig('a', 'b', 'c'))).toBe(stepKey({ to: 'c', from: 'b', vm: 'a', kind: 'migrateVM' }));
    expect(stepKey(mig('a', 'b', 'c'))).not.toBe(stepKey(mig('a', 'c', 'b')));
    expect(stepKey(mig('a', 'b', 'c'))).not.toBe(stepKey({ kind: 'suspendVM', vm: 'a', from: 'b', to: 'c' }));
    expect(stepKey({ kind: 'allocate', vm: 'a', node: 'n', rc: 'cpu', amount: 2 })).not.toBe(stepKey({ kind: 'allocate', vm: 'a', node: 'n', rc: 'cpu', amount: 3 }));
    // no name can forge a separator
    expect(stepKey(mig('a|b', 'c', 'd'))).not.toBe(stepKey(mig('a', 'b|c', 'd')));
  });
});

describe('newRun', () => {
  it('is a draft at revision 1, manual by default', () => {
    const steps: Step[] = [step('s1', mig('VM1', 'N1', 'N2')), step('s4', mig('VM2', 'N1', 'N2'))];
    const r = newRun({ runId: 'r', clusterId: 'c', steps, constraintHash: 'h', maxPerHost: 2, windowSeconds: 3600, createdAt: 5 });
    expect(r).toEqual({ runId: 'r', clusterId: 'c', revision: 1, state: 'draft', mode: 'manual', maxPerHost: 2, steps, constraintHash: 'h', windowSeconds: 3600, createdAt: 5, startedAt: null, endedAt: null, stopping: null, replan: null, reason: null });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(nextStepNumber(r)).toBe(5);
    expect(newRun({ runId: 'r', clusterId: 'c', steps, constraintHash: 'h', maxPerHost: 2, windowSeconds: null, createdAt: 5, mode: 'unattended' }).mode).toBe('unattended');
  });
});
