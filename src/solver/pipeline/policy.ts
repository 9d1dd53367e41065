/**
 * The planner's one time-and-size policy: every share of the time limit, every reserve and every
 * size threshold the pipeline's stages use, named here with the reason for its value. Stages ask
 * this module (`TimePolicy` for one search attempt, the functions and constants for the rest);
 * nothing else in the pipeline computes a fraction of the budget.
 *
 * The time line of one attempt of `timeLimit` ms started at `t0` (shares are of `timeLimit`):
 *
 *   construct ─ 40 % ─┐ parts ─ 50 % (85 % without the exact model)
 *   improve (LNS) ──────── 50 % with the exact model, else to the end
 *   widen (first) ───────── 60 % with the exact model, else to the end − reserve
 *   prove (exact model) ── its own bounded slice of what is left (exactTimeLimitMs)
 *   widen (again) ───────── to the end − reserve, when worth a MiniZinc call
 *   check ───────────────── the reserve: min(1 s, 10 %)
 *
 * Inside those windows the searches keep to their own clocks, also set here: each MiniZinc call
 * of LNS and widening (MznCallPolicy), a part's construction share, the repack and neighbourhood
 * sizes (LnsPolicy, WidenPolicy); the stages pass them to placement/lns.ts and widen.ts.
 */

// ---- time ------------------------------------------------------------------------------------

/** Default wall-clock budget of `plan()` when the caller gives none. */
export const DEFAULT_TIME_LIMIT_MS = 10_000;

/**
 * Ejection chains stop at this share: construction only has to find a first complete placement;
 * the rest is better spent improving it (LNS) or proving it (exact model).
 */
export const CONSTRUCT_SHARE = 0.4;

/**
 * Independent parts end at this share when the exact model comes after them (it needs the rest),
 * else at PARTS_SHARE_ALONE: parts are solved from scratch, with their own LNS inside, so they take
 * most of the time, but the merged placement still needs scheduling and the final check.
 */
export const PARTS_SHARE_WITH_EXACT = 0.5;
export const PARTS_SHARE_ALONE = 0.85;

/** LNS stops here when the exact model follows (it improves and proves better than LNS on small instances). */
export const IMPROVE_SHARE_WITH_EXACT = 0.5;

/** The first widening stops here when the exact model follows: the model gets its try on what is left. */
export const WIDEN_SHARE_WITH_EXACT = 0.6;

/**
 * Kept free at the end of every attempt for the final check (the checker replays the whole
 * plan): a tenth of the budget, at most a second (the check of the largest plans takes less).
 */
export const CHECK_RESERVE_SHARE = 0.1;
export const CHECK_RESERVE_MAX_MS = 1_000;

/** Past a MiniZinc call's own limit, the runner needs this long to stop and answer. */
export const RUNNER_GRACE_MS = 100;

/** Below this, a MiniZinc call cannot even flatten the model: the exact stage (or a second widening) is skipped. */
export const MIN_EXACT_MS = 300;

/**
 * The exact model's slice: 30 % of the budget, between 3 s (flattening plus a first solution on
 * mid-size models) and 5 s (it schedules too, so it never gets the whole budget). At the
 * migration bound only the MTTR proof is left: a short try of 5 s.
 */
export const EXACT_SHARE = 0.3;
export const EXACT_MIN_SLICE_MS = 3_000;
export const EXACT_MAX_SLICE_MS = 5_000;
export const EXACT_AT_BOUND_MS = 5_000;

/**
 * The exact model's time: a bounded share (it schedules too, so never the whole budget; at the
 * migration bound only the MTTR proof is left, a short try), and never more than what remains
 * once the final check's reserve is kept: `--time-limit` is a promise. 0: skip the stage.
 */
export function exactTimeLimitMs(remainingMs: number, timeLimitMs: number, atBound: boolean): number {
  // the final check's share, plus the runner's grace past a call's limit
  const reserve = checkReserveMs(timeLimitMs) + RUNNER_GRACE_MS;
  const wanted = atBound ? EXACT_AT_BOUND_MS : Math.min(EXACT_MAX_SLICE_MS, Math.max(EXACT_MIN_SLICE_MS, timeLimitMs * EXACT_SHARE));
  const given = Math.floor(Math.min(wanted, remainingMs - reserve));
  return given >= MIN_EXACT_MS ? given : 0;
}

/** The final check's reserve of an attempt of `timeLimitMs`. */
export function checkReserveMs(timeLimitMs: number): number {
  return Math.min(CHECK_RESERVE_MAX_MS, timeLimitMs * CHECK_RESERVE_SHARE);
}

