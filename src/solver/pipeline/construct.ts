import type { VmId } from '../../model/index.js';
import { type PartResult, type PartTask, type PartsContext, type SolveParts, mergeParts, partTasks, solvePart } from '../decompose.js';
import { ejectionChains } from '../placement/ejection.js';
import { type PlacementResult, resultOf } from '../placement/ffd.js';
import { homecoming } from '../placement/widen.js';
import type { CancelSignal } from '../ports.js';
import type { PlacementProblem, Repair } from '../problem.js';
import type { Attempt } from './attempt.js';
import { CONSTRUCT_RESTARTS, parallelThresholdMs, partBudgetMs } from './policy.js';
import type { Reduced } from './reduce.js';

/**
 * The construct stage: a first complete placement. Independent parts, when splitting pays, each
 * from scratch (in-process or on worker threads, then merged and verified); otherwise, or when
 * the parts' placements do not compose, ejection chains on the whole problem, then the VMs a
 * cascade of evictions moved needlessly sent back home. The placement may leave VMs homeless:
 * the improve stage widens it.
 */
export interface Constructed {
  readonly placement: PlacementResult;
  /** Whether it is the parts' merged placement (the progress stage name says so). */
  readonly fromParts: boolean;
}

export async function construct(a: Attempt, reduced: Reduced): Promise<Constructed> {
  const { problem, repair, options, objective, time } = a;
  if (reduced.split && !a.stop()) {
    // independent parts, each from scratch (a whole-problem pass would only redo their first pass)
    const deadline = time.partsUntil;
    const tasks = partTasks(problem, repair, reduced.parts, { seed: options.seed ?? 1, spreadIncoming: objective === 'mttr', deadline });
    const merged = await solveAllParts(problem, repair, tasks, {
      ...(options.solveParts ? { port: options.solveParts } : {}),
      context: () => ({ instance: a.full, objective, evicted: repair.queue.map((v) => problem.vms[v] as VmId) }),
      deadline,
      thresholdMs: options.parallelThresholdMs ?? parallelThresholdMs(reduced.reduceMs),
      stop: a.stop,
      ...(options.signal ? { signal: options.signal } : {}),
      notes: a.notes,
    });
    a.phases.push(`parts ${Date.now() - time.start} ms`);
    if (merged) return { placement: resultOf(problem, merged), fromParts: true };
  }
  // one problem, or parts that did not compose: the whole problem
  let constructed = ejectionChains(problem, repair, {
    seed: options.seed ?? 1,
    deadline: time.constructUntil,
    // phase 2 is the widening's alternative: never past the widening's own end (the exact model's and the check's time)
    finishBy: time.widenUntil,
    shouldStop: a.stop,
    target: repair.lowerBound,
    spreadIncoming: objective === 'mttr',
    restarts: CONSTRUCT_RESTARTS,
  });
  // a cascade of evictions (phase 2 on a tight drain) moves VMs that can go back, alone or by pairs
  if (constructed.unplaced.length === 0 && constructed.cost > repair.lowerBound) {
    const home = homecoming(problem, constructed);
    if (home.cost < constructed.cost) constructed = home;
  }
  a.phases.push(`construct ${Date.now() - time.start} ms`);
  return { placement: constructed, fromParts: false };
}

export interface PartsRun {
  readonly port?: SolveParts;
  readonly context: () => PartsContext;
  /** Date.now() value the parts must end by. */
  readonly deadline: number;
  /** In-process time of the parts left above which they go to the port (0: always). */
  readonly thresholdMs: number;
  readonly stop: () => boolean;
  readonly signal?: CancelSignal;
  readonly notes: string[];
}

/**
 * Solves the parts and merges them; undefined when they do not compose (the caller falls back to
 * the whole problem). A part given a start at its bound keeps it. The others are solved
 * in-process, smallest first; once the first one says how long the rest would take, the rest go
 * to the port (worker threads) when that pays for starting the workers and at least two are left.
 */
export async function solveAllParts(problem: PlacementProblem, repair: Repair, tasks: readonly PartTask[], run: PartsRun): Promise<Int32Array | undefined> {
  const t0 = Date.now();
  const startCost = (task: PartTask): number => {
    let cost = 0;
    for (const [vm, node] of task.start) cost += problem.moveCost(problem.vmIndex.get(vm) ?? -1, problem.nodeIndex.get(node) ?? -1);
    return cost;
  };
  const isHard = (t: PartTask): boolean => t.vms.length > 0 && (t.start.length === 0 || startCost(t) > t.lowerBound);
  const hard = tasks.filter(isHard).sort((a, b) => a.vms.length - b.vms.length);
  const results: PartResult[] = [];
  // each part gets a share of the time left in proportion to its size (side by side: more each)
  const budget = (task: PartTask, left: readonly PartTask[], degree: number): PartTask => {
    const remaining = Math.max(0, run.deadline - Date.now());
    const size = left.reduce((s, t) => s + t.vms.length, 0);
    return { ...task, budgetMs: run.stop() ? 0 : partBudgetMs(remaining, degree, task.vms.length, size) };
  };
  const port = run.port;
  let toPort: PartTask[] = [];
  let probed = false;
  if (port !== undefined && port.workers > 1 && hard.length > 1) {
    if (run.thresholdMs <= 0) toPort = hard;
    else {
      // the smallest part in-process first: it tells what the others would cost here
      const probe = hard[0] as PartTask;
      const rest = hard.slice(1);
      const t1 = Date.now();
      results.push(solvePart(problem, repair, budget(probe, hard, 1), run.stop));
      probed = true;
      const estimate = ((Date.now() - t1) / Math.max(1, probe.vms.length)) * rest.reduce((s, t) => s + t.vms.length, 0);
      if (rest.length > 1 && estimate >= run.thresholdMs) toPort = rest;
    }
  }
  let where = 'in-process';
  if (port !== undefined && toPort.length > 1 && !run.stop()) {
    const degree = Math.min(port.workers, toPort.length);
    try {
      const sent = await port.solve(run.context(), toPort.map((t) => budget(t, toPort, degree)), run.signal);
      results.push(...sent);
      where = `${probed ? '1 in-process, the others ' : ''}on ${degree} worker thread(s)`;
    } catch (e) {
      run.notes.push(`parallel parts failed, solved in-process instead: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const have = new Set(results.map((r) => r.index));
  const left = tasks.filter((t) => !have.has(t.index));
  for (const task of left) {
    // a part at its bound returns its start at once; after a cancel a part answers with one pass
    results.push(solvePart(problem, repair, isHard(task) ? budget(task, left.filter((t) => !have.has(t.index) && isHard(t)), 1) : task, run.stop));
    have.add(task.index);
  }
  const merged = mergeParts(problem, repair, results);
  const cost = results.reduce((s, r) => s + r.cost, 0);
  run.notes.push(`${tasks.length} part(s), ${hard.length} with work left, solved ${where} in ${Date.now() - t0} ms: cost ${cost}`);
  if (merged.problem !== undefined) {
    run.notes.push(`the parts' placements do not compose (${merged.problem}); kept the whole-problem search`);
    return undefined;
  }
  return merged.hosts;
}
