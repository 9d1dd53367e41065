import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints } from '../encoding.js';
import type { MaxOnlineArgs } from './index.js';

/**
 * CMaxOnline: at most `amount` of the nodes online at the end. Continuous: at every instant, a
 * node counting as online from the start of its boot to the end of its shutdown (a cumulative
 * over power intervals, BtrPlace's CPowerView).
 */
export const encoder: ConstraintEncoder<MaxOnlineArgs> = {
  encode(c: Constraint<MaxOnlineArgs>, ctx: EncodingContext): EncodeResult {
    const { nodes, amount } = c.args;
    const known = [...new Set(nodes)].filter((n) => ctx.node(n) !== undefined);
    if (known.length === 0) return constraints([], 'maxOnline');
    if (!c.continuous) return constraints([`sum([${known.map((n) => `bool2int(${ctx.nodeOn(n)})`).join(', ')}]) <= ${amount}`], 'maxOnline');
    if (amount <= 0) {
      // no node of the set may be online at any instant (a cumulative of capacity 0 cannot say it)
      return constraints(known.map((n) => (ctx.initialNodeState(n) === 'online' ? 'false % a node of the set is online at the start' : `not ${ctx.nodeOn(n)}`)), 'maxOnline');
    }
    const H = ctx.horizon;
    const starts: string[] = [];
    const durations: string[] = [];
    for (const n of known) {
      if (ctx.initialNodeState(n) === 'online') {
        starts.push('0');
        durations.push(`(if ${ctx.nodeOn(n)} then ${H} else ${ctx.nodeEnd(n)} endif)`);
      } else {
        starts.push(`(if ${ctx.nodeOn(n)} then ${ctx.nodeStart(n)} else ${H} endif)`);
        durations.push(`(if ${ctx.nodeOn(n)} then ${H} - ${ctx.nodeStart(n)} else 0 endif)`);
      }
    }
    const body = `cumulative([${starts.join(', ')}], [${durations.join(', ')}], [${known.map(() => '1').join(', ')}], ${amount})`;
    return { mzn: `include "cumulative.mzn";\n${constraints([body], 'maxOnline').mzn}` };
  },
};
