import type { PlacementProblem, Repair } from '../problem.js';
import { Random } from '../random.js';
import { type PlacementResult, resultOf, vmSizes } from './ffd.js';
import type { PlacementRule } from './rules.js';
import { Placement } from './state.js';

export interface EjectionOptions {
  readonly seed?: number;
  /** Randomised restarts after the first, deterministic run. */
  readonly restarts?: number;
  /** Evictions allowed per run (default: 20 per queued VM + 1000). */
  readonly maxEjections?: number;
  /** How often one VM may be evicted in a run before it is left alone (tabu). */
  readonly maxEjectionsPerVm?: number;
  /** Stop restarting past this Date.now() value. */
  readonly deadline?: number;
  readonly shouldStop?: () => boolean;
  /** Prefer hosts receiving few migrations (short schedules) over tight packing. */
  readonly spreadIncoming?: boolean;
  /** Stop at the first run reaching this cost. */
  readonly target?: number;
}

/**
 * Ejection chains: place the evicted VMs largest first on a feasible host (their source host when
 * they may go back); when none fits, evict the smallest blocker(s) of the host where the fewest
 * have to leave, place the VM, and re-place the blockers next, bounded, with random restarts.
 * Every placement respects every rule through the incremental checks of `Placement`.
 */
export function ejectionChains(problem: PlacementProblem, repair: Repair, options: EjectionOptions = {}): PlacementResult {
  const restarts = options.restarts ?? 8;
  const rng = new Random(options.seed ?? 1);
  const sizes = vmSizes(problem);
  let best: PlacementResult | undefined;
  for (let run = 0; run <= restarts; run++) {
    if (run > 0 && ((options.deadline !== undefined && Date.now() > options.deadline) || options.shouldStop?.())) break;
    const result = oneRun(problem, repair, sizes, run === 0 ? undefined : rng, options);
    if (!best || better(result, best)) best = result;
    if (best.unplaced.length === 0 && options.target !== undefined && best.cost <= options.target) break;
  }
  return best as PlacementResult;
}

export function better(a: PlacementResult, b: PlacementResult): boolean {
  if (a.unplaced.length !== b.unplaced.length) return a.unplaced.length < b.unplaced.length;
  if (a.cost !== b.cost) return a.cost < b.cost;
  return a.migrations < b.migrations;
}