/**
 * The power pass's "a maxOnline cannot hold" rests on its own choice of nodes to power off: it is
 * checked against every assignment of node states on clusters of at most this many nodes (2^10
 * assignments, each refuted by the pass itself and the capacity bounds, about a millisecond each
 * on such clusters), within this share of the time limit; out of time, the claim is no proof
 * and the answer says so. Larger clusters keep the pass's claims unchecked (a known limit: the
 * search over 2^nodes assignments does not scale; the pass's own swap search has to be right there).
 */
export const NODE_STATES_MAX_NODES = 10;
export const NODE_STATES_SHARE = 0.25;

/** Searches retried with more boots after a search left VMs unplaced. */
export const MAX_BOOT_RETRIES = 4;

/**
 * The time of one attempt: with spares that could boot, an attempt keeps half of what is left
 * for the retry, so the attempts together stay within the time limit (the last one gets all that
 * is left).
 */
export function attemptBudgetMs(leftMs: number, mayBoot: boolean): number {
  return mayBoot ? leftMs / 2 : leftMs;
}

/** A worker thread's start (Node and the solver modules loaded), about. */
export const WORKER_START_MS = 200;

/** A worker's rebuild of the problem against this process's reduce: the model is copied to it first, so a little more. */
export const WORKER_REBUILD_FACTOR = 1.5;

/** Below this, parts are always solved here: the workers' start cannot pay for itself. */
export const PARALLEL_MIN_MS = 1_000;

/**
 * Parts go to the worker threads when solving them here would take at least this long: a worker
 * rebuilds the problem (about what reduce took here, copied first) and starts; twice that start,
 * and never less than PARALLEL_MIN_MS, pays for it.
 */
export function parallelThresholdMs(reduceMs: number): number {
  return Math.max(PARALLEL_MIN_MS, 2 * (WORKER_START_MS + WORKER_REBUILD_FACTOR * reduceMs));
}

/**
 * A part's time: its share of what is left in proportion to its VMs among the parts still to
 * solve, times how many run side by side (on `degree` workers each gets more).
 */
export function partBudgetMs(remainingMs: number, degree: number, partVms: number, leftVms: number): number {
  return Math.min(remainingMs, (remainingMs * degree * partVms) / Math.max(1, leftVms));
}

/** The deadlines of one search attempt, all as Date.now() values. */
export class TimePolicy {
  private limit: number;

  constructor(
    /** When the attempt started. */
    readonly start: number,
    /** Its budget (ms). */
    timeLimit: number,
    /** Whether the exact model comes after the heuristic stages (they then leave it time). */
    readonly exactFollows: boolean,
  ) {
    this.limit = timeLimit;
  }

  /** Its budget (ms). */
  get timeLimit(): number {
    return this.limit;
  }

  /** When the attempt must end (its start plus its budget). */
  get deadline(): number {
    return this.start + this.limit;
  }

  /**
   * No retry with more boots follows this attempt after all: the time kept for it is this
   * attempt's, up to `deadline` (the time limit's end). The stages still to run get their shares
   * of the longer budget; a search must not give up after half of --time-limit.
   */
  extendTo(deadline: number): void {
    if (deadline > this.deadline) this.limit = deadline - this.start;
  }

  private at(share: number): number {
    return this.start + this.timeLimit * share;
  }

  /** The final check's reserve (ms). */
  get reserveMs(): number {
    return checkReserveMs(this.timeLimit);
  }

  /** Ejection chains stop here. */
  get constructUntil(): number {
    return this.at(CONSTRUCT_SHARE);
  }

  /** Independent parts stop here. */
  get partsUntil(): number {
    return this.at(this.exactFollows ? PARTS_SHARE_WITH_EXACT : PARTS_SHARE_ALONE);
  }

  /**
   * LNS after the construction stops here: without the exact model to follow, at the final
   * check's reserve (its MiniZinc calls ran up to the deadline itself, and the check after them
   * past `--time-limit`).
   */
  get improveUntil(): number {
    return this.exactFollows ? this.at(IMPROVE_SHARE_WITH_EXACT) : this.deadline - this.reserveMs;
  }

  /** The first widening stops here. */
  get widenUntil(): number {
    const end = this.deadline - this.reserveMs;
    return this.exactFollows ? Math.min(end, this.at(WIDEN_SHARE_WITH_EXACT)) : end;
  }

