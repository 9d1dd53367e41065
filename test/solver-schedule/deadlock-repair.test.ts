import { describe, expect, it } from 'vitest';

import { schedule } from '../../src/solver/schedule/index.js';
import { actionOf, cluster, cstr, id, nodeAction, run, target } from './support.js';

/**
 * Issue 15 §1 (H5 hunt): a placement the scheduler cannot order left the planner with no plan
 * ("capacity deadlock"). Found by the power pass property (test/solver/power-property.test.ts)
 * run over 8,000 seeds: a swap whose only third node is one the plan powers off at the end (the
 * power pass chose to power off an empty node, a maxOnline asks for it). The node is online until
 * its shutdown, so it can take the bounce: the shutdown then waits for the VM to leave again.
 */
describe('schedule: a node powering off at the end can be the third node of a swap (H5, class A)', () => {
  // minimal form of seeds 5116, 3425 and 6981: N1 and N2 full, N3 empty and going offline
  const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: [] }, rc: { cpu: { cap: 2, cons: 2 } } });
  const swap = target({ vms: { VM1: 'N2', VM2: 'N1' }, nodes: { N3: 'offline' } });

  it('bounces through it and powers it off only once the VM has left again', () => {
    // before: "capacity deadlock at 0 s: migrate VM1 N1→N2 waits for 'cpu' on N2 …"
    const { plan, stats } = run(origin, swap);
    expect(stats.bounces.map((b) => [b.vm, b.via])).toEqual([[id('VM1'), id('N3')]]);
    const legs = plan.actions.filter((a) => a.kind === 'migrateVM' && a.vm === id('VM1'));
    expect(legs.map((a) => (a.kind === 'migrateVM' ? [a.from, a.to] : []))).toEqual([
      [id('N1'), id('N3')],
      [id('N3'), id('N2')],
    ]);
    const out = legs[1];
    expect(nodeAction(plan, 'N3', 'shutdownNode').start).toBeGreaterThanOrEqual(out?.end ?? Infinity);
    expect(actionOf(plan, 'VM2').start).toBeGreaterThanOrEqual(legs[0]?.end ?? Infinity);
  });

  it('prefers a node that stays online when there is one', () => {
    const four = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: [], N4: [] }, rc: { cpu: { cap: 2, cons: 2 } } });
    const { stats } = run(four, target({ vms: { VM1: 'N2', VM2: 'N1' }, nodes: { N3: 'offline' } }));
    expect(stats.bounces.map((b) => b.via)).toEqual([id('N4')]);
  });

  it('BUG 12: through a node a continuous maxOnline counts when no boot of its set waits for a shutdown', () => {
    // tiny seed 11145 (test/solver/power-property.test.ts): before, a node of any continuous
    // maxOnline set was never a third node: "capacity deadlock at 0 s: migrate VM1 N1→N2 …"
    const { plan, stats } = run(origin, swap, [cstr('maxOnline', { nodes: [id('N3')], amount: 1 })]);
    expect(stats.bounces.map((b) => [b.vm, b.via])).toEqual([[id('VM1'), id('N3')]]);
    const out = plan.actions.filter((a) => a.kind === 'migrateVM' && a.vm === id('VM1'))[1];
    expect(nodeAction(plan, 'N3', 'shutdownNode').start).toBeGreaterThanOrEqual(out?.end ?? Infinity);
  });

  it('not while a boot of the set waits for a shutdown of it (holding the shutdown may hold that boot)', () => {
    // N4 boots only once N3 is off; N4 is too small to take the bounce itself
    const four = cluster({ on: { N1: ['VM1'], N2: ['VM2'], N3: [] }, off: ['N4'], rc: { cpu: { cap: { N1: 2, N2: 2, N3: 2, N4: 1 }, cons: 2 } } });
    const r = schedule(four, target({ vms: { VM1: 'N2', VM2: 'N1' }, nodes: { N3: 'offline', N4: 'online' } }), [cstr('maxOnline', { nodes: [id('N3'), id('N4')], amount: 1 })]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/capacity deadlock/);
  });
});

/**
 * Class F of the hunt (seeds 3558, 4617): a continuous maxOnline set full at the start lets N3
 * boot only once N1 is off; N1's VM is placed on N3, so its migration waits for the boot, the
 * boot for N1's shutdown, the shutdown for the migration. Before: "capacity deadlock at 1 s: boot
 * N3 waits for maxOnline(1) on {N1, N3, N4}". The VM now goes through N2 (room now) first.
 */
