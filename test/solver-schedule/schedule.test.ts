import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { parseInstanceText } from '../../src/instance/json.js';
import type { Model } from '../../src/model/index.js';
import { formatPlan } from '../../src/plan/format.js';

import type { Plan } from '../../src/plan/plan.js';
import { replay } from '../../src/plan/replay.js';
import { durationLowerBound, mttrLowerBound, schedule } from '../../src/solver/schedule/index.js';
import type { Target } from '../../src/solver/target.js';
import { actionOf, capacityProblems, cluster, cstr, id, maxMigrationsPerHost, nodeAction, run, target } from './support.js';

/** The project's seed instance: N1 full on cpu, N4 to drain and switch off, VM1 to grow to 3 cpu. */
const seedText = readFileSync(new URL('../fixtures/instances/seed.json', import.meta.url), 'utf8');
const seed = (): Model => {
  const parsed = parseInstanceText(seedText);
  if (!parsed.ok) throw new Error(`seed fixture: ${JSON.stringify(parsed.error)}`);
  const model = parsed.value.model;
  // the seed's durations: relocate(VM2,N2) 0'00 to 0'02, VM3 leaves N4 in 3 s, shutdown(N4) lasts 4 s
  model.attributes.put('vm', model.vmNames?.resolve('VM2') as number, 'migrate', 2);
  model.attributes.put('vm', model.vmNames?.resolve('VM3') as number, 'migrate', 3);
  model.attributes.put('node', model.nodeNames?.resolve('N4') as number, 'shutdown', 4);
  return model;
};
const by = (model: Model) => ({ vm: (name: string): number => model.vmNames?.resolve(name) as number, node: (name: string): number => model.nodeNames?.resolve(name) as number });

describe('schedule: the seed', () => {
  it('drains N4, shuts it down after its last VM left, and grows VM1 once VM2 has left N1', () => {
    const origin = seed();
    const { vm, node } = by(origin);
    const t: Target = {
      vms: new Map([
        [vm('VM2'), { state: 'running', host: node('N2') }],
        [vm('VM3'), { state: 'running', host: node('N3') }],
      ]),
      nodes: new Map([[node('N4'), 'offline']]),
      consumption: new Map([[vm('VM1'), new Map([['cpu', 3]])]]),
    };
    const { plan, stats } = run(origin, t);
    const moves = plan.actions.filter((a) => a.kind === 'migrateVM');
    const vm2 = moves.find((a) => a.vm === vm('VM2')) as Plan['actions'][number];
    const vm3 = moves.find((a) => a.vm === vm('VM3')) as Plan['actions'][number];
    const off = plan.actions.find((a) => a.kind === 'shutdownNode') as Plan['actions'][number];
    const grow = plan.actions.find((a) => a.kind === 'allocate') as Plan['actions'][number];
    expect([vm2.start, vm2.end]).toEqual([0, 2]);
    expect([vm3.start, vm3.end]).toEqual([0, 3]);
    expect(off).toMatchObject({ node: node('N4'), start: vm3.end, end: vm3.end + 4 }); // starts the second the last VM has left
    expect(grow.start).toBeGreaterThanOrEqual(vm2.end); // N1 is full on cpu until VM2 has left
    expect(grow).toMatchObject({ vm: vm('VM1'), rc: 'cpu', amount: 3, node: node('N1'), end: grow.start }); // instantaneous, as in BtrPlace
    expect(plan.actions).toHaveLength(4);
    expect(formatPlan(plan).split('\n')).toEqual(["0'00 to 0'02: relocate(VM2,N2)", "0'00 to 0'03: relocate(VM3,N3)", "0'02 to 0'02: allocate(VM1,'cpu',3)", "0'03 to 0'07: shutdown(N4)"]);
    expect(stats.makespan).toBe(7);
    expect(stats.durationLowerBound).toBe(7);
    expect(stats.mttr).toBe(2 + 3 + 2 + 7);
  });

  it('a subtly wrong seed plan (N4 shut down before VM3 has left, VM1 grown too early) fails the checks these tests use', () => {
    const origin = seed();
    const { vm, node } = by(origin);
    const bad: Plan = {
      origin,
      actions: [
        { kind: 'migrateVM', vm: vm('VM3'), from: node('N4'), to: node('N3'), start: 0, end: 3 },
        { kind: 'shutdownNode', node: node('N4'), start: 2, end: 6 },
      ],
    };
    expect(replay(bad).ok).toBe(false);
    const early: Plan = { origin, actions: [{ kind: 'allocate', vm: vm('VM1'), node: node('N1'), rc: 'cpu', amount: 3, start: 0, end: 1 }] };
    expect(capacityProblems(early)).not.toEqual([]);
  });
});