  /** LNS on a widened placement stops no earlier than its widening's end and than this. */
  get improveWidenedUntil(): number {
    return this.exactFollows ? this.at(WIDEN_SHARE_WITH_EXACT) : this.deadline - this.reserveMs;
  }

  /** The exact model's time limit now (0: skip it). */
  exactMs(now: number, atBound: boolean): number {
    return exactTimeLimitMs(this.deadline - now, this.timeLimit, atBound);
  }

  /** The second widening, after the exact model, stops here. */
  get lastWidenUntil(): number {
    return this.deadline - this.reserveMs;
  }

  /** Whether the time left before the reserve is worth a second widening (its MiniZinc calls). */
  worthWideningAgain(now: number): boolean {
    return this.lastWidenUntil - now > MIN_EXACT_MS;
  }
}

// ---- the searches' own clocks: LNS, widening and the parts -------------------------------------

/**
 * How a search spends its MiniZinc calls (LNS neighbourhoods, widening completions): short
 * calls, many of them, each bounded so the search stops by its deadline.
 */
export interface MznCallPolicy {
  /** One call's own time limit (ms). */
  readonly callMs: number;
  /** A call is made only with at least min(callMs, this) left before the search's deadline (ms). */
  readonly minLeftMs: number;
  /** The least limit a call is given (ms): below it MiniZinc cannot even flatten a neighbourhood. */
  readonly minCallMs: number;
  /** Kept between a call's limit and the search's deadline for the runner to stop and answer (ms). */
  readonly graceMs: number;
  /** Variable VMs of one call (the neighbourhood model stays small, so a call answers in time). */
  readonly maxVariables: number;
}

/** Whether a MiniZinc call is worth making with `leftMs` left before the search's deadline. */
export function worthMznCall(p: MznCallPolicy, leftMs: number): boolean {
  return leftMs >= Math.min(p.callMs, p.minLeftMs);
}

/** The limit of a MiniZinc call made with `leftMs` left: its own limit, within the deadline less the grace. */
export function mznCallLimitMs(p: MznCallPolicy, leftMs: number): number {
  return Math.min(p.callMs, Math.max(p.minCallMs, leftMs - p.graceMs));
}

/**
 * Large neighbourhood search (placement/lns.ts): many cheap branch-and-bound steps, a MiniZinc
 * call only when they stall.
 */
export interface LnsPolicy {
  /** Free VMs of one small (branch-and-bound) neighbourhood: exact in microseconds up to about a dozen. */
  readonly maxFree: number;
  /** Search nodes of one small neighbourhood's branch and bound: a step stays well under a millisecond. */
  readonly smallNodeLimit: number;
  /** Neighbourhoods in a row without improvement before the search gives up: it stopped paying. */
  readonly patience: number;
  /** Small neighbourhoods tried before each MiniZinc call, which is made only when none of them improved. */
  readonly smallPerCall: number;
  /** Failed MiniZinc calls (runner errors) after which the search goes on with the small steps alone. */
  readonly maxFailedCalls: number;
  /** Hosts per MiniZinc neighbourhood. */
  readonly mznHosts: number;
  /** Hosts of one small (branch-and-bound) neighbourhood: a VM's chain of source hosts, a few steps long. */
  readonly smallHoodHosts: number;
  readonly mzn: MznCallPolicy;
}

/**
 * LNS with the native MiniZinc: small neighbourhoods of 5 hosts (a moved VM's chain of source
 * hosts, a few steps: the branch and bound stays under a millisecond with up to 12 free VMs);
 * calls of 1 s on 8 hosts and 48 variable VMs (a few hundred ms
 * each, natively), made with at least half a second left, given at least 200 ms (flattening).
 * The LNS stage's own deadline (TimePolicy.improveUntil) leaves the exact model and the check
 * their time, so no grace is kept past a call.
 */
export const LNS_NATIVE: LnsPolicy = {
  maxFree: 12,
  smallNodeLimit: 20_000,
  patience: 200,
  smallPerCall: 8,
  maxFailedCalls: 3,
  mznHosts: 8,
  smallHoodHosts: 5,
  mzn: { callMs: 1_000, minLeftMs: 500, minCallMs: 200, graceMs: 0, maxVariables: 48 },
};

/** LNS with MiniZinc in WASM: its calls cost seconds (flattening alone), so fewer, larger ones: 6 s on 16 hosts and 96 VMs. */
export const LNS_WASM: LnsPolicy = { ...LNS_NATIVE, mznHosts: 16, mzn: { ...LNS_NATIVE.mzn, callMs: 6_000, maxVariables: 96 } };

