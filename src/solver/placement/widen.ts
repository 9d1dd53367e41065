import { solveNeighbourhood } from '../exact/neighbourhood.js';
import { WIDEN_POLICY, type WidenPolicy, mznCallLimitMs, worthMznCall } from '../pipeline/policy.js';
import type { CancelSignal, MznRunner, MznSolverId } from '../ports.js';
import type { PlacementProblem, Repair } from '../problem.js';
import { Random } from '../random.js';
import { branchAndBound } from './branch-and-bound.js';
import { better, ejectionChains } from './ejection.js';
import { type PlacementResult, resultOf } from './ffd.js';
import { Placement } from './state.js';

/**
 * Widening: what the field does on tight drains when the forced moves alone cannot be placed (or
 * their placement cannot be scheduled). Round after round, until a placement is accepted or the
 * time is up, more VMs that would have stayed are set free: those on the hosts where the homeless
 * VMs come closest to fitting (the tightest hosts blocking them), then more hosts, then random
 * ones. Each round first repacks, for each homeless VM, its tightest hosts exactly (branch and
 * bound over the VM and every movable VM on them, cheapest first), then runs a fresh ejection-chain
 * search over the forced VMs plus the freed ones (every freed VM that fits back home goes back: a
 * freed VM only costs a migration when it must move); with a MiniZinc runner, every other round also hands the homeless VMs and everything on the
 * chosen hosts to the placement neighbourhood model, which completes the placement when it can.
 * A complete placement `accept` refused because its schedule deadlocked would be the cheapest
 * again in every round: the moves it gave the VMs the deadlock names are tabu in the rounds after
 * (one per refused placement, rotating), so a costlier placement without the cycle can win.
 * Nothing here proves anything: a failed widening is reported as such, never as infeasibility.
 */

export interface WidenOptions {
  /** Date.now() value to stop by. */
  readonly deadline: number;
  readonly seed?: number;
  readonly shouldStop?: () => boolean;
  /** Decides whether a complete placement is kept (it schedules, fits the budgets): true ends the search. */
  readonly accept: (result: PlacementResult) => boolean;
  /** VMs whose hosts to open first (VMs of a schedule that deadlocked); default: the homeless ones. */
  readonly focus?: readonly number[];
  /**
   * After `accept` refused a placement: the VMs the refusal blames (those of the schedule that
   * deadlocked; empty when the refusal was not a schedule's). Their moves become tabu.
   */
  readonly blamed?: () => readonly number[];
  readonly runner?: MznRunner;
  readonly solver?: MznSolverId;
  readonly signal?: CancelSignal;
  readonly spreadIncoming?: boolean;
  /** Repack sizes and MiniZinc calls (default: the pipeline policy's WIDEN_POLICY). */
  readonly policy?: WidenPolicy;
}

/** What the widening tried, for the notes and the honest "no plan found". */
export interface WidenStats {
  rounds: number;
  /** The most VMs set free beyond the repair's queue in one round, and on how many hosts. */
  largestFreed: number;
  largestHosts: number;
  /** Homeless VMs placed by an exact repack of their tightest hosts. */
  repacked: number;
  mznCalls: number;
  mznCompleted: number;
  /** Complete placements found but refused by `accept` (no schedule, over the budgets). */
  refused: number;
}

export interface WidenResult {
  /** The placement `accept` kept, if any. */
  readonly accepted?: PlacementResult;
  /** The placement with the fewest homeless VMs seen (the start when nothing did better). */
  readonly best: PlacementResult;
  readonly stats: WidenStats;
}

/**
 * Most refused placements whose moves stay tabu (the oldest is forgotten first): each costs the
 * search one forbidden move, and too many would forbid the room a plan needs.
 */
const TABU_PLACEMENTS = 8;

/**
 * The moves (VM, destination host) of the blamed VMs in each refused placement. A refused
 * placement is the search's cheapest, so without a tabu every round finds it again (BUG 21: a
 * swap the scheduler cannot order, found 37 rounds in a row); forbidding one of its moves per
 * round, rotating which, lets a costlier placement without the cycle win.
 */