function oneRun(problem: PlacementProblem, repair: Repair, sizes: Float64Array, rng: Random | undefined, options: EjectionOptions): PlacementResult {
  const state = Placement.of(problem, repair.hosts);
  const V = problem.vms.length;
  const N = problem.nodes.length;
  const R = problem.resources.length;
  const noise = (): number => (rng ? rng.next() * 0.15 : 0);
  const key = new Float64Array(V);
  for (const v of repair.queue) key[v] = (sizes[v] ?? 0) * (1 + noise());
  // a stack: the largest pops first; evicted blockers are pushed and re-placed right away
  const stack = [...repair.queue].sort((a, b) => (key[a] ?? 0) - (key[b] ?? 0));
  const ejected = new Int32Array(V);
  const incoming = new Int32Array(N);
  const maxPerVm = options.maxEjectionsPerVm ?? 4;
  let budget = options.maxEjections ?? 20 * repair.queue.length + 1000;
  const unplaced: number[] = [];
  const capacityOf = (r: number, n: number): number => problem.capacity[r * N + n] ?? 0;

  const place = (v: number, n: number): void => {
    state.place(v, n);
    if (problem.origin[v] !== n) incoming[n] = (incoming[n] ?? 0) + 1;
  };
  const unplace = (v: number): void => {
    const n = state.unplace(v);
    if (n >= 0 && problem.origin[v] !== n) incoming[n] = (incoming[n] ?? 0) - 1;
  };

  const bestHost = (v: number): number => {
    const o = problem.origin[v] ?? -1;
    if (o >= 0 && state.canPlace(v, o)) return o;
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let n = 0; n < N; n++) {
      if (!state.fits(v, n) || !state.allowed(v, n)) continue;
      let residual = 0;
      for (let r = 0; r < R; r++) {
        const c = capacityOf(r, n);
        if (c > 0) residual += (state.free(r, n) - state.demand(v, r)) / c;
      }
      const score = options.spreadIncoming ? (incoming[n] ?? 0) * 10 - residual + noise() : residual + noise() * 0.1;
      if (score < bestScore) {
        bestScore = score;
        best = n;
      }
    }
    return best;
  };

  /** The cheapest set of VMs to evict from some node so v can land there. */
  const bestEjection = (v: number): { node: number; blockers: number[] } | undefined => {
    let choice: { node: number; blockers: number[] } | undefined;
    let choiceScore = Number.POSITIVE_INFINITY;
    const rules = problem.rules;
    for (let n = 0; n < N; n++) {
      if (!problem.domainAllows(v, n)) continue;
      const blockers = new Set<number>();
      let blocked = false;
      const consider = (i: number): void => {
        if (blocked) return;
        const rule = rules[i] as PlacementRule;
        if (rule.allows(v, n, state)) return;
        const b = rule.blockers?.(v, n, state);
        if (!b) blocked = true;
        else for (const x of b) blockers.add(x);
      };
      for (const i of problem.vmRules[v] ?? []) consider(i);
      for (const i of problem.nodeRules[n] ?? []) consider(i);
      for (const i of problem.everyNodeRules) consider(i);
      if (blocked) continue;
      for (const b of blockers) if (problem.pinned[b] === 1 || (ejected[b] ?? 0) >= maxPerVm) blocked = true;
      if (blocked) continue;
      // capacity: what is still missing once the rule blockers have left
      const need: number[] = [];
      let missing = false;
      for (let r = 0; r < R; r++) {
        let freed = 0;
        for (const b of blockers) freed += state.demand(b, r);
        const m = state.demand(v, r) - state.free(r, n) - freed;
        need.push(m);
        if (m > 0) missing = true;
      }
      if (missing) {
        const pool: number[] = [];
        for (const m of state.vmsOn(n)) if (!blockers.has(m) && problem.pinned[m] !== 1 && (ejected[m] ?? 0) < maxPerVm) pool.push(m);
        const extra = coverAll(state, pool, need);
        if (!extra) continue;
        for (const x of extra) blockers.add(x);
      }
      let score = 0;
      // evicting a VM still on its source host costs a new migration; one already moved costs nothing more
      for (const b of blockers) score += (problem.origin[b] === n && problem.originRunning[b] === 1 ? 1 : 0.1) + (sizes[b] ?? 0) * 0.3 + (ejected[b] ?? 0);
      score += noise();
      if (score < choiceScore) {
        choiceScore = score;
        choice = { node: n, blockers: [...blockers] };
      }
    }
    return choice;
  };

  while (stack.length > 0) {
    const v = stack.pop() as number;
    const h = bestHost(v);
    if (h >= 0) {
      place(v, h);
      continue;
    }
    const choice = budget-- > 0 ? bestEjection(v) : undefined;
    if (!choice) {
      unplaced.push(v);
      continue;
    }
    for (const b of choice.blockers) {
      unplace(b);
      ejected[b] = (ejected[b] ?? 0) + 1;
    }
    if (!state.canPlace(v, choice.node)) {
      // the blockers did not free enough (rules interacting): undo this step
      for (const b of choice.blockers) if (state.canPlace(b, problem.origin[b] ?? -1)) place(b, problem.origin[b] ?? -1);
      for (const b of choice.blockers) if ((state.host[b] ?? -1) < 0) stack.push(b);
      unplaced.push(v);
      continue;
    }
    place(v, choice.node);
    choice.blockers.sort((a, b) => (sizes[a] ?? 0) - (sizes[b] ?? 0));
    stack.push(...choice.blockers);
  }
  // second chance for the VMs left over, now that the chains have settled
  for (const v of unplaced.splice(0)) {
    const h = bestHost(v);
    if (h >= 0) place(v, h);
    else unplaced.push(v);
  }
  moveBack(problem, state);
  return resultOf(problem, new Int32Array(state.host));
}

/** VMs able to cover every positive need; one VM if one suffices (the smallest), else greedy. */
function coverAll(state: Placement, pool: readonly number[], need: readonly number[]): number[] | undefined {
  const R = need.length;
  let single = -1;
  let singleSize = Number.POSITIVE_INFINITY;
  for (const m of pool) {
    let ok = true;
    let size = 0;
    for (let r = 0; r < R; r++) {
      const d = state.demand(m, r);
      if ((need[r] ?? 0) > 0 && d < (need[r] ?? 0)) ok = false;
      size += d;
    }
    if (ok && size < singleSize) {
      single = m;
      singleSize = size;
    }
  }
  if (single >= 0) return [single];
  const left = [...need];
  const out: number[] = [];
  const rest = new Set(pool);
  while (left.some((x) => x > 0)) {
    let best = -1;
    let bestRelief = 0;
    for (const m of rest) {
      let relief = 0;
      for (let r = 0; r < R; r++) {
        const l = left[r] ?? 0;
        if (l > 0) relief += Math.min(state.demand(m, r), l) / l;
      }
      if (relief > bestRelief) {
        bestRelief = relief;
        best = m;
      }
    }
    if (best < 0) return undefined;
    rest.delete(best);
    out.push(best);
    for (let r = 0; r < R; r++) left[r] = (left[r] ?? 0) - state.demand(best, r);
  }
  return out;
}

/** Sends moved VMs back to their source host when they fit there again (fewer migrations). */
export function moveBack(problem: PlacementProblem, state: Placement): void {
  for (let pass = 0; pass < 3; pass++) {
    let changed = false;
    for (let v = 0; v < state.vmCount; v++) {
      const h = state.host[v] ?? -1;
      const o = problem.origin[v] ?? -1;
      if (h < 0 || o < 0 || h === o || problem.originRunning[v] !== 1) continue;
      state.unplace(v);
      if (state.canPlace(v, o)) {
        state.place(v, o);
        changed = true;
      } else state.place(v, h);
    }
    if (!changed) return;
  }
}
