import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { pickRunner } from '../../main/node/solver/runners.js';
import type { Constraint } from '../../src/catalogue/constraint.js';
import { checkPlan, formatViolations } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import type { NodeId, NodeState, VmId, VmState } from '../../src/model/index.js';
import type { Plan } from '../../src/plan/plan.js';
import { replay } from '../../src/plan/replay.js';
import { type PlanResult, plan } from '../../src/solver/planner.js';
import type { MznRunner } from '../../src/solver/ports.js';
import { Random } from '../../src/solver/random.js';
import { schedule } from '../../src/solver/schedule/index.js';
import type { Target } from '../../src/solver/target.js';
import { c, cluster, instanceOf } from './helpers.js';

/**
 * Adversarial properties of the MTTR lower bounds (src/solver/schedule/bounds.ts: room waits, the
 * halt term, the `anyDestination` variant) and of the planner's 'optimal' claim, on tiny
 * instances (≤ 4 nodes, ≤ 5 VMs) with 1 s or small random attribute durations:
 *
 * - lowerBound ≤ objective, always;
 * - mttrLowerBoundAnyDestination of the chosen target ≤ the MTTR of every schedule of every other
 *   target moving the same VMs and powering the same nodes (enumerated, scheduled with schedule());
 * - when the native search says 'optimal', the exact model (native MiniZinc) finds no plan with
 *   fewer migrations, nor one with as many and a smaller MTTR (its plans are checked first).
 */

let runner: MznRunner | undefined;
try {
  runner = await pickRunner();
} catch {
  runner = undefined;
}
const native = runner?.kind === 'native' ? runner : undefined;

interface Drawn {
  readonly instance: Instance;
  readonly text: string;
}

/** A tiny random instance: a drain, maybe a ban, a spread, a growth; durations 1 s or random attributes. */
function randomTiny(seed: number): Drawn {
  const rng = new Random(seed);
  const n = rng.int(2, 4);
  const tight = rng.next() < 0.5;
  const nodes: Record<string, { cpu: number; mem: number; offline?: boolean }> = {};
  for (let i = 1; i <= n; i++) nodes[`N${i}`] = { cpu: tight ? rng.int(2, 4) : rng.int(2, 6), mem: tight ? rng.int(3, 6) : rng.int(4, 10), ...(i > 2 && rng.next() < 0.25 ? { offline: true } : {}) };
  const vms: Record<string, { on: string; cpu: number; mem: number }> = {};
  const free = Object.fromEntries(Object.entries(nodes).filter(([, s]) => !s.offline).map(([k, s]) => [k, { cpu: s.cpu, mem: s.mem }]));
  const online = Object.keys(free);
  const count = rng.int(1, 5);
  for (let i = 1; i <= count; i++) {
    const on = rng.pick(online);
    const cpu = rng.int(1, 3);
    const mem = rng.int(1, 3);
    const f = free[on];
    if (!f || f.cpu < cpu || f.mem < mem) continue;
    f.cpu -= cpu;
    f.mem -= mem;
    vms[`VM${i}`] = { on, cpu, mem };
  }
  const { model, node, vm } = cluster(nodes, vms);
  const attrs: string[] = [];
  const put = (kind: 'vm' | 'node', name: string, key: string, value: number): void => {
    model.attributes.put(kind, kind === 'vm' ? vm(name) : node(name), key, value);
    attrs.push(`${name}.${key}=${value}`);
  };
  if (rng.next() < 0.6) {
    for (const v of Object.keys(vms)) put('vm', v, 'migrate', rng.int(1, 4));
    for (const k of Object.keys(nodes)) {
      if (rng.next() < 0.5) put('node', k, 'shutdown', rng.int(1, 3));
      if (rng.next() < 0.5) put('node', k, 'boot', rng.int(1, 3));
    }
  }
  const names = Object.keys(vms);
  const constraints: Constraint[] = [];
  if (rng.next() < 0.8) constraints.push(c('offline', { node: node(rng.pick(online)) }));
  if (names.length > 0 && rng.next() < 0.3) constraints.push(c('ban', { vm: vm(rng.pick(names)), nodes: [node(rng.pick(Object.keys(nodes)))] }));
  if (names.length >= 2 && rng.next() < 0.3) {
    const a = rng.pick(names);
    constraints.push(c('spread', { vms: [vm(a), vm(rng.pick(names.filter((x) => x !== a)))] }, rng.next() < 0.5));
  }
  if (names.length > 0 && rng.next() < 0.3) {
    const v = rng.pick(names);
    constraints.push(c('preserve', { vm: vm(v), rc: 'cpu', amount: (vms[v]?.cpu ?? 1) + rng.int(1, 2) }));
  }
  const text = JSON.stringify({ nodes, vms, constraints: constraints.map((k) => ({ id: k.id, continuous: k.continuous, args: k.args })), attrs });
  return { instance: instanceOf(model, constraints), text };
}

