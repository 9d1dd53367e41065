import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { checkPlan } from '../../src/checker/plan-checker.js';
import { CORE_NETWORK } from '../../src/checker/network.js';
import type { Instance } from '../../src/instance/instance.js';
import { parseInstanceText } from '../../src/instance/json.js';
import type { Model, OpaqueJson } from '../../src/model/index.js';
import type { Action, MigrateVM } from '../../src/plan/actions.js';
import type { Plan } from '../../src/plan/plan.js';
import { buildExact } from '../../src/solver/exact/build.js';
import { plan as planInstance } from '../../src/solver/planner.js';
import { schedule } from '../../src/solver/schedule/index.js';
import { cluster, id, ok, target } from '../solver-schedule/support.js';

const node = (n: number): OpaqueJson => ({ id: n, type: 'node' });

/** One switch, N1..N4 each on a 1000 Mbit/s link L<n>; switch capacity -1 (non-blocking) by default. */
function star(switchCapacity = -1): OpaqueJson {
  return {
    id: 'net',
    switches: [{ id: 0, capacity: switchCapacity }],
    links: [1, 2, 3, 4].map((n) => ({ id: n, capacity: 1000, switch: 0, physicalElement: node(n) })),
    routing: { type: 'default' },
  };
}

/** N1..N4 with room for everything; VM1, VM2 on N1, VM3 on N2, VM4 on N3; 1000 MiB of memory used each. */
function model(view: OpaqueJson | undefined): Model {
  const m = cluster({
    on: { N1: ['VM1', 'VM2'], N2: ['VM3'], N3: ['VM4'], N4: [] },
    rc: { cpu: { cap: 10, cons: 1 } },
    attrs: { VM1: { memUsed: 1000 }, VM2: { memUsed: 1000 }, VM3: { memUsed: 1000 }, VM4: { memUsed: 1000 } },
  });
  if (view) m.opaqueViews.push(view);
  return m;
}

const instanceOf = (m: Model): Instance => ({ model: m, constraints: [], objective: { id: 'minimizeMTTR' } });

function migration(p: Plan, vm: string): MigrateVM {
  const a = p.actions.find((x): x is MigrateVM => x.kind === 'migrateVM' && x.vm === id(vm));
  if (!a) throw new Error(`no migration of ${vm}`);
  return a;
}

function overlap(a: Action, b: Action): boolean {
  return a.start < b.end && b.start < a.end;
}

// 1000 MiB over 1000 Mbit/s: bw = 111.11 MiB/s, dmin = 9 > 2 s; cold pages 5/111.11 = 0.045,
// hot pages 0.045 × 2.5/108.61 = 0.001: 9.046 → 9 s
const D = 9;

