import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints } from '../encoding.js';
import type { OfflineArgs } from './index.js';

/** COffline: the node is offline at the end (a core fact: it decides the node's transition, as in BtrPlace). */
export const encoder: ConstraintEncoder<OfflineArgs> = {
  core(c: Constraint<OfflineArgs>) {
    return { nodeStates: [{ node: c.args.node, state: 'offline' as const }] };
  },
  encode(c: Constraint<OfflineArgs>, ctx: EncodingContext): EncodeResult {
    const { node } = c.args;
    if (ctx.node(node) === undefined) return { error: `node ${node} is not in the model` };
    return constraints([`not ${ctx.nodeOn(node)}`], 'offline');
  },
};