describe('schedule: a VM leaving a node whose shutdown a boot waits for, towards that boot (H5, class F)', () => {
  const origin = cluster({ on: { N1: ['VM2'], N2: ['VM3'] }, off: ['N3', 'N4'], ready: ['VM1'], rc: { cpu: { cap: { N1: 6, N2: 5, N3: 6, N4: 8 }, cons: { VM1: 3, VM2: 1, VM3: 2 } } } });
  const t = target({ vms: { VM1: 'N2', VM2: 'N3' }, nodes: { N1: 'offline', N3: 'online' } });
  const group = cstr('maxOnline', { nodes: [id('N1'), id('N3'), id('N4')], amount: 1 });

  it('bounces the VM through a node online now, then N1 powers off, N3 boots, the VM arrives', () => {
    const { plan, stats } = run(origin, t, [group]);
    expect(stats.bounces.map((b) => [b.vm, b.via])).toEqual([[id('VM2'), id('N2')]]);
    const legs = plan.actions.filter((a) => a.kind === 'migrateVM');
    expect(legs.map((a) => (a.kind === 'migrateVM' ? [a.from, a.to] : []))).toEqual([
      [id('N1'), id('N2')],
      [id('N2'), id('N3')],
    ]);
    const off = nodeAction(plan, 'N1', 'shutdownNode');
    const boot = nodeAction(plan, 'N3', 'bootNode');
    expect(off.start).toBeGreaterThanOrEqual(legs[0]?.end ?? Infinity);
    expect(boot.start).toBeGreaterThanOrEqual(off.end);
    expect(legs[1]?.start).toBeGreaterThanOrEqual(boot.end);
  });

  it('BUG 13: through a node the plan boots outside the set when no node online has room', () => {
    // minimal form of tiny seed 13974: N1 alone online, full set {N1, N3}; N2 and N3 boot. VM3
    // goes to N3, whose boot waits for N1's shutdown: before, "capacity deadlock at 2 s: boot N3
    // waits for maxOnline(1) on {N1, N3}". VM3 now goes through N2 (room beside VM1 and VM4).
    const o = cluster({ on: { N1: ['VM1', 'VM3', 'VM4'] }, off: ['N2', 'N3'], rc: { cpu: { cap: 4, cons: { VM1: 1, VM3: 2, VM4: 1 } } } });
    const t3 = target({ vms: { VM1: 'N2', VM3: 'N3', VM4: 'N2' }, nodes: { N1: 'offline', N2: 'online', N3: 'online' } });
    const { plan, stats } = run(o, t3, [cstr('maxOnline', { nodes: [id('N1'), id('N3')], amount: 1 })]);
    expect(stats.bounces.map((b) => [b.vm, b.via])).toEqual([[id('VM3'), id('N2')]]);
    const legs = plan.actions.filter((a) => a.kind === 'migrateVM' && a.vm === id('VM3'));
    expect(legs[0]?.start).toBeGreaterThanOrEqual(nodeAction(plan, 'N2', 'bootNode').end);
    expect(nodeAction(plan, 'N1', 'shutdownNode').start).toBeGreaterThanOrEqual(legs[0]?.end ?? Infinity);
    expect(legs[1]?.start).toBeGreaterThanOrEqual(nodeAction(plan, 'N3', 'bootNode').end);
  });

  it('BUG 13: not through a booting node without room for the VMs the source must send it first', () => {
    // N2 holds 3: VM1 and VM4 must reach it before N1 powers off, so VM3 (2) has no room there
    const o = cluster({ on: { N1: ['VM1', 'VM3', 'VM4'] }, off: ['N2', 'N3'], rc: { cpu: { cap: { N1: 4, N2: 3, N3: 4 }, cons: { VM1: 1, VM3: 2, VM4: 1 } } } });
    const t3 = target({ vms: { VM1: 'N2', VM3: 'N3', VM4: 'N2' }, nodes: { N1: 'offline', N2: 'online', N3: 'online' } });
    const r = schedule(o, t3, [cstr('maxOnline', { nodes: [id('N1'), id('N3')], amount: 1 })]);
    expect(r.ok).toBe(false);
  });

  it('leaves the order alone when another node of the set can power off first', () => {
    // N4 online and powering off too, with nothing to wait for: N3 boots after N4, no bounce
    const two = cluster({ on: { N1: ['VM2'], N2: ['VM3'], N4: [] }, off: ['N3'], rc: { cpu: { cap: 6, cons: 1 } } });
    const { stats } = run(two, target({ vms: { VM2: 'N3' }, nodes: { N1: 'offline', N4: 'offline', N3: 'online' } }), [cstr('maxOnline', { nodes: [id('N1'), id('N3'), id('N4')], amount: 2 })]);
    expect(stats.bounces).toEqual([]);
  });
});

