import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { PartSolveError, PlannerPool, livePlannerWorkers, workerPartSolver } from '../../main/node/solver/parallel.js';
import type { Constraint } from '../../src/catalogue/constraint.js';
import { checkPlan } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import { type PartTask, type PartsContext, decompose, mergeParts, partTasks, solvePart, verifyPlacement } from '../../src/solver/decompose.js';
import { type PlanResult, type SolveParts, plan } from '../../src/solver/planner.js';
import { initialRepair, reduce } from '../../src/solver/problem.js';
import { Random } from '../../src/solver/random.js';
import { c, cluster, instanceOf } from './helpers.js';

/**
 * Islands: `islands` groups of `perIsland` nodes; every VM is fenced to its island, the first node
 * of every island goes offline, loads are high enough that evictions are needed. Each island is an
 * independent sub-problem.
 */
function islands(count: number, perIsland: number, seed: number): Instance {
  const rng = new Random(seed);
  const nodes: Record<string, { cpu: number; mem: number }> = {};
  const vms: Record<string, { on: string; cpu: number; mem: number }> = {};
  const fenceOf: Record<string, string[]> = {};
  let vmCount = 0;
  for (let i = 0; i < count; i++) {
    const names: string[] = [];
    for (let j = 0; j < perIsland; j++) {
      const name = `I${i}N${j}`;
      nodes[name] = { cpu: 16, mem: 64 };
      names.push(name);
    }
    for (const name of names) {
      let used = 0;
      // about 75 % of every node (the drained one too), sizes 2..6 cores
      while (used < 10) {
        const cpu = 2 + Math.floor(rng.next() * 5);
        if (used + cpu > 12) break;
        used += cpu;
        const vm = `VM${++vmCount}`;
        vms[vm] = { on: name, cpu, mem: cpu * 4 };
        fenceOf[vm] = names;
      }
    }
  }
  const { model, vm, node } = cluster(nodes, vms);
  const constraints: Constraint[] = [];
  for (let i = 0; i < count; i++) constraints.push(c('offline', { node: node(`I${i}N0`) }));
  for (const [name, fence] of Object.entries(fenceOf)) constraints.push(c('fence', { vm: vm(name), nodes: fence.map(node) }));
  // one anti-affinity pair per island, so the rules are part of the story
  for (let i = 0; i < count; i++) {
    const onDrain = Object.keys(vms).filter((v) => vms[v]?.on === `I${i}N0`);
    if (onDrain.length >= 2) constraints.push(c('spread', { vms: onDrain.slice(0, 2).map(vm) }));
  }
  return instanceOf(model, constraints);
}

function context(instance: Instance): { ctx: PartsContext; tasks: PartTask[] } {
  const problem = reduce(instance, { objective: 'migrations' });
  const repair = initialRepair(problem);
  const d = decompose(problem, repair);
  const tasks = partTasks(problem, repair, d.components, { seed: 1, spreadIncoming: false, deadline: Date.now() + 30_000 }).map((t) => ({ ...t, budgetMs: 2_000 }));
  return { ctx: { instance, objective: 'migrations', evicted: repair.queue.map((v) => problem.vms[v] as number) }, tasks };
}

const checked = (instance: Instance, result: PlanResult): void => {
  expect(result.plan).toBeDefined();
  if (result.plan) expect(checkPlan(instance, result.plan).ok).toBe(true);
};

