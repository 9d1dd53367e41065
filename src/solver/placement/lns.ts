import { solveNeighbourhood } from '../exact/neighbourhood.js';
import { LNS_NATIVE, type LnsPolicy, lnsPolicy, mznCallLimitMs, worthMznCall } from '../pipeline/policy.js';
import type { CancelSignal, MznRunner, MznSolverId } from '../ports.js';
import type { PlacementProblem } from '../problem.js';
import { Random } from '../random.js';
import { branchAndBound } from './branch-and-bound.js';
import { type PlacementResult, resultOf } from './ffd.js';

export interface LnsOptions {
  readonly lowerBound: number;
  readonly deadline: number;
  readonly seed?: number;
  /** The search's sizes and clocks (default: the pipeline policy's for the runner, or LNS_NATIVE without one). */
  readonly policy?: LnsPolicy;
  /** Free VMs per neighbourhood (exact search size; default: the policy's). */
  readonly maxFree?: number;
  readonly shouldStop?: () => boolean;
  readonly onImprove?: (result: PlacementResult) => void;
  /** Give up after this many neighbourhoods in a row without improvement (default: the policy's). */
  readonly patience?: number;
}

export interface MznLnsOptions extends LnsOptions {
  /** MiniZinc re-optimises the larger neighbourhoods; Ferry's branch and bound the small ones. */
  readonly runner: MznRunner;
  readonly solver?: MznSolverId;
  readonly signal?: CancelSignal;
  /** Small (branch-and-bound) neighbourhoods tried before each MiniZinc call, which is made only when none of them improved (default: the policy's; 0: MiniZinc only). */
  readonly smallPerCall?: number;
}

/** Statistics of a MiniZinc LNS run, for notes and benchmarks. */
export interface LnsStats {
  mznCalls: number;
  mznImprovements: number;
  mznMs: number;
  mznErrors: number;
  smallSteps: number;
  smallImprovements: number;
  lastError?: string;
}

/** A neighbourhood: the hosts re-optimised and the VMs on them that may move. */
interface Hood {
  readonly nodes: number[];
  readonly free: number[];
}

/**
 * Picks related hosts: mostly a VM evicted on the way (it left a host that is still there) with
 * its source host and the hosts of the VMs that took its place, so it can go home; else the
 * hosts of a few moved VMs. Then, up to `hostCount`, the hosts with the most (fragmented) free
 * room and a random one. Free VMs: moved ones first (they can only get cheaper), then others.
 */
function pickHood(problem: PlacementProblem, hosts: Int32Array, rng: Random, hostCount: number, maxFree: number, free: Float64Array | undefined, smallHosts: number): Hood | undefined {
  const V = problem.vms.length;
  const moved: number[] = [];
  for (let v = 0; v < V; v++) if (problem.moveCost(v, hosts[v] ?? -1) > 0) moved.push(v);
  if (moved.length === 0) return undefined;
  const nodes = new Set<number>();
  const addVm = (v: number): void => {
    nodes.add(hosts[v] ?? -1);
    const o = problem.origin[v] ?? -1;
    if (o >= 0 && problem.onlineAtEnd[o] === 1) nodes.add(o);
  };
  const homeless = moved.filter((v) => {
    const o = problem.origin[v] ?? -1;
    return o >= 0 && problem.domainAllows(v, o);
  });
  // large neighbourhoods follow the chain further: who took the place of those who took its place...
  const core = hostCount > smallHosts ? hostCount - 2 : hostCount;
  if (homeless.length > 0 && rng.next() < 0.7) {
    const v = rng.pick(homeless);
    addVm(v);
    const frontier = [problem.origin[v] ?? -1];
    while (frontier.length > 0 && nodes.size < core) {
      const o = frontier.shift() as number;
      for (let u = 0; u < V && nodes.size < core; u++) {
        if (u === v || hosts[u] !== o || problem.moveCost(u, o) === 0) continue;
        const before = nodes.size;
        addVm(u);
        if (nodes.size > before) frontier.push(problem.origin[u] ?? -1);
      }
    }
  } else addVm(rng.pick(moved));
  for (let k = 0; k < 2 && nodes.size < core; k++) addVm(rng.pick(moved));
  nodes.delete(-1);
  if (free && nodes.size < hostCount) {
    // the roomiest hosts: their scattered free room is what a better packing can use
    const N = problem.nodes.length;
    const order = Array.from({ length: N }, (_, n) => n).filter((n) => problem.onlineAtEnd[n] === 1 && !nodes.has(n));
    order.sort((a, b) => (free[b] ?? 0) - (free[a] ?? 0));
    const take = Math.max(0, hostCount - nodes.size - 1);
    for (const n of order.slice(0, take * 2).filter(() => rng.next() < 0.5).slice(0, take)) nodes.add(n);
    if (order.length > 0 && nodes.size < hostCount) nodes.add(rng.pick(order));
  }
  const onNodes: number[] = [];
  for (let v = 0; v < V; v++) if (nodes.has(hosts[v] ?? -1) && problem.pinned[v] !== 1) onNodes.push(v);
  const movedHere = onNodes.filter((v) => problem.moveCost(v, hosts[v] ?? -1) > 0);
  const others = rng.shuffle(onNodes.filter((v) => problem.moveCost(v, hosts[v] ?? -1) === 0));
  const chosen = movedHere.slice(0, maxFree);
  for (const v of others) {
    if (chosen.length >= maxFree) break;
    chosen.push(v);
  }
  return { nodes: [...nodes], free: chosen };
}

