import { describe, expect, it } from 'vitest';

import { Mapping, Model, NamingService, ShareableResource } from '../../../src/model/index.js';
import type { Action } from '../../../src/plan/actions.js';
import { planToJson } from '../../../src/plan/json.js';
import type { Plan } from '../../../src/plan/plan.js';
import { applyActionEffect } from '../../../src/plan/replay.js';
import type { PlanJson } from '../../../src/contract/wire.js';
import { placementOf, planViewOf } from '../../../renderer/plan-view/plan-model.js';

/**
 * The placement after a plan is worked out on the hosts the plan touches only: it must be the
 * placement of the model with every action's effect applied in order of end, as before.
 */

function model(): Model {
  const mapping = new Mapping();
  const nodes = new NamingService('node');
  const vms = new NamingService('vm');
  const mem = new ShareableResource('mem', 0, 0);
  for (let n = 0; n < 5; n++) {
    if (n === 4) mapping.addOfflineNode(n);
    else mapping.addOnlineNode(n);
    nodes.register(`N${n + 1}`, n);
    mem.setCapacity(n, 64 * 1024);
  }
  const place = (vm: number, node: number | null, state: 'running' | 'ready' | 'sleeping'): void => {
    if (state === 'running') mapping.addRunningVM(vm, node as number);
    else if (state === 'sleeping') mapping.addSleepingVM(vm, node as number);
    else mapping.addReadyVM(vm);
    vms.register(`vm${vm + 1}`, vm);
    mem.setConsumption(vm, 1024 * (1 + (vm % 4)));
  };
  place(0, 0, 'running');
  place(1, 0, 'running');
  place(2, 1, 'running');
  place(3, 1, 'running');
  place(4, 2, 'running');
  place(5, null, 'ready');
  place(6, 2, 'sleeping');
  place(7, 3, 'running');
  place(8, 3, 'running');
  return new Model({ mapping, resources: [mem], vmNames: vms, nodeNames: nodes });
}

/** The reference: a copy of the origin with each effect applied in order of end (undefined: the mapping refuses one, a plan of another origin). */
function reference(plan: Plan) {
  const end = plan.origin.clone();
  try {
    for (const a of [...plan.actions].sort((x, y) => x.end - y.end || x.start - y.start)) applyActionEffect(end, a);
  } catch {
    return undefined;
  }
  return placementOf(end);
}

function after(plan: Plan) {
  const read = planViewOf({ plan: planToJson(plan) as PlanJson, stepIds: plan.actions.map((_a, i) => `s${i + 1}`) });
  if (!read?.ok) throw new Error('the plan decodes');
  return read.view;
}

const ACTIONS: Action[] = [
  { kind: 'migrateVM', vm: 0, from: 0, to: 1, start: 0, end: 10 },
  { kind: 'migrateVM', vm: 0, from: 1, to: 3, start: 10, end: 20 },
  { kind: 'shutdownVM', vm: 1, node: 0, start: 0, end: 5 },
  { kind: 'shutdownNode', node: 0, start: 20, end: 30 },
  { kind: 'bootVM', vm: 5, node: 2, start: 0, end: 4 },
  { kind: 'resumeVM', vm: 6, from: 2, to: 2, start: 0, end: 6 },
  { kind: 'suspendVM', vm: 4, from: 2, to: 2, start: 0, end: 3 },
  { kind: 'killVM', vm: 2, node: 1, start: 0, end: 2 },
  { kind: 'bootNode', node: 4, start: 0, end: 30 },
  { kind: 'migrateVM', vm: 8, from: 3, to: 4, start: 30, end: 40 },
  { kind: 'allocate', vm: 7, node: 3, rc: 'mem', amount: 9999, start: 0, end: 1 },
];

describe('the placement after a plan, worked out on the hosts it touches', () => {
  it('every action kind, alone and all together, gives the reference placement', () => {
    const origin = model();
    let compared = 0;
    for (const actions of [...ACTIONS.map((a) => [a]), ACTIONS, []]) {
      const plan: Plan = { origin, actions };
      const expected = reference(plan);
      if (expected === undefined) continue;
      expect(after(plan).after).toEqual(expected);
      compared++;
    }
    // all but the power-off of a host left with VMs and a move to a host still offline
    expect(compared).toBe(ACTIONS.length + 2 - 2);
  });

  it('hosts the plan does not touch keep their entries, and only VMs that changed host are moved', () => {
    const origin = model();
    const view = after({ origin, actions: [{ kind: 'migrateVM', vm: 0, from: 0, to: 1, start: 0, end: 10 }] });
    expect(view.after[2]).toBe(view.before[2]);
    expect(view.after[3]).toBe(view.before[3]);
    expect([...view.moved]).toEqual(['vm1']);
    const all = after({ origin, actions: ACTIONS });
    expect([...all.moved].sort()).toEqual(['vm1', 'vm6', 'vm7', 'vm9']);
  });
});
