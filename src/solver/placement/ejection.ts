import { EJECTION_POLICY, type EjectionPolicy } from '../pipeline/policy.js';
import type { PlacementProblem, Repair } from '../problem.js';
import { Random } from '../random.js';
import { type PlacementResult, resultOf, vmSizes } from './ffd.js';
import type { PlacementRule } from './rules.js';
import { Placement } from './state.js';

export interface EjectionOptions {
  readonly seed?: number;
  /** Randomised restarts after the first, deterministic run (default: the policy's). */
  readonly restarts?: number;
  /** Evictions allowed per run (default: the policy's budgets of the packing phase and of phase 2's chains). */
  readonly maxEjections?: number;
  /** How often one VM may be evicted in a run before it is left alone (tabu; default: the policy's). */
  readonly maxEjectionsPerVm?: number;
  /** The search's effort where the options above say nothing (default: pipeline/policy.ts EJECTION_POLICY). */
  readonly policy?: EjectionPolicy;
  /** Stop restarting past this Date.now() value. */
  readonly deadline?: number;
  /**
   * Phase 2 (the chains that may evict staying VMs, after every run left VMs over) stops past
   * this Date.now() value, leaving those VMs homeless: it is the slowest part of a call (seconds
   * on a tight cluster) and must not eat the time of the stages after it. Default: no limit.
   */
  readonly finishBy?: number;
  readonly shouldStop?: () => boolean;
  /** Prefer hosts receiving few migrations (short schedules) over tight packing. */
  readonly spreadIncoming?: boolean;
  /** Stop at the first run reaching this cost. */
  readonly target?: number;
}

/**
 * Ejection chains: place the evicted VMs largest first on a feasible host (their source host when
 * they may go back); when none fits, evict the cheapest blocker(s) of some host, place the VM, and
 * re-place the blockers next, bounded, with random restarts. Every placement respects every rule
 * through the incremental checks of `Placement`. See `oneRun` for the two phases.
 */
export function ejectionChains(problem: PlacementProblem, repair: Repair, options: EjectionOptions = {}): PlacementResult {
  const policy = options.policy ?? EJECTION_POLICY;
  const restarts = options.restarts ?? policy.restarts;
  const rng = new Random(options.seed ?? 1);
  const sizes = vmSizes(problem);
  let best: PlacementResult | undefined;
  // the run whose packing phase left the fewest VMs over, finished by phase 2 when none completes
  // (kept as hosts: the rules' counters live in the problem and follow the latest run)
  let partial: { hosts: Int32Array; ejected: Int32Array; left: number[] } | undefined;
  for (let run = 0; run <= restarts; run++) {
    if (run > 0 && ((options.deadline !== undefined && Date.now() > options.deadline) || options.shouldStop?.())) break;
    const packed = packQueue(problem, repair, sizes, run === 0 ? undefined : rng, options);
    if (packed.left.length > 0) {
      if (!partial || packed.left.length < partial.left.length) partial = { hosts: new Int32Array(packed.chain.state.host), ejected: packed.chain.ejected, left: packed.left };
      continue;
    }
    const result = finish(problem, packed.chain);
    if (!best || better(result, best)) best = result;
    if (options.target !== undefined && best.cost <= options.target) break;
  }
  if (best || !partial) return best ?? finish(problem, new Chain(problem, repair, sizes, undefined, false, policy));
  // phase 2: the VMs still homeless may evict VMs that would stay (a new migration each), first
  // through depth-2 chains, and only what those cannot place through unbounded ones
  const { left } = partial;
  const chain = new Chain(problem, repair, sizes, undefined, false, policy, partial.hosts, partial.ejected);
  const finishBy = options.finishBy;
  chain.stop = (): boolean => (finishBy !== undefined && Date.now() > finishBy) || options.shouldStop?.() === true;
  const maxPerVm = options.maxEjectionsPerVm ?? policy.maxEjectionsPerVm;
  const price = (b: number): number => (chain.movingAnyway(b) ? 0.1 : problem.originRunning[b] === 1 ? 1 : 0.1) + (sizes[b] ?? 0) * 0.3 + (chain.ejected[b] ?? 0);
  const stuck: number[] = [];
  for (const v of left.sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0))) if (chain.stop() || !chain.rehome(v, maxPerVm, price, policy.rehomeTries, policy.rehomeBudget)) stuck.push(v);
  if (stuck.length > 0) chain.run(stuck.reverse(), options.maxEjections ?? policy.chainsPerQueued * repair.queue.length + policy.chainsBase, maxPerVm, () => true, price);
  return finish(problem, chain);
}