class RefusedMoves {
  private readonly placements: (readonly (readonly [number, number])[])[] = [];

  constructor(private readonly problem: PlacementProblem) {}

  /** Remembers the blamed VMs' moves in a refused placement (nothing when none of them moved). */
  remember(result: PlacementResult, blamed: readonly number[]): void {
    const moves: [number, number][] = [];
    for (const v of new Set(blamed)) {
      const h = result.hosts[v] ?? -1;
      // a VM's only allowed destination is no choice: forbidding it leaves the VM no home
      if (h >= 0 && h !== (this.problem.origin[v] ?? -1) && this.hasOtherHost(v, h)) moves.push([v, h]);
    }
    if (moves.length === 0) return;
    const key = (m: readonly (readonly [number, number])[]): string => m.map(([v, h]) => `${v}:${h}`).join(',');
    if (this.placements.some((p) => key(p) === key(moves))) return;
    this.placements.push(moves);
    if (this.placements.length > TABU_PLACEMENTS) this.placements.shift();
  }

  private hasOtherHost(v: number, h: number): boolean {
    for (let n = 0; n < this.problem.nodes.length; n++) if (n !== h && this.problem.domainAllows(v, n)) return true;
    return false;
  }

  /** The problem with one move of each refused placement forbidden (the `round`-th, rotating); the problem itself when none was refused. */
  forbidding(round: number): PlacementProblem {
    if (this.placements.length === 0) return this.problem;
    const tabu = new Map<number, Set<number>>();
    this.placements.forEach((moves, i) => {
      const [v, h] = moves[(round + i) % moves.length] as readonly [number, number];
      const hosts = tabu.get(v) ?? new Set<number>();
      hosts.add(h);
      tabu.set(v, hosts);
    });
    const allows = this.problem.domainAllows.bind(this.problem);
    return { ...this.problem, domainAllows: (v, n) => tabu.get(v)?.has(n) !== true && allows(v, n) };
  }
}

/** A placement with the VMs the round's tabu forbids where they are made homeless again (they must find another host). */
function withoutForbidden(searched: PlacementProblem, result: PlacementResult): PlacementResult {
  const hosts = new Int32Array(result.hosts);
  let changed = false;
  for (let v = 0; v < hosts.length; v++) {
    const h = hosts[v] ?? -1;
    if (h >= 0 && h !== (searched.origin[v] ?? -1) && !searched.domainAllows(v, h)) {
      hosts[v] = -1;
      changed = true;
    }
  }
  return changed ? resultOf(searched, hosts) : result;
}

/** Hosts per homeless VM opened in round k: 1, 2, 3, … then every host. */
function hostsForRound(round: number, nodes: number): number {
  return Math.min(nodes, 1 + round);
}

