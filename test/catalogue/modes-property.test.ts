import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { Constraint } from '../../src/catalogue/constraint.js';
import { CATALOGUE } from '../../src/catalogue/registry.js';
import type { Action } from '../../src/plan/actions.js';
import { ModelBuilder, rc, runCheck } from './support.js';

const NODES = [0, 1, 2, 3];
const VMS = [0, 1, 2, 3, 4, 5];

/** A small cluster: every VM running, sleeping or ready; resources cpu with varied consumptions. */
const origin = fc.record({
  states: fc.array(fc.constantFrom('running', 'sleeping', 'ready'), { minLength: VMS.length, maxLength: VMS.length }),
  hosts: fc.array(fc.constantFrom(...NODES), { minLength: VMS.length, maxLength: VMS.length }),
  cons: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: VMS.length, maxLength: VMS.length }),
});

/** Random timed actions on the VMs (migrations, boots, shutdowns, suspends), not necessarily sensible. */
const action: fc.Arbitrary<Action> = fc
  .record({
    kind: fc.constantFrom('migrateVM', 'bootVM', 'shutdownVM', 'suspendVM'),
    vm: fc.constantFrom(...VMS),
    from: fc.constantFrom(...NODES),
    to: fc.constantFrom(...NODES),
    start: fc.integer({ min: 0, max: 5 }),
    length: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ kind, vm, from, to, start, length }): Action => {
    const end = start + length;
    switch (kind) {
      case 'migrateVM':
        return { kind, vm, from, to, start, end };
      case 'bootVM':
        return { kind, vm, node: to, start, end };
      case 'shutdownVM':
        return { kind, vm, node: from, start, end };
      default:
        return { kind: 'suspendVM', vm, from, to: from, start, end };
    }
  });

const subset = (items: number[]): fc.Arbitrary<number[]> => fc.subarray(items, { minLength: 1 });
const twoParts = (items: number[]): fc.Arbitrary<number[][]> =>
  fc.shuffledSubarray(items, { minLength: 2 }).chain((xs) => fc.integer({ min: 1, max: xs.length - 1 }).map((k) => [xs.slice(0, k), xs.slice(k)]));

/** Arguments for every constraint that has both modes. */
const ARGS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  among: fc.record({ vms: subset(VMS), parts: twoParts(NODES) }),
  ban: fc.record({ vm: fc.constantFrom(...VMS), nodes: subset(NODES) }),
  fence: fc.record({ vm: fc.constantFrom(...VMS), nodes: subset(NODES) }),
  gather: fc.record({ vms: subset(VMS) }),
  lonely: fc.record({ vms: subset(VMS) }),
  spread: fc.record({ vms: subset(VMS) }),
  split: fc.record({ parts: twoParts(VMS) }),
  splitAmong: fc.record({ vParts: twoParts(VMS), pParts: twoParts(NODES) }),
  maxOnline: fc.record({ nodes: subset(NODES), amount: fc.integer({ min: 0, max: 4 }) }),
  resourceCapacity: fc.record({ nodes: subset(NODES), rc: fc.constant('cpu'), amount: fc.integer({ min: 0, max: 10 }) }),
  overbook: fc.record({ node: fc.constantFrom(...NODES), rc: fc.constant('cpu'), ratio: fc.constantFrom(1, 1.5, 2) }),
};

describe('continuous is stricter than discrete (every both-mode constraint)', () => {
  it('lists every both-mode entry', () => {
    const both = CATALOGUE.filter((d) => d.modes.discrete && d.modes.continuous).map((d) => d.id);
    expect(Object.keys(ARGS).sort()).toEqual(both.sort());
  });

  it.each(Object.keys(ARGS))('%s: a plan passing the continuous check passes the discrete one', (id) => {
    const args = ARGS[id];
    if (!args) throw new Error(id);
    fc.assert(
      fc.property(origin, fc.array(action, { maxLength: 6 }), args, (o, actions, a) => {
        const b = new ModelBuilder().on(...NODES).resource(rc('cpu', 4, 1, { vms: Object.fromEntries(o.cons.map((c, i) => [i, c])) }));
        VMS.forEach((vm, i) => {
          const host = o.hosts[i] ?? 0;
          if (o.states[i] === 'running') b.run(host, vm);
          else if (o.states[i] === 'sleeping') b.sleep(host, vm);
          else b.ready(vm);
        });
        const continuous: Constraint = { id, continuous: true, args: a };
        const discrete: Constraint = { id, continuous: false, args: a };
        const c = runCheck(continuous, b.model, actions).problems.length === 0;
        const d = runCheck(discrete, b.model, actions).problems.length === 0;
        return !c || d;
      }),
      { numRuns: 300 },
    );
  });
});