function finish(problem: PlacementProblem, chain: Chain): PlacementResult {
  moveBack(problem, chain.state);
  return resultOf(problem, new Int32Array(chain.state.host));
}

export function better(a: PlacementResult, b: PlacementResult): boolean {
  if (a.unplaced.length !== b.unplaced.length) return a.unplaced.length < b.unplaced.length;
  if (a.cost !== b.cost) return a.cost < b.cost;
  return a.migrations < b.migrations;
}

/** Steps of a chain between two looks at the clock (a step is microseconds to a millisecond). */
const STOP_CHECK_STEPS = 16;

interface Ejection {
  readonly node: number;
  readonly blockers: number[];
  readonly score: number;
}

/** A placement being built by one run, with the bookkeeping the chains need. */
class Chain {
  readonly state: Placement;
  readonly ejected: Int32Array;
  readonly incoming: Int32Array;
  readonly queued: Uint8Array;
  /** Load of the queued VMs away from home, per resource and node (what phase 1 may evict). */
  private readonly moverLoad: Float64Array;
  private readonly N: number;
  private readonly R: number;

  constructor(
    readonly problem: PlacementProblem,
    repair: Repair,
    readonly sizes: Float64Array,
    readonly rng: Random | undefined,
    /** Spread incoming migrations (short schedules) rather than pack tightly (best fit). */
    readonly spread: boolean,
    /** The search's effort (the ejection options weighed per step). */
    private readonly policy: EjectionPolicy,
    /** Where to start (default: the repair's placement); -1 = still to place. */
    start: Int32Array = repair.hosts,
    ejected?: Int32Array,
  ) {
    this.N = problem.nodes.length;
    this.R = problem.resources.length;
    this.ejected = ejected ? new Int32Array(ejected) : new Int32Array(problem.vms.length);
    this.incoming = new Int32Array(this.N);
    this.queued = new Uint8Array(problem.vms.length);
    for (const v of repair.queue) this.queued[v] = 1;
    this.moverLoad = new Float64Array(this.R * this.N);
    // rules keep their counters in the problem: one live Placement at a time, built here
    this.state = new Placement(problem);
    for (let v = 0; v < start.length; v++) {
      const n = start[v] ?? -1;
      if (n >= 0) this.placeQuiet(v, n);
    }
  }

  noise(): number {
    return this.rng ? this.rng.next() * 0.15 : 0;
  }

  /** Undo log while a bounded chain is tried: (vm << 1) | 1 for a placement, | 0 for a removal. */
  private trail: number[] | undefined;
  private rotor = 0;
  /** Checked every STOP_CHECK_STEPS steps of `run`: past it, the VMs still on the stack are left homeless. */
  stop: () => boolean = () => false;
  /** Ejection options weighed per step (the first that work from a rotating start). */
  get scanLimit(): number {
    return this.policy.scanLimit;
  }
  private readonly trailHost: number[] = [];

  place(v: number, n: number): void {
    this.trail?.push((v << 1) | 1);
    this.placeQuiet(v, n);
  }

  unplace(v: number): void {
    if (this.trail) {
      this.trail.push(v << 1);
      this.trailHost.push(this.state.host[v] ?? -1);
    }
    this.unplaceQuiet(v);
  }

