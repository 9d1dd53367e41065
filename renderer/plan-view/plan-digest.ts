import type { Constraint } from '../../src/catalogue/constraint.js';
import type { Step } from '../../src/executor/types.js';
import { usageOverTime } from '../../src/plan/usage.js';
import { type Placement, type ShownPlan, planViewOf } from './plan-model.js';
import { type HostUsage, hostUsages } from './usage-series.js';

/**
 * Everything the plan screen draws of a computed plan, as plain data: the steps, the hosts, the
 * placement before and after, why steps are there, each host's use over the plan. Computing it
 * decodes the plan's origin (40,000 VMs: the slow part) and replays the plan; it runs in a worker
 * (plan-digest.worker.ts) so that the page keeps answering input while a big plan arrives, and
 * what crosses back is only what is drawn: on a big cluster, the hosts the plan changes.
 */

export interface PlanDigest {
  readonly steps: readonly Step[];
  /** Every host name, in the model's node order (the Gantt keeps the busy ones on a big cluster). */
  readonly hosts: readonly string[];
  readonly durationSeconds: number;
  /** The placement before and after: every host on a small cluster, else the hosts the plan changes. */
  readonly before: Placement;
  readonly after: Placement;
  /** Hosts left out of `before`/`after` (they keep their VMs). */
  readonly unchangedHosts: number;
  /** Names of the VMs whose host differs between before and after. */
  readonly moved: readonly string[];
  /** Why a step is there, where the plan's structure says it, by step id. */
  readonly reasons: readonly (readonly [string, string])[];
  /** Each host's use over the plan against the capacities planned with; on a big cluster the hosts the plan touches and the tightest. */
  readonly usage: readonly HostUsage[];
  /** The plan's end (s), at least 1: the usage curves' horizon. */
  readonly usageHorizon: number;
  /** True when some capacity is an overbooked one. */
  readonly overbooked: boolean;
}

export type DigestResult = { readonly ok: true; readonly digest: PlanDigest } | { readonly ok: false; readonly message: string };

export interface DigestRequest {
  readonly result: ShownPlan;
  /**
   * Names the plan's origin (plan-model.ts originKeyOf): decoded once, then shared by the plans
   * on it. Without it the origin is decoded for this plan alone.
   */
  readonly originKey?: string;
  /** The script the plan was computed under (its overbook ratios). */
  readonly script: string;
  /** The instance's own constraints (an instance file's). */
  readonly constraints: readonly Constraint[];
}

/** Up to this many hosts, every one is drawn; beyond, the ones the plan changes (and the tightest, for the use table). */
export const ALL_HOSTS_UP_TO = 64;

/** null: the result has no plan. */
export function digestPlan(request: DigestRequest): DigestResult | null {
  const read = planViewOf(request.result, request.script, request.constraints, request.originKey);
  if (read === null) return null;
  if (!read.ok) return read;
  const view = read.view;
  const big = view.before.length > ALL_HOSTS_UP_TO;
  const changed = big ? changedHosts(view.before, view.after, view.moved) : null;
  const keep = (p: Placement): Placement => (changed === null ? p : p.filter((h) => changed.has(h.name)));
  const usage = hostUsages(usageOverTime(view.capacityPlan), (node) => view.capacityPlan.origin.nodeName(node));
  let horizon = 1;
  for (const a of view.plan.actions) horizon = Math.max(horizon, a.end);
  return {
    ok: true,
    digest: {
      steps: view.steps,
      hosts: view.hosts,
      durationSeconds: view.durationSeconds,
      before: keep(view.before),
      after: keep(view.after),
      unchangedHosts: changed === null ? 0 : view.before.length - changed.size,
      moved: [...view.moved],
      reasons: [...view.reasons],
      usage: changed === null ? usage : usageWorthShowing(usage, changed),
      usageHorizon: horizon,
      overbooked: view.overbooked,
    },
  };
}

/** Hosts a moved VM leaves or reaches, and hosts whose power changes. */
export function changedHosts(before: Placement, after: Placement, moved: ReadonlySet<string>): Set<string> {
  const changed = new Set<string>();
  const onlineBefore = new Map(before.map((h) => [h.name, h.online]));
  for (const side of [before, after]) {
    for (const h of side) if (h.vms.some((vm) => moved.has(vm.name))) changed.add(h.name);
  }
  for (const h of after) if (onlineBefore.get(h.name) !== h.online) changed.add(h.name);
  return changed;
}

/** The hosts the plan changes, and the ALL_HOSTS_UP_TO with the least headroom (a host the plan leaves alone may be the tightest). */
function usageWorthShowing(usage: readonly HostUsage[], changed: ReadonlySet<string>): HostUsage[] {
  const headroom = (h: HostUsage): number => h.tightest?.headroomPercent ?? Number.POSITIVE_INFINITY;
  const tightest = new Set([...usage].sort((a, b) => headroom(a) - headroom(b)).slice(0, ALL_HOSTS_UP_TO));
  return usage.filter((h) => changed.has(h.host) || tightest.has(h));
}
