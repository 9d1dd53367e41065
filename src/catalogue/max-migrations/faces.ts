import { type PlacementRule, type PlacementView, type SolverFaces, none } from '../faces/index.js';
import type { Constraint } from '../constraint.js';
import type { MaxMigrationsArgs } from './index.js';

/**
 * The placement rule: a member that runs now and at the end counts as a migration when it ends
 * away from its source host; a member may leave home only while fewer than `amount` have.
 */
export class MaxMigrationsRule implements PlacementRule {
  readonly scope = 'vm';
  readonly members: readonly number[];
  private moved = 0;

  constructor(
    readonly constraintIndex: number,
    readonly source: Constraint,
    /** Dense member → source host (members that run now and at the end). */
    private readonly home: ReadonlyMap<number, number>,
    private readonly amount: number,
  ) {
    this.members = [...home.keys()];
  }

  private away(v: number, n: number): boolean {
    const h = this.home.get(v);
    return h !== undefined && h !== n;
  }
  allows(v: number, n: number): boolean {
    return !this.away(v, n) || this.moved < this.amount;
  }
  add(v: number, n: number): void {
    if (this.away(v, n)) this.moved++;
  }
  remove(v: number, n: number): void {
    if (this.away(v, n)) this.moved--;
  }
  /** One member away from home, if a movable one exists: its departure frees a migration. */
  blockers(v: number, n: number, view: PlacementView): number[] | null {
    if (!this.away(v, n) || this.moved < this.amount) return [];
    for (const m of this.members) {
      const at = view.host[m] ?? -1;
      if (m !== v && at >= 0 && this.away(m, at) && !view.pinned(m)) return [m];
    }
    return null;
  }
  /** The members away from home beyond the amount (evicted, they may go back home). */
  repair(view: PlacementView): number[] {
    const away = this.members.filter((m) => {
      const at = view.host[m] ?? -1;
      return at >= 0 && this.away(m, at) && !view.pinned(m);
    });
    return away.slice(0, Math.max(0, away.length - this.amount));
  }
  reset(): void {
    this.moved = 0;
  }
}

export const faces: SolverFaces<MaxMigrationsArgs> = {
  placement: {
    summary: 'its own rule: at most `amount` members end away from their source host',
    place(c, ctx) {
      const home = new Map<number, number>();
      for (const v of ctx.vms(c.args.vms)) if (ctx.originRunning(v)) home.set(v, ctx.origin(v));
      ctx.add(new MaxMigrationsRule(ctx.index, ctx.source, home, c.args.amount));
    },
  },
  schedule: none('each VM migrates at most once whatever the order; the count is the placement\'s'),
  bounds: none('no quick argument cites it'),
};
