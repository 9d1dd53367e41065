import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, arrivesAfterLeaving, constraints, pairsOf, runningAtEnd } from '../encoding.js';
import type { SpreadArgs } from './index.js';

/**
 * CSpread: the running VMs of the set end on pairwise distinct nodes. Continuous: it must hold at
 * the start (co-located VMs: no solution), and a VM placed where another VM of the set was only
 * arrives once that one has left (its c-slice ends before the newcomer's d-slice starts).
 */
export const encoder: ConstraintEncoder<SpreadArgs> = {
  encode(c: Constraint<SpreadArgs>, ctx: EncodingContext): EncodeResult {
    const set = [...new Set(c.args.vms)].filter((v) => ctx.hasVm(v));
    const out: string[] = [];
    const running = runningAtEnd(ctx, set);
    const hosts = running.filter((v) => ctx.isVariable(v)).map((v) => ctx.host(v));
    const fixedHosts = running.filter((v) => !ctx.isVariable(v)).map((v) => ctx.host(v));
    if (new Set(fixedHosts).size < fixedHosts.length) out.push('false % fixed VMs of the set share a node');
    if (hosts.length > 0 && running.length > 1) {
      out.push(`alldifferent([${[...hosts, ...fixedHosts].join(', ')}])`);
    }
    if (c.continuous) {
      const startHosts = set.filter((v) => ctx.initialState(v) === 'running').map((v) => ctx.initialHost(v));
      if (new Set(startHosts).size < startHosts.length) out.push('false % the set is not spread at the start');
      for (const [a, b] of pairsOf(set)) {
        for (const [x, y] of [
          [a, b],
          [b, a],
        ] as const) {
          const rule = arrivesAfterLeaving(ctx, x, y);
          if (rule !== null) out.push(rule);
        }
      }
    }
    const body = constraints(out, 'spread');
    // the global's own include: several spreads including it once each is fine in MiniZinc
    return out.some((l) => l.startsWith('alldifferent')) ? { mzn: `include "alldifferent.mzn";\n${body.mzn}` } : body;
  },
};
