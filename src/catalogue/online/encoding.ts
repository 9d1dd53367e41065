import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, intArg } from '../encoding.js';

/** COnline: the node is online at the end (a core fact: it decides the node's transition, as in BtrPlace). */
export const encoder: ConstraintEncoder = {
  core(c: Constraint) {
    const node = c.args['node'];
    return typeof node === 'number' ? { nodeStates: [{ node, state: 'online' as const }] } : {};
  },
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const node = intArg(c.args, 'node');
    if ('error' in node) return node;
    if (ctx.node(node.value) === undefined) return { error: `node ${node.value} is not in the model` };
    return constraints([`${ctx.nodeOn(node.value)}`], 'online');
  },
};
