import { afterAll, describe, expect, it } from 'vitest';

import { NativeMznRunner } from '../../main/node/solver/native-runner.js';
import type { ExactSolution } from '../../src/solver/exact/decode.js';
import { solveExact } from '../../src/solver/exact/solve.js';
import { exactScenarios, solveTimes } from './exact-scenarios.js';
import { coreViolations, cstr, tinyModel } from './fixtures.js';

const native = await NativeMznRunner.detect();

describe.skipIf(native === undefined)('exact model on native minizinc', () => {
  exactScenarios(() => Promise.resolve(native as NativeMznRunner), 'gecode');
  // the portable slice encoding (WASM's default) must give the same answers
  exactScenarios(() => Promise.resolve(native as NativeMznRunner), 'gecode', undefined, { sliceEncoding: 'parked' });
  afterAll(() => console.log('native gecode solve times (ms):', JSON.stringify(solveTimes())));
});

describe.skipIf(native === undefined)('solveExact on native minizinc', () => {
  it('solves a problem with nothing variable to an empty plan', async () => {
    const model = tinyModel({ nodes: [{ cpu: 4 }, { cpu: 4 }], vms: [{ on: 0, cpu: 1 }, { on: null, cpu: 1 }] });
    const result = await solveExact({ model, constraints: [], movable: new Map() }, native as NativeMznRunner);
    expect(result.status).toBe('OPTIMAL_SOLUTION');
    expect(result.size.variableVms).toBe(0);
    expect(result.solution?.plan.actions).toEqual([]);
    expect(result.solution?.target.vms.size).toBe(0);
  });

  it('finds minizinc through FERRY_MINIZINC', async () => {
    const saved = process.env['FERRY_MINIZINC'];
    process.env['FERRY_MINIZINC'] = (native as NativeMznRunner).executable;
    try {
      expect((await NativeMznRunner.detect())?.executable).toBe((native as NativeMznRunner).executable);
      process.env['FERRY_MINIZINC'] = '/nonexistent/minizinc';
      expect(await NativeMznRunner.detect()).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env['FERRY_MINIZINC'];
      else process.env['FERRY_MINIZINC'] = saved;
    }
  });

  it('hands every improving solution over decoded, and stops at the time limit with the best', async () => {
    // 12 VMs drain node 0; at most 2 migrations per node at once: MTTR needs a real search
    const model = tinyModel({ nodes: [{ cpu: 64 }, { cpu: 64 }, { cpu: 64 }, { cpu: 64 }], vms: Array.from({ length: 12 }, () => ({ on: 0, cpu: 2 })) });
    const seen: ExactSolution[] = [];
    const result = await solveExact({ model, constraints: [cstr('offline', { node: 0 })] }, native as NativeMznRunner, {
      objective: 'mttr',
      timeLimitMs: 3000,
      onSolution: (s) => seen.push(s),
    });
    expect(['OPTIMAL_SOLUTION', 'SATISFIED']).toContain(result.status);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]?.objective).toBeLessThan(seen[i - 1]?.objective ?? -Infinity);
    expect(result.solution?.objective).toBe(seen.at(-1)?.objective);
    const plan = result.solution?.plan;
    if (!plan) throw new Error('no plan');
    expect(plan.actions.filter((a) => a.kind === 'migrateVM')).toHaveLength(12);
    expect(coreViolations(model, plan)).toEqual([]);
    // 12 one-second migrations out of one node, two at a time: ends 1,1,2,2,...,6,6 = 42, then the shutdown ends at 7
    expect(result.solution?.objective).toBeGreaterThanOrEqual(49);
  });
});