describe('schedule: chains and cycles', () => {
  it('A must leave N2 before B can arrive: B starts when A ends', () => {
    const origin = cluster({ on: { N1: ['VM2'], N2: ['VM1'], N3: [] }, rc: { mem: { cap: 4, cons: 3 } }, attrs: { VM1: { migrate: 5 } } });
    const { plan } = run(origin, target({ vms: { VM1: 'N3', VM2: 'N2' } }));
    expect(actionOf(plan, 'VM2').start).toBeGreaterThanOrEqual(actionOf(plan, 'VM1').end);
    expect(actionOf(plan, 'VM2').start).toBe(5);
  });

  it('a swap between two full nodes goes through a third node with room (a bounce)', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: [] }, rc: { mem: { cap: 4, cons: { VM1: 3, VM2: 4 } } } });
    const { plan, stats } = run(origin, target({ vms: { VM1: 'N2', VM2: 'N1' } }));
    expect(stats.bounces).toEqual([{ vm: id('VM1'), via: id('N3'), at: 0 }]); // the smaller VM bounces
    const legs = plan.actions.filter((a) => a.kind === 'migrateVM' && a.vm === id('VM1'));
    expect(legs.map((a) => (a.kind === 'migrateVM' ? [a.from, a.to] : []))).toEqual([
      [id('N1'), id('N3')],
      [id('N3'), id('N2')],
    ]);
    expect(stats.migrations).toBe(3);
  });

  it('breaks a swap cycle at once, without waiting for unrelated long migrations to finish', () => {
    const origin = cluster({
      on: { N1: ['VM1'], N2: ['VM2'], N3: [], N4: ['VM4'], N5: [] },
      rc: { mem: { cap: 4, cons: { VM1: 3, VM2: 4, VM4: 1 } } },
      attrs: { VM4: { migrate: 100 } },
    });
    const { plan, stats } = run(origin, target({ vms: { VM1: 'N2', VM2: 'N1', VM4: 'N5' } }));
    expect(stats.bounces).toEqual([{ vm: id('VM1'), via: id('N3'), at: 0 }]);
    expect(actionOf(plan, 'VM2').end).toBe(2);
    expect(stats.makespan).toBe(100);
  });

  it('reports a swap with no third node as impossible, naming the VMs and nodes', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: ['VM3'] }, rc: { mem: { cap: 4, cons: 4 } } });
    const r = schedule(origin, target({ vms: { VM1: 'N2', VM2: 'N1' } }), []);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/deadlock/);
    expect(new Set(r.vms)).toEqual(new Set([id('VM1'), id('VM2')]));
    expect(new Set(r.nodes)).toEqual(new Set([id('N1'), id('N2')]));
  });

  it('does not bounce a VM through a node its ban forbids, continuous or discrete (BtrPlace checks every placement)', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: [] }, rc: { mem: { cap: 4, cons: 4 } } });
    const t = target({ vms: { VM1: 'N2', VM2: 'N1' } });
    const banned = [cstr('ban', { vm: id('VM1'), nodes: [id('N3')] }), cstr('ban', { vm: id('VM2'), nodes: [id('N3')] })];
    expect(schedule(origin, t, banned).ok).toBe(false);
    // BtrPlace's BanChecker refuses any placement on a banned node, whatever the mode
    const discrete = banned.map((c) => ({ ...c, continuous: false }));
    expect(schedule(origin, t, discrete).ok).toBe(false);
    // with only VM1 banned from N3, VM2 goes through N3 instead
    const one = run(origin, t, [cstr('ban', { vm: id('VM1'), nodes: [id('N3')] }, false)]);
    expect(one.stats.bounces.map((b) => b.vm)).toEqual([id('VM2')]);
    // a discrete fence likewise: VM1 fenced to {N2} cannot go through N3
    const fenced = run(origin, t, [cstr('fence', { vm: id('VM1'), nodes: [id('N2')] }, false)]);
    expect(fenced.stats.bounces.map((b) => b.vm)).toEqual([id('VM2')]);
  });

  it('reports contradicting ordering constraints as a cycle', () => {
    const origin = cluster({ on: { N1: ['VM1', 'VM2'], N2: [] } });
    const t = target({ vms: { VM1: 'N2', VM2: 'N2' } });
    const r = schedule(origin, t, [cstr('Precedence', { vm1: id('VM1'), vm2: id('VM2') }), cstr('Precedence', { vm1: id('VM2'), vm2: id('VM1') })]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/cycle/);
      expect(new Set(r.vms)).toEqual(new Set([id('VM1'), id('VM2')]));
    }
  });
});

