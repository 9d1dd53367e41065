import { describe, expect, it } from 'vitest';

import { NativeMznRunner } from '../../main/node/solver/native-runner.js';
import { checkPlan } from '../../src/checker/plan-checker.js';
import { buildNeighbourhood, solveNeighbourhood } from '../../src/solver/exact/neighbourhood.js';
import { generateTight } from '../../src/solver/generate.js';
import { ejectionChains } from '../../src/solver/placement/ejection.js';
import { firstFitDecreasing, resultOf } from '../../src/solver/placement/ffd.js';
import { type LnsStats, largeNeighbourhoodSearchMzn } from '../../src/solver/placement/lns.js';
import { plan } from '../../src/solver/planner.js';
import type { MznRequest, MznResult, MznRunner } from '../../src/solver/ports.js';
import { type PlacementProblem, initialRepair, reduce } from '../../src/solver/problem.js';
import { c, cluster, instanceOf } from './helpers.js';
import { perturb, validPlacement, verifyPlacement } from './lns-helpers.js';

const native = await NativeMznRunner.detect();
const stats = (): LnsStats => ({ mznCalls: 0, mznImprovements: 0, mznMs: 0, mznErrors: 0, smallSteps: 0, smallImprovements: 0 });

/**
 * Three full hosts; in the current placement A and C have swapped hosts (two migrations), which
 * no single move can undo: the neighbourhood {N1, N2} with every VM on them variable can.
 * spread(B, D) must hold throughout; E sits on N3 and spreads with A.
 */
function swapped() {
  const { model, vm, node } = cluster(
    { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 } },
    { A: { on: 'N1', cpu: 2 }, B: { on: 'N1', cpu: 2 }, C: { on: 'N2', cpu: 2 }, D: { on: 'N2', cpu: 2 }, E: { on: 'N3', cpu: 2 } },
  );
  const instance = instanceOf(model, [c('spread', { vms: [vm('B'), vm('D')] }, true), c('spread', { vms: [vm('A'), vm('E')] }, true)]);
  const problem = reduce(instance, { objective: 'migrations' });
  const at = (name: string): number => problem.vmIndex.get(vm(name)) as number;
  const on = (name: string): number => problem.nodeIndex.get(node(name)) as number;
  const hosts = new Int32Array(problem.vms.length);
  for (const [v, n] of [['A', 'N2'], ['B', 'N1'], ['C', 'N1'], ['D', 'N2'], ['E', 'N3']] as const) hosts[at(v)] = on(n);
  return { instance, problem, hosts, at, on };
}

/** A runner that answers with a fixed `host` array whatever it is asked (a misbehaving solver). */
function scriptedRunner(answer: (request: MznRequest) => number[]): MznRunner {
  return {
    kind: 'scripted',
    solvers: ['gecode'],
    solve: (request: MznRequest): Promise<MznResult> =>
      Promise.resolve({ status: 'OPTIMAL_SOLUTION', solution: { output: { host: answer(request), cost: 0 }, elapsedMs: 1 }, elapsedMs: 1 }),
  };
}

describe('neighbourhood model: data', () => {
  it('states spread among variable VMs, and folds a fixed spread member into the candidates', () => {
    const { problem, hosts, at, on } = swapped();
    expect(validPlacement(problem, hosts)).toBe(true);
    const built = buildNeighbourhood(problem, hosts, { nodes: [on('N1'), on('N2'), on('N3')], vms: [at('A'), at('B'), at('C'), at('D')] });
    expect(built).toBeDefined();
    const data = built?.data as Record<string, unknown>;
    expect(built?.currentCost).toBe(2);
    const local = (name: string): number => (built?.vms.indexOf(at(name)) ?? -1) + 1;
    expect(data['diffGroup']).toEqual([{ set: [local('B'), local('D')] }]);
    // A may not join E (fixed on N3): N3 is not among A's candidates; B may go there
    const candidates = (name: string): number[] => {
      const i = local(name) - 1;
      const off = (data['candOff'] as number[])[i] as number;
      const n = (data['nCand'] as number[])[i] as number;
      return (data['cand'] as number[]).slice(off, off + n).map((k) => built?.nodes[k - 1] as number);
    };
    expect(candidates('A')).not.toContain(on('N3'));
    expect(candidates('A')[0]).toBe(on('N2'));
    expect(candidates('B')).toContain(on('N3'));
    // home: the origin's local index; weight: one migration each
    expect((data['home'] as number[])[local('A') - 1]).toBe((built?.nodes.indexOf(on('N1')) as number) + 1);
    expect(data['bound']).toBe(2);
  });
});

