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

  it('never through a node a continuous maxOnline counts (holding its shutdown may hold the boot the cycle needs)', () => {
    const r = schedule(origin, swap, [cstr('maxOnline', { nodes: [id('N3')], amount: 1 })]);
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
