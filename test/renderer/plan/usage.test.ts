import { describe, expect, it } from 'vitest';

import type { MigrateVM } from '../../../src/plan/actions.js';
import { replay } from '../../../src/plan/replay.js';
import { usageAt, usageOverTime } from '../../../src/plan/usage.js';
import { Model, NamingService, ShareableResource } from '../../../src/model/index.js';

/** Each node's use over a plan, with the replay's slice semantics (a migrating VM counts on both hosts). */

/** A small named model: `VM<n>` / `N<n>` with id n (test/plan/support.ts's convention). */
function buildModel(spec: {
  on: Record<string, string[]>;
  ready?: string[];
  sleeping?: Record<string, string[]>;
  rc: Record<string, { cap: number | Record<string, number>; cons: number | Record<string, number> }>;
}): Model {
  const model = new Model({ vmNames: new NamingService('vm'), nodeNames: new NamingService('node') });
  const num = (name: string): number => Number(/(\d+)$/.exec(name)?.[1]);
  const vm = (name: string): number => (model.vmNames?.register(name, num(name)), num(name));
  const node = (name: string): number => (model.nodeNames?.register(name, num(name)), num(name));
  for (const [n, vms] of Object.entries(spec.on)) {
    model.mapping.addOnlineNode(node(n));
    for (const v of vms) model.mapping.addRunningVM(vm(v), num(n));
  }
  for (const [n, vms] of Object.entries(spec.sleeping ?? {})) for (const v of vms) model.mapping.addSleepingVM(vm(v), node(n));
  for (const v of spec.ready ?? []) model.mapping.addReadyVM(vm(v));
  for (const [id, r] of Object.entries(spec.rc)) {
    const res = new ShareableResource(id, typeof r.cap === 'number' ? r.cap : 0, typeof r.cons === 'number' ? r.cons : 0);
    if (typeof r.cap !== 'number') for (const [n, c] of Object.entries(r.cap)) res.setCapacity(num(n), c);
    if (typeof r.cons !== 'number') for (const [v, c] of Object.entries(r.cons)) res.setConsumption(num(v), c);
    model.addResource(res);
  }
  return model;
}

const mig = (vm: number, from: number, to: number, start: number, end: number): MigrateVM => ({ kind: 'migrateVM', vm, from, to, start, end });

describe('usageOverTime', () => {
  it('a migrating VM holds its memory on both hosts for the migration, then only on its destination', () => {
    const origin = buildModel({ on: { N0: ['VM0', 'VM1'], N1: ['VM2'] }, rc: { mem: { cap: { N0: 16, N1: 8 }, cons: { VM0: 4, VM1: 2, VM2: 3 } } } });
    const plan = { origin, actions: [mig(0, 0, 1, 2, 5)] };
    expect(replay(plan).ok).toBe(true);
    const curves = usageOverTime(plan);
    const n0 = curves.find((c) => c.node === 0 && c.rc === 'mem');
    const n1 = curves.find((c) => c.node === 1 && c.rc === 'mem');
    if (!n0 || !n1) throw new Error('missing curves');
    expect(n0.points).toEqual([
      { t: 0, used: 6 },
      { t: 5, used: 2 },
    ]);
    expect(n1.points).toEqual([
      { t: 0, used: 3 },
      { t: 2, used: 7 },
    ]);
    expect(n1).toMatchObject({ capacity: 8, peak: 7, peakAt: 2, minHeadroom: 1 });
    expect(usageAt(n0, 4.9)).toBe(6);
    expect(usageAt(n0, 5)).toBe(2);
  });

  it('a shutdown frees its host at its end, a boot books from its start; sleeping VMs count nothing', () => {
    const origin = buildModel({ on: { N0: ['VM0'], N1: [] }, ready: ['VM1'], sleeping: { N1: ['VM2'] }, rc: { cpu: { cap: 4, cons: 1 } } });
    const plan = {
      origin,
      actions: [
        { kind: 'shutdownVM' as const, vm: 0, node: 0, start: 0, end: 3 },
        { kind: 'bootVM' as const, vm: 1, node: 1, start: 1, end: 4 },
      ],
    };
    const [n0, n1] = usageOverTime(plan);
    expect(n0?.points).toEqual([
      { t: 0, used: 1 },
      { t: 3, used: 0 },
    ]);
    expect(n1?.points).toEqual([
      { t: 0, used: 0 },
      { t: 1, used: 1 },
    ]);
  });

  it('an allocate raising an amount books it from its start, lowering it at its end', () => {
    const origin = buildModel({ on: { N0: ['VM0', 'VM1'] }, rc: { cpu: { cap: 10, cons: { VM0: 2, VM1: 4 } } } });
    const plan = {
      origin,
      actions: [
        { kind: 'allocate' as const, vm: 0, node: 0, rc: 'cpu', amount: 5, start: 1, end: 2 },
        { kind: 'allocate' as const, vm: 1, node: 0, rc: 'cpu', amount: 1, start: 3, end: 6 },
      ],
    };
    expect(usageOverTime(plan)[0]?.points).toEqual([
      { t: 0, used: 6 },
      { t: 1, used: 9 },
      { t: 6, used: 6 },
    ]);
  });
});

describe('usageOverTime: VMs no action touches', () => {
  it('hold their amount on their host for the whole plan, beside the VMs that move', () => {
    const model = buildModel({
      on: { N1: ['VM1', 'VM2', 'VM3'], N2: ['VM4', 'VM5'], N3: ['VM6'] },
      sleeping: { N3: ['VM7'] },
      rc: { mem: { cap: 100, cons: { VM1: 10, VM2: 20, VM3: 30, VM4: 1, VM5: 2, VM6: 4, VM7: 50 } } },
    });
    const curves = usageOverTime({ origin: model, actions: [mig(3, 1, 2, 0, 10), mig(6, 3, 1, 5, 20)] });
    const at = (node: number, t: number): number => usageAt(curves.find((c) => c.node === node && c.rc === 'mem') as never, t);
    // N1: VM1, VM2 stay (30) — VM3 leaves at 10, VM6 arrives from 5
    expect([0, 5, 10, 19, 20].map((t) => at(1, t))).toEqual([60, 64, 34, 34, 34]);
    // N2: VM4, VM5 stay (3), VM3 arrives from 0
    expect([0, 10, 20].map((t) => at(2, t))).toEqual([33, 33, 33]);
    // N3: VM6 leaves at 20; the sleeping VM7 counts nothing
    expect([0, 19, 20].map((t) => at(3, t))).toEqual([4, 4, 0]);
  });
});