describe('schedule: per-host concurrency', () => {
  const drain = () => cluster({ on: { N1: ['VM1', 'VM2', 'VM3', 'VM4', 'VM5'], N2: [], N3: [], N4: [], N5: [], N6: [] }, rc: { mem: { cap: 10, cons: 2 } } });
  const everywhere = target({ vms: { VM1: 'N2', VM2: 'N3', VM3: 'N4', VM4: 'N5', VM5: 'N6' } });

  it('never runs more than 2 migrations on one host (5 VMs leaving N1)', () => {
    const { plan, stats } = run(drain(), everywhere);
    expect(maxMigrationsPerHost(plan)).toBe(2);
    expect(stats.makespan).toBe(3);
    expect(durationLowerBound(drain(), everywhere)).toBe(3);
  });

  it('honours another cap', () => {
    const { plan, stats } = run(drain(), everywhere, [], { maxConcurrentMigrationsPerHost: 1 });
    expect(maxMigrationsPerHost(plan)).toBe(1);
    expect(stats.makespan).toBe(5);
    expect(mttrLowerBound(drain(), everywhere, undefined, { maxConcurrentMigrationsPerHost: 1 })).toBe(1 + 2 + 3 + 4 + 5);
    expect(stats.mttr).toBe(15);
  });

  it('orders for the makespan by default, for the sum of end times on request', () => {
    const origin = cluster({ on: { N1: ['VM1', 'VM2', 'VM3'], N2: [], N3: [], N4: [] }, attrs: { VM1: { migrate: 6 }, VM2: { migrate: 1 }, VM3: { migrate: 2 } } });
    const t = target({ vms: { VM1: 'N2', VM2: 'N3', VM3: 'N4' } });
    const cap1 = { maxConcurrentMigrationsPerHost: 1 };
    const longest = run(origin, t, [], cap1);
    expect(actionOf(longest.plan, 'VM1').start).toBe(0);
    expect(longest.stats.mttr).toBe(6 + 8 + 9);
    const shortest = run(origin, t, [], { ...cap1, priority: 'mttr' });
    expect(actionOf(shortest.plan, 'VM2').start).toBe(0);
    expect(shortest.stats.mttr).toBe(1 + 3 + 9);
    expect(shortest.stats.mttrLowerBound).toBe(13);
  });

  it('counts a growth on a full node after the departure that makes room (room waits)', () => {
    // N1 holds 4 of 4 cpu; VM1 grows from 2 to 3 once VM2 (3 s to migrate) or VM3 (1 s) has left
    const full = cluster({ on: { N1: ['VM1', 'VM2', 'VM3'], N2: [] }, rc: { cpu: { cap: 4, cons: { VM1: 2, VM2: 1, VM3: 1 } } }, attrs: { VM2: { migrate: 3 } } });
    const t = target({ vms: { VM2: 'N2', VM3: 'N2' }, consumption: { VM1: { cpu: 3 } } });
    const { plan, stats } = run(full, t);
    const grow = plan.actions.find((a) => a.kind === 'allocate') as Plan['actions'][number];
    expect(grow.start).toBe(1); // after VM3, the shorter departure
    // the growth (instantaneous) at 1 at the earliest, the migrations at 3 and 1: before, the bound said 0 for it
    expect(stats.mttrLowerBound).toBe(3 + 1 + 1);
    expect(stats.mttr).toBe(stats.mttrLowerBound);
    // with VM3 staying, only VM2's departure makes room: the growth waits until 3
    const onlyVm2 = run(full, target({ vms: { VM2: 'N2' }, consumption: { VM1: { cpu: 3 } } }));
    expect(onlyVm2.plan.actions.find((a) => a.kind === 'allocate')).toMatchObject({ start: 3, end: 3 });
    expect(onlyVm2.stats.mttr).toBe(6);
    expect(onlyVm2.stats.mttrLowerBound).toBe(6);
  });

  it('a swap between two full nodes: the arrival waits, the departure does not (the VM can go through a spare)', () => {
    const swap = cluster({ on: { N0: ['VM1'], N1: ['VM0'], N2: [] }, rc: { mem: { cap: { N0: 4, N1: 4, N2: 100 }, cons: 4 } }, attrs: { VM1: { migrate: 1 }, VM0: { migrate: 2 } } });
    const { plan, stats } = run(swap, target({ vms: { VM1: 'N1', VM0: 'N0' } }), [], { maxConcurrentMigrationsPerHost: 1 });
    expect(stats.bounces).toHaveLength(1);
    expect(plan.actions.filter((a) => a.kind === 'migrateVM')).toHaveLength(3);
    // a bound that let VM1's arrival delay its departure would claim 5 here
    expect(stats.durationLowerBound).toBeLessThanOrEqual(stats.makespan);
    expect(stats.mttrLowerBound).toBeLessThanOrEqual(stats.mttr);
    expect(stats.makespan).toBe(4);
  });

  it("counts a drained node's halt after all its departures, k at a time (the halt term)", () => {
    const drainAndHalt = target({ vms: { VM1: 'N2', VM2: 'N3', VM3: 'N4', VM4: 'N5', VM5: 'N6' }, nodes: { N1: 'offline' } });
    const { plan, stats } = run(drain(), drainAndHalt);
    const halt = plan.actions.find((a) => a.kind === 'shutdownNode') as Plan['actions'][number];
    // five 1 s departures two at a time end at 3 at the earliest: the halt ends at 4 or later
    expect(halt.end).toBe(4);
    // migrations 1+1+2+2+3, halt 4: the bound is exact here (before: the halt counted as ending at 2)
    expect(stats.mttrLowerBound).toBe(1 + 1 + 2 + 2 + 3 + 4);
    expect(stats.mttr).toBe(stats.mttrLowerBound);
    expect(mttrLowerBound(drain(), drainAndHalt, undefined, { maxConcurrentMigrationsPerHost: 1 })).toBe(1 + 2 + 3 + 4 + 5 + 6);
  });

  it('rejects a cap that is not a positive whole number', () => {
    const r = schedule(drain(), everywhere, [], { maxConcurrentMigrationsPerHost: 0 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/maxConcurrentMigrationsPerHost/);
  });
});

describe('schedule: continuous constraints', () => {
  it('continuous spread: VM1 arrives on N2 only after VM2 has left it', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: [] } });
    const t = target({ vms: { VM1: 'N2', VM2: 'N3' } });
    const free = run(origin, t);
    expect(actionOf(free.plan, 'VM1').start).toBe(0); // no capacity reason to wait
    const { plan } = run(origin, t, [cstr('spread', { vms: [id('VM1'), id('VM2')] })]);
    expect(actionOf(plan, 'VM1').start).toBeGreaterThanOrEqual(actionOf(plan, 'VM2').end);
    // a discrete spread does not order anything
    expect(actionOf(run(origin, t, [cstr('spread', { vms: [id('VM1'), id('VM2')] }, false)]).plan, 'VM1').start).toBe(0);
  });

  it('continuous spread swap: one VM goes through a third node first; without one, it is reported', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: ['VM3'], N4: [] }, rc: { mem: { cap: 8, cons: { VM1: 2, VM2: 4, VM3: 1 } } } });
    const spread = [cstr('spread', { vms: [id('VM1'), id('VM2'), id('VM3')] })];
    const { plan, stats } = run(origin, target({ vms: { VM1: 'N2', VM2: 'N1' } }), spread);
    // N3 hosts a member: the smallest VM goes through N4
    expect(stats.bounces).toEqual([{ vm: id('VM1'), via: id('N4'), at: 0 }]);
    const legs = plan.actions.filter((a) => a.kind === 'migrateVM' && a.vm === id('VM1'));
    expect(legs).toHaveLength(2);
    const vm2 = actionOf(plan, 'VM2');
    expect(vm2.start).toBeGreaterThanOrEqual((legs[0] as Plan['actions'][number]).end); // VM1 has left N1
    expect((legs[1] as Plan['actions'][number]).start).toBeGreaterThanOrEqual(vm2.end); // VM2 has left N2
    // a three-VM ring: still one bounce
    const ring = run(origin, target({ vms: { VM1: 'N2', VM2: 'N3', VM3: 'N1' } }), spread);
    expect(ring.stats.bounces).toHaveLength(1);
    // no third node allowed: reported, naming the ring
    const r = schedule(origin, target({ vms: { VM1: 'N2', VM2: 'N1' } }), [...spread, cstr('ban', { vm: id('VM1'), nodes: [id('N4')] }), cstr('ban', { vm: id('VM2'), nodes: [id('N4')] })]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/continuous spread: VM1, VM2|continuous spread: VM2, VM1/);
      expect(new Set(r.vms)).toEqual(new Set([id('VM1'), id('VM2')]));
    }
  });

  it('continuous spread: two rings never bounce two members through the same node', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: ['VM3'], N4: ['VM4'], N5: [], N6: [] } });
    const spread = [cstr('spread', { vms: [id('VM1'), id('VM2'), id('VM3'), id('VM4')] })];
    const { stats } = run(origin, target({ vms: { VM1: 'N2', VM2: 'N1', VM3: 'N4', VM4: 'N3' } }), spread);
    expect(stats.bounces).toHaveLength(2);
    expect(new Set(stats.bounces.map((b) => b.via))).toEqual(new Set([id('N5'), id('N6')]));
  });

  it('continuous lonely and split: arrivals after the departures of the VMs they must not meet', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2', 'VM3'], N3: [] }, attrs: { VM2: { migrate: 3 } } });
    const t = target({ vms: { VM1: 'N2', VM2: 'N3' } });
    // VM3 stays on N2 and is in VM1's lonely set; VM2 is foreign and leaves N2
    const lonely = run(origin, t, [cstr('lonely', { vms: [id('VM1'), id('VM3')] })]).plan;
    expect(actionOf(lonely, 'VM1').start).toBeGreaterThanOrEqual(actionOf(lonely, 'VM2').end);
    const split = run(origin, t, [cstr('split', { parts: [[id('VM1'), id('VM3')], [id('VM2')]] })]).plan;
    expect(actionOf(split, 'VM1').start).toBe(3);
    // VMs of the same split group do not wait for each other
    const same = run(origin, t, [cstr('split', { parts: [[id('VM1'), id('VM2'), id('VM3')]] })]).plan;
    expect(actionOf(same, 'VM1').start).toBe(0);
  });

  it('continuous maxOnline: the boot starts once the other node has finished shutting down', () => {
    const origin = cluster({ on: { N1: ['VM1'], N3: [] }, off: ['N2'], attrs: { N3: { shutdown: 3 }, N2: { boot: 2 } } });
    const t = target({ nodes: { N3: 'offline', N2: 'online' } });
    const { plan } = run(origin, t, [cstr('maxOnline', { nodes: [id('N1'), id('N2'), id('N3')], amount: 2 })]);
    expect(nodeAction(plan, 'N2', 'bootNode').start).toBe(nodeAction(plan, 'N3', 'shutdownNode').end);
    const free = run(origin, t).plan;
    expect(nodeAction(free, 'N2', 'bootNode').start).toBe(0);
  });

  it('continuous resourceCapacity over a node group holds at every instant', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: [] }, rc: { cpu: { cap: 8, cons: 2 } } });
    const t = target({ vms: { VM1: 'N2' } });
    // N1+N2 may use 5 cpu: VM1 booked on both during its migration would need 6
    const r = schedule(origin, t, [cstr('resourceCapacity', { nodes: [id('N1'), id('N2')], rc: 'cpu', amount: 5 })]);
    expect(r.ok).toBe(false);
    run(origin, t, [cstr('resourceCapacity', { nodes: [id('N1'), id('N2')], rc: 'cpu', amount: 6 })]);
  });
});

