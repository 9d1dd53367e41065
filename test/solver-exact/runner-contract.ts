import { describe, expect, it } from 'vitest';

import type { MznRunner, MznSolution, MznSolverId } from '../../src/solver/ports.js';

/**
 * The contract every MiniZinc runner meets (minizinc-js `commonTests` style): the native and the
 * WASM runner run this same suite from their own test files.
 */

/** Golomb ruler: first solutions come at once, proving the optimum takes far longer than our limits. */
export const GOLOMB = `
include "alldifferent.mzn";
int: m;
array[1..m] of var 0..m*m: mark;
array[1..(m*(m-1)) div 2] of var 1..m*m: diffs = [ mark[j] - mark[i] | i in 1..m, j in i+1..m];
constraint mark[1] = 0;
constraint forall (i in 1..m-1) (mark[i] < mark[i+1]);
constraint alldifferent(diffs);
constraint diffs[1] < diffs[(m*(m-1)) div 2];
solve :: int_search(mark, input_order, indomain_split) minimize mark[m];
`;

const SMALL_OPT = `
int: n;
array[1..n] of var 0..10: x;
constraint sum(x) >= 7;
constraint x[1] + 2 = x[2];
solve minimize sum(i in 1..n)(i * x[i]);
`;

export interface ContractOptions {
  /**
   * Time limit of the time-limit test: long enough for a first solution even on a loaded 2-core
   * machine (the WASM build flattens far slower than native), far too short to prove Golomb 13.
   */
  readonly timeLimitMs?: number;
  readonly solver: MznSolverId;
}

/** A controller whose signal has the shape the runners read (Node's AbortController). */
function controller(): AbortController {
  return new AbortController();
}

export function runnerContract(name: string, getRunner: () => Promise<MznRunner>, options: ContractOptions): void {
  describe(`${name} runner contract`, () => {
    it('lists the solver under test', async () => {
      const runner = await getRunner();
      expect(runner.solvers).toContain(options.solver);
    });

    it('solves to optimality and returns the output variables and the objective', async () => {
      const runner = await getRunner();
      const result = await runner.solve({ model: SMALL_OPT, data: { n: 3 }, solver: options.solver });
      expect(result.status).toBe('OPTIMAL_SOLUTION');
      // x = [0, 2, 5]: cost 0 + 4 + 15 = 19 is beaten by x = [2.. ] no: check by hand below
      const x = result.solution?.output['x'] as number[];
      expect(x).toHaveLength(3);
      expect(x.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(7);
      expect(x[1]).toBe((x[0] ?? NaN) + 2);
      // the optimum: all weight on x1 (cost 1 each) and x2 = x1 + 2 → x1 = 3, x2 = 5, x3 = 0: 3 + 10 = 13;
      // x1 = 2, x2 = 4, x3 = 1: 2 + 8 + 3 = 13 too; nothing below 13 exists
      expect(result.solution?.objective).toBe(13);
    });

    it('reports UNSATISFIABLE without a solution', async () => {
      const runner = await getRunner();
      const result = await runner.solve({ model: 'var 1..3: x;\nconstraint x > 5;\nsolve satisfy;\n', data: {}, solver: options.solver });
      expect(result.status).toBe('UNSATISFIABLE');
      expect(result.solution).toBeUndefined();
    });

    it('reports a model error with its location in the model text', async () => {
      const runner = await getRunner();
      const result = await runner.solve({ model: 'var 1..3: x;\nconstraint x > yy;\nsolve satisfy;\n', data: {}, solver: options.solver });
      expect(result.status).toBe('ERROR');
      expect(result.error).toMatch(/model\.mzn:2:\d+/);
      expect(result.error).toContain('yy');
    });

    it('reports a data error', async () => {
      const runner = await getRunner();
      const result = await runner.solve({ model: SMALL_OPT, data: { n: 'three' }, solver: options.solver });
      expect(result.status).toBe('ERROR');
      expect(result.error).toBeTruthy();
    });

    it('reports every improving solution, each better than the last', async () => {
      const runner = await getRunner();
      const seen: MznSolution[] = [];
      const result = await runner.solve({ model: GOLOMB, data: { m: 8 }, solver: options.solver, intermediate: true }, (s) => seen.push(s));
      expect(result.status).toBe('OPTIMAL_SOLUTION');
      expect(seen.length).toBeGreaterThanOrEqual(2);
      const objectives = seen.map((s) => s.objective ?? NaN);
      for (let i = 1; i < objectives.length; i++) expect(objectives[i]).toBeLessThan(objectives[i - 1] ?? -Infinity);
      expect(result.solution?.objective).toBe(34); // the optimal 8-mark Golomb ruler has length 34
    });

    it('stops at the time limit and returns the best solution so far', async () => {
      const runner = await getRunner();
      const seen: MznSolution[] = [];
      const result = await runner.solve({ model: GOLOMB, data: { m: 13 }, solver: options.solver, timeLimitMs: options.timeLimitMs ?? 2500, intermediate: true }, (s) => seen.push(s));
      expect(result.status).toBe('SATISFIED');
      expect(result.solution).toBeDefined();
      expect(result.solution?.objective).toBe(seen.at(-1)?.objective);
      expect(result.solution?.objective).toBeGreaterThan(106); // 106 is the optimum, which takes hours to prove
    });

    it('cancels on abort and keeps the best solution so far', async () => {
      const runner = await getRunner();
      const abort = controller();
      let first: MznSolution | undefined;
      const result = await runner.solve({ model: GOLOMB, data: { m: 13 }, solver: options.solver, signal: abort.signal }, (s) => {
        if (!first) {
          first = s;
          abort.abort();
        }
      });
      expect(first).toBeDefined();
      expect(result.status).toBe('SATISFIED');
      expect(result.solution).toBeDefined();
      expect(result.solution?.objective).toBeLessThanOrEqual(first?.objective ?? -1);
    });

    it('returns at once for a request already cancelled', async () => {
      const runner = await getRunner();
      const abort = controller();
      abort.abort();
      const result = await runner.solve({ model: GOLOMB, data: { m: 13 }, solver: options.solver, signal: abort.signal });
      expect(result.status).toBe('UNKNOWN');
      expect(result.solution).toBeUndefined();
    });

    it('rejects a solver it does not have', async () => {
      const runner = await getRunner();
      const missing = (['gecode', 'chuffed', 'highs', 'coin-bc'] as const).find((s) => !runner.solvers.includes(s));
      if (missing === undefined) return;
      const result = await runner.solve({ model: SMALL_OPT, data: { n: 3 }, solver: missing });
      expect(result.status).toBe('ERROR');
      expect(result.error).toContain(missing);
    });
  });
}
