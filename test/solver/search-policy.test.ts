import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { generateTightDrain } from '../../src/solver/generate.js';
import { ejectionChains } from '../../src/solver/placement/ejection.js';
import { resultOf } from '../../src/solver/placement/ffd.js';
import { type LnsStats, largeNeighbourhoodSearchMzn } from '../../src/solver/placement/lns.js';
import { widen } from '../../src/solver/placement/widen.js';
import { EJECTION_POLICY, type EjectionPolicy, LNS_NATIVE, WIDEN_POLICY } from '../../src/solver/pipeline/policy.js';
import type { MznRequest, MznResult, MznRunner } from '../../src/solver/ports.js';
import { initialRepair, reduce } from '../../src/solver/problem.js';
import { c, cluster, instanceOf } from './helpers.js';

/**
 * The searches take their clocks and sizes from the policy their caller passes
 * (src/solver/pipeline/policy.ts), not from constants of their own: a policy that leaves no time
 * for a MiniZinc call makes none, and every call's limit is the policy's.
 */

const SOLVER = join(dirname(fileURLToPath(import.meta.url)), '../../src/solver');

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

describe('ejection chains read the policy they are given (EJECTION_POLICY by default)', () => {
  // a tight drain whose queue phase 1 packs only with evictions, and whose last VM needs phase 2
  const drain = generateTightDrain({ nodes: 4, load: 0.97, fragmentation: 0.3, drained: 1, seed: 16 });
  const problem = reduce(drain.instance, { objective: 'migrations' });
  const repair = initialRepair(problem);

  it('the default is the policy: the same result with EJECTION_POLICY passed or not', () => {
    const byDefault = ejectionChains(problem, repair, { seed: 1, restarts: 0 });
    const given = ejectionChains(problem, repair, { seed: 1, restarts: 0, policy: EJECTION_POLICY });
    expect(byDefault.unplaced).toEqual([]);
    expect([...given.hosts]).toEqual([...byDefault.hosts]);
  });

  it('a policy with no eviction budget places fewer VMs (the budgets come from the policy)', () => {
    const none: EjectionPolicy = { ...EJECTION_POLICY, packingBase: 0, packingPerQueued: 0, chainsBase: 0, chainsPerQueued: 0, rehomeTries: 0 };
    const starved = ejectionChains(problem, repair, { seed: 1, restarts: 0, policy: none });
    expect(starved.unplaced.length).toBeGreaterThan(0);
  });

  it("phase 2 stops at finishBy: the VMs phase 1 left over stay homeless instead of eating the next stages' time", () => {
    // regression: phase 2 ignored every clock; on a cold start of a tight drain it ran 0.5–1.2 s
    // past the construction's share, the widening got no round, and --time-limit 0.8 s ended at 1.6 s
    const full = ejectionChains(problem, repair, { seed: 1, restarts: 0 });
    const cut = ejectionChains(problem, repair, { seed: 1, restarts: 0, finishBy: Date.now() - 1 });
    expect(full.unplaced).toEqual([]);
    expect(cut.unplaced.length).toBeGreaterThan(0);
  });
});

describe('the policy is the one source of search effort', () => {
  // effort literals the placement searches and the pipeline stages once carried inline
  const inline = [/restarts:\s*\d/, /restarts\s*\?\?\s*\d/, /nodeLimit\s*\?\?\s*\d/, /maxEjections(PerVm)?\s*(\?\?|:)\s*\d/, /rehome\([^)]*,\s*\d+\s*,\s*\d+\)/, /scanLimit\s*=\s*\d/, /const [A-Z_]*HOOD[A-Z_]* = \d/];
  const files = ['placement', 'pipeline'].flatMap((dir) =>
    readdirSync(join(SOLVER, dir))
      .filter((f) => f.endsWith('.ts') && !(dir === 'pipeline' && f === 'policy.ts'))
      .map((f) => join(dir, f)),
  );

  it.each(files)('%s has no inline restart, node-limit or eviction budget', (file) => {
    const text = readFileSync(join(SOLVER, file), 'utf8');
    for (const pattern of inline) expect(text, `${file}: ${pattern}`).not.toMatch(pattern);
  });
});