/** The target a plan reaches: final host of every VM that migrated, final state of every node that changed. */
function targetOf(p: Plan): { target: Target; moved: VmId[] } | undefined {
  const r = replay(p);
  if (!r.ok) return undefined;
  const end = r.result;
  const vms = new Map<VmId, { state: VmState; host: NodeId | null }>();
  const moved = [...new Set(p.actions.flatMap((a) => (a.kind === 'migrateVM' ? [a.vm] : [])))];
  for (const v of moved) vms.set(v, { state: 'running', host: end.mapping.host(v) ?? null });
  const nodes = new Map<NodeId, NodeState>();
  for (const n of [...p.origin.mapping.nodes()]) {
    const was = p.origin.mapping.isOnline(n);
    const is = end.mapping.isOnline(n);
    if (was !== is) nodes.set(n, is ? 'online' : 'offline');
  }
  const consumption = new Map<VmId, Map<string, number>>();
  for (const a of p.actions) {
    if (a.kind !== 'allocate') continue;
    const byRc = consumption.get(a.vm) ?? new Map<string, number>();
    byRc.set(a.rc, a.amount);
    consumption.set(a.vm, byRc);
  }
  return { target: { vms, nodes, consumption }, moved };
}

/** Every assignment of the moved VMs to nodes online at the end other than their source. */
function* alternatives(p: Plan, base: Target, moved: readonly VmId[]): Generator<Target> {
  const origin = p.origin;
  const onlineAtEnd = [...origin.mapping.nodes()].filter((n) => {
    const t = base.nodes.get(n);
    return t === undefined ? origin.mapping.isOnline(n) : t === 'online';
  });
  const choice: NodeId[] = [];
  function* go(i: number): Generator<Target> {
    const v = moved[i];
    if (v === undefined) {
      const vms = new Map(base.vms);
      moved.forEach((m, j) => vms.set(m, { state: 'running', host: choice[j] as NodeId }));
      yield { vms, nodes: base.nodes, consumption: base.consumption };
      return;
    }
    for (const n of onlineAtEnd) {
      if (n === origin.mapping.host(v)) continue;
      choice[i] = n;
      yield* go(i + 1);
    }
  }
  yield* go(0);
}

/** Migrations per host at once: 1 to 3, from the seed. */
const kOf = (seed: number): number => 1 + (seed % 3);
async function heuristic(instance: Instance, seed: number): Promise<PlanResult> {
  return plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 300, seed, budgets: { maxConcurrentMigrationsPerHost: kOf(seed) } });
}