describe('independent parts', () => {
  it('islands decompose into one part per island, each with its own lower bound', () => {
    const instance = islands(4, 5, 1);
    const problem = reduce(instance, { objective: 'migrations' });
    const repair = initialRepair(problem);
    const d = decompose(problem, repair);
    expect(d.components).toHaveLength(4);
    const tasks = partTasks(problem, repair, d.components, { seed: 1, spreadIncoming: false, deadline: Date.now() + 10_000 });
    expect(tasks.reduce((s, t) => s + t.lowerBound, 0)).toBe(repair.lowerBound);
    for (const t of tasks) expect(t.nodes).toHaveLength(5); // the drained node too: its VMs leave it
  });

  it('solved apart in-process, the parts merge into a valid placement at the lower bound', () => {
    const instance = islands(3, 5, 2);
    const problem = reduce(instance, { objective: 'migrations' });
    const repair = initialRepair(problem);
    const d = decompose(problem, repair);
    const tasks = partTasks(problem, repair, d.components, { seed: 1, spreadIncoming: false, deadline: Date.now() + 10_000 });
    const results = tasks.map((t) => solvePart(problem, repair, { ...t, budgetMs: 2_000 }));
    const merged = mergeParts(problem, repair, results);
    expect(merged.problem).toBeUndefined();
    expect(results.reduce((s, r) => s + r.cost, 0)).toBe(repair.lowerBound);
  });

  it('parts that do not compose are caught: two parts filling one node, a broken spread', () => {
    const instance = islands(2, 4, 3);
    const problem = reduce(instance, { objective: 'migrations' });
    const repair = initialRepair(problem);
    const d = decompose(problem, repair);
    const tasks = partTasks(problem, repair, d.components, { seed: 1, spreadIncoming: false, deadline: Date.now() + 10_000 });
    const results = tasks.map((t) => solvePart(problem, repair, { ...t, budgetMs: 1_000 }));
    expect(mergeParts(problem, repair, results).problem).toBeUndefined();
    // every VM of both parts on one node of the first part: over capacity (and outside the fences)
    const target = tasks[0]?.nodes[0] as number;
    const crowded = results.map((r) => ({ ...r, hosts: r.hosts.map(([vm]) => [vm, target] as const) }));
    expect(mergeParts(problem, repair, crowded).problem).toMatch(/may not end on|over capacity/);
    // a spread broken by hand: both members on one host
    const spread = instance.constraints.find((x) => x.id === 'spread') as Constraint;
    const [a, b] = (spread.args['vms'] as number[]).map((id) => problem.vmIndex.get(id) as number);
    const hosts = new Int32Array(mergeParts(problem, repair, results).hosts);
    hosts[b as number] = hosts[a as number] as number;
    expect(verifyPlacement(problem, hosts)).toMatch(/spread|over capacity/);
  });

  it('the worker-thread path gives plans of the same quality as the in-process path, both checked', async () => {
    const instance = islands(4, 6, 4);
    const common = { objective: 'migrations' as const, timeLimitMs: 4_000, solver: 'native' as const, decomposition: 'always' as const, parallelThresholdMs: 0 };
    const inProcess = await plan(instance, common);
    const parallel = await plan(instance, { ...common, solveParts: workerPartSolver({ maxWorkers: 2 }) });
    checked(instance, inProcess);
    checked(instance, parallel);
    expect(parallel.migrations).toBe(inProcess.migrations);
    expect(parallel.migrations).toBe(parallel.migrationsLowerBound);
    expect(parallel.notes.join('\n')).toMatch(/on 2 worker thread\(s\)/);
    expect(inProcess.notes.join('\n')).toMatch(/solved in-process/);
  });

  it('a cancel while the parts run on workers keeps a checked plan and leaves no thread', async () => {
    const instance = islands(4, 8, 10);
    const controller = new AbortController();
    const real = workerPartSolver({ maxWorkers: 2 });
    // cancels as soon as the parts are handed to the workers
    const port: SolveParts = {
      workers: real.workers,
      solve: (context, tasks, signal) => {
        const running = real.solve(context, tasks, signal);
        controller.abort();
        return running;
      },
    };
    const result = await plan(instance, { objective: 'migrations', timeLimitMs: 30_000, solver: 'native', decomposition: 'always', parallelThresholdMs: 0, solveParts: port, signal: controller.signal });
    checked(instance, result);
    expect(controller.signal.aborted).toBe(true);
    expect(livePlannerWorkers()).toBe(0);
  });

  it('a pool solves every task and is empty once closed', async () => {
    const instance = islands(3, 5, 5);
    const { ctx, tasks } = context(instance);
    const pool = await PlannerPool.start(ctx, { size: 2 });
    expect(pool.size).toBe(2);
    const results = await pool.run(tasks);
    expect(results.map((r) => r.index).sort()).toEqual(tasks.map((t) => t.index).sort());
    await pool.close();
    expect(pool.size).toBe(0);
    expect(livePlannerWorkers()).toBe(0);
    await expect(pool.run(tasks)).rejects.toThrow(/closed/);
  });

  it('cancel stops the workers: running parts answer at once, queued ones are dropped, no thread is left', async () => {
    const instance = islands(5, 12, 6);
    const { ctx, tasks } = context(instance);
    expect(tasks.length).toBe(5);
    const pool = await PlannerPool.start(ctx, { size: 2 });
    const controller = new AbortController();
    // no bound to stop at and a minute each: only the cancel ends these parts early
    const long = tasks.map((t) => ({ ...t, budgetMs: 60_000, lowerBound: -1 }));
    const running = pool.run(long, controller.signal);
    controller.abort(); // the first two parts are on their way to the workers; three are queued
    const results = await running;
    expect(results.length).toBeLessThanOrEqual(2);
    for (const r of results) expect(r.stage).not.toBe('lns');
    await pool.close();
    expect(pool.size).toBe(0);
    // cancelled before anything ran: nothing is dispatched
    const again = await PlannerPool.start(ctx, { size: 1 });
    expect(await again.run(long, AbortSignal.abort())).toEqual([]);
    await again.close();
    expect(again.size).toBe(0);
  });

  it('a task naming an unknown VM fails with an error naming the part; no thread is left', async () => {
    const instance = islands(2, 4, 7);
    const { ctx, tasks } = context(instance);
    const pool = await PlannerPool.start(ctx, { size: 1 });
    const bad = { ...(tasks[0] as PartTask), vms: [99_999] };
    await expect(pool.run([bad])).rejects.toThrow(/part 0 .*queued VM 99999 does not run/);
    await pool.close();
    expect(pool.size).toBe(0);
  });

  it('a worker that cannot rebuild the problem fails the start with a clear error', async () => {
    const instance = islands(2, 4, 8);
    const { ctx } = context(instance);
    await expect(PlannerPool.start({ ...ctx, evicted: [424_242] }, { size: 2 })).rejects.toThrow(/planner worker \d: setting up the problem failed: evicted VM 424242/);
  });

  it('a worker that dies mid-part gives a located error, and the pool is emptied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-crash-'));
    const script = join(dir, 'crash-worker.mjs');
    writeFileSync(
      script,
      "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ type: 'ready', setupMs: 0 });\nparentPort.on('message', () => process.exit(3));\n",
    );
    const instance = islands(2, 4, 9);
    const { ctx, tasks } = context(instance);
    const pool = await PlannerPool.start(ctx, { size: 2, script: pathToFileURL(script) });
    const error = await pool.run(tasks).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartSolveError);
    expect((error as Error).message).toMatch(/planner worker \d, part \d \(\d+ VM\(s\) on \d+ node\(s\)\): the worker exited with code 3/);
    await pool.close();
    expect(pool.size).toBe(0);
    // through the planner: the failure is reported and the parts are solved in-process instead
    const solver = workerPartSolver({ maxWorkers: 2, script: pathToFileURL(script) });
    const result = await plan(instance, { objective: 'migrations', timeLimitMs: 3_000, solver: 'native', decomposition: 'always', parallelThresholdMs: 0, solveParts: solver });
    rmSync(dir, { recursive: true, force: true });
    checked(instance, result);
    expect(result.notes.join('\n')).toMatch(/parallel parts failed, solved in-process instead: planner worker \d, part \d .*exited with code 3/);
  });
});