export async function widen(problem: PlacementProblem, repair: Repair, start: PlacementResult, options: WidenOptions): Promise<WidenResult> {
  const rng = new Random(options.seed ?? 11);
  const policy = options.policy ?? WIDEN_POLICY;
  const stats: WidenStats = { rounds: 0, largestFreed: 0, largestHosts: 0, repacked: 0, mznCalls: 0, mznCompleted: 0, refused: 0 };
  let best = start;
  const stop = (): boolean => Date.now() > options.deadline || options.shouldStop?.() === true || options.signal?.aborted === true;
  const refusedMoves = new RefusedMoves(problem);
  // a complete start was refused before the widening (else there would be nothing to widen):
  // its moves of the VMs the failure named are the first tabu
  if (start.unplaced.length === 0) refusedMoves.remember(start, options.focus ?? []);
  // the round's search space: the problem with the round's tabu moves forbidden
  let searched = problem;
  // the latest placement that left VMs homeless: once the best is a complete placement the
  // scheduler refused, the exact repacks start from it (the best has no homeless VM to repack)
  let partial: PlacementResult | undefined;
  const offer = (found: PlacementResult): PlacementResult | undefined => {
    // a widened placement moves VMs that could stay: bring home whoever can come home first
    const result = found.unplaced.length === 0 ? homecoming(searched, found) : found;
    if (better(result, best)) best = result;
    if (result.unplaced.length > 0) {
      partial = result;
      return undefined;
    }
    if (options.accept(result)) return result;
    stats.refused++;
    refusedMoves.remember(result, options.blamed?.() ?? []);
    return undefined;
  };
  const queued = new Set(repair.queue);
  for (let round = 0; !stop(); round++) {
    stats.rounds++;
    searched = refusedMoves.forbidding(round);
    // each homeless VM: an exact repack of its tightest hosts with everything on them free
    const before = best.unplaced.length > 0 ? best : partial;
    const homeless = before === undefined ? undefined : withoutForbidden(searched, before);
    if (homeless !== undefined) {
      const repacked = repackHomeless(searched, homeless, 1 + (round % 4), rng, policy, stop);
      stats.repacked += homeless.unplaced.length - repacked.unplaced.length;
      const kept = offer(repacked);
      if (kept) return { accepted: kept, best, stats };
      if (stop()) break;
    }
    const focus = best.unplaced.length > 0 ? best.unplaced : (options.focus ?? []);
    const hosts = tightestHosts(searched, best.hosts, focus, hostsForRound(round, problem.nodes.length), rng);
    // a few random hosts too: the room may be anywhere once the tight ones shift
    for (let extra = 0; extra < 1 + (round % 3); extra++) hosts.add(rng.int(0, problem.nodes.length - 1));
    const freed: number[] = [];
    for (let v = 0; v < problem.vms.length; v++) {
      if (queued.has(v) || problem.pinned[v] === 1) continue;
      if (hosts.has(problem.origin[v] ?? -1)) freed.push(v);
    }
    if (freed.length > stats.largestFreed) {
      stats.largestFreed = freed.length;
      stats.largestHosts = hosts.size;
    }
    // the homeless VMs first into the opened room, the freed VMs back home or elsewhere after them
    // (every other round: the ejection chains below are the better search, this one differs)
    if (round % 2 === 1) {
      const first = homelessFirst(searched, repair, withoutForbidden(searched, best), freed, hosts, rng, round);
      const packed = first.unplaced.length === 0 ? first : ejectionChains(searched, { ...repair, hosts: first.hosts, queue: first.unplaced }, { seed: (options.seed ?? 11) + round, restarts: policy.finishRestarts, deadline: options.deadline, finishBy: options.deadline, shouldStop: stop, target: repair.lowerBound });
      const keptFirst = offer(packed);
      if (keptFirst) return { accepted: keptFirst, best, stats };
      if (stop()) break;
    }
    const wider = widerRepair(repair, freed);
    const found = ejectionChains(searched, wider, { seed: (options.seed ?? 11) + round * 7919, restarts: policy.chainRestarts, maxEjections: policy.chainEjectionsPerQueued * wider.queue.length + policy.chainEjectionsBase, deadline: options.deadline, finishBy: options.deadline, shouldStop: stop, target: repair.lowerBound, ...(options.spreadIncoming !== undefined ? { spreadIncoming: options.spreadIncoming } : {}) });
    const kept = offer(found);
    if (kept) return { accepted: kept, best, stats };
    // MiniZinc completes what the chains left homeless, with everything on the chosen hosts free
    if (options.runner && best.unplaced.length > 0 && round % 2 === 1 && !stop()) {
      const completed = await completeWithMzn(problem, best, hosts, options, policy, stats);
      if (completed) {
        const accepted = offer(completed);
        if (accepted) return { accepted, best, stats };
      }
    }
  }
  return { best, stats };
}

/**
 * Fewer migrations for a complete placement: each VM away from its (allowed) source host goes
 * back when it fits there, or swaps with a VM on its source host that is itself away from home
 * and fits where it is; repeated while something improves (bounded).
 */