  private placeQuiet(v: number, n: number): void {
    this.state.place(v, n);
    if (this.problem.origin[v] !== n) {
      this.incoming[n] = (this.incoming[n] ?? 0) + 1;
      if (this.queued[v] === 1) for (let r = 0; r < this.R; r++) this.moverLoad[r * this.N + n] = (this.moverLoad[r * this.N + n] ?? 0) + this.state.demand(v, r);
    }
  }

  private unplaceQuiet(v: number): void {
    const n = this.state.unplace(v);
    if (n >= 0 && this.problem.origin[v] !== n) {
      this.incoming[n] = (this.incoming[n] ?? 0) - 1;
      if (this.queued[v] === 1) for (let r = 0; r < this.R; r++) this.moverLoad[r * this.N + n] = (this.moverLoad[r * this.N + n] ?? 0) - this.state.demand(v, r);
    }
  }

  /** Evicting v costs nothing more: it is on its way anyway (queued, and not back home). */
  readonly movingAnyway = (v: number): boolean => {
    const h = this.state.host[v] ?? -1;
    return this.queued[v] === 1 && h !== this.problem.origin[v];
  };

  /** v's demand per resource, in a scratch array (valid until the next call). */
  private demandOf(v: number): Float64Array {
    const d = (this.demandScratch ??= new Float64Array(this.R));
    for (let r = 0; r < this.R; r++) d[r] = this.state.demand(v, r);
    return d;
  }
  private demandScratch: Float64Array | undefined;

  /** Best fit: the source host when allowed, else the feasible host the VM fills best. */
  bestHost(v: number): number {
    const { problem, state } = this;
    const o = problem.origin[v] ?? -1;
    if (o >= 0 && state.canPlace(v, o)) return o;
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    // the hot loop of the construction (every node for every VM to place): capacity test and
    // residual in one pass over flat arrays, the rules only for the nodes where v fits
    const { N, R } = this;
    const capacity = problem.capacity;
    const load = state.load;
    const demand = this.demandOf(v);
    const noisy = this.rng !== undefined;
    for (let n = 0; n < N; n++) {
      let fits = true;
      for (let r = 0; r < R; r++) {
        if ((load[r * N + n] as number) + (demand[r] as number) > (capacity[r * N + n] as number)) {
          fits = false;
          break;
        }
      }
      if (!fits) continue;
      // with noise, every feasible node draws once (the random sequence depends on it): the
      // rules first; without, the rules only for a node that would beat the best so far
      if (noisy && !state.allowed(v, n)) continue;
      let residual = 0;
      for (let r = 0; r < R; r++) {
        const c = capacity[r * N + n] as number;
        if (c > 0) residual += (c - (load[r * N + n] as number) - (demand[r] as number)) / c;
      }
      const score = noisy ? (this.spread ? (this.incoming[n] ?? 0) * 10 - residual + this.noise() : residual + this.noise() * 0.1) : this.spread ? (this.incoming[n] ?? 0) * 10 - residual : residual;
      if (!noisy && (score >= bestScore || !state.allowed(v, n))) continue;
      if (score < bestScore) {
        bestScore = score;
        best = n;
      }
    }
    return best;
  }

  /**
   * The cheapest set of VMs to evict from some node so v can land there; `evictable` says which
   * VMs may leave, `price` what leaving costs.
   */
  bestEjection(v: number, maxPerVm: number, evictable: (b: number) => boolean, price: (b: number) => number, shrinking: boolean): Ejection | undefined {
    let choice: Ejection | undefined;
    for (const e of this.ejections(v, maxPerVm, evictable, price, shrinking, this.scanLimit)) if (!choice || e.score < choice.score) choice = e;
    return choice;
  }

