import type { NodeId } from '../../src/model/index.js';
import type { UsageCurve } from '../../src/plan/usage.js';

/**
 * The usage curves (src/plan/usage.ts) shaped for the screen: grouped by host with the tightest
 * resource, and as aligned series in percent of capacity for a chart.
 */

export interface HostUsage {
  readonly host: string;
  readonly curves: readonly UsageCurve[];
  /** The resource with the least headroom at its peak, in percent of its capacity (negative: overloaded). */
  readonly tightest: { readonly rc: string; readonly headroomPercent: number } | null;
}

export function hostUsages(curves: readonly UsageCurve[], nameOf: (node: NodeId) => string): HostUsage[] {
  const byNode = new Map<NodeId, UsageCurve[]>();
  for (const c of curves) byNode.set(c.node, [...(byNode.get(c.node) ?? []), c]);
  return [...byNode].map(([node, list]) => {
    let tightest: HostUsage['tightest'] = null;
    for (const c of list) {
      if (c.capacity <= 0) continue;
      const headroomPercent = (c.minHeadroom / c.capacity) * 100;
      if (tightest === null || headroomPercent < tightest.headroomPercent) tightest = { rc: c.rc, headroomPercent };
    }
    return { host: nameOf(node), curves: list, tightest };
  });
}

/**
 * Aligned series for a chart: x = every instant any curve changes (plus the end), then per curve
 * its use in percent of capacity at those instants (0 when the capacity is 0).
 */
export function percentSeries(curves: readonly UsageCurve[], duration: number): number[][] {
  const xs = [...new Set([0, duration, ...curves.flatMap((c) => c.points.map((p) => p.t))])].filter((t) => t <= duration).sort((a, b) => a - b);
  const series = curves.map((c) =>
    xs.map((t) => {
      let used = 0;
      for (const p of c.points) {
        if (p.t > t) break;
        used = p.used;
      }
      return c.capacity > 0 ? Math.round((used / c.capacity) * 1000) / 10 : 0;
    }),
  );
  return [xs, ...series];
}
