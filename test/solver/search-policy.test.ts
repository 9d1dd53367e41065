import { describe, expect, it } from 'vitest';

import { resultOf } from '../../src/solver/placement/ffd.js';
import { type LnsStats, largeNeighbourhoodSearchMzn } from '../../src/solver/placement/lns.js';
import { widen } from '../../src/solver/placement/widen.js';
import { LNS_NATIVE, WIDEN_POLICY } from '../../src/solver/pipeline/policy.js';
import type { MznRequest, MznResult, MznRunner } from '../../src/solver/ports.js';
import { initialRepair, reduce } from '../../src/solver/problem.js';
import { c, cluster, instanceOf } from './helpers.js';

/**
 * The searches take their clocks and sizes from the policy their caller passes
 * (src/solver/pipeline/policy.ts), not from constants of their own: a policy that leaves no time
 * for a MiniZinc call makes none, and every call's limit is the policy's.
 */

/** A MiniZinc port that finds nothing and records the limit of every call it is asked. */
class RecordingRunner implements MznRunner {
  readonly kind = 'native';
  readonly solvers = ['gecode'] as const;
  readonly limits: (number | undefined)[] = [];
  solve(request: MznRequest): Promise<MznResult> {
    this.limits.push(request.timeLimitMs);
    return Promise.resolve({ status: 'UNKNOWN', elapsedMs: 1 });
  }
}

describe('widening reads the policy it is given', () => {
  // VM9 (3 cores) leaves N3; N1 and N2 keep 1 core free each whatever moves: it stays homeless
  const { model, node } = cluster(
    { N1: { cpu: 4 }, N2: { cpu: 4 }, N3: { cpu: 4 } },
    { VM1: { on: 'N1', cpu: 3 }, VM2: { on: 'N2', cpu: 3 }, VM9: { on: 'N3', cpu: 3 } },
  );
  const problem = reduce(instanceOf(model, [c('offline', { node: node('N3') })]), { objective: 'migrations' });
  const repair = initialRepair(problem);

  it("calls MiniZinc with the policy's call limit while there is time for a call", async () => {
    const runner = new RecordingRunner();
    const policy = { ...WIDEN_POLICY, mzn: { ...WIDEN_POLICY.mzn, callMs: 250 } };
    const result = await widen(problem, repair, resultOf(problem, repair.hosts), { deadline: Date.now() + 1_500, accept: () => true, runner, policy });
    expect(result.accepted).toBeUndefined();
    expect(result.stats.mznCalls).toBeGreaterThan(0);
    expect(runner.limits.length).toBe(result.stats.mznCalls);
    // the policy's limit, cut only near the deadline so the call ends before it, less the runner's grace
    expect(runner.limits[0]).toBe(250);
    for (const limit of runner.limits) {
      expect(limit).toBeLessThanOrEqual(250);
      expect(limit).toBeGreaterThanOrEqual(policy.mzn.minCallMs);
    }
  });

  it('makes no MiniZinc call when the policy wants more time left than the search has', async () => {
    const runner = new RecordingRunner();
    const policy = { ...WIDEN_POLICY, mzn: { ...WIDEN_POLICY.mzn, callMs: 60_000, minLeftMs: 60_000 } };
    const result = await widen(problem, repair, resultOf(problem, repair.hosts), { deadline: Date.now() + 600, accept: () => true, runner, policy });
    expect(result.stats.rounds).toBeGreaterThan(1);
    expect(result.stats.mznCalls).toBe(0);
    expect(runner.limits).toEqual([]);
  });
});

describe('LNS reads the policy it is given', () => {
  // VM1 and VM2 swapped hosts (two needless migrations) that no single small step undoes alone
  const { model, vm, node } = cluster({ N1: { cpu: 4 }, N2: { cpu: 4 } }, { VM1: { on: 'N1', cpu: 4 }, VM2: { on: 'N2', cpu: 4 } });
  const problem = reduce(instanceOf(model, []), { objective: 'migrations' });
  const swapped = new Int32Array(2);
  swapped[problem.vmIndex.get(vm('VM1')) as number] = problem.nodeIndex.get(node('N2')) as number;
  swapped[problem.vmIndex.get(vm('VM2')) as number] = problem.nodeIndex.get(node('N1')) as number;
  const stats = (): LnsStats => ({ mznCalls: 0, mznImprovements: 0, mznMs: 0, mznErrors: 0, smallSteps: 0, smallImprovements: 0 });

  it("asks MiniZinc with the policy's call limit (MiniZinc only: no small steps)", async () => {
    const runner = new RecordingRunner();
    const s = stats();
    const policy = { ...LNS_NATIVE, smallPerCall: 0, patience: 3, mzn: { ...LNS_NATIVE.mzn, callMs: 321 } };
    await largeNeighbourhoodSearchMzn(problem, resultOf(problem, swapped), { runner, lowerBound: 0, deadline: Date.now() + 5_000, policy }, s);
    expect(s.mznCalls).toBeGreaterThan(0);
    for (const limit of runner.limits) expect(limit).toBe(321);
  });

  it('stops calling MiniZinc when the policy allows no failed call', async () => {
    const runner = new RecordingRunner();
    const s = stats();
    const policy = { ...LNS_NATIVE, smallNodeLimit: 0, patience: 6, maxFailedCalls: 0 };
    await largeNeighbourhoodSearchMzn(problem, resultOf(problem, swapped), { runner, lowerBound: 0, deadline: Date.now() + 5_000, policy }, s);
    expect(s.smallSteps).toBeGreaterThan(0);
    expect(s.mznCalls).toBe(0);
  });
});
