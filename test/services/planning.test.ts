import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { checkPlan } from '../../src/checker/plan-checker.js';
import { constraintSetHash } from '../../src/dsl/constraint-set.js';
import { formatScript } from '../../src/dsl/format.js';
import type { Instance } from '../../src/instance/instance.js';
import { parseInstanceText } from '../../src/instance/json.js';
import type { Plan } from '../../src/plan/plan.js';
import { generateCluster, generateTight } from '../../src/solver/generate.js';
import { type PlanOptions, type PlanProgress, type PlanResult, plan } from '../../src/solver/planner.js';
import { type CheckedProgress, type PlanOutcome, type PlanRequest, PlanRequestError, PlanningService, type PlannedOutcome, ProgressGate } from '../../main/services/index.js';

const ROOT = join(import.meta.dirname, '..', '..');

function readInstance(...path: string[]): Instance {
  const read = parseInstanceText(readFileSync(join(ROOT, ...path), 'utf8'));
  if (!read.ok) throw new Error(read.error.message);
  return read.value;
}

const SEED_SCRIPT = readFileSync(join(ROOT, 'examples', 'seed.btrp'), 'utf8');

function request(instance: Instance, overrides: Partial<PlanRequest> = {}): PlanRequest {
  return { instance, objective: 'mttr', timeLimitMs: 2_000, migrationTime: 'attributes', budgets: { maxConcurrentMigrationsPerHost: 2 }, ...overrides };
}

/** In-process and without MiniZinc: fast and the same on every machine. */
const inProcess = (): PlanningService => new PlanningService({ pickRunner: null, solveParts: null });

function planned(outcome: PlanOutcome): PlannedOutcome {
  if (outcome.kind !== 'result') throw new Error(`expected a result, got ${outcome.kind}`);
  return outcome;
}

/** The checker's verdict with every constraint of the outcome (the instance's and the script's). */
function accepted(outcome: PlannedOutcome, plan: Plan): boolean {
  return checkPlan({ ...outcome.instance, constraints: outcome.constraints }, plan).ok;
}

