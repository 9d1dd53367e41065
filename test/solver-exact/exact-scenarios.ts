import { expect, it } from 'vitest';

import type { MznRunner, MznSolverId } from '../../src/solver/ports.js';
import { type ExactResult, type SolveExactOptions, solveExact } from '../../src/solver/exact/solve.js';
import { coreViolations, cstr, find, tinyModel } from './fixtures.js';

/**
 * Tiny instances with known optima, solved by the exact model and checked: the placement against
 * the expected one, the plan against Ferry's plan checker (never trust the solver). Shared by the
 * native and the WASM test files; `tags` lets WASM run the cheaper ones.
 */

export type Scenario = 'offline' | 'spread' | 'order' | 'preserve' | 'objectives' | 'repair' | 'boot' | 'unsat' | 'continuous-spread' | 'budgets' | 'cancel';

const times: Record<string, number[]> = {};
export function solveTimes(): Readonly<Record<string, number[]>> {
  return times;
}

function record(name: string, result: ExactResult): ExactResult {
  (times[name] ??= []).push(result.elapsedMs);
  return result;
}

export function exactScenarios(getRunner: () => Promise<MznRunner>, solver: MznSolverId, only?: readonly Scenario[], extra: SolveExactOptions = {}): void {
  const want = (s: Scenario): boolean => only === undefined || only.includes(s);
  const label = (s: string): string => `${solver}${extra.sliceEncoding !== undefined ? ` (${extra.sliceEncoding} slices)` : ''}: ${s}`;

  if (want('offline')) {
    it(label('a VM leaves a node going offline, which shuts down after the VM has left'), async () => {
      const model = tinyModel({ nodes: [{ cpu: 4 }, { cpu: 4 }, { cpu: 1 }], vms: [{ on: 0, cpu: 2, migrate: 3 }, { on: 1, cpu: 1 }] });
      const result = record('offline', await solveExact({ model, constraints: [cstr('offline', { node: 0 })] }, await getRunner(), { ...extra, solver }));
      expect(result.status).toBe('OPTIMAL_SOLUTION');
      const plan = result.solution?.plan;
      if (!plan) throw new Error('no plan');
      const mig = find(plan, 'migrateVM');
      expect(mig).toMatchObject({ vm: 0, from: 0, to: 1, start: 0, end: 3 });
      expect(find(plan, 'shutdownNode')).toMatchObject({ node: 0, start: 3, end: 4 });
      expect(plan.actions).toHaveLength(2);
      expect(result.solution?.target.vms.get(0)).toEqual({ state: 'running', host: 1 });
      expect(result.solution?.target.nodes.get(0)).toBe('offline');
      expect(result.solution?.objective).toBe(7); // MTTR: 3 + 4
      expect(coreViolations(model, plan)).toEqual([]);
    });
  }

  if (want('spread')) {
    it(label('a discrete spread forces exactly one of two co-located VMs to move'), async () => {
      const model = tinyModel({ nodes: [{ cpu: 8 }, { cpu: 8 }], vms: [{ on: 0, cpu: 2 }, { on: 0, cpu: 2 }, { on: 1, cpu: 2 }] });
      const result = record('spread', await solveExact({ model, constraints: [cstr('spread', { vms: [0, 1] })] }, await getRunner(), { ...extra, solver, objective: 'migrations' }));
      expect(result.status).toBe('OPTIMAL_SOLUTION');
      const s = result.solution;
      if (!s) throw new Error('no plan');
      expect(s.migrations).toBe(1);
      const moved = find(s.plan, 'migrateVM');
      expect([0, 1]).toContain(moved?.vm);
      expect(moved).toMatchObject({ from: 0, to: 1 });
      expect(coreViolations(model, s.plan)).toEqual([]);
    });
  }

  if (want('order')) {
    it(label('capacity forces an order: A leaves N1 before B arrives there'), async () => {
      // N1 hosts A (3 of 4), N0 hosts B (3 of 4); A must go to N2 and B to N1: B waits for A
      const model = tinyModel({ nodes: [{ cpu: 4 }, { cpu: 4 }, { cpu: 4 }], vms: [{ on: 1, cpu: 3, migrate: 5 }, { on: 0, cpu: 3, migrate: 2 }] });
      const constraints = [cstr('fence', { vm: 0, nodes: [2] }), cstr('fence', { vm: 1, nodes: [1] })];
      const result = record('order', await solveExact({ model, constraints }, await getRunner(), { ...extra, solver }));
      expect(result.status).toBe('OPTIMAL_SOLUTION');
      const plan = result.solution?.plan;
      if (!plan) throw new Error('no plan');
      const a = find(plan, 'migrateVM', (m) => m.vm === 0);
      const b = find(plan, 'migrateVM', (m) => m.vm === 1);
      expect(a).toMatchObject({ from: 1, to: 2, start: 0, end: 5 });
      expect(b).toMatchObject({ from: 0, to: 1, start: 5, end: 7 });
      expect(result.solution?.objective).toBe(12);
      expect(coreViolations(model, plan)).toEqual([]);
      // the same plan with B starting one second early overloads N1: the checker must say so
      const early = { ...plan, actions: plan.actions.map((x) => (x === b ? { ...b, start: 4, end: 6 } : x)) };
      expect(coreViolations(model, early).join('\n')).toMatch(/capacity|cpu/i);
    });
  }

  if (want('preserve')) {
    it(label('preserve raises a demand: the cheapest VM moves, the kept one gets an allocate'), async () => {
      const model = tinyModel({ nodes: [{ cpu: 4 }, { cpu: 4 }], vms: [{ on: 0, cpu: 2, mem: 8 }, { on: 0, cpu: 2, mem: 2 }] });
      const constraints = [cstr('preserve', { vm: 0, rc: 'cpu', amount: 3 })];
      const result = record('preserve', await solveExact({ model, constraints }, await getRunner(), { ...extra, solver, objective: 'memory' }));
      expect(result.status).toBe('OPTIMAL_SOLUTION');
      const s = result.solution;
      if (!s) throw new Error('no plan');
      expect(s.memoryMoved).toBe(2);
      expect(find(s.plan, 'migrateVM')).toMatchObject({ vm: 1, from: 0, to: 1 });
      expect(find(s.plan, 'allocate')).toMatchObject({ vm: 0, node: 0, rc: 'cpu', amount: 3 });
      // the allocate waits for VM 1 to have left (its c-slice holds 2 until the migration ends)
      expect(find(s.plan, 'allocate')?.start).toBeGreaterThanOrEqual(find(s.plan, 'migrateVM')?.end ?? Infinity);
      expect(s.target.consumption.get(0)?.get('cpu')).toBe(3);
      expect(coreViolations(model, s.plan)).toEqual([]);
    });
  }

  if (want('objectives')) {
    it(label('MTTR prefers two short migrations, the migration count one long one'), async () => {
      // N0 (cpu 5): big (2, migrate 10), s1 (1), s2 (1), keeper (1 → 3, rooted): free 2 by moving big, or s1 + s2
      const model = tinyModel({
        nodes: [{ cpu: 5 }, { cpu: 10 }],
        vms: [{ on: 0, cpu: 2, migrate: 10 }, { on: 0, cpu: 1 }, { on: 0, cpu: 1 }, { on: 0, cpu: 1 }],
      });
      const constraints = [cstr('preserve', { vm: 3, rc: 'cpu', amount: 3 }), cstr('root', { vm: 3 }, true)];
      const runner = await getRunner();
      const byCount = record('objectives', await solveExact({ model, constraints }, runner, { ...extra, solver, objective: 'migrations' }));
      expect(byCount.status).toBe('OPTIMAL_SOLUTION');
      expect(byCount.solution?.migrations).toBe(1);
      expect(byCount.solution && find(byCount.solution.plan, 'migrateVM')?.vm).toBe(0);
      const byMttr = record('objectives', await solveExact({ model, constraints }, runner, { ...extra, solver, objective: 'mttr' }));
      expect(byMttr.status).toBe('OPTIMAL_SOLUTION');
      expect(byMttr.solution?.migrations).toBe(2);
      // both 1 s migrations at once (2 per node allowed), then the keeper's allocate at t = 1: 1 + 1 + 1
      expect(byMttr.solution?.objective).toBe(3);
      expect(byMttr.solution && find(byMttr.solution.plan, 'allocate')).toMatchObject({ vm: 3, start: 1, end: 1, amount: 3 });
      expect(new Set(byMttr.solution?.plan.actions.filter((a) => a.kind === 'migrateVM').map((a) => (a.kind === 'migrateVM' ? a.vm : -1)))).toEqual(new Set([1, 2]));
      for (const r of [byCount, byMttr]) expect(r.solution && coreViolations(model, r.solution.plan)).toEqual([]);
    });
  }

  if (want('repair')) {
    it(label('repair mode: only the movable VMs move, over their shortlist'), async () => {
      const model = tinyModel({ nodes: [{ cpu: 4 }, { cpu: 4 }, { cpu: 4 }, { cpu: 4 }], vms: [{ on: 0, cpu: 2 }, { on: 1, cpu: 2 }, { on: 1, cpu: 2 }] });
      const constraints = [cstr('ban', { vm: 0, nodes: [0] }), cstr('spread', { vms: [1, 2] })];
      // VM 0 may go to node 3 only; VM 1 is not movable, so VM 2 must be the one to leave node 1
      const movable = new Map<number, number[] | undefined>([[0, [3]], [2, undefined]]);
      const result = record('repair', await solveExact({ model, constraints, movable }, await getRunner(), { ...extra, solver, objective: 'migrations' }));
      expect(result.status).toBe('OPTIMAL_SOLUTION');
      const s = result.solution;
      if (!s) throw new Error('no plan');
      expect(result.size.variableVms).toBe(2);
      expect(s.target.vms.get(0)).toEqual({ state: 'running', host: 3 });
      expect(s.target.vms.has(1)).toBe(false);
      expect(s.target.vms.get(2)?.host).not.toBe(1);
      expect(coreViolations(model, s.plan)).toEqual([]);
      // nothing fits if VM 0's only candidate is full
      const full = tinyModel({ nodes: [{ cpu: 4 }, { cpu: 4 }], vms: [{ on: 0, cpu: 2 }, { on: 1, cpu: 3 }] });
      const none = await solveExact({ model: full, constraints: [cstr('ban', { vm: 0, nodes: [0] })], movable: new Map([[0, [1]]]) }, await getRunner(), { ...extra, solver });
      expect(none.status, none.reasons.join()).toBe('UNSATISFIABLE');
    });
  }

  if (want('boot')) {
    it(label('a VM boots on a node once the node has booted'), async () => {
      const model = tinyModel({ nodes: [{ cpu: 2 }, { cpu: 4, online: false }], vms: [{ on: 0, cpu: 2 }, { on: null, cpu: 3 }] });
      model.attributes.put('node', 1, 'boot', 4);
      const constraints = [cstr('running', { vm: 1 }), cstr('online', { node: 1 })];
      const result = record('boot', await solveExact({ model, constraints }, await getRunner(), { ...extra, solver }));
      expect(result.status).toBe('OPTIMAL_SOLUTION');
      const plan = result.solution?.plan;
      if (!plan) throw new Error('no plan');
      expect(find(plan, 'bootNode')).toMatchObject({ node: 1, start: 0, end: 4 });
      expect(find(plan, 'bootVM')).toMatchObject({ vm: 1, node: 1, start: 4, end: 5 });
      expect(coreViolations(model, plan)).toEqual([]);
    });
  }

  if (want('unsat')) {
    it(label('reports what cannot be solved'), async () => {
      const runner = await getRunner();
      const model = tinyModel({ nodes: [{ cpu: 4 }, { cpu: 4 }], vms: [{ on: 0, cpu: 2 }, { on: 0, cpu: 2 }] });
      // continuous spread over VMs already together: no solution (BtrPlace's solver refuses it too)
      const together = await solveExact({ model, constraints: [cstr('spread', { vms: [0, 1] }, true)] }, runner, { ...extra, solver });
      expect(together.status).toBe('UNSATISFIABLE');
      const conflict = await solveExact({ model, constraints: [cstr('running', { vm: 0 }), cstr('ready', { vm: 0 })] }, runner, { ...extra, solver });
      expect(conflict.status).toBe('UNSATISFIABLE');
      expect(conflict.reasons.join()).toMatch(/both/);
      const unknown = await solveExact({ model, constraints: [cstr('teleport', { vm: 0 })] }, runner, { ...extra, solver });
      expect(unknown.status).toBe('ERROR');
      expect(unknown.reasons.join()).toContain('teleport');
    });
  }

  if (want('continuous-spread')) {
    it(label('continuous spread: a VM only arrives where another one was after it has left'), async () => {
      // A on N0, B on N1; ban A from N0 and B from N1, N2 full: they swap, so one waits for the other
      const model = tinyModel({ nodes: [{ cpu: 8 }, { cpu: 8 }], vms: [{ on: 0, cpu: 1, migrate: 3 }, { on: 1, cpu: 1, migrate: 3 }] });
      const base = [cstr('ban', { vm: 0, nodes: [0] }), cstr('ban', { vm: 1, nodes: [1] })];
      const runner = await getRunner();
      const discrete = await solveExact({ model, constraints: [...base, cstr('spread', { vms: [0, 1] })] }, runner, { ...extra, solver });
      expect(discrete.solution?.plan.actions.map((a) => [a.start, a.end])).toEqual([
        [0, 3],
        [0, 3],
      ]);
      const continuous = record('continuous-spread', await solveExact({ model, constraints: [...base, cstr('spread', { vms: [0, 1] }, true)] }, runner, { ...extra, solver }));
      // a swap under continuous spread is impossible: each must wait for the other to leave
      expect(continuous.status).toBe('UNSATISFIABLE');
      const three = tinyModel({ nodes: [{ cpu: 8 }, { cpu: 8 }, { cpu: 8 }], vms: [{ on: 0, cpu: 1, migrate: 3 }, { on: 1, cpu: 1, migrate: 3 }] });
      const chain = await solveExact({ model: three, constraints: [cstr('fence', { vm: 0, nodes: [1] }), cstr('fence', { vm: 1, nodes: [2] }), cstr('spread', { vms: [0, 1] }, true)] }, runner, { ...extra, solver });
      expect(chain.status).toBe('OPTIMAL_SOLUTION');
      const plan = chain.solution?.plan;
      if (!plan) throw new Error('no plan');
      const a = find(plan, 'migrateVM', (m) => m.vm === 0);
      const b = find(plan, 'migrateVM', (m) => m.vm === 1);
      expect(b).toMatchObject({ start: 0, end: 3 });
      expect(a).toMatchObject({ start: 3, end: 6 }); // A enters N1 once B has left it
    });
  }

  if (want('budgets')) {
    it(label('budgets: a concurrency cap of 1 per node serialises, a migration cap refuses'), async () => {
      const model = tinyModel({ nodes: [{ cpu: 8 }, { cpu: 8 }], vms: [{ on: 0, cpu: 1, migrate: 2 }, { on: 0, cpu: 1, migrate: 2 }] });
      const constraints = [cstr('offline', { node: 0 })];
      const runner = await getRunner();
      const two = await solveExact({ model, constraints }, runner, { ...extra, solver });
      expect(two.solution?.plan.actions.filter((a) => a.kind === 'migrateVM').map((a) => a.start)).toEqual([0, 0]);
      const one = record('budgets', await solveExact({ model, constraints, budgets: { maxConcurrentMigrationsPerNode: 1 } }, runner, { ...extra, solver }));
      expect(one.status).toBe('OPTIMAL_SOLUTION');
      expect(one.solution?.plan.actions.filter((a) => a.kind === 'migrateVM').map((a) => [a.start, a.end])).toEqual([
        [0, 2],
        [2, 4],
      ]);
      const capped = await solveExact({ model, constraints, budgets: { maxMigrations: 1 } }, runner, { ...extra, solver });
      expect(capped.status).toBe('UNSATISFIABLE');
      const tooShort = await solveExact({ model, constraints, horizon: 2, budgets: { maxConcurrentMigrationsPerNode: 1 } }, runner, { ...extra, solver });
      expect(tooShort.status).toBe('UNSATISFIABLE');
    });
  }
}
