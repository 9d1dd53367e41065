import { BRANCH_AND_BOUND_NODE_LIMIT } from '../pipeline/policy.js';
import type { PlacementProblem } from '../problem.js';
import { vmSizes } from './ffd.js';
import { Placement } from './state.js';

export interface SubproblemOptions {
  /** Only accept assignments strictly cheaper than this (cost of the free VMs). */
  readonly upperBound?: number;
  /** Search nodes before giving up (the result then says `complete: false`). */
  readonly nodeLimit?: number;
  readonly shouldStop?: () => boolean;
}

export interface SubproblemResult {
  /** Hosts for every VM (the free ones re-assigned), when an assignment under the bound was found. */
  readonly hosts?: Int32Array;
  /** Cost of the free VMs in `hosts`. */
  readonly cost: number;
  /** true when the search was exhaustive: `hosts` is optimal, or nothing better exists. */
  readonly complete: boolean;
  readonly nodesExplored: number;
}

/**
 * Exact depth-first branch and bound over a few free VMs (the others stay where `base` puts them):
 * the native exact solver for tiny instances and LNS neighbourhoods, and the proof engine for
 * infeasibility of small instances. VMs largest first, source host first, pruned on
 * cost so far + the cheapest possible cost of the VMs left.
 */
export function branchAndBound(
  problem: PlacementProblem,
  base: Int32Array,
  free: readonly number[],
  candidates: (v: number) => readonly number[],
  options: SubproblemOptions = {},
): SubproblemResult {
  const start = new Int32Array(base);
  for (const v of free) start[v] = -1;
  const state = Placement.of(problem, start);
  const sizes = vmSizes(problem);
  const order = [...free].sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0));
  const domains = order.map((v) => {
    const o = problem.origin[v] ?? -1;
    const list = candidates(v).filter((n) => problem.domainAllows(v, n));
    const withOrigin = o >= 0 && list.includes(o) ? [o, ...list.filter((n) => n !== o)] : list;
    return withOrigin;
  });
  const minCost = domains.map((d, i) => {
    let m = Number.POSITIVE_INFINITY;
    for (const n of d) m = Math.min(m, problem.moveCost(order[i] as number, n));
    return m;
  });
  const suffix = new Float64Array(order.length + 1);
  for (let i = order.length - 1; i >= 0; i--) suffix[i] = (suffix[i + 1] ?? 0) + (minCost[i] ?? 0);
  let bestCost = options.upperBound ?? Number.POSITIVE_INFINITY;
  let best: Int32Array | undefined;
  const limit = options.nodeLimit ?? BRANCH_AND_BOUND_NODE_LIMIT;
  let explored = 0;
  let aborted = false;

  const dfs = (i: number, cost: number): void => {
    if (aborted) return;
    if (cost + (suffix[i] ?? 0) >= bestCost) return;
    if (i === order.length) {
      bestCost = cost;
      best = new Int32Array(state.host);
      return;
    }
    if (++explored > limit || (explored % 4096 === 0 && options.shouldStop?.())) {
      aborted = true;
      return;
    }
    const v = order[i] as number;
    for (const n of domains[i] ?? []) {
      if (!state.canPlace(v, n)) continue;
      state.place(v, n);
      dfs(i + 1, cost + problem.moveCost(v, n));
      state.unplace(v);
      if (aborted) return;
    }
  };
  if (order.length === 0) return { hosts: new Int32Array(base), cost: 0, complete: true, nodesExplored: 0 };
  dfs(0, 0);
  return best ? { hosts: best, cost: bestCost, complete: !aborted, nodesExplored: explored } : { cost: bestCost, complete: !aborted, nodesExplored: explored };
}