/** The LNS policy for a MiniZinc runner of this kind: 'native', else WASM's (without a runner only the small steps run, the same in both). */
export function lnsPolicy(runnerKind: string | undefined): LnsPolicy {
  return runnerKind === undefined || runnerKind === 'native' ? LNS_NATIVE : LNS_WASM;
}

/**
 * Widening (placement/widen.ts): exact repacks of the tightest hosts, and MiniZinc completions.
 */
export interface WidenPolicy {
  /** Free VMs of one exact repack (branch and bound over a homeless VM and the VMs on its tightest hosts). */
  readonly repackMaxFree: number;
  /** Search nodes of one exact repack. */
  readonly repackNodeLimit: number;
  /** Randomised restarts of each round's ejection chains over the widened queue (the rounds themselves vary the hosts opened). */
  readonly chainRestarts: number;
  /** Evictions allowed in one of those chain runs: this many per VM of the widened queue, plus `chainEjectionsBase`. */
  readonly chainEjectionsPerQueued: number;
  readonly chainEjectionsBase: number;
  /** Restarts of the chains that finish a homeless-first packing (that round is meant to differ from the chains: one deterministic run). */
  readonly finishRestarts: number;
  readonly mzn: MznCallPolicy;
}

/**
 * Repacks of at most 26 VMs within 40,000 search nodes (tens of ms); chains over the widened
 * queue with 2 restarts and 4 evictions per queued VM + 200 (a round stays in milliseconds, so
 * many rounds open many host sets: where the room is matters more than how hard one set is
 * searched); completions of 1.5 s on at most 64 variable VMs (many rounds beat one long call),
 * only with a MiniZinc call's worth of time left (MIN_EXACT_MS), ending the runner's grace before
 * the widening's deadline.
 */
export const WIDEN_POLICY: WidenPolicy = {
  repackMaxFree: 26,
  repackNodeLimit: 40_000,
  chainRestarts: 2,
  chainEjectionsPerQueued: 4,
  chainEjectionsBase: 200,
  finishRestarts: 0,
  mzn: { callMs: 1_500, minLeftMs: MIN_EXACT_MS, minCallMs: MIN_EXACT_MS - RUNNER_GRACE_MS, graceMs: RUNNER_GRACE_MS, maxVariables: 64 },
};

/**
 * One independent part (decompose.ts `solvePart`, in-process or on a worker thread) spends its
 * own budget as an attempt does: ejection chains until CONSTRUCT_SHARE of it (CONSTRUCT_RESTARTS
 * restarts), LNS for the rest.
 */
export function partConstructUntil(partStart: number, partDeadline: number): number {
  return partStart + (partDeadline - partStart) * CONSTRUCT_SHARE;
}

// ---- the placement searches' effort ------------------------------------------------------------

/**
 * Ejection chains (placement/ejection.ts): how hard one call searches, when its caller sets no
 * other value (restarts and eviction budgets are also options of each call).
 */
export interface EjectionPolicy {
  /** Randomised restarts after the first, deterministic run. */
  readonly restarts: number;
  /** Evictions of one VM in a run before it is left alone (tabu): what keeps chains from cycling. */
  readonly maxEjectionsPerVm: number;
  /** Phase 1 (packing the queue into the room the repair left): evictions per queued VM, plus `packingBase`. */
  readonly packingPerQueued: number;
  readonly packingBase: number;
  /** Phase 2 (unbounded chains that may evict staying VMs): evictions per queued VM, plus `chainsBase`. */
  readonly chainsPerQueued: number;
  readonly chainsBase: number;
  /** Bounded re-homing of a VM phase 1 left over: the cheapest ejection options tried, and the evictions allowed while trying them. */
  readonly rehomeTries: number;
  readonly rehomeBudget: number;
  /** Ejection options weighed per step of a chain (the first that work, from a rotating start). */
  readonly scanLimit: number;
}

/**
 * 8 restarts (callers that construct set CONSTRUCT_RESTARTS); a VM evicted at most 4 times per
 * run; phase 1 at 5 evictions per queued VM + 500 (a packing that needs more is better left to
 * phase 2 than cycled), phase 2 at 20 per queued VM + 1,000 (it is the last resort of a run);
 * re-homing tries the 8 cheapest options within 40 evictions (one stuck VM costs a few
 * migrations, never a cascade); 16 ejection options per step (more only slows every step on
 * large clusters, fewer misses the small blockers).
 */