describe('neighbourhood answers are checked', () => {
  it('rejects a solver answer that overloads a host or breaks a rule, and keeps the placement', async () => {
    const { problem, hosts, at, on } = swapped();
    const hood = { nodes: [on('N1'), on('N2')], vms: [at('A'), at('B'), at('C'), at('D')] };
    // every VM home would be right, but B and D together on N1 (local 1) breaks spread and capacity
    const built = buildNeighbourhood(problem, hosts, hood);
    const n1 = (built?.nodes.indexOf(on('N1')) as number) + 1;
    const wrong = scriptedRunner(() => (built?.vms ?? []).map(() => n1));
    const r = await solveNeighbourhood(problem, hosts, hood, wrong);
    expect(r.hosts).toBeUndefined();
    expect(r.error).toMatch(/does not check/);
    expect(r.cost).toBe(r.currentCost);
  });

  it('accepts a correct answer: the swap undone', async () => {
    const { instance, problem, hosts, at, on } = swapped();
    const hood = { nodes: [on('N1'), on('N2')], vms: [at('A'), at('B'), at('C'), at('D')] };
    const built = buildNeighbourhood(problem, hosts, hood);
    const local = (n: number): number => (built?.nodes.indexOf(n) as number) + 1;
    const right = scriptedRunner(() => (built?.vms ?? []).map((v) => local(problem.origin[v] as number)));
    const r = await solveNeighbourhood(problem, hosts, hood, right);
    expect(r.cost).toBe(0);
    expect(r.hosts).toBeDefined();
    expect(verifyPlacement(instance, problem, r.hosts as Int32Array).ok).toBe(true);
  });

  it('LNS with a solver that always answers wrong never worsens the placement', async () => {
    const instance = generateTight({ nodes: 24, seed: 24 });
    const problem = reduce(instance, { objective: 'migrations' });
    const repair = initialRepair(problem);
    const start = perturb(problem, ejectionChains(problem, repair, { target: repair.lowerBound }), 6, 1);
    const s = stats();
    const allOnFirst = scriptedRunner((request) => Array.from({ length: Number(request.data['nVms']) }, () => 1));
    const r = await largeNeighbourhoodSearchMzn(problem, start, { runner: allOnFirst, lowerBound: repair.lowerBound, deadline: Date.now() + 60_000, smallPerCall: 0, patience: 10 }, s);
    expect(r.cost).toBeLessThanOrEqual(start.cost);
    expect(validPlacement(problem, r.hosts)).toBe(true);
    expect(s.mznErrors).toBeGreaterThan(0);
    expect(s.mznImprovements).toBe(0);
  });
});

describe.skipIf(native === undefined)('neighbourhoods solved by native MiniZinc', () => {
  const runner = native as NativeMznRunner;

  it('undoes a swap no single move can undo, respecting spread', async () => {
    const { instance, problem, hosts, at, on } = swapped();
    const r = await solveNeighbourhood(problem, hosts, { nodes: [on('N1'), on('N2'), on('N3')], vms: [at('A'), at('B'), at('C'), at('D')] }, runner, { timeLimitMs: 10_000 });
    expect(r.status).toBe('OPTIMAL_SOLUTION');
    expect(r.cost).toBe(0);
    expect(verifyPlacement(instance, problem, r.hosts as Int32Array).ok).toBe(true);
  });

  it('proves there is nothing better: UNSATISFIABLE, placement unchanged', async () => {
    const { model, vm, node } = cluster({ N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 } }, { A: { on: 'N1', cpu: 2 }, B: { on: 'N2', cpu: 2 } });
    const instance = instanceOf(model, [c('offline', { node: node('N1') })]);
    const problem: PlacementProblem = reduce(instance, { objective: 'migrations' });
    const hosts = new Int32Array(problem.vms.length);
    hosts[problem.vmIndex.get(vm('A')) as number] = problem.nodeIndex.get(node('N3')) as number;
    hosts[problem.vmIndex.get(vm('B')) as number] = problem.nodeIndex.get(node('N2')) as number;
    const r = await solveNeighbourhood(problem, hosts, { nodes: [1, 2], vms: [0, 1] }, runner, { timeLimitMs: 10_000 });
    expect(r.status).toBe('UNSATISFIABLE');
    expect(r.hosts).toBeUndefined();
    expect(r.cost).toBe(1);
  });

  it('MiniZinc-only LNS on a perturbed tight cluster: never worse, improvements check, closer to the bound', async () => {
    const instance = generateTight({ nodes: 32, seed: 32 });
    const problem = reduce(instance, { objective: 'migrations' });
    const repair = initialRepair(problem);
    const start = perturb(problem, ejectionChains(problem, repair, { target: repair.lowerBound }), 8, 2);
    expect(start.cost).toBeGreaterThan(repair.lowerBound);
    const s = stats();
    const costs: number[] = [];
    const r = await largeNeighbourhoodSearchMzn(
      problem,
      start,
      {
        runner,
        lowerBound: repair.lowerBound,
        deadline: Date.now() + 40_000,
        smallPerCall: 0,
        patience: 12,
        onImprove: (x) => {
          costs.push(x.cost);
          expect(validPlacement(problem, x.hosts)).toBe(true);
        },
      },
      s,
    );
    expect(s.mznErrors).toBe(0);
    expect(s.mznImprovements).toBeGreaterThan(0);
    expect(r.cost).toBeLessThan(start.cost);
    for (let i = 1; i < costs.length; i++) expect(costs[i]).toBeLessThan(costs[i - 1] as number);
    expect(resultOf(problem, r.hosts).cost).toBe(r.cost);
  });

  it('the planner with the runner: tight-40 (first-fit-decreasing fails) at the bound, checked', async () => {
    const instance = generateTight({ nodes: 40, seed: 40 });
    const problem = reduce(instance, { objective: 'migrations' });
    const repair = initialRepair(problem);
    expect(firstFitDecreasing(problem, repair).unplaced.length).toBeGreaterThan(0);
    const r = await plan(instance, { objective: 'migrations', timeLimitMs: 15_000, runner });
    expect(r.status).toBe('optimal');
    expect(r.migrations).toBe(repair.migrationsLowerBound);
    expect(checkPlan(instance, r.plan as NonNullable<typeof r.plan>).ok).toBe(true);
  });
});