  /** Every host where evicting some VMs would let v land, with those VMs and their price. */
  ejections(v: number, maxPerVm: number, evictable: (b: number) => boolean, price: (b: number) => number, shrinking: boolean, limit = Number.POSITIVE_INFINITY): Ejection[] {
    const { problem, state } = this;
    const out: Ejection[] = [];
    const rules = problem.rules;
    const moversOnly = evictable === this.movingAnyway;
    // from a rotating start, the first `limit` hosts that work: cheap, and varied from one call to the next
    const first = this.rotor++ % this.N;
    for (let i = 0; i < this.N && out.length < limit; i++) {
      const n = (first + i) % this.N;
      if (!problem.domainAllows(v, n)) continue;
      // quick necessary test: even evicting every VM moving anyway would not make room
      if (moversOnly) {
        let roomy = true;
        for (let r = 0; r < this.R && roomy; r++) if (state.free(r, n) + (this.moverLoad[r * this.N + n] ?? 0) < state.demand(v, r)) roomy = false;
        if (!roomy) continue;
      }
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
      for (const b of blockers) if (problem.pinned[b] === 1 || (this.ejected[b] ?? 0) >= maxPerVm || !evictable(b)) blocked = true;
      if (blocked) continue;
      // capacity: what is still missing once the rule blockers have left
      const need: number[] = [];
      let missing = false;
      for (let r = 0; r < this.R; r++) {
        let freed = 0;
        for (const b of blockers) freed += state.demand(b, r);
        const m = state.demand(v, r) - state.free(r, n) - freed;
        need.push(m);
        if (m > 0) missing = true;
      }
      if (missing) {
        const pool: number[] = [];
        for (const m of state.vmsOn(n)) if (!blockers.has(m) && problem.pinned[m] !== 1 && (this.ejected[m] ?? 0) < maxPerVm && evictable(m)) pool.push(m);
        const extra = coverAll(state, pool, need);
        if (!extra) continue;
        for (const x of extra) blockers.add(x);
      }
      let score = this.noise();
      let evictedSize = 0;
      for (const b of blockers) {
        score += price(b);
        evictedSize += this.sizes[b] ?? 0;
      }
      // shrinking chains only trade a VM for smaller ones: every chain ends, no cycling
      if (shrinking && evictedSize >= (this.sizes[v] ?? 0)) continue;
      out.push({ node: n, blockers: [...blockers], score });
    }
    return out;
  }

  /**
   * Bounded chains for a VM phase 1 could not place: v lands on a host once some VMs leave it
   * (any VM, a new migration each), and those VMs must then find room by evicting only VMs that
   * move anyway, within a small budget; otherwise everything is undone and the next option tried.
   * One stuck VM costs a few migrations, never a cascade through a full cluster.
   */
  rehome(v: number, maxPerVm: number, price: (b: number) => number, tries: number, budget: number): boolean {
    const { state } = this;
    const options = this.ejections(v, maxPerVm, () => true, price, false).sort((a, b) => a.score - b.score).slice(0, tries);
    const moverPrice = (b: number): number => this.sizes[b] ?? 0;
    this.trail = [];
    try {
      for (const o of options) {
        const mark = this.trail.length;
        for (const b of o.blockers) this.unplace(b);
        if (!state.canPlace(v, o.node)) {
          this.undo(mark);
          continue;
        }
        this.place(v, o.node);
        const left = this.run([...o.blockers].sort((x, y) => (this.sizes[x] ?? 0) - (this.sizes[y] ?? 0)), budget, maxPerVm + 4, this.movingAnyway, moverPrice, false);
        if (left.length === 0) return true;
        this.undo(mark);
      }
      return false;
    } finally {
      this.trail = undefined;
    }
  }

  /** Reverts the placements recorded since `mark`. */
  private undo(mark: number): void {
    const trail = this.trail;
    if (!trail) return;
    while (trail.length > mark) {
      const step = trail.pop() as number;
      const v = step >> 1;
      if ((step & 1) === 1) this.unplaceQuiet(v);
      else this.placeQuiet(v, this.trailHost.pop() as number);
    }
  }