export function homecoming(problem: PlacementProblem, start: PlacementResult): PlacementResult {
  const state = Placement.of(problem, start.hosts);
  const V = problem.vms.length;
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    for (let v = 0; v < V; v++) {
      const h = state.host[v] ?? -1;
      const o = problem.origin[v] ?? -1;
      if (h < 0 || o < 0 || h === o || problem.originRunning[v] !== 1 || problem.onlineAtEnd[o] !== 1) continue;
      state.unplace(v);
      if (state.canPlace(v, o)) {
        state.place(v, o);
        changed = true;
        continue;
      }
      // a swap with a VM on o that is not at home either (moving it costs nothing more)
      let swapped = false;
      for (const w of [...state.vmsOn(o)]) {
        if (problem.pinned[w] === 1 || problem.origin[w] === o) continue;
        state.unplace(w);
        if (state.canPlace(v, o)) {
          state.place(v, o);
          if (state.canPlace(w, h)) {
            state.place(w, h);
            swapped = true;
            break;
          }
          state.unplace(v);
        }
        state.place(w, o);
      }
      if (swapped) changed = true;
      else state.place(v, h);
    }
    if (!changed) break;
  }
  return resultOf(problem, new Int32Array(state.host));
}

/**
 * For each homeless VM, in random order: branch and bound over it and the movable VMs on its
 * `perVm` tightest hosts (fewer when they hold too many VMs), those hosts as the only choices.
 */
function repackHomeless(problem: PlacementProblem, start: PlacementResult, perVm: number, rng: Random, policy: WidenPolicy, stop: () => boolean): PlacementResult {
  let hosts: Int32Array = new Int32Array(start.hosts);
  for (const u of rng.shuffle([...start.unplaced])) {
    if (stop()) break;
    const ring = tightestHosts(problem, hosts, [u], perVm, rng);
    // the room the VMs evicted there need may be one host further (a chain of two evictions):
    // the hosts where they come closest to fitting too, trimmed first when too many VMs are free
    if (perVm > 1) {
      const residents: number[] = [];
      // (as many as a repack may free: more would be trimmed anyway, and each costs a pass over the nodes)
      for (let v = 0; v < problem.vms.length && residents.length < policy.repackMaxFree; v++) if (problem.pinned[v] !== 1 && ring.has(hosts[v] ?? -1)) residents.push(v);
      for (const n of tightestHosts(problem, hosts, residents, 1, rng)) ring.add(n);
    }
    let chosen = [...ring];
    let free: number[] = [];
    for (; chosen.length > 0; chosen = chosen.slice(0, -1)) {
      const on = new Set(chosen);
      free = [u];
      for (let v = 0; v < problem.vms.length; v++) if (v !== u && problem.pinned[v] !== 1 && on.has(hosts[v] ?? -1)) free.push(v);
      if (free.length <= policy.repackMaxFree) break;
    }
    if (chosen.length === 0) continue;
    const found = branchAndBound(problem, hosts, free, () => chosen, { nodeLimit: policy.repackNodeLimit, shouldStop: stop });
    if (found.hosts) hosts = found.hosts;
  }
  return resultOf(problem, hosts);
}

/**
 * One widened packing: the freed VMs leave their hosts, the homeless VMs (and the queued ones not
 * placed yet) go first, largest first, each on the opened host it fills best, then every freed VM
 * goes back home when it still fits, else to the host it fills best anywhere. Returns the
 * placement with what is left homeless.
 */
function homelessFirst(problem: PlacementProblem, repair: Repair, start: PlacementResult, freed: readonly number[], opened: ReadonlySet<number>, rng: Random, round: number): PlacementResult {
  const hosts = new Int32Array(start.unplaced.length > 0 ? start.hosts : repair.hosts);
  for (const v of freed) hosts[v] = -1;
  const state = Placement.of(problem, hosts);
  const N = problem.nodes.length;
  const R = problem.resources.length;
  const size = (v: number): number => {
    let s = 0;
    for (let r = 0; r < R; r++) s += state.demand(v, r) / Math.max(1, problem.capacity[r * N + (problem.origin[v] ?? 0)] ?? 1);
    return s * (1 + (round > 0 ? rng.next() * 0.2 : 0));
  };
  const bestFit = (v: number, among: (n: number) => boolean): number => {
    let pick = -1;
    let pickLeft = Number.POSITIVE_INFINITY;
    for (let n = 0; n < N; n++) {
      if (!among(n) || !state.canPlace(v, n)) continue;
      let left = 0;
      for (let r = 0; r < R; r++) left += (state.free(r, n) - state.demand(v, r)) / Math.max(1, problem.capacity[r * N + n] ?? 1);
      if (left < pickLeft) {
        pickLeft = left;
        pick = n;
      }
    }
    return pick;
  };
  const homeless: number[] = [];
  for (let v = 0; v < problem.vms.length; v++) if ((state.host[v] ?? -1) < 0 && !freed.includes(v)) homeless.push(v);
  const bySize = (list: number[]): number[] => {
    const key = new Map(list.map((v) => [v, size(v)]));
    return list.sort((a, b) => (key.get(b) ?? 0) - (key.get(a) ?? 0));
  };
  for (const v of bySize(homeless)) {
    const n = bestFit(v, (m) => opened.has(m));
    const m = n >= 0 ? n : bestFit(v, () => true);
    if (m >= 0) state.place(v, m);
  }
  for (const v of bySize([...freed])) {
    const o = problem.origin[v] ?? -1;
    const n = o >= 0 && state.canPlace(v, o) ? o : bestFit(v, () => true);
    if (n >= 0) state.place(v, n);
  }
  return resultOf(problem, new Int32Array(state.host));
}