/**
 * Class G of the hunt (seed 7909): the planner boots a spare because the scheduler found no
 * order for a swap, and the scheduler then still would not use it ("capacity deadlock at 1 s"):
 * a node offline at the start was never a bounce candidate. Once its boot is over it is one.
 */
describe('schedule: a node the plan boots can be the third node of a swap once it is up (H5, class G)', () => {
  it('boots N3, bounces VM1 through it', () => {
    const origin = cluster({ on: { N1: ['VM1'], N2: ['VM2'] }, off: ['N3'], rc: { cpu: { cap: 2, cons: 2 } } });
    const { plan, stats } = run(origin, target({ vms: { VM1: 'N2', VM2: 'N1' }, nodes: { N3: 'online' } }));
    expect(stats.bounces.map((b) => [b.vm, b.via])).toEqual([[id('VM1'), id('N3')]]);
    const first = plan.actions.find((a) => a.kind === 'migrateVM' && a.vm === id('VM1'));
    expect(first?.start).toBeGreaterThanOrEqual(nodeAction(plan, 'N3', 'bootNode').end);
  });
});

/**
 * Class D of the hunt (seed 4549): a swap whose two VMs are fenced (a discrete fence forbids
 * any other node on the way, as BtrPlace's checker does), so neither may bounce, while a third
 * VM with no constraint shares a node of the swap. Before: "capacity deadlock at 0 s: migrate
 * VM3 N2→N4 waits for 'mem' on N4; migrate VM1 N4→N2 waits for 'cpu' on N2". The VM that stays
 * (VM2) now steps aside to N1 and comes back once VM1 has arrived.
 */
describe('schedule: a staying VM steps aside when no VM of the cycle may bounce (H5, class D)', () => {
  const origin = cluster({
    on: { N1: [], N2: ['VM2', 'VM3'], N4: ['VM1'] },
    rc: { cpu: { cap: { N1: 3, N2: 3, N4: 8 }, cons: { VM1: 1, VM2: 2, VM3: 1 } }, mem: { cap: { N1: 9, N2: 8, N4: 4 }, cons: { VM1: 3, VM2: 1, VM3: 4 } } },
  });
  const t = target({ vms: { VM1: 'N2', VM3: 'N4' } });
  const fences = [cstr('fence', { vm: id('VM1'), nodes: [id('N2')] }, false), cstr('fence', { vm: id('VM3'), nodes: [id('N4')] }, false)];

  it('VM2 goes to N1 and back; every other migration as the target asks', () => {
    const { plan, stats } = run(origin, t, fences);
    expect(stats.steppedAside).toEqual([id('VM2')]);
    const moves = plan.actions.filter((a) => a.kind === 'migrateVM').map((a) => (a.kind === 'migrateVM' ? `VM${a.vm} N${a.from}→N${a.to}` : ''));
    expect(moves.sort()).toEqual(['VM1 N4→N2', 'VM2 N1→N2', 'VM2 N2→N1', 'VM3 N2→N4'].sort());
    const back = plan.actions.find((a) => a.kind === 'migrateVM' && a.vm === id('VM2') && a.to === id('N2'));
    expect(back?.start).toBeGreaterThanOrEqual(actionOf(plan, 'VM1').end);
  });

  it('not when its constraints forbid the third node: the deadlock is reported, located', () => {
    const r = schedule(origin, t, [...fences, cstr('ban', { vm: id('VM2'), nodes: [id('N1')] }, false)]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/capacity deadlock/);
  });
});