describe('property: MTTR lower bounds and the optimal claim on tiny instances', () => {
  it('lowerBound ≤ objective, and the any-destination bound is below every schedule of every target moving the same VMs', async () => {
    let plans = 0;
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const { instance, text } = randomTiny(seed);
        const r = await heuristic(instance, seed);
        if (!r.plan) return;
        plans++;
        const what = `seed ${seed}: ${text}`;
        expect(formatViolations(checkPlan(instance, r.plan), instance.model), what).toEqual([]);
        expect(r.lowerBound, what).toBeLessThanOrEqual(r.objective);
        expect(r.durationLowerBound, what).toBeLessThanOrEqual(r.durationSeconds);
        if (r.status === 'optimal') expect(r.lowerBound, what).toBe(r.objective);
        const reached = targetOf(r.plan);
        expect(reached, what).toBeDefined();
        if (!reached) return;
        const mine = schedule(instance.model, reached.target, instance.constraints, { maxConcurrentMigrationsPerHost: kOf(seed) });
        expect(mine.ok, what).toBe(true);
        if (!mine.ok) return;
        const bound = mine.stats.mttrLowerBoundAnyDestination;
        expect(bound, what).not.toBeNull();
        expect(mine.stats.mttrLowerBound, what).toBeLessThanOrEqual(mine.stats.mttr);
        expect(bound ?? 0, what).toBeLessThanOrEqual(mine.stats.mttrLowerBound);
        let count = 0;
        for (const alt of alternatives(r.plan, reached.target, reached.moved)) {
          if (++count > 64) break;
          // with and without the constraints: the bound ignores them, a schedule only adds to them
          for (const constraints of [instance.constraints, []]) {
            for (const priority of ['mttr', 'makespan'] as const) {
              const s = schedule(instance.model, alt, constraints, { priority, maxConcurrentMigrationsPerHost: kOf(seed) });
              if (!s.ok || s.stats.bounces.length > 0) continue;
              compared++;
              expect(s.stats.mttr, `${what}; alternative ${JSON.stringify([...alt.vms])} (${priority})`).toBeGreaterThanOrEqual(bound ?? 0);
              // the per-target bound holds for that target's own schedules
              expect(s.stats.mttrLowerBound).toBeLessThanOrEqual(s.stats.mttr);
              expect(s.stats.mttrLowerBoundAnyDestination ?? 0).toBeLessThanOrEqual(s.stats.mttrLowerBound);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
    expect(plans).toBeGreaterThan(60);
    expect(compared).toBeGreaterThan(100);
  });

  it.skipIf(native === undefined)('"optimal" from the native search: the exact model finds nothing better', async () => {
    const exactRunner = native as MznRunner;
    let claims = 0;
    let exactPlans = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const { instance, text } = randomTiny(seed);
        const r = await heuristic(instance, seed);
        if (!r.plan) return;
        const what = `seed ${seed}: native says ${r.status} (${r.migrations} migrations, MTTR ${r.objective}, bound ${r.lowerBound}${r.lowerBoundCovers ? ' for this placement' : ''}): ${text}`;
        const exact = await plan(instance, { objective: 'mttr', runner: exactRunner, timeLimitMs: 2_000, seed, budgets: { maxConcurrentMigrationsPerHost: kOf(seed) } });
        if (!exact.plan) return;
        exactPlans++;
        expect(formatViolations(checkPlan(instance, exact.plan), instance.model), what).toEqual([]);
        expect(exact.lowerBound, what).toBeLessThanOrEqual(exact.objective);
        // a bound said to cover every plan (no lowerBoundCovers) covers the exact model's too
        if (r.lowerBoundCovers === undefined && exact.migrations === r.migrations && exact.objective < r.lowerBound) {
          const growth = (p: Plan): number => p.actions.filter((a) => a.kind === 'allocate').reduce((x, a) => x + a.end - a.start, 0);
          expect(growth(r.plan) - growth(exact.plan), `${what}; the exact model's MTTR ${exact.objective} is below the bound`).toBeGreaterThanOrEqual(r.lowerBound - exact.objective);
        }
        // the exact model's own claim: the native plan does not beat it
        if (exact.status === 'optimal') {
          expect(r.migrations, `${what}; exact says optimal with ${exact.migrations} migrations`).toBeGreaterThanOrEqual(exact.migrations);
          if (r.migrations === exact.migrations) expect(r.objective, `${what}; exact says optimal at MTTR ${exact.objective}`).toBeGreaterThanOrEqual(exact.objective);
        }
        if (r.status !== 'optimal') return;
        claims++;
        expect(exact.migrations, `${what}; the exact model moves fewer VMs`).toBeGreaterThanOrEqual(r.migrations);
        if (exact.migrations !== r.migrations || exact.objective >= r.objective) {
          if (exact.status === 'optimal' && exact.migrations === r.migrations) expect(exact.objective, what).toBe(r.objective);
          return;
        }
        // better with as many migrations: the native claim was wrong (BUG 5, growth durations
        // that differed between the scheduler and the exact model, is fixed: both instantaneous)
        expect.fail(`${what}: native says optimal at MTTR ${r.objective}, the exact model finds ${exact.objective} with as many migrations: ${JSON.stringify(exact.plan.actions)}`);
      }),
      { numRuns: 50 },
    );
    expect(claims).toBeGreaterThan(5);
    expect(exactPlans).toBeGreaterThan(0);
  });
});

/**
 * BUG 5 (fixed), found by the "optimal" property: the scheduler gave a staying VM's growth an
 * Allocate lasting the 'allocate' duration (1 s) while the exact model's plans made it
 * instantaneous, so the native search's 'optimal' (MTTR 4) was beaten by the exact model (MTTR
 * 3) with the same single migration. Both are instantaneous now, as in BtrPlace (st = ed).
 */
describe('regressions: the growth is instantaneous in every plan (BUG 5)', () => {
  const instance = (): Instance => {
    const { model, node, vm } = cluster({ N1: { cpu: 4, mem: 7 }, N2: { cpu: 5, mem: 9 } }, { VM1: { on: 'N1', cpu: 1, mem: 3 }, VM2: { on: 'N2', cpu: 2, mem: 3 } });
    return instanceOf(model, [c('offline', { node: node('N1') }), c('preserve', { vm: vm('VM2'), rc: 'cpu', amount: 4 })]);
  };

  it('native: allocate [0, 0], migrate [0, 1], shutdown [1, 2]: MTTR 3, proven', async () => {
    const r = await heuristic(instance(), 1);
    expect(r.status).toBe('optimal');
    expect(r.objective).toBe(3);
    expect(r.migrations).toBe(1);
    expect(r.plan?.actions.find((a) => a.kind === 'allocate')).toMatchObject({ start: 0, end: 0 });
  });

  it.skipIf(native === undefined)('the exact model finds no plan with one migration and a smaller MTTR', async () => {
    const inst = instance();
    const r = await heuristic(inst, 1);
    // seed 1690545865 of the property, shrunk by hand
    const exact = await plan(inst, { objective: 'mttr', runner: native as MznRunner, timeLimitMs: 4_000 });
    expect(exact.plan && checkPlan(inst, exact.plan).ok).toBe(true);
    expect(exact.migrations).toBe(1);
    expect(exact.objective).toBeGreaterThanOrEqual(r.objective);
  });
});
