import { describe, expect, it } from 'vitest';

import type { Constraint } from '../../src/catalogue/constraint.js';
import { checkPlan } from '../../src/checker/plan-checker.js';
import { branchAndBound } from '../../src/solver/placement/branch-and-bound.js';
import { firstFitDecreasing } from '../../src/solver/placement/ffd.js';
import { plan } from '../../src/solver/planner.js';
import { initialRepair, reduce } from '../../src/solver/problem.js';
import { Random } from '../../src/solver/random.js';
import { c, cluster, instanceOf } from './helpers.js';

/** A random small repair instance: 3–5 nodes, 4–10 VMs, a drain, a spread, a ban, a preserve. */
function randomInstance(seed: number) {
  const rng = new Random(seed);
  const nodeCount = rng.int(3, 5);
  const nodes: Record<string, { cpu: number; mem: number }> = {};
  const free: { cpu: number; mem: number }[] = [];
  for (let i = 1; i <= nodeCount; i++) {
    const spec = { cpu: rng.int(4, 8), mem: rng.int(8, 16) };
    nodes[`N${i}`] = spec;
    free.push({ ...spec });
  }
  const vms: Record<string, { on: string; cpu: number; mem: number }> = {};
  const vmCount = rng.int(4, 10);
  let made = 0;
  for (let i = 1; i <= vmCount; i++) {
    const cpu = rng.int(1, 3);
    const mem = rng.int(1, 4);
    const n = rng.int(0, nodeCount - 1);
    const f = free[n];
    if (!f || f.cpu < cpu || f.mem < mem) continue;
    f.cpu -= cpu;
    f.mem -= mem;
    vms[`VM${++made}`] = { on: `N${n + 1}`, cpu, mem };
  }
  const { model, vm, node } = cluster(nodes, vms);
  const names = Object.keys(vms);
  const constraints: Constraint[] = [];
  if (rng.next() < 0.8) constraints.push(c('offline', { node: node(`N${rng.int(1, nodeCount)}`) }));
  if (names.length >= 2 && rng.next() < 0.6) {
    const a = rng.pick(names);
    const b = rng.pick(names.filter((x) => x !== a));
    constraints.push(c('spread', { vms: [vm(a), vm(b)] }));
  }
  if (names.length > 0 && rng.next() < 0.5) constraints.push(c('ban', { vm: vm(rng.pick(names)), nodes: [node(`N${rng.int(1, nodeCount)}`)] }));
  if (names.length > 0 && rng.next() < 0.5) constraints.push(c('preserve', { vm: vm(rng.pick(names)), rc: 'cpu', amount: rng.int(2, 4) }));
  return instanceOf(model, constraints);
}

describe('property: random small instances', () => {
  it('every plan passes checkPlan, is no worse than FFD, and matches the exhaustive optimum', async () => {
    let plans = 0;
    let infeasible = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const instance = randomInstance(seed);
      const problem = reduce(instance, { objective: 'migrations' });
      const repair = initialRepair(problem);
      const ffd = problem.infeasible.length === 0 && repair.infeasible.length === 0 ? firstFitDecreasing(problem, repair) : undefined;
      // the exhaustive reference: every VM free over every node
      const all = Array.from({ length: problem.nodes.length }, (_, n) => n);
      const free = Array.from({ length: problem.vms.length }, (_, v) => v).filter((v) => problem.pinned[v] !== 1);
      const reference = problem.infeasible.length === 0 ? branchAndBound(problem, repair.hosts, free, () => all, { nodeLimit: 2_000_000 }) : undefined;

      const result = await plan(instance, { objective: 'migrations', timeLimitMs: 2_000, solver: 'native', seed });
      if (result.plan) {
        plans++;
        expect(checkPlan(instance, result.plan).ok, `seed ${seed}`).toBe(true);
        // placements count the VMs that move; the plan's migrations add a hop for each bounce through a third node
        const migrateActions = result.plan.actions.filter((a) => a.kind === 'migrateVM');
        const movedVms = new Set(migrateActions.map((a) => a.vm)).size;
        expect(result.migrations, `seed ${seed}`).toBe(migrateActions.length);
        if (ffd && ffd.unplaced.length === 0) expect(movedVms, `seed ${seed}`).toBeLessThanOrEqual(ffd.migrations);
        if (reference?.complete && reference.hosts) expect(movedVms, `seed ${seed}`).toBe(reference.cost);
        expect(result.migrations).toBeGreaterThanOrEqual(result.migrationsLowerBound);
        if (result.migrations > movedVms) expect(result.status, `seed ${seed}: a plan with a bounce is not proven optimal on migrations`).not.toBe('optimal');
      } else {
        infeasible++;
        // no plan: FFD must not have found a placement either, and the reference proves it
        expect(ffd === undefined || ffd.unplaced.length > 0, `seed ${seed}`).toBe(true);
        if (reference?.complete && problem.infeasible.length === 0) expect(reference.hosts, `seed ${seed}`).toBeUndefined();
        expect(result.status).toBe('infeasible');
        expect(result.explanation?.length).toBeGreaterThan(0);
      }
    }
    expect(plans).toBeGreaterThan(20);
    expect(plans + infeasible).toBe(60);
  });
});
