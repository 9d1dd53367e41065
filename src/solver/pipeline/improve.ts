import type { PlacementResult } from '../placement/ffd.js';
import { type LnsStats, largeNeighbourhoodSearch, largeNeighbourhoodSearchMzn } from '../placement/lns.js';
import { type WidenStats, widen } from '../placement/widen.js';
import { type Attempt, mznSolverOf } from './attempt.js';
import { WIDEN_POLICY, lnsPolicy } from './policy.js';
import type { Incumbent } from './schedule.js';

/**
 * The improve stage: large neighbourhood search from a complete placement (MiniZinc re-optimises
 * the larger neighbourhoods when a runner is there), and widening when the forced moves alone
 * could not be placed or their placement not scheduled: the VMs that block the tightest hosts
 * are set free, exact repacks and MiniZinc completions, for the time the policy gives. Every
 * complete placement found goes through the schedule stage (the incumbent). Nothing here proves
 * anything.
 */

/** LNS from a complete placement until `until` (Date.now() value); every improvement is considered. */
export async function improve(a: Attempt, incumbent: Incumbent, start: PlacementResult, until: number): Promise<PlacementResult> {
  const options = a.options;
  const lnsOptions = {
    lowerBound: a.repair.lowerBound,
    deadline: until,
    seed: options.seed ?? 7,
    policy: lnsPolicy(a.mzn?.runner.kind),
    shouldStop: a.cancelled,
    onImprove: (r: PlacementResult) => incumbent.consider(r, 'lns'),
  };
  let improved: PlacementResult;
  if (a.mzn) {
    const stats: LnsStats = { mznCalls: 0, mznImprovements: 0, mznMs: 0, mznErrors: 0, smallSteps: 0, smallImprovements: 0 };
    improved = await largeNeighbourhoodSearchMzn(a.problem, start, { ...lnsOptions, ...a.mzn }, stats);
    a.notes.push(`LNS: ${stats.mznCalls} MiniZinc neighbourhood(s) (${stats.mznImprovements} improving, ${stats.mznMs} ms${stats.lastError !== undefined ? `, last error: ${stats.lastError}` : ''}), ${stats.smallSteps} small ones (${stats.smallImprovements} improving)`);
  } else improved = largeNeighbourhoodSearch(a.problem, start, lnsOptions);
  incumbent.consider(improved, 'lns');
  return improved;
}

/**
 * The search's placements: the construction's, the current one (improved, widened) and the
 * widening's best partial one with what it tried, for the answer when no plan is found.
 */
export class Search {
  placement: PlacementResult;
  widened: { readonly best: PlacementResult; readonly stats: WidenStats } | undefined;

  constructor(readonly constructed: PlacementResult) {
    this.placement = constructed;
  }

  /** The partial placement with the fewest homeless VMs (the widening's when it did better). */
  homeless(): PlacementResult {
    return this.widened && this.widened.best.unplaced.length < this.constructed.unplaced.length ? this.widened.best : this.constructed;
  }
}

/** Widens from the best partial result so far until `until` (Date.now() value); a plan found is improved by LNS. */
export async function widenStage(a: Attempt, incumbent: Incumbent, search: Search, until: number): Promise<void> {
  const { options, problem, repair } = a;
  const solver = mznSolverOf(options);
  const fromSearch = search.placement.unplaced.length <= search.constructed.unplaced.length ? search.placement : search.constructed;
  const previous = search.widened;
  const start = previous && previous.best.unplaced.length < fromSearch.unplaced.length ? previous.best : fromSearch;
  // the VMs the latest refusal's schedule names (none when the refusal was the budgets')
  let blamed: readonly number[] = [];
  const result = await widen(problem, repair, start, {
    deadline: until,
    // a second widening after the exact model continues with other random choices
    seed: (options.seed ?? 11) + (previous?.stats.rounds ?? 0) * 104_729,
    shouldStop: a.stop,
    accept: (r) => {
      const before = incumbent.failure;
      incumbent.consider(r, 'widen');
      blamed = incumbent.failure !== before ? incumbent.failureVms() : [];
      return incumbent.best !== undefined;
    },
    blamed: () => blamed,
    focus: incumbent.failureVms(),
    spreadIncoming: a.objective === 'mttr',
    policy: WIDEN_POLICY,
    ...(a.mzn ? { runner: a.mzn.runner } : {}),
    ...(solver !== undefined ? { solver } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const w = result.stats;
  search.widened = {
    best: previous && previous.best.unplaced.length <= result.best.unplaced.length ? previous.best : result.best,
    stats: previous ? addWidenStats(previous.stats, w) : w,
  };
  a.notes.push(`widening: ${w.rounds} round(s), up to ${w.largestFreed} more VM(s) free on ${w.largestHosts} host(s), ${w.repacked} homeless VM(s) placed by exact repacks, ${w.mznCalls} MiniZinc completion(s) (${w.mznCompleted} complete), ${w.refused} complete placement(s) refused (no schedule or over the budgets)${result.accepted ? '; a plan found' : ''}`);
  a.phases.push(`widen ${Date.now() - a.time.start} ms`);
  if (result.accepted) {
    search.placement = result.accepted;
    // a widened placement moves VMs that could have stayed: LNS takes back what it can
    if (result.accepted.cost > repair.lowerBound && !a.stop()) search.placement = await improve(a, incumbent, result.accepted, Math.max(until, a.time.improveWidenedUntil));
  }
}

function addWidenStats(a: WidenStats, b: WidenStats): WidenStats {
  return {
    rounds: a.rounds + b.rounds,
    largestFreed: Math.max(a.largestFreed, b.largestFreed),
    largestHosts: Math.max(a.largestHosts, b.largestHosts),
    repacked: a.repacked + b.repacked,
    mznCalls: a.mznCalls + b.mznCalls,
    mznCompleted: a.mznCompleted + b.mznCompleted,
    refused: a.refused + b.refused,
  };
}
