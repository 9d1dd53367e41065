import type { PlacementProblem } from '../problem.js';
import { Random } from '../random.js';
import { branchAndBound } from './branch-and-bound.js';
import { type PlacementResult, resultOf } from './ffd.js';

export interface LnsOptions {
  readonly lowerBound: number;
  readonly deadline: number;
  readonly seed?: number;
  /** Free VMs per neighbourhood (exact search size). */
  readonly maxFree?: number;
  readonly shouldStop?: () => boolean;
  readonly onImprove?: (result: PlacementResult) => void;
  /** Give up after this many neighbourhoods in a row without improvement. */
  readonly patience?: number;
}

/**
 * Large-neighbourhood search: repeatedly free a few related hosts (the current and source hosts of
 * some moved VMs) with their VMs, re-optimise them exactly (branch and bound over those hosts),
 * keep improvements. Anytime: every improvement is reported; stops at the lower bound, the
 * deadline, a cancel, or when neighbourhoods stop paying.
 */
export function largeNeighbourhoodSearch(problem: PlacementProblem, start: PlacementResult, options: LnsOptions): PlacementResult {
  let best = start;
  if (best.unplaced.length > 0) return best;
  const rng = new Random(options.seed ?? 7);
  const maxFree = options.maxFree ?? 12;
  const patience = options.patience ?? 200;
  let idle = 0;
  const V = problem.vms.length;
  while (best.cost > options.lowerBound && Date.now() < options.deadline && !options.shouldStop?.() && idle < patience) {
    const hosts = best.hosts;
    const moved: number[] = [];
    for (let v = 0; v < V; v++) if (problem.moveCost(v, hosts[v] ?? -1) > 0) moved.push(v);
    if (moved.length === 0) break;
    // related hosts: the source and destination of a few moved VMs
    const nodes = new Set<number>();
    const seedVm = rng.pick(moved);
    const addVm = (v: number): void => {
      nodes.add(hosts[v] ?? -1);
      const o = problem.origin[v] ?? -1;
      if (o >= 0 && problem.onlineAtEnd[o] === 1) nodes.add(o);
    };
    // mostly, a VM evicted on the way (its source host is still there): free its source host and
    // the hosts of the VMs that took its place, so it can go home
    const homeless = moved.filter((v) => {
      const o = problem.origin[v] ?? -1;
      return o >= 0 && problem.domainAllows(v, o);
    });
    if (homeless.length > 0 && rng.next() < 0.7) {
      const v = rng.pick(homeless);
      addVm(v);
      const o = problem.origin[v] ?? -1;
      for (let u = 0; u < V && nodes.size < 5; u++) if (u !== v && hosts[u] === o && problem.moveCost(u, o) > 0) addVm(u);
    } else addVm(seedVm);
    for (let k = 0; k < 2 && nodes.size < 5; k++) addVm(rng.pick(moved));
    nodes.delete(-1);
    const free: number[] = [];
    const onNodes = new Map<number, number[]>();
    for (let v = 0; v < V; v++) {
      const h = hosts[v] ?? -1;
      if (nodes.has(h) && problem.pinned[v] !== 1) {
        let l = onNodes.get(h);
        if (!l) onNodes.set(h, (l = []));
        l.push(v);
      }
    }
    // moved VMs first (they can only get cheaper), then a random share of the others
    const candidatesVms = [...onNodes.values()].flat();
    const movedHere = candidatesVms.filter((v) => problem.moveCost(v, hosts[v] ?? -1) > 0);
    const others = rng.shuffle(candidatesVms.filter((v) => problem.moveCost(v, hosts[v] ?? -1) === 0));
    free.push(...movedHere.slice(0, maxFree));
    for (const v of others) {
      if (free.length >= maxFree) break;
      free.push(v);
    }
    const nodeList = [...nodes];
    let current = 0;
    for (const v of free) current += problem.moveCost(v, hosts[v] ?? -1);
    const result = branchAndBound(problem, hosts, free, (v) => {
      const o = problem.origin[v] ?? -1;
      return o >= 0 && !nodes.has(o) ? [...nodeList, o] : nodeList;
    }, { upperBound: current, nodeLimit: 20_000, ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}) });
    if (result.hosts && result.cost < current) {
      best = resultOf(problem, result.hosts);
      options.onImprove?.(best);
      idle = 0;
    } else idle++;
  }
  return best;
}