describe('schedule: ordering constraints', () => {
  it('seq: state-changing actions in list order, migrations ignored', () => {
    const origin = cluster({ on: { N1: ['VM2', 'VM4'], N2: [] }, ready: ['VM1', 'VM3'] });
    const t = target({ vms: { VM1: 'N1', VM2: { state: 'ready' }, VM3: 'N2', VM4: 'N2' } });
    const { plan } = run(origin, t, [cstr('seq', { vms: [id('VM2'), id('VM4'), id('VM1'), id('VM3')] })]);
    const off = actionOf(plan, 'VM2', 'shutdownVM');
    const boot1 = actionOf(plan, 'VM1', 'bootVM');
    const boot3 = actionOf(plan, 'VM3', 'bootVM');
    expect(boot1.start).toBeGreaterThanOrEqual(off.end);
    expect(boot3.start).toBeGreaterThanOrEqual(boot1.end);
    expect(actionOf(plan, 'VM4').start).toBe(0);
  });

  it('Precedence: the second migration starts after the first ends; both must migrate', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: [], N4: [] }, attrs: { VM1: { migrate: 4 } } });
    const t = target({ vms: { VM1: 'N3', VM2: 'N4' } });
    const { plan } = run(origin, t, [cstr('Precedence', { vm1: id('VM1'), vm2: id('VM2') })]);
    expect(actionOf(plan, 'VM2').start).toBe(4);
    // a candidate that stays put satisfies it; a VM that stops running cannot be ordered
    run(origin, target({ vms: { VM1: 'N3' } }), [cstr('Precedence', { vm1: id('VM1'), vm2: id('VM2') })]);
    const r = schedule(origin, target({ vms: { VM1: 'N3', VM2: { state: 'ready' } } }), [cstr('Precedence', { vm1: id('VM1'), vm2: id('VM2') })]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/constraints\[0\].*VM2 is not/);
  });

  it('Serialize: migrations on distinct hosts never overlap', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: ['VM3'], N4: [], N5: [], N6: [] }, attrs: { VM2: { migrate: 2 } } });
    const t = target({ vms: { VM1: 'N4', VM2: 'N5', VM3: 'N6' } });
    const { plan } = run(origin, t, [cstr('Serialize', { vms: [id('VM1'), id('VM2'), id('VM3')] })]);
    const migs = plan.actions.filter((a) => a.kind === 'migrateVM').sort((a, b) => a.start - b.start);
    for (let i = 1; i < migs.length; i++) expect((migs[i] as Plan['actions'][number]).start).toBeGreaterThanOrEqual((migs[i - 1] as Plan['actions'][number]).end);
    expect(run(origin, t).stats.makespan).toBe(2);
  });

  it('Sync: the migrations end together (or start together with post-copy, which needs a net view)', () => {
    const spec = { on: { N1: ['VM1'], N2: ['VM2'], N3: [], N4: [] }, attrs: { VM1: { migrate: 2 }, VM2: { migrate: 5 } } };
    const t = target({ vms: { VM1: 'N3', VM2: 'N4' } });
    const sync = [cstr('Sync', { vms: [id('VM1'), id('VM2')] })];
    const { plan } = run(cluster(spec), t, sync);
    expect(actionOf(plan, 'VM1').end).toBe(actionOf(plan, 'VM2').end);
    expect(actionOf(plan, 'VM1').start).toBe(3);
    const postCopySpec = { ...spec, attrs: { VM1: { migrate: 2, postCopy: true }, VM2: { migrate: 5, postCopy: true } } };
    // BtrPlace reads postCopy only through its network model: without a net view the ends meet
    const noNet = run(cluster(postCopySpec), t, sync).plan;
    expect(actionOf(noNet, 'VM1').end).toBe(actionOf(noNet, 'VM2').end);
    const withNet = cluster({ ...spec, attrs: { VM1: { migrate: 2, postCopy: true, memUsed: 512 }, VM2: { migrate: 5, postCopy: true, memUsed: 2048 } } });
    const links = ['N1', 'N2', 'N3', 'N4'].map((name, i) => ({ id: i, capacity: 1000, switch: 0, physicalElement: { id: by(withNet).node(name), type: 'node' } }));
    withNet.opaqueViews.push({ id: 'net', switches: [{ id: 0, capacity: -1 }], links, routing: { type: 'default' } });
    const post = run(withNet, t, sync).plan;
    expect(actionOf(post, 'VM1').start).toBe(actionOf(post, 'VM2').start);
  });

  it('Deadline: met by putting the VM first, or reported as impossible', () => {
    const origin = cluster({ on: { N1: ['VM1', 'VM2', 'VM3'], N2: [], N3: [], N4: [] } });
    const t = target({ vms: { VM1: 'N2', VM2: 'N3', VM3: 'N4' } });
    const cap1 = { maxConcurrentMigrationsPerHost: 1 };
    const { plan } = run(origin, t, [cstr('Deadline', { vm: id('VM3'), timestamp: '+00:00:01' })], cap1);
    expect(actionOf(plan, 'VM3').end).toBe(1);
    const r = schedule(origin, t, [cstr('Deadline', { vm: id('VM3'), timestamp: '+1' }), cstr('Deadline', { vm: id('VM2'), timestamp: "+0'01" })], cap1);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/deadline/i);
    const bad = schedule(origin, t, [cstr('Deadline', { vm: id('VM3'), timestamp: 'soon' })]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/constraints\[0\]\.timestamp/);
  });

  it('noDelay: the action starts at 0, or the plan is refused', () => {
    const origin = cluster({ on: { N1: ['VM1', 'VM2', 'VM3'], N2: [], N3: [], N4: [] } });
    const t = target({ vms: { VM1: 'N2', VM2: 'N3', VM3: 'N4' } });
    const { plan } = run(origin, t, [cstr('noDelay', { vm: id('VM3') })], { maxConcurrentMigrationsPerHost: 1 });
    expect(actionOf(plan, 'VM3').start).toBe(0);
    const r = schedule(origin, t, [cstr('noDelay', { vm: id('VM3') }), cstr('noDelay', { vm: id('VM2') })], { maxConcurrentMigrationsPerHost: 1 });
    expect(r.ok).toBe(false);
  });
});

