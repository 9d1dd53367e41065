import type { PlacementContext, SolverFaces } from '../faces/index.js';
import type { Constraint } from '../constraint.js';
import type { MaxOnlineArgs } from './index.js';

/**
 * Nodes online at the end are decided before the placement (node state constraints, then the
 * power pass), so the placement only says when the limit cannot hold: continuous, it must hold
 * now (BtrPlace's MaxOnlineChecker.startsWith, CMaxOnline's cumulative from t=0); discrete, what
 * the power pass left too many is final.
 */
function place(c: Constraint<MaxOnlineArgs>, ctx: PlacementContext): void {
  // a node listed twice counts once (BtrPlace reads the nodes into a set)
  const set = [...new Set(ctx.nodes(c.args.nodes))];
  const { amount } = c.args;
  const names = (ns: readonly number[]): string => ns.map((n) => ctx.nodeName(n)).join(', ');
  if (c.continuous) {
    const now = set.filter((n) => ctx.onlineNow(n));
    if (now.length > amount) {
      ctx.infeasible(`${ctx.describe()} is continuous but ${now.length} of these nodes are online now (${names(now)}), at most ${amount} allowed; write it with '>>' to only require it at the end`);
      return;
    }
  }
  const atEnd = set.filter((n) => ctx.onlineAtEnd(n));
  if (atEnd.length <= amount || (!c.continuous && ctx.deferMaxOnline)) return;
  const pinnedOnline = atEnd.filter((n) => ctx.wantedOnline(n));
  const why = pinnedOnline.length > amount ? `; ${names(pinnedOnline)} must be online (online constraints)` : '';
  ctx.infeasible(`${ctx.describe()}: ${atEnd.length} of these nodes are online at the end (${names(atEnd)}), at most ${amount} allowed${why}`);
}

export const faces: SolverFaces<MaxOnlineArgs> = {
  placement: {
    summary: 'limits the nodes the power pass leaves online; reports a limit the node states break',
    onlineLimit: (c) => ({ nodes: c.args.nodes, amount: c.args.amount }),
    place,
  },
  schedule: {
    summary: 'continuous: the count of online nodes never exceeds the amount (boots wait for shutdowns)',
    order(c, sink) {
      if (c.continuous) sink.maxOnline(c.args.nodes, c.args.amount);
    },
  },
  bounds: { none: 'no quick argument cites it (the power pass reads its onlineLimit)' },
};
