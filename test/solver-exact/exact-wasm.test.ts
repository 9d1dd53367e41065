import { afterAll, describe, expect, it } from 'vitest';

import { WasmMznRunner } from '../../main/node/solver/wasm-runner.js';
import type { Plan } from '../../src/plan/plan.js';
import { solveExact } from '../../src/solver/exact/solve.js';
import { exactScenarios, solveTimes } from './exact-scenarios.js';
import { coreViolations, cstr, find, tinyModel } from './fixtures.js';

let runner: Promise<WasmMznRunner> | undefined;
const getRunner = (): Promise<WasmMznRunner> => (runner ??= WasmMznRunner.create());

afterAll(async () => {
  console.log('WASM solve times (ms):', JSON.stringify(solveTimes()));
  if (runner) await (await runner).close();
});

describe('exact model on the embedded WASM minizinc', () => {
  exactScenarios(getRunner, 'gecode', ['offline', 'order', 'preserve']);
  exactScenarios(getRunner, 'chuffed', ['order']);

  // MIP: the cumulatives linearise per time point, so keep the window short
  it('highs: a VM leaves a node going offline (20 s window)', async () => {
    const model = tinyModel({ nodes: [{ cpu: 4 }, { cpu: 4 }, { cpu: 1 }], vms: [{ on: 0, cpu: 2, migrate: 3 }, { on: 1, cpu: 1 }] });
    const result = await solveExact({ model, constraints: [cstr('offline', { node: 0 })], horizon: 20 }, await getRunner(), { solver: 'highs' });
    expect(result.status).toBe('OPTIMAL_SOLUTION');
    const plan = result.solution?.plan;
    if (!plan) throw new Error('no plan');
    expect(find(plan, 'migrateVM')).toMatchObject({ vm: 0, from: 0, to: 1, start: 0, end: 3 });
    expect(find(plan, 'shutdownNode')).toMatchObject({ node: 0, start: 3, end: 4 });
    expect(coreViolations(model, plan)).toEqual([]);
  });

  it('gecode: from an incumbent, a 4-VM drain is proven optimal (the portable slices)', async () => {
    const model = tinyModel({ nodes: [{ cpu: 16 }, { cpu: 16 }, { cpu: 16 }], vms: Array.from({ length: 4 }, () => ({ on: 0, cpu: 2 })) });
    // the incumbent wastes a second: the last two start at 2 rather than 1
    const incumbent: Plan = {
      origin: model,
      actions: [
        { kind: 'migrateVM', vm: 0, from: 0, to: 1, start: 0, end: 1 },
        { kind: 'migrateVM', vm: 1, from: 0, to: 2, start: 0, end: 1 },
        { kind: 'migrateVM', vm: 2, from: 0, to: 1, start: 2, end: 3 },
        { kind: 'migrateVM', vm: 3, from: 0, to: 2, start: 2, end: 3 },
        { kind: 'shutdownNode', node: 0, start: 3, end: 4 },
      ],
    };
    const result = await solveExact({ model, constraints: [cstr('offline', { node: 0 })] }, await getRunner(), { solver: 'gecode', incumbent });
    expect(result.status).toBe('OPTIMAL_SOLUTION');
    // ends 1, 1, 2, 2, then the shutdown from 2 to 3
    expect(result.solution?.objective).toBe(9);
    const plan = result.solution?.plan;
    if (!plan) throw new Error('no plan');
    expect(coreViolations(model, plan)).toEqual([]);
  });
});