describe('scheduling with a net view', () => {
  it('durations come from the network formula; two migrations sharing a 1000 link are serialised', () => {
    const m = model(star());
    const t = target({ vms: { VM1: 'N2', VM2: 'N3' } });
    const { plan, stats } = ok(schedule(m, t, []));
    const a = migration(plan, 'VM1');
    const b = migration(plan, 'VM2');
    expect(a.end - a.start).toBe(D);
    expect(b.end - b.start).toBe(D);
    expect(a.bw).toBe(1000);
    expect(b.bw).toBe(1000);
    // both leave N1 through L1 (up): 2000 Mbit/s would exceed its 1000
    expect(overlap(a, b)).toBe(false);
    expect(stats.makespan).toBe(2 * D);
    // the link's energy (2 × 9 s × 1000 Mbit/s over 1000) makes the makespan bound tight, and so
    // is the MTTR bound: N1's uplink carries them one at a time, 9 + 18
    expect(stats.durationLowerBound).toBe(2 * D);
    expect(stats.mttrLowerBound).toBe(9 + 2 * D);
    expect(stats.mttr).toBe(27);
    const report = checkPlan(instanceOf(m), plan);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('links are full duplex: opposite migrations over the same links run together', () => {
    const m = model(star());
    const { plan } = ok(schedule(m, target({ vms: { VM1: 'N2', VM3: 'N1' } }), []));
    const a = migration(plan, 'VM1');
    const b = migration(plan, 'VM3');
    expect([a.start, a.end, b.start, b.end]).toEqual([0, D, 0, D]);
    expect(checkPlan(instanceOf(m), plan).ok).toBe(true);
  });

  it('a blocking switch is a cumulative too: disjoint links, a 1500 Mbit/s switch, one at a time', () => {
    const m = model(star(1500));
    const { plan } = ok(schedule(m, target({ vms: { VM1: 'N2', VM4: 'N4' } }), []));
    const a = migration(plan, 'VM1');
    const b = migration(plan, 'VM4');
    expect(a.bw).toBe(1000); // min(link 1000, switch 1500)
    expect(overlap(a, b)).toBe(false);
    expect(checkPlan(instanceOf(m), plan).ok).toBe(true);
  });

  it('a blocking switch reached only through switch-to-switch links, narrower than the path: no plan, said why', () => {
    // N1 on S0, N2 on S1, both switches joined through S2 (300 Mbit/s), which maxBW does not count
    const m = model({
      id: 'net',
      switches: [{ id: 0, capacity: -1 }, { id: 1, capacity: -1 }, { id: 2, capacity: 300 }],
      links: [
        { id: 1, capacity: 1000, switch: 0, physicalElement: node(1) },
        { id: 2, capacity: 1000, switch: 1, physicalElement: node(2) },
        { id: 3, capacity: 1000, switch: 0, physicalElement: { id: 2, type: 'switch' } },
        { id: 4, capacity: 1000, switch: 1, physicalElement: { id: 2, type: 'switch' } },
        { id: 5, capacity: 1000, switch: 0, physicalElement: node(3) },
        { id: 6, capacity: 1000, switch: 0, physicalElement: node(4) },
      ],
      routing: { type: 'default' },
    });
    const r = schedule(m, target({ vms: { VM1: 'N2' } }), []);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/migration of VM1 from N1 to N2 uses 1000 Mbit\/s, more than switch S2 \(300 Mbit\/s\) allows/);
    // a migration that does not cross S2 is fine
    expect(schedule(m, target({ vms: { VM1: 'N3' } }), []).ok).toBe(true);
  });

  it('a swap between two full nodes bounces through a third one, each leg with its own path and duration', () => {
    // N1, N2 on S0; N3 on S1 behind a 500 Mbit/s inter-switch link; each node holds one VM
    const m = cluster({
      on: { N1: ['VM1'], N2: ['VM2'], N3: [] },
      rc: { cpu: { cap: 1, cons: 1 } },
      attrs: { VM1: { memUsed: 1000 }, VM2: { memUsed: 1000 } },
    });
    m.opaqueViews.push({
      id: 'net',
      switches: [{ id: 0, capacity: -1 }, { id: 1, capacity: -1 }],
      links: [
        { id: 1, capacity: 1000, switch: 0, physicalElement: node(1) },
        { id: 2, capacity: 1000, switch: 0, physicalElement: node(2) },
        { id: 3, capacity: 1000, switch: 1, physicalElement: node(3) },
        { id: 9, capacity: 500, switch: 0, physicalElement: { id: 1, type: 'switch' } },
      ],
      routing: { type: 'default' },
    });
    const { plan, stats } = ok(schedule(m, target({ vms: { VM1: 'N2', VM2: 'N1' } }), []));
    expect(stats.bounces).toHaveLength(1);
    const migrations = plan.actions.filter((a): a is MigrateVM => a.kind === 'migrateVM');
    expect(migrations).toHaveLength(3);
    for (const a of migrations) {
      // over the 500 link (to or from N3): 1000 MiB at 55.6 MiB/s, 18.09 → 18 s; else 9 s
      const viaN3 = a.from === id('N3') || a.to === id('N3');
      expect([a.end - a.start, a.bw]).toEqual(viaN3 ? [18, 500] : [D, 1000]);
    }
    expect(checkPlan(instanceOf(m), plan).violations).toEqual([]);
  });

  it('a migration between nodes the routing cannot join is refused with both names', () => {
    const m = model({ id: 'net', switches: [{ id: 0, capacity: -1 }], links: [{ id: 1, capacity: 1000, switch: 0, physicalElement: node(1) }], routing: { type: 'default' } });
    const r = schedule(m, target({ vms: { VM1: 'N2' } }), []);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/VM1 from N1 to N2: node#2 has no link in the net view/);
  });

  it('memUsed is mandatory: the failure names the VM', () => {
    const m = model(star());
    m.attributes.clear('vm', id('VM2'));
    expect(m.attributes.get('vm', id('VM2'), 'memUsed')).toBeUndefined();
    const r = schedule(m, target({ vms: { VM2: 'N3' } }), []);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/VM2 has no 'memUsed' attribute/);
  });

  it('without a net view nothing changes: 1 s migrations side by side, no bandwidth', () => {
    const m = model(undefined);
    const { plan } = ok(schedule(m, target({ vms: { VM1: 'N2', VM2: 'N3' } }), []));
    const a = migration(plan, 'VM1');
    const b = migration(plan, 'VM2');
    expect([a.start, a.end, b.start, b.end]).toEqual([0, 1, 0, 1]);
    expect(a.bw).toBeUndefined();
    expect(checkPlan(instanceOf(m), plan).ok).toBe(true);
  });
});