describe('schedule: resources and nodes', () => {
  it('a growing VM is allocated once the departures free enough room; a shrinking one frees at t=0', () => {
    const origin = cluster({ on: { N1: ['VM1', 'VM2'], N2: ['VM3', 'VM4'], N3: [] }, rc: { cpu: { cap: 4, cons: 2 } }, attrs: { VM2: { migrate: 3 } } });
    // VM1 grows to 4 (VM2 must leave first); VM3 shrinks to 1 so VM5... no: VM2 goes to N2 where VM4 shrinks to 1
    const t = target({ vms: { VM2: 'N3' }, consumption: { VM1: { cpu: 4 }, VM4: { cpu: 0 } } });
    const { plan } = run(origin, t);
    const grow = actionOf(plan, 'VM1', 'allocate');
    expect(grow.start).toBe(3);
    const shrink = actionOf(plan, 'VM4', 'allocate');
    expect([shrink.start, shrink.end]).toEqual([0, 0]);
  });

  it('a decrease at t=0 lets an arrival start at once', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'] }, rc: { cpu: { cap: 4, cons: { VM1: 2, VM2: 4 } } } });
    const { plan } = run(origin, target({ vms: { VM1: 'N2' }, consumption: { VM2: { cpu: 2 } } }));
    expect(actionOf(plan, 'VM1').start).toBe(0);
  });

  it('a migrating VM with a new demand books it on arrival and carries a post allocate event', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: [] }, rc: { cpu: { cap: 4, cons: 2 } } });
    const { plan } = run(origin, target({ vms: { VM1: 'N2' }, consumption: { VM1: { cpu: 3 } } }));
    expect(actionOf(plan, 'VM1').hooks?.post).toEqual([{ kind: 'allocateEvent', vm: id('VM1'), rc: 'cpu', amount: 3 }]);
  });

  it('boots a node at 0 and moves VMs there once the boot has ended', () => {
    const origin = cluster({ on: { N1: ['VM1'] }, off: ['N2'], ready: ['VM2'], attrs: { N2: { boot: 3 } } });
    const { plan, stats } = run(origin, target({ vms: { VM1: 'N2', VM2: 'N2' }, nodes: { N2: 'online' } }));
    expect(nodeAction(plan, 'N2', 'bootNode')).toMatchObject({ start: 0, end: 3 });
    expect(actionOf(plan, 'VM1').start).toBe(3);
    expect(actionOf(plan, 'VM2', 'bootVM').start).toBe(3);
    expect(stats.durationLowerBound).toBe(4);
  });

  it('suspends, resumes, kills and forges', () => {
    const origin = cluster({ on: { N1: ['VM1', 'VM2'], N2: [] }, sleeping: { N1: ['VM3'] }, rc: { cpu: { cap: 4, cons: 1 } } });
    const t = target({ vms: { VM1: { state: 'sleeping', on: 'N1' }, VM2: { state: 'killed' }, VM3: 'N2', VM7: { state: 'ready' } } });
    const { plan } = run(origin, t);
    expect(plan.actions.map((a) => a.kind).sort()).toEqual(['forgeVM', 'killVM', 'resumeVM', 'suspendVM']);
  });
});

