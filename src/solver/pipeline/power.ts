import type { Instance } from '../../instance/instance.js';
import type { PlacementResult } from '../placement/ffd.js';
import { type PowerPlan, bootForUnplaced, canBoot, decidePower } from '../power.js';
import type { Feasibility } from '../explain.js';
import type { Attempt } from './attempt.js';
import { MAX_BOOT_RETRIES } from './policy.js';
import type { Incumbent } from './schedule.js';
import type { PlanOptions } from './types.js';

/**
 * The power stage: the node states the instance needs, decided before any placement (BtrPlace
 * leaves them free; Ferry decides them first, src/solver/power.ts): nodes to power off for a
 * violated discrete maxOnline, spares to boot when capacity is provably short. Its decisions
 * become plain `online`/`offline` constraints of the reduced problem, so everything after it is
 * one pipeline. After a search, `bootRetry` says whether booting more nodes is worth a new one.
 */
export function powerStage(instance: Instance, options: PlanOptions): PowerPlan {
  return decidePower(instance, options.extraConstraints ?? [], options.objective ?? 'mttr');
}

/** Whether the attempt numbered `attempt` may still ask for a retry with more boots. */
export function mayRetryWithBoots(power: PowerPlan, attempt: number): boolean {
  return attempt < MAX_BOOT_RETRIES && canBoot(power.problem);
}

/**
 * After the search of an attempt that found no plan, the power decisions of the next attempt:
 * nodes booted for the VMs left without a host (no proof that they fit), or for a placement the
 * scheduler could not order (a migration cycle with no third node to go through: a spare that
 * boots gives the cycle a way out, or the placement a better choice). Undefined: no retry.
 */
export function bootRetry(a: Attempt, incumbent: Incumbent, constructed: PlacementResult, verdict: Feasibility | undefined): PowerPlan | undefined {
  if (incumbent.best || !a.clock.mayBoot || a.cancelled()) return undefined;
  const { repair, instance, power, objective } = a;
  if (constructed.unplaced.length > 0 && verdict !== 'feasible') {
    // name the VMs that had to move in the first place; the others were only evicted on the way
    const forced = new Set(repair.forced);
    const named = constructed.unplaced.some((v) => forced.has(v)) ? constructed.unplaced.filter((v) => forced.has(v)) : repair.forced;
    const next = bootForUnplaced(instance, power, objective, constructed.unplaced, named);
    if (next) return next;
  }
  // the scheduler could not order a complete placement: the construction's, or the one the
  // exhaustive search found after the construction left VMs out
  if (incumbent.failure !== undefined && (constructed.unplaced.length === 0 || verdict === 'feasible')) {
    const stuck = incumbent.failureVms();
    return bootForUnplaced(instance, power, objective, stuck, stuck, 'the scheduler found no order for');
  }
  return undefined;
}
