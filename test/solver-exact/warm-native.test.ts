import { describe, expect, it } from 'vitest';

import { NativeMznRunner } from '../../main/node/solver/native-runner.js';
import { checkPlan, formatViolations } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import type { Plan } from '../../src/plan/plan.js';
import { type VariableVm, buildExact, incumbentObjective, outgoingBounds } from '../../src/solver/exact/build.js';
import { ENCODERS } from '../../src/solver/exact/encoders.js';
import { EXACT_MODEL, EXACT_SOLVE } from '../../src/solver/exact/model.js';
import { solveExact } from '../../src/solver/exact/solve.js';
import { generateCluster } from '../../src/solver/generate.js';
import { plan } from '../../src/solver/planner.js';
import { Random } from '../../src/solver/random.js';
import { coreViolations, cstr, tinyModel } from './fixtures.js';

/** Never solve cold: the incumbent (the heuristic's plan) and the redundant bounds of the exact model. */

const native = await NativeMznRunner.detect();

const vm = (duration: number, kind: VariableVm['kind'] = 'stayOrMigrate'): VariableVm => ({ id: 0, kind, from: 'running', to: 'running', initialHost: 0, candidates: [], duration });

/** Least sum of completion times, and least makespan, of some `c` of the tasks on `k` slots, by brute force (every order, list-scheduled). */
function brute(durations: readonly number[], c: number, k: number): { sum: number; makespan: number } {
  let best = Number.POSITIVE_INFINITY;
  let makespan = Number.POSITIVE_INFINITY;
  const pick = (from: number, chosen: number[]): void => {
    if (chosen.length === c) {
      permute(chosen, []);
      return;
    }
    for (let i = from; i < durations.length; i++) pick(i + 1, [...chosen, durations[i] as number]);
  };
  const permute = (left: number[], order: number[]): void => {
    if (left.length === 0) {
      const free = Array.from({ length: k }, () => 0);
      let sum = 0;
      for (const d of order) {
        const slot = free.indexOf(Math.min(...free));
        free[slot] = (free[slot] as number) + d;
        sum += free[slot] as number;
      }
      best = Math.min(best, sum);
      makespan = Math.min(makespan, Math.max(0, ...free));
      return;
    }
    left.forEach((d, i) => permute([...left.slice(0, i), ...left.slice(i + 1)], [...order, d]));
  };
  pick(0, []);
  return { sum: best, makespan };
}

describe('outgoing bounds (shortest first on k slots)', () => {
  it('gives the SPT sums and makespans of the c shortest migrations', () => {
    const five = outgoingBounds([vm(1), vm(1), vm(1), vm(1), vm(1)], [[1, 2, 3, 4, 5]], 2);
    expect(five.sptOff).toEqual([1, 7]);
    expect(five.sptOut).toEqual([0, 1, 2, 4, 6, 9]);
    expect(five.mkOut).toEqual([0, 1, 1, 2, 2, 3]);
    const mixed = outgoingBounds([vm(3), vm(1), vm(2)], [[1, 2, 3]], 2);
    expect(mixed.sptOut).toEqual([0, 1, 3, 7]);
    expect(mixed.mkOut).toEqual([0, 1, 2, 3]);
    // no limit: each ends at its own duration at best
    expect(outgoingBounds([vm(3), vm(1), vm(2)], [[1, 2, 3]], -1).sptOut).toEqual([0, 1, 3, 6]);
    // a VM that boots leaves no node: not counted; a node with none gets the single entry c = 0
    const other = outgoingBounds([vm(4), vm(9, 'boot')], [[], [1, 2]], 2);
    expect(other.sptOff).toEqual([1, 2, 4]);
    expect(other.sptOut).toEqual([0, 0, 4]);
  });

  it('never exceeds the best schedule of any c of the migrations (brute force)', () => {
    const rng = new Random(11);
    for (let trial = 0; trial < 60; trial++) {
      const n = rng.int(1, 5);
      const k = rng.int(1, 3);
      const ds = Array.from({ length: n }, () => rng.int(1, 6));
      const b = outgoingBounds(ds.map((d) => vm(d)), [ds.map((_, i) => i + 1)], k);
      for (let c = 0; c <= n; c++) {
        const best = brute(ds, c, k);
        expect(b.sptOut[c], `durations ${ds} on ${k} slots, ${c} of them`).toBeLessThanOrEqual(best.sum);
        expect(b.mkOut[c], `durations ${ds} on ${k} slots, ${c} of them`).toBeLessThanOrEqual(best.makespan);
      }
      // all of them: SPT is optimal, so the bound is reached
      expect(b.sptOut[n]).toBe(brute(ds, n, k).sum);
    }
  });
});

