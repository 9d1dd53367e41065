import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, arrivesAfterLeaving, constraints, nodeSet, runningAtEnd } from '../encoding.js';
import type { LonelyArgs } from './index.js';

/**
 * CLonely: a running VM of the set shares its node only with VMs of the set. Fixed foreign VMs
 * close their nodes to the set; a variable foreign VM and a set VM end apart. Continuous: a set VM
 * arrives on a node only once the foreign VMs there have left, and vice versa.
 */
export const encoder: ConstraintEncoder<LonelyArgs> = {
  encode(c: Constraint<LonelyArgs>, ctx: EncodingContext): EncodeResult {
    const inSet = new Set(c.args.vms.filter((v) => ctx.hasVm(v)));
    const set = [...inSet];
    const running = runningAtEnd(ctx, set);
    const out: string[] = [];
    const closed = ctx.nodes().filter((n) => ctx.fixedRunningOn(n).some((v) => !inSet.has(v)));
    const closedSet = nodeSet(ctx, closed);
    for (const v of running) {
      if (ctx.isVariable(v)) out.push(`not (${ctx.host(v)} in ${closedSet})`);
      else if (closed.includes(ctx.fixedHost(v) ?? -1)) out.push('false % a fixed VM of the set shares its node');
    }
    const foreign = ctx.variableVms().filter((v) => !inSet.has(v));
    const foreignRunning = foreign.filter((v) => ctx.finalState(v) === 'running');
    for (const v of running) for (const w of foreignRunning) out.push(`${ctx.host(v)} != ${ctx.host(w)}`);
    if (c.continuous) {
      for (const v of set) {
        for (const w of foreign) {
          for (const rule of [arrivesAfterLeaving(ctx, v, w), arrivesAfterLeaving(ctx, w, v)]) if (rule !== null) out.push(rule);
        }
      }
    }
    return constraints(out, 'lonely');
  },
};