describe('random two-switch networks', () => {
  it('every schedule passes the checker (links and switches included) and stays above its lower bounds', () => {
    fc.assert(
      fc.property(
        fc.record({
          sw: fc.array(fc.constantFrom(-1, 1500, 3000), { minLength: 2, maxLength: 2 }),
          inter: fc.constantFrom(500, 1000, 2000),
          links: fc.array(fc.constantFrom(1000, 2000), { minLength: 5, maxLength: 5 }),
          hosts: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 8, maxLength: 8 }),
          mem: fc.array(fc.integer({ min: 100, max: 3000 }), { minLength: 8, maxLength: 8 }),
          moves: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 8, maxLength: 8 }),
          k: fc.integer({ min: 1, max: 3 }),
          priority: fc.constantFrom('makespan' as const, 'mttr' as const),
          off: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        }),
        ({ sw, inter, links, hosts, mem, moves, k, priority, off }) => {
          const on: Record<string, string[]> = { N1: [], N2: [], N3: [], N4: [], N5: [] };
          hosts.forEach((h, i) => on[`N${h}`]?.push(`VM${i + 1}`));
          const attrs: Record<string, Record<string, number>> = {};
          mem.forEach((m, i) => (attrs[`VM${i + 1}`] = { memUsed: m }));
          const m = cluster({ on, rc: { cpu: { cap: 100, cons: 1 } }, attrs });
          m.opaqueViews.push({
            id: 'net',
            switches: [{ id: 0, capacity: sw[0] ?? -1 }, { id: 1, capacity: sw[1] ?? -1 }],
            links: [
              ...links.map((c, i) => ({ id: i + 1, capacity: c, switch: (i + 1) % 2, physicalElement: node(i + 1) })),
              { id: 9, capacity: inter, switch: 0, physicalElement: { id: 1, type: 'switch' } },
            ],
            routing: { type: 'default' },
          });
          const vms: Record<string, string> = {};
          moves.forEach((to, i) => {
            if (to > 0 && to !== hosts[i]) vms[`VM${i + 1}`] = `N${to}`;
          });
          // nodes left empty may be switched off (their shutdown waits for the departures)
          const nodes: Record<string, 'offline'> = {};
          for (let n = 1; n <= 5; n++) {
            const ends = hosts.some((h, i) => (vms[`VM${i + 1}`] ?? `N${h}`) === `N${n}`);
            if (!ends && off[n - 1]) nodes[`N${n}`] = 'offline';
          }
          const { plan, stats } = ok(schedule(m, target({ vms, nodes }), [], { maxConcurrentMigrationsPerHost: k, priority }));
          const report = checkPlan(instanceOf(m), plan);
          expect(report.violations).toEqual([]);
          expect(stats.makespan).toBeGreaterThanOrEqual(stats.durationLowerBound);
          expect(stats.mttr).toBeGreaterThanOrEqual(stats.mttrLowerBound);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('the checker with a net view', () => {
  it('a hand-made plan overloading a link fails with the interval, the usage and the migrations', () => {
    const m = model(star());
    const plan: Plan = {
      origin: m,
      actions: [
        { kind: 'migrateVM', vm: id('VM1'), from: id('N1'), to: id('N2'), start: 2, end: 11 },
        { kind: 'migrateVM', vm: id('VM2'), from: id('N1'), to: id('N3'), start: 2, end: 11 },
      ],
    };
    const report = checkPlan(instanceOf(m), plan);
    expect(report.ok).toBe(false);
    const net = report.violations.filter((v) => v.rule === CORE_NETWORK);
    expect(net).toHaveLength(1);
    const v = net[0];
    expect(v?.from).toBe(2);
    expect(v?.to).toBe(11);
    expect(v?.message).toBe(`${CORE_NETWORK}: link L1 (N1 → S0) over capacity from 0'02 to 0'11: 2000 Mbit/s used, 1000 available (migrate VM1 N1→N2, migrate VM2 N1→N3)`);
    expect(v?.vms).toEqual([id('VM1'), id('VM2')]);
    expect(v?.actions).toHaveLength(2);
  });

  it('only the overlap is reported; back-to-back migrations do not overlap', () => {
    const m = model(star());
    const mk = (vm: string, to: string, start: number): Action => ({ kind: 'migrateVM', vm: id(vm), from: id('N1'), to: id(to), start, end: start + D });
    const overlapping = checkPlan(instanceOf(m), { origin: m, actions: [mk('VM1', 'N2', 0), mk('VM2', 'N3', 4)] });
    const v = overlapping.violations.find((x) => x.rule === CORE_NETWORK);
    expect([v?.from, v?.to]).toEqual([4, D]);
    const chained = checkPlan(instanceOf(m), { origin: m, actions: [mk('VM1', 'N2', 0), mk('VM2', 'N3', D)] });
    expect(chained.violations.filter((x) => x.rule === CORE_NETWORK)).toEqual([]);
  });

  it('a blocking switch over capacity is reported with its own name', () => {
    const m = model(star(1500));
    const actions: Action[] = [
      { kind: 'migrateVM', vm: id('VM1'), from: id('N1'), to: id('N2'), start: 0, end: D },
      { kind: 'migrateVM', vm: id('VM4'), from: id('N3'), to: id('N4'), start: 3, end: 3 + D },
    ];
    const v = checkPlan(instanceOf(m), { origin: m, actions }).violations.filter((x) => x.rule === CORE_NETWORK);
    expect(v.map((x) => x.message)).toEqual([`${CORE_NETWORK}: switch S0 over capacity from 0'03 to 0'09: 2000 Mbit/s used, 1500 available (migrate VM1 N1→N2, migrate VM4 N3→N4)`]);
  });

  it("a plan's own bw is what it uses: two 400 Mbit/s migrations fit a 1000 link", () => {
    const m = model(star());
    const actions: Action[] = [
      { kind: 'migrateVM', vm: id('VM1'), from: id('N1'), to: id('N2'), start: 0, end: 20, bw: 400 },
      { kind: 'migrateVM', vm: id('VM2'), from: id('N1'), to: id('N3'), start: 0, end: 20, bw: 400 },
    ];
    expect(checkPlan(instanceOf(m), { origin: m, actions }).violations.filter((x) => x.rule === CORE_NETWORK)).toEqual([]);
  });
});

describe("BtrPlace's testIssue93 end to end", () => {
  it('plans it (exact model declined, heuristic scheduler) with 2 s network migrations; the checker agrees', async () => {
    const text =
      '{"model":{"mapping":{"readyVMs":[],"onlineNodes":{"0":{"sleepingVMs":[],"runningVMs":[0]},"1":{"sleepingVMs":[],"runningVMs":[1]},"2":{"sleepingVMs":[],"runningVMs":[2]}},"offlineNodes":[]},"attributes":{"nodes":{},"vms":{"0":{"memUsed":204},"1":{"memUsed":204},"2":{"memUsed":204}}},"views":[{"defConsumption":0,"nodes":{"0":8,"1":10,"2":10},"rcId":"cpu","id":"shareableResource","defCapacity":0,"vms":{"0":8,"1":1,"2":1}},{"routing":{"type":"default"},"switches":[{"id":0,"capacity":-1}],"links":[{"physicalElement":{"id":2,"type":"node"},"id":0,"capacity":1000,"switch":0},{"physicalElement":{"id":1,"type":"node"},"id":1,"capacity":1000,"switch":0},{"physicalElement":{"id":0,"type":"node"},"id":2,"capacity":1000,"switch":0}],"id":"net"}]},"constraints":[{"rc":"cpu","amount":6,"nodes":[0],"continuous":false,"id":"resourceCapacity"}],"objective":{"id":"minimizeMTTR"}}';
    const r = parseInstanceText(text);
    if (!r.ok) throw new Error(r.error.message);
    const result = await planInstance(r.value, { timeLimitMs: 2_000, solver: 'native' });
    expect(result.plan).toBeDefined();
    const p = result.plan as Plan;
    const migrations = p.actions.filter((a): a is MigrateVM => a.kind === 'migrateVM');
    expect(migrations.length).toBeGreaterThan(0);
    for (const a of migrations) {
      expect(a.end - a.start).toBe(2);
      expect(a.bw).toBe(1000);
    }
    expect(checkPlan(r.value, p).ok).toBe(true);
    // no memory view: data moved is the memUsed (MiB) of the VMs that migrate
    expect(result.memoryMovedMiB).toBe(204 * migrations.length);

    const built = buildExact({ model: r.value.model, constraints: r.value.constraints }, new Map(), '', '', 'mttr');
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.reasons.join(' ')).toMatch(/net view/);
  });
});
