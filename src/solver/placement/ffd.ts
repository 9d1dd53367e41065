import type { PlacementProblem, Repair } from '../problem.js';
import { Placement } from './state.js';

/** Result of a constructive placement. */
export interface PlacementResult {
  /** Final host per VM (-1 when it could not be placed). */
  readonly hosts: Int32Array;
  readonly unplaced: readonly number[];
  /** Objective cost (migrations, or MiB moved) of the placed VMs. */
  readonly cost: number;
  /** Live migrations (running VMs ending on another node). */
  readonly migrations: number;
}

/** Size of a VM relative to the average node, summed over resources: the "decreasing" order. */
export function vmSizes(problem: PlacementProblem): Float64Array {
  const V = problem.vms.length;
  const N = problem.nodes.length;
  const sizes = new Float64Array(V);
  problem.resources.forEach((_, r) => {
    let cap = 0;
    let online = 0;
    for (let n = 0; n < N; n++) {
      if (problem.onlineAtEnd[n] !== 1) continue;
      cap += problem.capacity[r * N + n] ?? 0;
      online++;
    }
    const avg = online > 0 && cap > 0 ? cap / online : 1;
    for (let v = 0; v < V; v++) sizes[v] = (sizes[v] ?? 0) + (problem.demand[r * V + v] ?? 0) / avg;
  });
  return sizes;
}

export function migrationsOf(problem: PlacementProblem, hosts: Int32Array): number {
  let m = 0;
  for (let v = 0; v < hosts.length; v++) {
    const h = hosts[v] ?? -1;
    if (h >= 0 && problem.originRunning[v] === 1 && problem.origin[v] !== h) m++;
  }
  return m;
}

export function resultOf(problem: PlacementProblem, hosts: Int32Array): PlacementResult {
  const unplaced: number[] = [];
  let cost = 0;
  for (let v = 0; v < hosts.length; v++) {
    const h = hosts[v] ?? -1;
    if (h < 0) unplaced.push(v);
    else cost += problem.moveCost(v, h);
  }
  return { hosts, unplaced, cost, migrations: migrationsOf(problem, hosts) };
}

/**
 * The baseline: the repair's evicted VMs, largest first, each on the first node (in model order)
 * where it fits and every constraint allows it. No backtracking, no evictions.
 */
export function firstFitDecreasing(problem: PlacementProblem, repair: Repair): PlacementResult {
  const state = Placement.of(problem, repair.hosts);
  const sizes = vmSizes(problem);
  const order = [...repair.queue].sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0));
  const N = problem.nodes.length;
  for (const v of order) {
    const o = problem.origin[v] ?? -1;
    // a VM evicted by the repair may still fit back where it was once the others have left
    if (o >= 0 && state.canPlace(v, o)) {
      state.place(v, o);
      continue;
    }
    for (let n = 0; n < N; n++) {
      if (state.canPlace(v, n)) {
        state.place(v, n);
        break;
      }
    }
  }
  return resultOf(problem, new Int32Array(state.host));
}
