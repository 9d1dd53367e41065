import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints } from '../encoding.js';
import type { OnlineArgs } from './index.js';

/** COnline: the node is online at the end (a core fact: it decides the node's transition, as in BtrPlace). */
export const encoder: ConstraintEncoder<OnlineArgs> = {
  core(c: Constraint<OnlineArgs>) {
    return { nodeStates: [{ node: c.args.node, state: 'online' as const }] };
  },
  encode(c: Constraint<OnlineArgs>, ctx: EncodingContext): EncodeResult {
    const { node } = c.args;
    if (ctx.node(node) === undefined) return { error: `node ${node} is not in the model` };
    return constraints([`${ctx.nodeOn(node)}`], 'online');
  },
};