/** Free room per host, summed over resources as shares of capacity. */
function freeRoom(problem: PlacementProblem, hosts: Int32Array): Float64Array {
  const N = problem.nodes.length;
  const V = problem.vms.length;
  const R = problem.resources.length;
  const load = new Float64Array(R * N);
  for (let v = 0; v < V; v++) {
    const h = hosts[v] ?? -1;
    if (h >= 0) for (let r = 0; r < R; r++) load[r * N + h] = (load[r * N + h] ?? 0) + (problem.demand[r * V + v] ?? 0);
  }
  const out = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    for (let r = 0; r < R; r++) {
      const c = problem.capacity[r * N + n] ?? 0;
      if (c > 0) out[n] = (out[n] ?? 0) + (c - (load[r * N + n] ?? 0)) / c;
    }
  }
  return out;
}

/** One small neighbourhood, re-optimised by branch and bound; the improved result, if any. */
function smallStep(problem: PlacementProblem, hosts: Int32Array, hood: Hood, nodeLimit: number, shouldStop: (() => boolean) | undefined): PlacementResult | undefined {
  const nodeList = hood.nodes;
  const inHood = new Set(nodeList);
  let current = 0;
  for (const v of hood.free) current += problem.moveCost(v, hosts[v] ?? -1);
  if (current === 0) return undefined;
  const result = branchAndBound(problem, hosts, hood.free, (v) => {
    const o = problem.origin[v] ?? -1;
    return o >= 0 && !inHood.has(o) ? [...nodeList, o] : nodeList;
  }, { upperBound: current, nodeLimit, ...(shouldStop ? { shouldStop } : {}) });
  if (result.hosts && result.cost < current) return resultOf(problem, result.hosts);
  return undefined;
}

/**
 * Large-neighbourhood search: repeatedly free a few related hosts (the current and source hosts of
 * some moved VMs) with their VMs, re-optimise them exactly (branch and bound over those hosts),
 * keep improvements. Anytime: every improvement is reported; stops at the lower bound, the
 * deadline, a cancel, or when neighbourhoods stop paying. Never returns worse than `start`.
 */
export function largeNeighbourhoodSearch(problem: PlacementProblem, start: PlacementResult, options: LnsOptions): PlacementResult {
  let best = start;
  if (best.unplaced.length > 0) return best;
  const rng = new Random(options.seed ?? 7);
  const policy = options.policy ?? LNS_NATIVE;
  const maxFree = options.maxFree ?? policy.maxFree;
  const patience = options.patience ?? policy.patience;
  let idle = 0;
  while (best.cost > options.lowerBound && Date.now() < options.deadline && !options.shouldStop?.() && idle < patience) {
    const hood = pickHood(problem, best.hosts, rng, policy.smallHoodHosts, maxFree, undefined, policy.smallHoodHosts);
    if (!hood) break;
    const improved = smallStep(problem, best.hosts, hood, policy.smallNodeLimit, options.shouldStop);
    if (improved && improved.cost < best.cost) {
      best = improved;
      options.onImprove?.(best);
      idle = 0;
    } else idle++;
  }
  return best;
}