export const EJECTION_POLICY: EjectionPolicy = {
  restarts: 8,
  maxEjectionsPerVm: 4,
  packingPerQueued: 5,
  packingBase: 500,
  chainsPerQueued: 20,
  chainsBase: 1_000,
  rehomeTries: 8,
  rehomeBudget: 40,
  scanLimit: 16,
};

/**
 * Search nodes of a branch and bound (placement/branch-and-bound.ts) whose caller sets no limit:
 * well under a second on the neighbourhoods it is meant for. Callers that prove set their own
 * (EXHAUSTIVE_NODE_LIMIT, LnsPolicy.smallNodeLimit, WidenPolicy.repackNodeLimit).
 */
export const BRANCH_AND_BOUND_NODE_LIMIT = 200_000;

// ---- sizes -----------------------------------------------------------------------------------

/**
 * Instances with at most this many movable VMs also go to the exact model, warm-started from the
 * heuristic plan: 200 with the native MiniZinc, 64 with WASM (its flattening alone costs seconds).
 */
export const EXACT_MAX_MOVABLE_NATIVE = 200;
export const EXACT_MAX_MOVABLE_WASM = 64;

/** The exact MiniZinc model is only tried on instances with at most this many running VMs (its data grows with VMs × hosts). */
export const EXACT_MODEL_MAX_VMS = 2_000;

/** Up to this many nodes, the exact model lets every movable VM go to any host (no shortlist). */
export const FULL_DOMAIN_MAX_NODES = 64;

/** Up to this many VMs free to move (and FULL_DOMAIN_MAX_NODES nodes), the exact model has every one of them as a variable: its answers are proofs. */
export const FULL_MODEL_MAX_VMS = 60;

/** Candidate hosts per VM in the exact model's shortlists (decompose.ts `shortlist`) beyond FULL_DOMAIN_MAX_NODES: enough room to choose, a model that flattens in time. */
export const SHORTLIST_SIZE = 32;

/** Beyond the queued VMs, at most this many of their neighbours become the exact model's variables (more only slows it). */
export const EXACT_MAX_NEIGHBOURS = 32;

/**
 * The exhaustive branch and bound that proves a placement optimal runs on tiny instances only:
 * at most this many free VMs over this many nodes, within this many search nodes (well under a
 * second).
 */
export const EXHAUSTIVE_MAX_FREE_VMS = 24;
export const EXHAUSTIVE_MAX_NODES = 16;
export const EXHAUSTIVE_NODE_LIMIT = 500_000;

/**
 * Search nodes of the exhaustive placement that may prove a failed construction infeasible (or
 * find a placement), within this share of the time left before the widening's end: it was
 * unbounded in time, and on a loaded machine its 500,000 nodes took twice a 0.3 s limit, leaving
 * the widening nothing.
 */
export const EXHAUSTIVE_PLACEMENT_EFFORT = 500_000;
export const EXHAUSTIVE_PLACEMENT_SHARE = 0.5;

/** Restarts of the ejection chains on the whole problem (each from another random order). */
export const CONSTRUCT_RESTARTS = 16;

/**
 * Splitting into independent parts costs a pass over the whole placement (every VM) per part
 * before any search: worth it only when the average part's search (its VMs × the hosts) is at
 * least this many times that pass.
 */
export const SPLIT_MIN_WORK_RATIO = 4;

/** Whether the exact model runs at all: a runner, not 'native', few movable VMs, a model of bounded size. */
export function exactModelApplies(options: { readonly runnerKind: string | undefined; readonly nativeOnly: boolean; readonly threshold: number | undefined }, movable: number, vms: number): boolean {
  if (options.runnerKind === undefined || options.nativeOnly) return false;
  const threshold = options.threshold ?? (options.runnerKind === 'native' ? EXACT_MAX_MOVABLE_NATIVE : EXACT_MAX_MOVABLE_WASM);
  return movable <= threshold && vms <= EXACT_MODEL_MAX_VMS;
}

/** Whether the independent parts are solved apart (see SPLIT_MIN_WORK_RATIO). */
export function splitPays(mode: 'auto' | 'always' | 'never', parts: number, queued: number, nodes: number, vms: number): boolean {
  if (mode === 'always') return parts > 0;
  if (mode === 'never') return false;
  const averagePart = queued / Math.max(1, parts);
  return parts > 1 && averagePart * nodes >= SPLIT_MIN_WORK_RATIO * vms;
}