/** The repair's start with `freed` taken off their hosts and queued too (the bounds unchanged). */
function widerRepair(repair: Repair, freed: readonly number[]): Repair {
  const hosts = new Int32Array(repair.hosts);
  for (const v of freed) hosts[v] = -1;
  return { ...repair, hosts, queue: [...repair.queue, ...freed] };
}

/**
 * For each VM of `focus`, the `perVm` allowed hosts where it comes closest to fitting (the least
 * missing room, relative to capacity, with a little noise so rounds differ); its own host too.
 */
function tightestHosts(problem: PlacementProblem, hosts: Int32Array, focus: readonly number[], perVm: number, rng: Random): Set<number> {
  const N = problem.nodes.length;
  const R = problem.resources.length;
  const V = problem.vms.length;
  const state = Placement.of(problem, hosts);
  const out = new Set<number>();
  for (const v of focus) {
    const own = hosts[v] ?? -1;
    if (own >= 0) out.add(own);
    const scored: { n: number; missing: number }[] = [];
    for (let n = 0; n < N; n++) {
      if (problem.onlineAtEnd[n] !== 1 || !problem.domainAllows(v, n) || n === own) continue;
      let missing = 0;
      for (let r = 0; r < R; r++) {
        const cap = problem.capacity[r * N + n] ?? 0;
        const short = (problem.demand[r * V + v] ?? 0) - state.free(r, n);
        if (short > 0) missing += cap > 0 ? short / cap : 1;
      }
      scored.push({ n, missing: missing + rng.next() * 0.01 });
    }
    scored.sort((a, b) => a.missing - b.missing);
    for (const { n } of scored.slice(0, perVm)) out.add(n);
  }
  return out;
}

/** The neighbourhood model over the homeless VMs and every movable VM on `hosts`; a complete placement or undefined. */
async function completeWithMzn(problem: PlacementProblem, partial: PlacementResult, hosts: ReadonlySet<number>, options: WidenOptions, policy: WidenPolicy, stats: WidenStats): Promise<PlacementResult | undefined> {
  const maxVariables = policy.mzn.maxVariables;
  const vms = [...partial.unplaced];
  for (let v = 0; v < problem.vms.length && vms.length < maxVariables; v++) {
    if (problem.pinned[v] !== 1 && hosts.has(partial.hosts[v] ?? -1)) vms.push(v);
  }
  if (vms.length > maxVariables + partial.unplaced.length) return undefined;
  const left = options.deadline - Date.now();
  if (!worthMznCall(policy.mzn, left) || !options.runner) return undefined;
  stats.mznCalls++;
  const result = await solveNeighbourhood(problem, partial.hosts, { nodes: [...hosts], vms }, options.runner, {
    timeLimitMs: mznCallLimitMs(policy.mzn, left),
    ...(options.solver !== undefined ? { solver: options.solver } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  if (!result.hosts) return undefined;
  const complete = resultOf(problem, result.hosts);
  if (complete.unplaced.length > 0) return undefined;
  stats.mznCompleted++;
  return complete;
}