describe('incumbent hints in the build', () => {
  const model = tinyModel({ nodes: [{ cpu: 4 }, { cpu: 4 }, { cpu: 4 }, { cpu: 4 }], vms: [{ on: 0, cpu: 2 }, { on: 1, cpu: 1 }] });
  const incumbent: Plan = {
    origin: model,
    actions: [
      { kind: 'migrateVM', vm: 0, from: 0, to: 2, start: 0, end: 1 },
      { kind: 'shutdownNode', node: 0, start: 1, end: 2 },
    ],
  };
  const problem = { model, constraints: [cstr('offline', { node: 0 })], movable: new Map([[0, [3]]]) };

  it('puts the incumbent in the model: its host becomes a candidate, tried first', () => {
    const cold = buildExact(problem, ENCODERS, EXACT_MODEL, EXACT_SOLVE, 'mttr');
    const warm = buildExact(problem, ENCODERS, EXACT_MODEL, EXACT_SOLVE, 'mttr', { incumbent });
    if (!cold.ok || !warm.ok) throw new Error('build failed');
    expect(cold.layout.vms.find((v) => v.id === 0)?.candidates).toEqual([3]);
    expect(warm.layout.vms.find((v) => v.id === 0)?.candidates).toEqual([2, 3]);
    expect(cold.data['objUpper']).toBe(-1);
    expect(warm.data['objUpper']).toBe(3);
    // no action of a plan as good as MTTR 3 ends after 3: the time axis stops at 4
    expect(cold.data['H']).toBe(3600);
    expect(warm.data['H']).toBe(4);
    // other objectives keep the window
    const byCount = buildExact(problem, ENCODERS, EXACT_MODEL, EXACT_SOLVE, 'migrations', { incumbent });
    expect(byCount.ok && byCount.data['H']).toBe(3600);
    expect(byCount.ok && byCount.data['objUpper']).toBe(1);
    expect(incumbentObjective(incumbent, 'memory')).toBe(1);
  });

  it.skipIf(native === undefined)('solves to a plan at least as good, or says that none is', async () => {
    const runner = native as NativeMznRunner;
    const warm = await solveExact(problem, runner, { incumbent });
    expect(warm.status).toBe('OPTIMAL_SOLUTION');
    expect(warm.solution?.mttr).toBe(3);
    const plan = warm.solution?.plan;
    if (!plan) throw new Error('no plan');
    expect(coreViolations(model, plan)).toEqual([]);
    // an "incumbent" better than possible (the migration cannot end at 0): nothing is as good
    const impossible: Plan = { origin: model, actions: [{ kind: 'migrateVM', vm: 0, from: 0, to: 2, start: 0, end: 0 }, { kind: 'shutdownNode', node: 0, start: 0, end: 1 }] };
    const none = await solveExact(problem, runner, { incumbent: impossible });
    expect(none.status).toBe('UNSATISFIABLE');
    expect(none.reasons.join()).toMatch(/incumbent/);
  });
});

describe.skipIf(native === undefined)('the exact model proves small MTTR optima', () => {
  it('a drain of 12 VMs, two at a time: the bound is the optimum, proven at once', async () => {
    const model = tinyModel({ nodes: [{ cpu: 64 }, { cpu: 64 }, { cpu: 64 }, { cpu: 64 }], vms: Array.from({ length: 12 }, () => ({ on: 0, cpu: 2 })) });
    for (const sliceEncoding of ['heights', 'parked'] as const) {
      const result = await solveExact({ model, constraints: [cstr('offline', { node: 0 })] }, native as NativeMznRunner, { objective: 'mttr', timeLimitMs: 20_000, sliceEncoding });
      expect(result.status).toBe('OPTIMAL_SOLUTION');
      // ends 1,1,2,2,...,6,6 = 42, then the shutdown from 6 to 7
      expect(result.solution?.objective).toBe(49);
      const plan = result.solution?.plan;
      if (!plan) throw new Error('no plan');
      expect(coreViolations(model, plan)).toEqual([]);
      // never more than two migrations out of the node at once
      const migrations = plan.actions.filter((a) => a.kind === 'migrateVM');
      expect(migrations).toHaveLength(12);
      for (let t = 0; t < 7; t++) expect(migrations.filter((m) => m.start <= t && t < m.end).length).toBeLessThanOrEqual(2);
    }
  });

  it('gen-8: from the heuristic plan, the optimum is proven and the plan passes the checker', async () => {
    const instance: Instance = generateCluster({ nodes: 8, seed: 8 });
    const heuristic = await plan(instance, { objective: 'mttr', solver: 'native', timeLimitMs: 3_000 });
    if (!heuristic.plan) throw new Error('the heuristic found no plan');
    const result = await solveExact(
      { model: instance.model, constraints: instance.constraints, budgets: { maxMigrations: heuristic.migrations } },
      native as NativeMznRunner,
      { objective: 'mttr', timeLimitMs: 30_000, incumbent: heuristic.plan },
    );
    expect(result.status).toBe('OPTIMAL_SOLUTION');
    const solution = result.solution;
    if (!solution) throw new Error('no plan');
    expect(solution.mttr).toBeLessThanOrEqual(heuristic.objective);
    // 10 and 9 VMs leave the two drained nodes, two at a time: 30 + 25, and each halts from 5 to 6
    expect(solution.mttr).toBe(67);
    const report = checkPlan(instance, solution.plan);
    expect(report.ok, formatViolations(report, instance.model).join('\n')).toBe(true);
  });
});