describe('PlanningService.compute', () => {
  it('plans examples/seed.json with examples/seed.btrp: a checked plan and the constraint hash', async () => {
    const instance = readInstance('examples', 'seed.json');
    const outcome = planned(await inProcess().compute(request(instance, { script: { text: SEED_SCRIPT, name: 'seed.btrp' } })));
    const plan = outcome.result.plan;
    if (!plan) throw new Error('the seed has a plan');
    expect(outcome.result.migrations).toBe(2);
    expect(accepted(outcome, plan)).toBe(true);
    expect(outcome.constraints).toHaveLength(instance.constraints.length + 3);
    expect(outcome.constraintHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(outcome.constraintHash).toBe(constraintSetHash(outcome.constraints));
    // the seed's script sets no attribute: the caller's model is planned as given, and left alone
    expect(outcome.instance.model).toBe(instance.model);
    expect(outcome.originAsGiven).toBe(true);
  });

  it('the default wiring (MiniZinc runner when the exact model may run, worker pool) plans the seed too', async () => {
    const notices: string[] = [];
    const outcome = planned(await new PlanningService().compute(request(readInstance('examples', 'seed.json'), { script: { text: SEED_SCRIPT, name: 'seed.btrp' } }), { onNotice: (m) => notices.push(m) }));
    expect(outcome.result.plan && accepted(outcome, outcome.result.plan)).toBe(true);
  });

  it('a runner that cannot start is a notice; the native search still plans', async () => {
    const notices: string[] = [];
    const service = new PlanningService({ pickRunner: () => Promise.reject(new Error('minizinc: not found')), solveParts: null });
    const outcome = planned(await service.compute(request(readInstance('examples', 'seed.json')), { onNotice: (m) => notices.push(m) }));
    expect(notices).toEqual(['no MiniZinc runner (minizinc: not found); using the native search only']);
    expect(outcome.result.status).not.toBe('unknown');
  });

  it('the hash covers what the constraints mean: the same script reformatted or re-commented keeps it, a changed constraint does not', () => {
    const service = inProcess();
    const instance = readInstance('examples', 'seed.json');
    const hashOf = (text: string): string => {
      const prepared = service.prepare(request(instance, { script: { text, name: 's.btrp' } }));
      if (prepared.kind !== 'prepared') throw new Error(prepared.diagnostics.map((d) => d.message).join('; '));
      return prepared.constraintHash;
    };
    const original = hashOf(SEED_SCRIPT);
    expect(hashOf(formatScript(SEED_SCRIPT))).toBe(original);
    expect(hashOf(`// maintenance of rack 4\n${SEED_SCRIPT.replaceAll(';', ' ;\n\n')}`)).toBe(original);
    expect(hashOf('spread({VM2, VM3});\npreserve(VM1, "cpu", 3);\noffline(@N4);')).toBe(original);
    expect(hashOf(SEED_SCRIPT.replace("'cpu', 3", "'cpu', 4"))).not.toBe(original);
  });

  it('script errors come back as located diagnostics, and nothing is planned', async () => {
    let called = false;
    const service = new PlanningService({ pickRunner: null, solveParts: null, planner: () => ((called = true), Promise.reject(new Error('must not plan'))) });
    const outcome = await service.compute(request(readInstance('examples', 'seed.json'), { script: { text: 'spread(VM[2..3]);\nfoo(VM1);\nban(VM9, @N1);\n', name: 'bad.btrp' } }));
    expect(outcome.kind).toBe('script-errors');
    if (outcome.kind !== 'script-errors') return;
    expect(outcome.diagnostics.map((d) => [d.severity, d.line, d.column, d.code])).toEqual([
      ['error', 2, 1, 'unknown-constraint'],
      ['error', 3, 5, 'unknown-vm'],
    ]);
    expect(outcome.diagnostics[1]?.message).toBe("unknown VM 'VM9'; did you mean VM1?");
    expect(called).toBe(false);
  });

  it('memory durations on a cluster without a memory resource are refused before planning', async () => {
    const cpuOnly = readInstance('test', 'fixtures', 'instances', 'issue93.json');
    await expect(inProcess().compute(request(cpuOnly, { migrationTime: 'memory' }))).rejects.toThrow(PlanRequestError);
    expect(() => inProcess().prepare(request(cpuOnly, { migrationTime: 'memory' }))).toThrow('migrationTime: memory needs a memory resource view (mem, memory or ram)');
  });
});

describe('planning progress carries only plans the checker accepts', () => {
  // a tight drain: greedy packing fails, the search improves its plan several times
  const tight = (): Instance => generateTight({ nodes: 20, seed: 1 });

  it('every progress plan of a generated cluster passes checkPlan, and the last one is the result', async () => {
    const seen: CheckedProgress[] = [];
    // checking every candidate (no throttle) shows the most plans to re-check
    const service = new PlanningService({ pickRunner: null, solveParts: null, progressIntervalMs: 0 });
    const outcome = planned(await service.compute(request(tight(), { objective: 'migrations', timeLimitMs: 2_000 }), { onProgress: (p) => seen.push(p) }));
    expect(seen.length).toBeGreaterThan(1);
    for (const p of seen) expect(accepted(outcome, p.plan)).toBe(true);
    expect(seen.at(-1)?.plan).toBe(outcome.result.plan);
  });

  it('throttled by default: fewer plans shown than found, each accepted, the final one always', async () => {
    const found: PlanProgress[] = [];
    const seen: CheckedProgress[] = [];
    const watch = (instance: Instance, options: PlanOptions = {}): Promise<PlanResult> => plan(instance, { ...options, onProgress: (p) => (found.push(p), options.onProgress?.(p)) });
    const service = new PlanningService({ pickRunner: null, solveParts: null, planner: watch });
    const outcome = planned(await service.compute(request(tight(), { objective: 'migrations', timeLimitMs: 2_000 }), { onProgress: (p) => seen.push(p) }));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThanOrEqual(found.length);
    for (const p of seen) expect(accepted(outcome, p.plan)).toBe(true);
    expect(seen.at(-1)?.plan).toBe(outcome.result.plan);
  });

  it('a candidate the checker rejects is dropped and counted in the notes', async () => {
    const instance = readInstance('examples', 'seed.json');
    const good = planned(await inProcess().compute(request(instance)));
    const goodPlan = good.result.plan as Plan;
    // switching off a node that hosts VMs: the replay refuses it
    const broken: Plan = { origin: instance.model, actions: [{ kind: 'shutdownNode', node: 0, start: 0, end: 4 }] };
    const progress = (plan: Plan, objective: number): PlanProgress => ({ plan, objective, lowerBound: 0, elapsedMs: 1, migrations: 1, stage: 'construct' });
    const fake = (_: Instance, options: PlanOptions = {}): Promise<PlanResult> => {
      options.onProgress?.(progress(broken, 20));
      options.onProgress?.(progress(goodPlan, 10));
      return Promise.resolve(good.result);
    };
    const seen: CheckedProgress[] = [];
    const outcome = planned(await new PlanningService({ pickRunner: null, solveParts: null, planner: fake, progressIntervalMs: 0 }).compute(request(instance), { onProgress: (p) => seen.push(p) }));
    expect(seen.map((p) => p.plan)).toEqual([goodPlan]);
    expect(outcome.result.notes.at(-1)).toBe('progress: 1 intermediate plan(s) rejected by the checker were not shown');
  });

  it('throttled: one check per interval, a superseded candidate is skipped, the final one always shown (not checked again)', () => {
    let now = 0;
    const checked: string[] = [];
    const shown: string[] = [];
    const plans = ['a', 'b', 'c', 'd'].map((name) => ({ origin: name }) as unknown as Plan);
    const gate = new ProgressGate({
      check: (plan) => {
        checked.push(plan.origin as unknown as string);
        now += 10; // each check costs 10 ms
        return true;
      },
      forward: (p) => shown.push(p.plan.origin as unknown as string),
      now: () => now,
    });
    const offer = (i: number): void => gate.offer({ plan: plans[i] as Plan, objective: 10 - i, lowerBound: 0, elapsedMs: now, migrations: 1, stage: 'lns' });
    offer(0); // checked at once
    now = 100;
    offer(1); // too early: pending
    now = 200;
    offer(2); // supersedes b
    now = 300;
    offer(3); // due (260 ms after the first check ended): checked
    gate.finish(plans[3]);
    expect(checked).toEqual(['a', 'd']);
    expect(shown).toEqual(['a', 'd']);

    // the final candidate, when it is the planner's (already checked) result, is shown without a check
    const gate2 = new ProgressGate({ check: () => (checked.push('x'), true), forward: (p) => shown.push(p.plan.origin as unknown as string), now: () => now });
    gate2.offer({ plan: plans[0] as Plan, objective: 1, lowerBound: 0, elapsedMs: 0, migrations: 0, stage: 'lns' });
    gate2.offer({ plan: plans[1] as Plan, objective: 1, lowerBound: 0, elapsedMs: 0, migrations: 0, stage: 'lns' });
    gate2.finish(plans[1]);
    expect(checked).toEqual(['a', 'd', 'x']);
    expect(shown).toEqual(['a', 'd', 'a', 'b']);

    // a first check that waits its turn: a planning answered before it sends nothing but its answer,
    // and an older candidate is dropped rather than checked while the answer waits
    const quiet: string[] = [];
    const gate3 = new ProgressGate({ check: (p) => (quiet.push(`check ${p.origin as unknown as string}`), true), forward: (p) => quiet.push(`show ${p.plan.origin as unknown as string}`), now: () => now, firstCheckAfterMs: 250 });
    gate3.offer({ plan: plans[0] as Plan, objective: 1, lowerBound: 0, elapsedMs: 0, migrations: 0, stage: 'construct' });
    now += 100;
    gate3.finish(plans[2]);
    expect(quiet).toEqual([]);
    // without a final plan (planning failed) the last candidate is still checked and shown
    const gate4 = new ProgressGate({ check: (p) => (quiet.push(`check ${p.origin as unknown as string}`), true), forward: (p) => quiet.push(`show ${p.plan.origin as unknown as string}`), now: () => now, firstCheckAfterMs: 250 });
    gate4.offer({ plan: plans[1] as Plan, objective: 1, lowerBound: 0, elapsedMs: 0, migrations: 0, stage: 'construct' });
    gate4.finish();
    expect(quiet).toEqual(['check b', 'show b']);
  });

  it('checking stays a small share of the time: a slow check spaces the next ones out', () => {
    let now = 0;
    let checks = 0;
    const gate = new ProgressGate({
      check: () => {
        checks++;
        now += 100; // a slow check: 100 ms
        return true;
      },
      forward: () => undefined,
      now: () => now,
    });
    for (let t = 0; t < 10_000; t += 50) {
      now = Math.max(now, t);
      gate.offer({ plan: {} as Plan, objective: 1, lowerBound: 0, elapsedMs: t, migrations: 0, stage: 'lns' });
    }
    gate.close();
    expect(gate.checkMs / now).toBeLessThanOrEqual(0.21);
    expect(checks).toBeGreaterThan(10);
  });
});

describe('cancel', () => {
  it('an abort while planning answers with the best plan so far (checked), without throwing', async () => {
    const instance = generateCluster({ nodes: 40, seed: 5 });
    const controller = new AbortController();
    const timeLimitMs = 30_000;
    const outcome = planned(
      await inProcess().compute(request(instance, { objective: 'mttr', timeLimitMs }), {
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    );
    expect(outcome.result.solveMs).toBeLessThan(timeLimitMs);
    // a plan was found before the abort: it is kept
    expect(outcome.result.plan && accepted(outcome, outcome.result.plan)).toBe(true);
  });

  it('an abort before planning starts answers with no plan or a checked one, without throwing', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = planned(await inProcess().compute(request(generateCluster({ nodes: 16, seed: 1 })), { signal: controller.signal }));
    expect(['unknown', 'feasible', 'optimal']).toContain(outcome.result.status);
    if (outcome.result.plan) expect(accepted(outcome, outcome.result.plan)).toBe(true);
  });
});