  /**
   * Places the stack (largest on top); when no host fits, evicts the cheapest blockers and
   * re-places them next. Returns the VMs left unplaced.
   */
  run(stack: number[], budget: number, maxPerVm: number, evictable: (b: number) => boolean, price: (b: number) => number, shrinking = false): number[] {
    const { problem, state, sizes } = this;
    const unplaced: number[] = [];
    for (let step = 1; stack.length > 0; step++) {
      if (step % STOP_CHECK_STEPS === 0 && this.stop()) {
        unplaced.push(...stack.splice(0));
        break;
      }
      const v = stack.pop() as number;
      const h = this.bestHost(v);
      if (h >= 0) {
        this.place(v, h);
        continue;
      }
      const choice = budget-- > 0 ? this.bestEjection(v, maxPerVm, evictable, price, shrinking) : undefined;
      if (!choice) {
        unplaced.push(v);
        continue;
      }
      for (const b of choice.blockers) {
        this.unplace(b);
        this.ejected[b] = (this.ejected[b] ?? 0) + 1;
      }
      if (!state.canPlace(v, choice.node)) {
        // the blockers did not free enough (rules interacting): undo this step
        for (const b of choice.blockers) {
          const back = problem.origin[b] ?? -1;
          if (back >= 0 && state.canPlace(b, back)) this.place(b, back);
        }
        for (const b of choice.blockers) if ((state.host[b] ?? -1) < 0) stack.push(b);
        unplaced.push(v);
        continue;
      }
      this.place(v, choice.node);
      choice.blockers.sort((a, b) => (sizes[a] ?? 0) - (sizes[b] ?? 0));
      stack.push(...choice.blockers);
    }
    // second chance for the VMs left over, now that the chains have settled
    const left: number[] = [];
    for (const v of unplaced) {
      const h = this.bestHost(v);
      if (h >= 0) this.place(v, h);
      else left.push(v);
    }
    return left;
  }
}

/**
 * Phase 1 of a run: the queued VMs are packed into the room the repair left, evicting only VMs
 * that move anyway (queued ones away from home): moving those costs nothing more, so a complete
 * packing sits at the lower bound (on a tight drain, it is a pure bin-packing). Only what this
 * phase leaves over may, in phase 2, evict VMs that would otherwise stay; each such eviction is a
 * new migration, so those chains prefer VMs already moving, small ones, and are tabu after a few
 * evictions: this is what keeps one stuck VM from cascading through a full cluster.
 */
function packQueue(problem: PlacementProblem, repair: Repair, sizes: Float64Array, rng: Random | undefined, options: EjectionOptions): { chain: Chain; left: number[] } {
  const policy = options.policy ?? EJECTION_POLICY;
  const maxPerVm = options.maxEjectionsPerVm ?? policy.maxEjectionsPerVm;
  const budget = options.maxEjections ?? policy.packingPerQueued * repair.queue.length + policy.packingBase;
  const attempt = (spread: boolean): { chain: Chain; left: number[] } => {
    const chain = new Chain(problem, repair, sizes, rng, spread, policy);
    const key = new Float64Array(problem.vms.length);
    for (const v of repair.queue) key[v] = (sizes[v] ?? 0) * (1 + chain.noise());
    // a stack: the largest pops first; evicted blockers are pushed and re-placed right away
    const stack = [...repair.queue].sort((a, b) => (key[a] ?? 0) - (key[b] ?? 0));
    // evict the smallest total first (small VMs re-place easily)
    const price = (b: number): number => (sizes[b] ?? 0) + 0.05 * (chain.ejected[b] ?? 0);
    return { chain, left: chain.run(stack, budget, maxPerVm, chain.movingAnyway, price, false) };
  };
  // spread the incoming migrations when asked; on a tight cluster, best fit instead
  const first = attempt(options.spreadIncoming === true);
  return first.left.length > 0 && options.spreadIncoming === true ? attempt(false) : first;
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