/**
 * The same search with MiniZinc on the larger neighbourhoods: rounds of a few small
 * branch-and-bound steps (microseconds each); when a round improves nothing, one MiniZinc call on a
 * larger neighbourhood (the chain of hosts around an evicted VM plus the roomiest hosts, every VM
 * on them variable, see exact/neighbourhood.ts; a few hundred ms natively). A call that fails or
 * whose answer does not check is counted and skipped; after three failed calls the search goes on
 * with the small steps alone. Never returns worse than `start`.
 */
export async function largeNeighbourhoodSearchMzn(problem: PlacementProblem, start: PlacementResult, options: MznLnsOptions, stats?: LnsStats): Promise<PlacementResult> {
  let best = start;
  if (best.unplaced.length > 0) return best;
  const rng = new Random(options.seed ?? 7);
  const policy = options.policy ?? lnsPolicy(options.runner.kind);
  const smallPerCall = options.smallPerCall ?? policy.smallPerCall;
  const maxFree = options.maxFree ?? policy.maxFree;
  const patience = options.patience ?? policy.patience;
  const s: LnsStats = stats ?? { mznCalls: 0, mznImprovements: 0, mznMs: 0, mznErrors: 0, smallSteps: 0, smallImprovements: 0 };
  const stopped = (): boolean => best.cost <= options.lowerBound || Date.now() >= options.deadline || options.shouldStop?.() === true || options.signal?.aborted === true;
  let idle = 0;
  let failures = 0;
  while (!stopped() && idle < patience) {
    // a MiniZinc call only when there is time for it, and while the runner keeps working
    const callNow = failures < policy.maxFailedCalls && worthMznCall(policy.mzn, options.deadline - Date.now());
    let smallPaid = false;
    for (let k = 0; k < (callNow ? smallPerCall : Math.max(1, smallPerCall)) && !stopped(); k++) {
      const hood = pickHood(problem, best.hosts, rng, policy.smallHoodHosts, maxFree, undefined, policy.smallHoodHosts);
      if (!hood) return best;
      s.smallSteps++;
      const improved = smallStep(problem, best.hosts, hood, policy.smallNodeLimit, options.shouldStop);
      if (improved && improved.cost < best.cost) {
        best = improved;
        s.smallImprovements++;
        smallPaid = true;
        options.onImprove?.(best);
        idle = 0;
      } else idle++;
    }
    // MiniZinc when the small steps stall: they cost microseconds, a call a few hundred ms
    if (stopped() || !callNow || smallPaid) continue;
    const hood = pickHood(problem, best.hosts, rng, policy.mznHosts, policy.mzn.maxVariables, freeRoom(problem, best.hosts), policy.smallHoodHosts);
    if (!hood) return best;
    const answer = await solveNeighbourhood(problem, best.hosts, { nodes: hood.nodes, vms: hood.free }, options.runner, {
      timeLimitMs: mznCallLimitMs(policy.mzn, options.deadline - Date.now()),
      ...(options.solver !== undefined ? { solver: options.solver } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    s.mznCalls++;
    s.mznMs += answer.elapsedMs;
    if (answer.error !== undefined) {
      s.mznErrors++;
      s.lastError = answer.error;
      if (answer.status === 'ERROR') failures++;
    }
    if (answer.hosts) {
      const improved = resultOf(problem, answer.hosts);
      if (improved.unplaced.length === 0 && improved.cost < best.cost) {
        best = improved;
        s.mznImprovements++;
        options.onImprove?.(best);
        idle = 0;
        continue;
      }
    }
    idle++;
  }
  return best;
}
