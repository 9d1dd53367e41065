import { describe, expect, it } from 'vitest';

import { generateCluster, generateTight } from '../../src/solver/generate.js';
import { ejectionChains } from '../../src/solver/placement/ejection.js';
import { firstFitDecreasing } from '../../src/solver/placement/ffd.js';
import { largeNeighbourhoodSearch } from '../../src/solver/placement/lns.js';
import { plan } from '../../src/solver/planner.js';
import { initialRepair, reduce } from '../../src/solver/problem.js';
import { checkPlan } from '../../src/checker/plan-checker.js';
import { perturb, validPlacement, verifyPlacement } from './lns-helpers.js';

const farAway = (): number => Date.now() + 60_000;

describe('ejection chains on tight drains', () => {
  for (const [nodes, seed] of [[32, 32], [40, 3], [40, 5]] as const) {
    it(`tight-${nodes} (seed ${seed}): first-fit-decreasing fails, the chains place every VM at the lower bound`, () => {
      const instance = generateTight({ nodes, seed });
      const problem = reduce(instance, { objective: 'migrations' });
      const repair = initialRepair(problem);
      expect(firstFitDecreasing(problem, repair).unplaced.length).toBeGreaterThan(0);
      const placed = ejectionChains(problem, repair, { seed: 1, restarts: 16, target: repair.lowerBound });
      expect(placed.unplaced).toEqual([]);
      expect(placed.migrations).toBe(repair.migrationsLowerBound);
      expect(verifyPlacement(instance, problem, placed.hosts)).toMatchObject({ ok: true });
    });
  }

  it('never evicts a VM that would stay when the packing of the queued VMs succeeds (no cascade)', () => {
    const instance = generateTight({ nodes: 24, seed: 11 });
    const problem = reduce(instance, { objective: 'migrations' });
    const repair = initialRepair(problem);
    const placed = ejectionChains(problem, repair, { seed: 2, restarts: 8, target: repair.lowerBound, spreadIncoming: true });
    const queued = new Set(repair.queue);
    const movedStayers = [...placed.hosts].filter((h, v) => !queued.has(v) && h !== problem.origin[v]);
    expect(movedStayers).toEqual([]);
  });

  it('with spread groups and too small an eviction budget for the packing: phase 2 finishes a valid placement', () => {
    const base = generateTight({ nodes: 32, seed: 32 });
    const mapping = base.model.mapping;
    // spread pairs of VMs on distinct nodes now (continuous: they hold in the source placement)
    const vms = [...mapping.vms()];
    const constraints = [...base.constraints];
    for (let i = 0; i + 3 < vms.length; i += 2) {
      const group = [vms[i] as number, vms[i + 3] as number];
      if (mapping.host(group[0] as number) !== mapping.host(group[1] as number)) constraints.push({ id: 'spread', continuous: true, args: { vms: group } });
    }
    const instance = { ...base, constraints };
    const problem = reduce(instance, { objective: 'migrations' });
    expect(problem.infeasible).toEqual([]);
    const repair = initialRepair(problem);
    for (const seed of [1, 2, 3, 4]) {
      const placed = ejectionChains(problem, repair, { seed, restarts: 6, maxEjections: 2 });
      expect(placed.unplaced).toEqual([]);
      expect(validPlacement(problem, placed.hosts)).toBe(true);
      expect(placed.migrations).toBeGreaterThanOrEqual(repair.migrationsLowerBound);
    }
  });
});

describe('large-neighbourhood search (branch and bound neighbourhoods)', () => {
  it('never worsens a placement and every placement it returns checks', () => {
    for (const seed of [1, 2, 3]) {
      const instance = generateTight({ nodes: 32, seed: 32 });
      const problem = reduce(instance, { objective: 'migrations' });
      const repair = initialRepair(problem);
      const good = ejectionChains(problem, repair, { seed: 1, restarts: 8, target: repair.lowerBound });
      const start = perturb(problem, good, 12, seed);
      expect(start.cost).toBeGreaterThan(repair.lowerBound);
      expect(validPlacement(problem, start.hosts)).toBe(true);
      const seen: number[] = [];
      const result = largeNeighbourhoodSearch(problem, start, {
        lowerBound: repair.lowerBound,
        deadline: farAway(),
        seed,
        patience: 60,
        onImprove: (r) => {
          seen.push(r.cost);
          expect(validPlacement(problem, r.hosts)).toBe(true);
        },
      });
      expect(result.cost).toBeLessThanOrEqual(start.cost);
      // improvements are strictly decreasing
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThan(seen[i - 1] as number);
      // swapped pairs are found again: back to the bound, and that placement has a checked plan
      expect(result.cost).toBe(repair.lowerBound);
      expect(verifyPlacement(instance, problem, result.hosts).ok).toBe(true);
    }
  });

  it('leaves a placement at the lower bound, or with VMs unplaced, untouched', () => {
    const instance = generateCluster({ nodes: 8, seed: 8 });
    const problem = reduce(instance, { objective: 'migrations' });
    const repair = initialRepair(problem);
    const placed = ejectionChains(problem, repair, { target: repair.lowerBound });
    expect(largeNeighbourhoodSearch(problem, placed, { lowerBound: repair.lowerBound, deadline: farAway() })).toBe(placed);
    const partial = { ...placed, unplaced: [0] };
    expect(largeNeighbourhoodSearch(problem, partial, { lowerBound: 0, deadline: farAway() })).toBe(partial);
  });
});

describe('the planner on a tight drain (no MiniZinc)', () => {
  it('tight-40 where first-fit-decreasing fails: a checked plan at the migration lower bound', async () => {
    const instance = generateTight({ nodes: 40, seed: 40 });
    const problem = reduce(instance, { objective: 'migrations' });
    const repair = initialRepair(problem);
    expect(firstFitDecreasing(problem, repair).unplaced.length).toBeGreaterThan(0);
    for (const objective of ['migrations', 'mttr'] as const) {
      const r = await plan(instance, { objective, timeLimitMs: 10_000, solver: 'native' });
      expect(r.plan).toBeDefined();
      expect(checkPlan(instance, r.plan as NonNullable<typeof r.plan>).ok).toBe(true);
      expect(r.migrations).toBe(repair.migrationsLowerBound);
      if (objective === 'migrations') expect(r.status).toBe('optimal');
      else expect(r.notes.some((n) => n.startsWith('optimal on migrations') || r.status === 'optimal')).toBe(true);
    }
  });
});