describe('schedule: a two-node swap, a staying VM steps aside onto the other node (H5, class D)', () => {
  it('seed 12833: VM3 makes room on N2 for VM1 by going to N1, then comes back', () => {
    // before: "capacity deadlock at 0 s: migrate VM4 N2→N1 waits for 'cpu' on N1; migrate VM1 N1→N2 waits for 'cpu' on N2"
    const origin = cluster({ on: { N1: ['VM1', 'VM2'], N2: ['VM3', 'VM4'] }, rc: { cpu: { cap: { N1: 7, N2: 6 }, cons: { VM1: 3, VM2: 3, VM3: 1, VM4: 3 } } } });
    const { plan, stats } = run(origin, target({ vms: { VM1: 'N2', VM4: 'N1' } }));
    expect(stats.steppedAside).toEqual([id('VM3')]);
    const vm3 = plan.actions.filter((a) => a.kind === 'migrateVM' && a.vm === id('VM3')).map((a) => (a.kind === 'migrateVM' ? [a.from, a.to] : []));
    expect(vm3).toEqual([
      [id('N2'), id('N1')],
      [id('N1'), id('N2')],
    ]);
  });
});

/**
 * BUG 18 (tiny seeds 14164, 22967 of test/solver/power-property.test.ts): N1 must power off
 * before N4, of the same continuous maxOnline set, boots, and N1's VM goes to N4: no order
 * exists. The deadlock named no VM (the task blocked is the boot), so the planner's retry that
 * boots a spare for the VMs the scheduler could not order had nothing to work with: 'unknown'.
 */
describe('schedule: a deadlock on a boot names the VMs waiting to arrive (BUG 18)', () => {
  it('VM1 N1→N4 under >>maxOnline({N1, N4}, 1): the failure names VM1', () => {
    const origin = cluster({ on: { N1: ['VM1'] }, off: ['N4'], rc: { cpu: { cap: 4, cons: 2 } } });
    const r = schedule(origin, target({ vms: { VM1: 'N4' }, nodes: { N1: 'offline', N4: 'online' } }), [cstr('maxOnline', { nodes: [id('N1'), id('N4')], amount: 1 })]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/boot N4 waits for maxOnline/);
      expect(r.vms).toContain(id('VM1'));
    }
  });
});

/**
 * BUG 19 (the shape of the deadlocks of tiny seed 24839 and of H5's non-tiny seeds 1082 and 808,
 * which still need another placement as well, see the H4 report): >>maxOnline({N2, N3}, 1)
 * full, N3 powers off, N2 boots. VM1 goes N1 → N2, so it waits for the boot; the boot waits for
 * N3's shutdown; the shutdown for VM2 (N3 → N1); VM2 for the room VM1 leaves on N1. The source
 * of VM1 is no node going off, so no bounce was planned ahead of the boot, and VM2 is too large
 * for the third node N4: "capacity deadlock: boot N2 waits for maxOnline(1)". VM1 now goes
 * through N4 at once and on to N2 once it has booted.
 */
describe('schedule: a migration to a booting node detours so the shutdown it blocks can happen (BUG 19)', () => {
  it('VM1 N1→N4→N2 around the boot of N2', () => {
    const o = cluster({ on: { N1: ['VM1'], N3: ['VM2'], N4: [] }, off: ['N2'], rc: { cpu: { cap: { N1: 3, N2: 2, N3: 8, N4: 2 }, cons: { VM1: 1, VM2: 3 } } } });
    const t = target({ vms: { VM1: 'N2', VM2: 'N1' }, nodes: { N3: 'offline', N2: 'online' } });
    const { plan, stats } = run(o, t, [cstr('maxOnline', { nodes: [id('N2'), id('N3')], amount: 1 })]);
    expect(stats.bounces.map((b) => [b.vm, b.via])).toEqual([[id('VM1'), id('N4')]]);
    const legs = plan.actions.filter((a) => a.kind === 'migrateVM' && a.vm === id('VM1'));
    expect(legs.map((a) => (a.kind === 'migrateVM' ? [a.from, a.to] : []))).toEqual([
      [id('N1'), id('N4')],
      [id('N4'), id('N2')],
    ]);
    expect(actionOf(plan, 'VM2').start).toBeGreaterThanOrEqual(legs[0]?.end ?? Infinity);
    expect(legs[1]?.start).toBeGreaterThanOrEqual(nodeAction(plan, 'N2', 'bootNode').end);
  });
});