describe('schedule: bad input', () => {
  const origin = () => cluster({ on: { N1: ['VM1'], N2: ['VM2'] }, rc: { cpu: { cap: 4, cons: 2 } } });
  const reason = (r: ReturnType<typeof schedule>): string => (r.ok ? 'ok' : r.reason);

  it('locates every problem instead of crashing', () => {
    expect(reason(schedule(origin(), target({ vms: { VM1: 'N9' } }), []))).toMatch(/target\.vms\[VM1\].*node#9/);
    expect(reason(schedule(origin(), target({ vms: { VM1: { state: 'running' } } }), []))).toMatch(/needs a host/);
    expect(reason(schedule(origin(), target({ vms: { VM1: 'N2' }, nodes: { N2: 'offline' } }), []))).toMatch(/offline at the end/);
    expect(reason(schedule(origin(), target({ nodes: { N2: 'offline' } }), []))).toMatch(/target\.nodes\[N2\].*VM2/);
    expect(reason(schedule(origin(), target({ consumption: { VM1: { gpu: 1 } } }), []))).toMatch(/no resource 'gpu'/);
    expect(reason(schedule(origin(), target({ vms: { VM1: 'N2' }, consumption: { VM1: { cpu: 3 } } }), []))).toMatch(/overloads 'cpu' on N2/);
    expect(reason(schedule(origin(), target({ vms: { VM1: 'N2' } }), [cstr('spread', { vms: 'VM1' })]))).toMatch(/constraints\[0\]\.vms/);
    expect(reason(schedule(origin(), target({ vms: { VM1: 'N2' } }), [], { durationOf: () => -1 }))).toMatch(/positive whole number/);
    const sleeping = cluster({ on: { N1: [] }, sleeping: { N1: ['VM1'] } });
    expect(reason(schedule(sleeping, target({ vms: { VM1: { state: 'ready' } } }), []))).toMatch(/cannot go from sleeping to ready/);
  });

  it('refuses an origin already over capacity', () => {
    const over = cluster({ on: { N1: ['VM1', 'VM2'], N2: [] }, rc: { cpu: { cap: 3, cons: 2 } } });
    expect(reason(schedule(over, target({ vms: { VM1: 'N2' } }), []))).toMatch(/over capacity from the start/);
  });

  it('checks online/offline constraints against the target', () => {
    expect(reason(schedule(origin(), target({ vms: { VM2: 'N1' }, nodes: { N2: 'offline' } }), [cstr('online', { node: id('N2') }, false)]))).toMatch(/constraints\[0\]: online\(N2\)/);
    expect(reason(schedule(origin(), target({}), [cstr('offline', { node: id('N2') }, false)]))).toMatch(/constraints\[0\]: offline\(N2\)/);
  });

  it('keeps to the horizon', () => {
    const o = cluster({ on: { N1: ['VM1'], N2: [] }, attrs: { VM1: { migrate: 30 } } });
    expect(reason(schedule(o, target({ vms: { VM1: 'N2' } }), [], { horizon: 20 }))).toMatch(/horizon/);
    expect(schedule(o, target({ vms: { VM1: 'N2' } }), [], { horizon: 30 }).ok).toBe(true);
  });
});
